"""RFQEditor: the RFQ page form as a whole, validated exactly like the API's RFQ input."""
from __future__ import annotations

import re
from decimal import Decimal

from auctions.scenarios import TEMPLATES, TEMPLATES_BY_ID
from common.errors import ApplicationError, flatten_field_errors

from ..serializers import RFQInput
from .rfq import NULLABLE_SETTINGS, SETTINGS_FIELDS, TIE_BREAK_SLOTS, LineItemFormSet, RFQForm, form_currency


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
        self.items = LineItemFormSet(data, prefix=self.prefix, initial=line_items_initial(rfq),
                                     form_kwargs={"currency": form_currency(data, self.form.initial)})
        self.service_data: dict | None = None
        self._kept: list = []  # the rows sent as line items, in the API's index order

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
        per_line = template.auction_type == "REVERSE_AUCTION" and data.get("rev_bidding_basis") == "PER_LINE"
        criteria = [data[f"tie_break_{slot}"] for slot in range(1, TIE_BREAK_SLOTS + 1) if data[f"tie_break_{slot}"]]
        return {
            "title": data["title"], "description": data["description"],
            "category": data["category"].slug, "currency": data["currency"],
            "delivery_port": data["delivery_port"].code, "delivery_date": data["delivery_date"],
            "bidding_opens_at": self._kept_moment("bidding_opens_at"),
            "bidding_deadline": self._kept_moment("bidding_deadline"),
            "line_items": [self._line(form.cleaned_data, per_line) for form in self._kept],
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

    def _kept_moment(self, name: str):
        """The form's time, or the draft's own where the form shows it unchanged: the input
        holds minutes, so saving an untouched draft would otherwise cut its seconds off."""
        value, stored = self.form.cleaned_data[name], getattr(self.rfq, name, None)
        if value is not None and stored is not None and stored.replace(second=0, microsecond=0) == value:
            return stored
        return value

    @staticmethod
    def _line(cleaned: dict, per_line: bool) -> dict:
        """A row as the API's line item. Its starting price is sent with line-by-line bidding,
        otherwise only when typed (the page without its script shows the column): then refused."""
        line = {name: _plain(value) for name, value in cleaned.items() if name != "DELETE"}
        if not per_line and line.get("starting_price") is None:
            line.pop("starting_price", None)
        return line

    def _settings(self, template) -> dict:
        # Editing keeps what is stored (e.g. criteria set through the API) unless the buyer
        # switched to another template; the page's inputs then override what they show.
        rfq = self.rfq
        keep_stored = (rfq is not None and rfq.auction_type == template.auction_type
                       and rfq.template in ("", template.id))
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
            if row and int(row.group(1)) < len(self._kept):
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


def line_items_initial(rfq) -> list[dict]:
    if rfq is None:
        return []
    return [{"description": li.description, "quantity": trim_decimal(li.quantity), "unit": li.unit,
             "impa_code": li.impa_code, "starting_price": trim_decimal(li.starting_price)}
            for li in rfq.line_items.all()]


def trim_decimal(value: Decimal | None) -> Decimal | None:
    """40.0000 → 40 and 2.5000 → 2.5, without normalize()'s exponent form (4E+1)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
