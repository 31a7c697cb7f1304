"""Small forms behind the buyer's workflow buttons and the supplier picker."""
from django import forms

from common.errors import ValidationFailed
from common.local_format import LocalAmountField, UtcDateTimeField
from common.schema import ID_MAX


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
                             error_messages={"required": "Say why the RFQ is cancelled; "
                                                         "suppliers and auditors read it."})


AWARD_REASON_MAX = 2000


class AwardForm(forms.Form):
    """Award a ranked quote. The reason is the service's to require (any quote but the recommended one)."""

    bid_id = forms.IntegerField(min_value=1, error_messages={"required": "Choose the quote to award."})
    reason = forms.CharField(required=False, max_length=AWARD_REASON_MAX, label="Reason for the override",
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder":
                                                          "e.g. The recommended supplier cannot deliver before the "
                                                          "vessel sails."}),
                             help_text="Recorded in the audit trail; the fairness report marks a manual override.")


class ReopenForm(forms.Form):
    """Reopen after no award: a new deadline and, optionally, a lower reserve."""

    bidding_deadline = UtcDateTimeField(label="New bidding deadline (UTC)", input_formats=["%Y-%m-%dT%H:%M"],
                                           widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                      format="%Y-%m-%dT%H:%M"))
    reserve_amount = LocalAmountField(required=False, label="Lower the reserve to (optional)")
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason (optional)")

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reserve_amount"].currency = currency  # type: ignore[attr-defined]


def manual_allocation(rfq, data) -> str | list[dict]:
    """The allocation the award form sends: "recommended", or the manual selection as the API
    takes it — from quantities `q_<bid>_<line>` (split) or one bundle per bid `bundle_<bid>`."""
    if data.get("allocation") != "manual":
        return "recommended"
    rows = []
    for name, value in data.items():
        parts = name.split("_")
        if name.startswith("q_") and len(parts) == 3 and value.strip():
            try:
                quantity, bid_id, line_id = int(value), _row_id(parts[1]), _row_id(parts[2])
            except ValueError:
                raise ValidationFailed("Quantities are whole numbers.") from None
            if quantity > 0:
                rows.append({"line_item_id": line_id, "bid_id": bid_id, "quantity": quantity})
        elif name.startswith("bundle_") and len(parts) == 2 and value.strip():
            rows.extend(_bundle_rows(rfq, parts[1], value))
    if not rows:
        raise ValidationFailed("Choose at least one line to award.")
    return rows


def award_reason(data) -> str:
    """The manual allocation's reason, as the one-click award form takes it: at most 2 000
    characters, refused rather than cut (the audit trail keeps what the buyer wrote)."""
    reason = data.get("reason", "")
    if len(reason) > AWARD_REASON_MAX:
        raise ValidationFailed(f"The reason is at most {AWARD_REASON_MAX} characters; this one has {len(reason)}.")
    return reason


def _row_id(text: str) -> int:
    """A database id (or index) from a field's name or value: what a bigint holds, else ValueError."""
    number = int(text)
    if not 0 <= number <= ID_MAX:
        raise ValueError(text)
    return number


def _bundle_rows(rfq, bid_id: str, index: str) -> list[dict]:
    from auctions.models import BidBundle

    try:
        bundle = BidBundle.objects.get(bid__rfq=rfq, bid_id=_row_id(bid_id), index=_row_id(index))
    except (BidBundle.DoesNotExist, ValueError):
        raise ValidationFailed("That bundle is not part of this RFQ's quotes.") from None
    quantities = dict(rfq.line_items.values_list("pk", "quantity"))
    return [{"line_item_id": line_id, "bid_id": bundle.bid_id, "quantity": int(quantities.get(line_id, 1))}
            for line_id in bundle.line_item_ids]
