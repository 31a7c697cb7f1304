"""The simulation form on the page; bounds and patterns are the API's (serializers.py)."""
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator

from .catalogue import AUCTION_TYPES, PRICING
from .serializers import BASELINE_PATTERN, MAX_BIDDERS, MAX_RUNS, SPREAD_PATTERN
from .services import SEED_LIMIT

TYPE_LABELS = {"SEALED_BID": "Sealed bid", "REVERSE_AUCTION": "Reverse auction",
               "COMBINATORIAL": "Bundle auction"}
PRICING_LABELS = {"FIRST_PRICE": "First price (pay as bid)", "SECOND_PRICE": "Second price (Vickrey)",
                  "VCG": "VCG (split lines and bundles)"}


class SimulationForm(forms.Form):
    baseline_total = forms.CharField(
        label="Baseline total", validators=[RegexValidator(BASELINE_PATTERN, "From 1 to 999999999.9999, e.g. 12000.00")],
        help_text="Phantom suppliers' costs are centred on this total.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    bidders = forms.IntegerField(label="Bidders", min_value=1, max_value=MAX_BIDDERS, initial=6)
    cost_spread = forms.CharField(
        label="Cost spread", initial="0.15",
        validators=[RegexValidator(SPREAD_PATTERN, "From 0.01 to 0.9999, e.g. 0.15")],
        help_text="Costs are uniform on baseline × (1 ± spread).", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    runs = forms.IntegerField(label="Runs", min_value=1, max_value=MAX_RUNS, initial=1000)
    seed = forms.IntegerField(label="Seed", min_value=0, max_value=SEED_LIMIT - 1, required=False,
                              help_text="Leave empty for a new one; the same seed replays the same results.")
    auction_types = forms.MultipleChoiceField(
        label="Formats", choices=[(t, TYPE_LABELS[t]) for t in AUCTION_TYPES], widget=forms.CheckboxSelectMultiple,
        help_text="A sealed bid is played with this RFQ's award mode (whole or split lines).")
    pricing = forms.MultipleChoiceField(
        label="Pricing", choices=[(p, PRICING_LABELS[p]) for p in PRICING], widget=forms.CheckboxSelectMultiple,
        help_text="Each format uses the rules it can pay by; the reverse auction always pays as bid.")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {**data, "baseline_total": Decimal(data["baseline_total"]), "cost_spread": Decimal(data["cost_spread"])}
