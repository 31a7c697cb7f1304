"""The HTML inputs of the RFQ page: the RFQ's fields, auction settings and line-item rows."""
from __future__ import annotations

from django import forms
from django.forms import formset_factory

from auctions.scenarios import TEMPLATES
from common.local_format import LocalAmountField, UtcDateTimeField
from common.money import is_currency
from rfqs.models import ReserveVisibility
from suppliers.models import Category, Port

from ..serializers import TIE_BREAK_CRITERIA

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
        "bidding_basis": "rev_bidding_basis",
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
        "award_mode": "sb_award_mode",
        "max_suppliers_per_line": "sb_max_suppliers_per_line",
        "max_suppliers": "sb_max_suppliers",
    },
    "COMBINATORIAL": {
        "pricing": "cb_pricing",
        "max_bundles_per_quote": "cb_max_bundles_per_quote",
        "allow_multiple_submissions": "cb_allow_multiple_submissions",
        "minimum_bidders": "cb_minimum_bidders",
    },
    "MULTI_ATTRIBUTE": {
        "scoring_method": "ma_scoring_method",
        "price_weight": "ma_price_weight",
        "allow_partial_bids": "ma_allow_partial_bids",
    },
}
# Every auction type has these (auctions/mechanisms/base.py CommonSettings).
for _fields in SETTINGS_FIELDS.values():
    _fields["require_signed_bids"] = "require_signed_bids"

# Settings a blank input should send as "none" rather than leave at the template's value.
NULLABLE_SETTINGS = {"starting_price", "max_suppliers_per_line", "max_suppliers"}


def _datetime_widget():
    return forms.DateTimeInput(attrs=DATETIME_INPUT, format=DATETIME_FORMAT)


def _money_field(label: str, **kwargs) -> LocalAmountField:
    """An amount typed in the user's number format (common/local_format.py), at most the RFQ
    currency's decimals (RFQForm sets the currency from the form's own)."""
    return LocalAmountField(label=label, required=False, currency=4, **kwargs)


def _count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0,
                              widget=forms.NumberInput(attrs={"class": "input-short"}), **kwargs)


class RFQForm(forms.Form):
    """The RFQ's own fields, its auction type and settings, reserve and tie-breaking."""

    title = forms.CharField(max_length=200, widget=forms.TextInput(
        attrs={"placeholder": "e.g. Fresh provisions for MV Blue Horizon"}))
    description = forms.CharField(required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(Category.objects.all(), to_field_name="slug", empty_label="Choose a category")
    currency = forms.CharField(min_length=3, max_length=3, initial="USD", help_text="ISO 4217 code",
                               widget=forms.TextInput(attrs={"list": "currency-list", "autocomplete": "off",
                                                             "class": "input-short"}))
    delivery_port = forms.ModelChoiceField(Port.objects.all(), to_field_name="code", empty_label="Choose a port")
    delivery_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    bidding_opens_at = UtcDateTimeField(required=False, label="Bidding opens (UTC)", widget=_datetime_widget(),
                                           help_text="Leave empty to open as soon as the RFQ is published.")
    bidding_deadline = UtcDateTimeField(label="Bidding deadline (UTC)", widget=_datetime_widget())

    template = forms.ChoiceField(choices=[(t.id, t.name) for t in TEMPLATES], widget=forms.RadioSelect,
                                 label="Auction type")

    require_signed_bids = forms.BooleanField(
        required=False, label="Accept only signed bids",
        help_text="Each bid must be signed with the supplier's registered Ed25519 key (api.md \"Signed bids\"): "
                  "for suppliers bidding from their own systems. Browser bids are refused.")

    rev_bidding_basis = forms.ChoiceField(label="Bidding", required=False, initial="TOTAL", widget=forms.RadioSelect, choices=[
        ("TOTAL", "One bid for all lines (total)"), ("PER_LINE", "Bid line by line (lots)")],
        help_text="Line by line: each line item is its own auction, with its own starting price.")
    rev_starting_price = _money_field("Starting price (ceiling)",
                                      help_text="Optional. No bid may be above it. Not with line-by-line "
                                                "bidding: each line has its own.")
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
        ("SECOND_PRICE", "Second price (Vickrey) — the winner is paid the second-lowest bid"),
        ("VCG", "VCG (split award) — each winner is paid what it saves the buyer")])
    sb_award_mode = forms.ChoiceField(label="Award", required=False, choices=[
        ("WHOLE", "Whole — one supplier wins every line"),
        ("SPLIT", "Split — divide each line's quantity between suppliers at the lowest total cost")],
        help_text="With a split award suppliers may offer part of a line (a minimum and a maximum quantity).")
    sb_max_suppliers_per_line = forms.IntegerField(required=False, min_value=1, label="Suppliers per line (at most)",
                                                   widget=forms.NumberInput(attrs={"class": "input-short"}),
                                                   help_text="Split award only; empty: no limit.")
    sb_max_suppliers = forms.IntegerField(required=False, min_value=1, label="Suppliers in all (at most)",
                                          widget=forms.NumberInput(attrs={"class": "input-short"}),
                                          help_text="Split award only; empty: no limit.")
    sb_allow_multiple_submissions = forms.BooleanField(required=False,
                                                       label="Suppliers may revise their quote until the deadline")
    sb_minimum_bidders = forms.IntegerField(required=False, min_value=1, label="Minimum bidders",
                                            widget=forms.NumberInput(attrs={"class": "input-short"}))
    sb_reveal_bids_to_suppliers = forms.BooleanField(
        required=False, label="After the award, show suppliers the ranked prices (anonymised)")
    sb_allow_partial_bids = forms.BooleanField(required=False, label="Allow quotes on a subset of the line items")

    cb_pricing = forms.ChoiceField(label="Bundle pricing", required=False, choices=[
        ("FIRST_PRICE", "Pay as bid — each winning bundle is paid its price"),
        ("VCG", "VCG — each winner is paid what its bundle saves the buyer")])
    cb_max_bundles_per_quote = forms.IntegerField(required=False, min_value=1, max_value=100,
                                                  label="Bundles per quote (at most)",
                                                  widget=forms.NumberInput(attrs={"class": "input-short"}))
    cb_minimum_bidders = forms.IntegerField(required=False, min_value=1, label="Minimum bidders",
                                            widget=forms.NumberInput(attrs={"class": "input-short"}))
    cb_allow_multiple_submissions = forms.BooleanField(required=False,
                                                       label="Suppliers may revise their bundles until the deadline")

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
        currency = form_currency(self.data if self.is_bound else None, self.initial)
        if currency:  # otherwise the currency field says what is wrong
            for field in self.fields.values():
                if isinstance(field, LocalAmountField):
                    field.currency = currency
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


def form_currency(data, initial: dict) -> str | None:
    """The currency the RFQ page is in (sent, or initial), if it is one."""
    currency = str((data.get("currency") if data is not None else initial.get("currency")) or "USD").strip().upper()
    return currency if is_currency(currency) else None


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


class LineItemForm(forms.Form):
    # The row's inputs sit under column headings, so each carries its name for screen readers.
    description = forms.CharField(max_length=300, widget=forms.TextInput(
        attrs={"aria-label": "Line item description"}))
    quantity = forms.DecimalField(max_digits=22, decimal_places=4, widget=forms.NumberInput(
        attrs={"step": "any", "inputmode": "decimal", "aria-label": "Line item quantity"}))
    unit = forms.CharField(max_length=20, widget=forms.TextInput(
        attrs={"placeholder": "pcs", "aria-label": "Line item unit"}))
    impa_code = forms.CharField(required=False, max_length=6, label="IMPA code", widget=forms.TextInput(
        attrs={"placeholder": "optional", "inputmode": "numeric", "aria-label": "Line item IMPA code"}))
    # Line-by-line reverse auctions only: the ceiling for the line's whole quantity. The RFQ
    # editor sets the currency (its decimals) from the RFQ form's.
    starting_price = LocalAmountField(label="Starting price", required=False, currency=4, help_text="",
                                      widget=forms.TextInput(attrs={
                                          "inputmode": "decimal", "autocomplete": "off", "maxlength": "64",
                                          "placeholder": "optional", "aria-label": "Line starting price"}))

    def __init__(self, *args, currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if currency:
            self.fields["starting_price"].currency = currency  # type: ignore[attr-defined]


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
