"""Page forms for RFQs.

The page does not validate an RFQ its own way: the cleaned form is turned into the API's
input shape and checked by `RFQInput` (and through it by the auction mechanism), so a
buyer gets the same answer — and the same messages — from the page as from the API.
Django forms only parse the HTML inputs and carry the messages back to the right field.
"""
from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.forms import formset_factory

from auctions.scenarios import TEMPLATES, TEMPLATES_BY_ID
from common.errors import ApplicationError, flatten_field_errors
from suppliers.models import Category, Port

from .models import ReserveVisibility
from .serializers import TIE_BREAK_CRITERIA, TIE_BREAK_FALLBACKS, RFQInput

DATETIME_INPUT = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
COMMON_CURRENCIES = ["USD", "EUR", "GBP", "SGD", "NOK", "DKK", "JPY", "CNY", "HKD", "AED", "INR", "KRW"]

TIE_BREAK_LABELS = {
    "earliest_submission": "Earliest submission",
    "higher_tier": "Higher supplier tier",
    "better_performance": "Better performance score",
    "closer_to_port": "Closer to the delivery port",
    "more_items_quoted": "More line items quoted",
}
FALLBACK_LABELS = {
    "random": "Random draw (seeded, replayable)",
    "manual_selection": "Manual selection by the buyer",
    "split_award": "Split the award",
}
TIE_BREAK_SLOTS = len(TIE_BREAK_CRITERIA)

# Which form field carries which mechanism setting, per auction type. Settings not listed
# keep the template's (or, when editing, the stored) value.
SETTINGS_FIELDS = {
    "REVERSE_AUCTION": {
        "starting_price": "rev_starting_price",
        "minimum_decrement": "rev_minimum_decrement",
        "decrement_type": "rev_decrement_type",
        "extension_trigger_minutes": "rev_extension_trigger_minutes",
        "extension_duration_minutes": "rev_extension_duration_minutes",
        "max_extensions": "rev_max_extensions",
        "show_ranking": "rev_show_ranking",
        "show_leading_bid": "rev_show_leading_bid",
        "show_bid_count": "rev_show_bid_count",
    },
    "SEALED_BID": {
        "pricing": "sb_pricing",
        "allow_multiple_submissions": "sb_allow_multiple_submissions",
        "minimum_bidders": "sb_minimum_bidders",
        "reveal_bids_to_suppliers": "sb_reveal_bids_to_suppliers",
        "allow_partial_bids": "sb_allow_partial_bids",
    },
    "MULTI_ATTRIBUTE": {
        "scoring_method": "ma_scoring_method",
        "price_weight": "ma_price_weight",
        "allow_partial_bids": "ma_allow_partial_bids",
    },
}
# Settings a blank input should send as "none" rather than leave at the template's value.
NULLABLE_SETTINGS = {"starting_price"}


def _datetime_widget():
    return forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT)


def _money_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, max_digits=22, decimal_places=4,
                              widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **kwargs)


def _count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0,
                              widget=forms.NumberInput(attrs={"class": "input-short"}), **kwargs)


class RFQForm(forms.Form):
    """The RFQ's own fields, its auction type and settings, reserve and tie-breaking."""

    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "e.g. Fresh provisions for MV Blue Horizon"}))
    description = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(Category.objects.all(), to_field_name="slug", empty_label="Choose a category")
    currency = forms.CharField(min_length=3, max_length=3, initial="USD", help_text="ISO 4217 code",
                               widget=forms.TextInput(attrs={"list": "currency-list", "autocomplete": "off",
                                                             "class": "input-short"}))
    delivery_port = forms.ModelChoiceField(Port.objects.all(), to_field_name="code", empty_label="Choose a port")
    delivery_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    bidding_opens_at = forms.DateTimeField(required=False, label="Bidding opens (UTC)", widget=_datetime_widget(),
                                           help_text="Leave empty to open as soon as the RFQ is published.")
    bidding_deadline = forms.DateTimeField(label="Bidding deadline (UTC)", widget=_datetime_widget())

    template = forms.ChoiceField(choices=[(t.id, t.name) for t in TEMPLATES], widget=forms.RadioSelect,
                                 label="Auction type")

    rev_starting_price = _money_field("Starting price (ceiling)",
                                      help_text="Optional. No bid may be above it.")
    rev_minimum_decrement = _money_field("Minimum decrement")
    rev_decrement_type = forms.ChoiceField(label="Decrement type", required=False, choices=[
        ("AMOUNT", "Fixed amount"), ("PERCENTAGE", "Percentage of the current best")])
    rev_extension_trigger_minutes = _count_field("Extend when a bid arrives in the last (min)")
    rev_extension_duration_minutes = _count_field("Extend by (min)")
    rev_max_extensions = _count_field("At most (extensions)")
    rev_show_ranking = forms.BooleanField(required=False, label="Suppliers see their rank")
    rev_show_leading_bid = forms.BooleanField(required=False, label="Suppliers see the leading bid")
    rev_show_bid_count = forms.BooleanField(required=False, label="Suppliers see the number of bids")

    sb_pricing = forms.ChoiceField(label="Pricing", required=False, choices=[
        ("FIRST_PRICE", "First price — the winner is paid its own bid"),
        ("SECOND_PRICE", "Second price (Vickrey) — the winner is paid the second-lowest bid")])
    sb_allow_multiple_submissions = forms.BooleanField(required=False,
                                                       label="Suppliers may revise their quote until the deadline")
    sb_minimum_bidders = forms.IntegerField(required=False, min_value=1, label="Minimum bidders",
                                            widget=forms.NumberInput(attrs={"class": "input-short"}))
    sb_reveal_bids_to_suppliers = forms.BooleanField(
        required=False, label="After the award, show suppliers the ranked prices (anonymised)")
    sb_allow_partial_bids = forms.BooleanField(required=False, label="Allow quotes on a subset of the line items")

    ma_scoring_method = forms.ChoiceField(label="Scoring method", required=False, choices=[
        ("WEIGHTED_SUM", "Weighted sum"), ("TOPSIS", "TOPSIS (closeness to the ideal quote)")],
        help_text="AHP with a pairwise-comparison matrix is available through the API.")
    ma_price_weight = forms.FloatField(required=False, min_value=0, max_value=100, label="Price weight",
                                       widget=forms.NumberInput(attrs={"class": "input-short"}))
    ma_allow_partial_bids = forms.BooleanField(required=False, label="Allow quotes on a subset of the line items")

    reserve_enabled = forms.BooleanField(required=False, label="Set a reserve price")
    reserve_amount = _money_field("Reserve amount", help_text="Total for the whole RFQ.")
    reserve_visibility = forms.ChoiceField(choices=ReserveVisibility.choices, initial=ReserveVisibility.HIDDEN,
                                           label="Visibility to suppliers")
    reserve_auto_accept_if_met = forms.BooleanField(required=False, label="Accept automatically when met")
    reserve_notify_buyer_if_not_met = forms.BooleanField(required=False, initial=True,
                                                         label="Tell me when it is not met")

    tie_break_fallback = forms.ChoiceField(choices=list(FALLBACK_LABELS.items()), initial="random",
                                           label="Final fallback")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c, TIE_BREAK_LABELS[c]) for c in TIE_BREAK_CRITERIA]
        for slot in range(1, TIE_BREAK_SLOTS + 1):
            self.fields[f"tie_break_{slot}"] = forms.ChoiceField(choices=choices, required=False,
                                                                 label=f"{_ordinal(slot)}")

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def tie_break_fields(self):
        return [self[f"tie_break_{slot}"] for slot in range(1, TIE_BREAK_SLOTS + 1)]

    def settings_fields(self, auction_type: str):
        return [self[name] for name in SETTINGS_FIELDS[auction_type].values()]


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


class LineItemForm(forms.Form):
    # The row's inputs sit under column headings, so each carries its name for screen readers.
    description = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"aria-label": "Line item description"}))
    quantity = forms.DecimalField(max_digits=22, decimal_places=4, widget=forms.NumberInput(
        attrs={"step": "any", "inputmode": "decimal", "aria-label": "Line item quantity"}))
    unit = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": "pcs", "aria-label": "Line item unit"}))
    impa_code = forms.CharField(required=False, max_length=6, label="IMPA code", widget=forms.TextInput(
        attrs={"placeholder": "optional", "inputmode": "numeric", "aria-label": "Line item IMPA code"}))


class BaseLineItemFormSet(forms.BaseFormSet):
    default_error_messages = {"too_few_forms": "Add at least one line item.",
                              "too_many_forms": "At most %(num)d line items."}

    def kept_forms(self) -> list[forms.Form]:
        """The rows that become line items: not removed, and not left blank."""
        kept = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.empty_permitted and not form.has_changed():
                continue
            kept.append(form)
        return kept


LineItemFormSet = formset_factory(LineItemForm, formset=BaseLineItemFormSet, extra=0, min_num=1,
                                  validate_min=True, max_num=500, validate_max=True, can_delete=True)


def _plain(value):
    """A form value in the API's input types: decimals travel as plain strings."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


class RFQEditor:
    """The whole RFQ page form: RFQ fields plus line-item rows, validated like the API.

    After `is_valid()`, `service_data` is what `rfq_create` / `rfq_update` take.
    """

    prefix = "items"

    def __init__(self, data=None, *, rfq=None):
        self.rfq = rfq
        self.form = RFQForm(data, initial=initial_for(rfq))
        self.items = LineItemFormSet(data, prefix=self.prefix, initial=_line_items_initial(rfq))
        self.service_data: dict | None = None

    @property
    def chosen_template(self):
        """The template the form currently shows chosen (submitted, or initial)."""
        return TEMPLATES_BY_ID.get(self.form["template"].value()) or TEMPLATES[0]

    def is_valid(self) -> bool:
        form_ok = self.form.is_valid()
        items_ok = self.items.is_valid()
        if not (form_ok and items_ok):
            return False
        serializer = RFQInput(self.rfq, data=self.payload(), partial=self.rfq is not None)
        if not serializer.is_valid():
            self.add_field_errors(flatten_field_errors(serializer.errors))
            return False
        self.service_data = serializer.validated_data
        return True

    def payload(self) -> dict:
        """The API's RFQ input built from the cleaned page form."""
        data = self.form.cleaned_data
        template = TEMPLATES_BY_ID[data["template"]]
        self._kept = self.items.kept_forms()
        criteria = [data[f"tie_break_{slot}"] for slot in range(1, TIE_BREAK_SLOTS + 1) if data[f"tie_break_{slot}"]]
        return {
            "title": data["title"], "description": data["description"],
            "category": data["category"].slug, "currency": data["currency"],
            "delivery_port": data["delivery_port"].code, "delivery_date": data["delivery_date"],
            "bidding_opens_at": data["bidding_opens_at"], "bidding_deadline": data["bidding_deadline"],
            "line_items": [{name: _plain(value) for name, value in form.cleaned_data.items() if name != "DELETE"}
                           for form in self._kept],
            "auction": {"type": template.auction_type, "template": template.id,
                        "settings": self._settings(template)},
            "reserve_price": {
                "enabled": data["reserve_enabled"],
                "amount": _plain(data["reserve_amount"]) if data["reserve_enabled"] else None,
                "visibility": data["reserve_visibility"],
                "auto_accept_if_met": data["reserve_auto_accept_if_met"],
                "notify_buyer_if_not_met": data["reserve_notify_buyer_if_not_met"],
            },
            "tie_breaking": {"criteria": criteria, "final_fallback": data["tie_break_fallback"]},
        }

    def _settings(self, template) -> dict:
        # Editing keeps what is stored (e.g. criteria set through the API) unless the buyer
        # switched to another template; the page's inputs then override what they show.
        rfq = self.rfq
        keep_stored = rfq is not None and rfq.auction_type == template.auction_type and rfq.template in ("", template.id)
        settings = dict(rfq.auction_settings) if keep_stored else dict(template.overrides)
        for setting, field in SETTINGS_FIELDS[template.auction_type].items():
            value = self.form.cleaned_data.get(field)
            if value is None or value == "":
                if setting in NULLABLE_SETTINGS:
                    settings[setting] = None
                continue
            settings[setting] = _plain(value)
        return settings

    # --- messages back onto the page ----------------------------------------------------

    def add_field_errors(self, fields: dict[str, list[str]]) -> None:
        """Put each message of the API's flattened error map on the field it is about."""
        for key, messages in fields.items():
            row = re.match(r"^line_items\[(\d+)\]\.(\w+)$", key)
            if row and int(row.group(1)) < len(getattr(self, "_kept", [])):
                form = self._kept[int(row.group(1))]
                name = row.group(2)
                form.add_error(name if name in form.fields else None, messages)
                continue
            name = self._field_for(key)
            if name:
                self.form.add_error(name, messages)
            elif key == "non_field_errors":
                self.form.add_error(None, messages)
            else:
                # A message about something the page has no input for: say what it is about.
                label = key.replace("auction.settings.", "auction setting ").replace("_", " ")
                self.form.add_error(None, [f"{label.capitalize()}: {m}" for m in messages])

    def add_application_error(self, exc: ApplicationError) -> None:
        if exc.fields:
            self.add_field_errors(exc.fields)
        else:
            self.form.add_error(None, exc.message)

    def _field_for(self, key: str) -> str | None:
        fields = self.form.fields
        if key in fields:
            return key
        if key in ("auction", "auction.type", "auction.template"):
            return "template"
        if key.startswith("auction.settings."):
            setting = key.split(".", 2)[2]
            template = TEMPLATES_BY_ID.get(self.form.cleaned_data.get("template"))
            if template:
                return SETTINGS_FIELDS[template.auction_type].get(setting)
            return None
        if key.startswith("reserve_price."):
            name = "reserve_" + key.split(".", 1)[1]
            return name if name in fields else "reserve_amount"
        if key.startswith("tie_breaking.criteria"):
            return "tie_break_1"
        if key == "tie_breaking.final_fallback":
            return "tie_break_fallback"
        return None


def initial_for(rfq) -> dict:
    """Initial values: a fresh RFQ starts from the first template; a draft shows what it holds."""
    initial = {}
    for auction_type in SETTINGS_FIELDS:
        defaults = next(t for t in TEMPLATES if t.auction_type == auction_type).settings()
        initial.update(_settings_initial(auction_type, defaults))
    if rfq is None:
        template = TEMPLATES[0]
        initial.update(template=template.id, currency="USD", reserve_visibility="hidden",
                       reserve_notify_buyer_if_not_met=True, tie_break_1="earliest_submission",
                       tie_break_fallback="random")
        initial.update(_settings_initial(template.auction_type, template.settings()))
        return initial
    template_id = rfq.template or next(t.id for t in TEMPLATES if t.auction_type == rfq.auction_type)
    initial.update(
        title=rfq.title, description=rfq.description, category=rfq.category.slug, currency=rfq.currency,
        delivery_port=rfq.delivery_port.code, delivery_date=rfq.delivery_date,
        bidding_opens_at=rfq.bidding_opens_at, bidding_deadline=rfq.bidding_deadline, template=template_id,
        reserve_enabled=rfq.reserve_enabled, reserve_amount=trim_decimal(rfq.reserve_amount),
        reserve_visibility=rfq.reserve_visibility, reserve_auto_accept_if_met=rfq.reserve_auto_accept_if_met,
        reserve_notify_buyer_if_not_met=rfq.reserve_notify_buyer_if_not_met,
        tie_break_fallback=(rfq.tie_breaking or {}).get("final_fallback", "random"),
    )
    for slot, criterion in enumerate((rfq.tie_breaking or {}).get("criteria", []), start=1):
        initial[f"tie_break_{slot}"] = criterion
    initial.update(_settings_initial(rfq.auction_type, rfq.auction_settings))
    return initial


def _settings_initial(auction_type: str, settings: dict) -> dict:
    return {field: settings.get(setting) for setting, field in SETTINGS_FIELDS[auction_type].items()
            if setting in settings}


def _line_items_initial(rfq) -> list[dict]:
    if rfq is None:
        return []
    return [{"description": li.description, "quantity": trim_decimal(li.quantity), "unit": li.unit,
             "impa_code": li.impa_code} for li in rfq.line_items.all()]


def trim_decimal(value: Decimal | None) -> Decimal | None:
    """40.0000 → 40 and 2.5000 → 2.5, without normalize()'s exponent form (4E+1)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


class InviteSuppliersForm(forms.Form):
    """The picker's ticked suppliers. Eligibility is the service's to check, all or nothing."""

    supplier_ids = forms.TypedMultipleChoiceField(coerce=int, error_messages={
        "required": "Tick at least one supplier to invite."})

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier_ids"].choices = [(s.pk, s.name) for s in suppliers]


class ReasonForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Invited suppliers and auditors read this. Cancelling is final.",
                             error_messages={"required": "Say why the RFQ is cancelled; suppliers and auditors read it."})
