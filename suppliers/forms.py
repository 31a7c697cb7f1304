"""Page forms for supplier users. The services check content, size and dates."""
from django import forms

from common.local_format import LocalAmountField

from .models import KycDocumentKind


class KycDocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=KycDocumentKind.choices, label="Document")
    file = forms.FileField(help_text="PDF, PNG or JPEG, at most 10 MB.",
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
    expires_on = forms.DateField(required=False, label="Expires on",
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text="Needed for ISO and class certificates and insurance.")

    def __init__(self, *args, max_bytes: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_bytes:
            self.fields["file"].help_text = f"PDF, PNG or JPEG, at most {max_bytes // 1048576} MB."


class SigningKeyForm(forms.Form):
    label = forms.CharField(required=False, max_length=100, label="Label",
                            widget=forms.TextInput(attrs={"placeholder": "e.g. ERP bidding server"}))
    public_key = forms.CharField(max_length=200, label="Public key",
                                 help_text="Base64 of the 32-byte Ed25519 public key, as quayside-bid keygen prints it.",
                                 widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off",
                                                               "spellcheck": "false"}))


class DeclineForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label="Reason (optional)",
                             widget=forms.Textarea(attrs={"rows": 2,
                                                          "placeholder": "e.g. No stock for this delivery date"}))


# As the API's bid serializers (auctions/serializers.py): longer terms are refused, never cut.
TERMS_MAX_LENGTH = 5000


class QuoteForm(forms.Form):
    """A sealed or multi-attribute quote as typed: one unit price per line item, the
    criteria answers, validity and terms.

    Only the shape and the number format are parsed here: a price is read in the user's number
    format (common/local_format.py, refused when it breaks a rule) and travels on as a plain
    decimal string, so the rule engine judges it (and names the rule) exactly as for the API.
    """

    valid_until = forms.DateField(required=False, label="Quote valid until",
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                  help_text="At least until bidding closes.")
    terms = forms.CharField(required=False, max_length=TERMS_MAX_LENGTH, label="Terms",
                            help_text=f"At most {TERMS_MAX_LENGTH:,} characters.",
                            widget=forms.Textarea(attrs={"rows": 3, "placeholder":
                                                         "e.g. Payment 30 days net; delivery ex-warehouse"}))

    def __init__(self, *args, line_items=(), criteria=(), split=False, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.line_items = list(line_items)
        self.criteria = list(criteria)
        self.split = split
        for item in self.line_items:
            self.fields[self.price_field(item.pk)] = LocalAmountField(
                required=False, as_text=True, currency=currency, label=f"Unit price for {item.description}")
            if split:  # a split award: the supplier may offer part of the line
                for name, label in ((self.max_field(item.pk), "At most"), (self.min_field(item.pk), "At least")):
                    self.fields[name] = forms.IntegerField(
                        required=False, min_value=1, label=f"{label} (quantity of {item.description})",
                        widget=forms.NumberInput(attrs={"class": "qty-input", "inputmode": "numeric", "step": "1"}))
        for criterion in self.criteria:
            name = self.criterion_field(criterion["id"])
            if criterion["type"] == "BOOLEAN":
                self.fields[name] = forms.BooleanField(required=False, label=criterion["name"])
            else:
                attrs = {"type": "number", "step": "1" if criterion["type"] == "RATING" else "any"}
                for bound, attr in (("min_value", "min"), ("max_value", "max")):
                    if criterion.get(bound) is not None:
                        attrs[attr] = f"{criterion[bound]:g}"
                self.fields[name] = forms.CharField(required=False, max_length=40, label=criterion["name"],
                                                    widget=forms.TextInput(attrs=attrs))

    @staticmethod
    def price_field(line_item_id: int) -> str:
        return f"price_{line_item_id}"

    @staticmethod
    def max_field(line_item_id: int) -> str:
        return f"maxq_{line_item_id}"

    @staticmethod
    def min_field(line_item_id: int) -> str:
        return f"minq_{line_item_id}"

    @staticmethod
    def criterion_field(criterion_id: str) -> str:
        return f"criterion_{criterion_id}"

    def clean(self):
        data = super().clean()
        if not any((data.get(self.price_field(item.pk)) or "").strip() or self.price_field(item.pk) in self.errors
                   for item in self.line_items):
            raise forms.ValidationError("Enter your unit prices before submitting the quote.")
        return data

    def priced_line_ids(self) -> list[int]:
        """The line items given a price, in the order they are sent."""
        return [item.pk for item in self.line_items if self.cleaned_data[self.price_field(item.pk)].strip()]

    def _line(self, pk: int) -> dict:
        data = self.cleaned_data
        line = {"line_item_id": pk, "unit_price": data[self.price_field(pk)].strip()}
        if self.split:  # quantities only where the award is split; the rules judge them
            for key, name in (("max_quantity", self.max_field(pk)), ("min_quantity", self.min_field(pk))):
                if data.get(name) is not None:
                    line[key] = data[name]
        return line

    def bid_body(self) -> dict:
        """The API's quote body (api.md "Bids"): blank prices are left out, so the rules say
        whether a partial quote is allowed."""
        data = self.cleaned_data
        body = {"line_items": [self._line(pk) for pk in self.priced_line_ids()], **validity_and_terms(data)}
        if self.criteria:
            body["criteria"] = {}
            for criterion in self.criteria:
                value = data.get(self.criterion_field(criterion["id"]))
                if criterion["type"] == "BOOLEAN":
                    body["criteria"][criterion["id"]] = bool(value)
                elif value is not None and value.strip():
                    body["criteria"][criterion["id"]] = _number(value.strip())
        return body


def validity_and_terms(data: dict) -> dict:
    """The part every sealed quote body shares (api.md "Bids")."""
    return {"valid_until": data["valid_until"].isoformat() if data.get("valid_until") else None,
            "terms": data.get("terms", "")}


def _number(text: str):
    """A typed criterion answer as a JSON number, or the text itself for the rules to refuse."""
    for parse in (int, float):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


class ReverseBidForm(forms.Form):
    amount = LocalAmountField(as_text=True, label="Your bid (total)", error_messages={
        "required": "Enter the total you bid."})
    # Lots (bidding_basis PER_LINE): the line this bid prices, one form per line on the page.
    line_item_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency  # type: ignore[attr-defined]

    def _line(self, pk: int) -> dict:
        data = self.cleaned_data
        line = {"line_item_id": pk, "unit_price": data[self.price_field(pk)].strip()}
        if self.split:  # quantities only where the award is split; the rules judge them
            for key, name in (("max_quantity", self.max_field(pk)), ("min_quantity", self.min_field(pk))):
                if data.get(name) is not None:
                    line[key] = data[name]
        return line

    def bid_body(self) -> dict:
        body = {"amount": self.cleaned_data["amount"].strip()}
        if self.cleaned_data.get("line_item_id") is not None:
            body["line_item_id"] = self.cleaned_data["line_item_id"]
        return body


class BundleQuoteForm(forms.Form):
    """A combinatorial quote as typed: rows of bundles, each a set of ticked line items and one
    total price, plus validity and terms (api.md "Bundle bids").

    Only the shape is parsed here: a row with nothing in it is left out; every other row is sent
    as typed, so the `bundles_valid` rule judges empty and repeated bundles exactly as it does
    for the API. `sent_rows` maps the body's `bundles[i]` back to the row the supplier sees.
    """

    valid_until = QuoteForm.base_fields["valid_until"]
    terms = QuoteForm.base_fields["terms"]

    def __init__(self, *args, line_items=(), rows: int = 10, currency: str = "USD", **kwargs):
        super().__init__(*args, **kwargs)
        self.line_items = list(line_items)
        self.rows = rows
        choices = [(str(item.pk), item.description) for item in self.line_items]
        for row in range(rows):
            self.fields[self.lines_field(row)] = forms.MultipleChoiceField(
                required=False, choices=choices, label=f"Line items of bundle {row + 1}",
                widget=forms.CheckboxSelectMultiple)
            self.fields[self.price_field(row)] = LocalAmountField(
                required=False, as_text=True, currency=currency, label=f"Total price of bundle {row + 1}")
        self.sent_rows: list[int] = []

    @staticmethod
    def lines_field(row: int) -> str:
        return f"bundle_{row}_lines"

    @staticmethod
    def price_field(row: int) -> str:
        return f"bundle_{row}_price"

    def clean(self):
        data = super().clean()
        self.sent_rows = []
        for row in range(self.rows):
            ticked = data.get(self.lines_field(row)) or []
            price = (data.get(self.price_field(row)) or "").strip()
            if not ticked and not price:
                continue
            if not price and self.price_field(row) not in self.errors:  # not when its format was refused
                self.add_error(self.price_field(row), "Enter the bundle's total price.")
            self.sent_rows.append(row)
        if not self.sent_rows:
            raise forms.ValidationError("Tick the line items of at least one bundle and enter its total price.")
        return data

    def filled_rows(self) -> int:
        """How many rows to show: those up to the last one used, at least three."""
        used = [row for row in range(self.rows)
                if self[self.lines_field(row)].value() or (self[self.price_field(row)].value() or "").strip()]
        return min(self.rows, max(3, (used[-1] + 2) if used else 0))

    def bid_body(self) -> dict:
        """The API's bundle quote body, rows in the order shown."""
        data = self.cleaned_data
        return {"bundles": [{"line_item_ids": [int(pk) for pk in data[self.lines_field(row)]],
                             "price": data[self.price_field(row)].strip()} for row in self.sent_rows],
                **validity_and_terms(data)}
