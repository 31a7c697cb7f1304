"""The certification form, shared by the report page and the admin."""
from django import forms

from audit.models import Recommendation


class CertifyForm(forms.Form):
    recommendation = forms.ChoiceField(choices=Recommendation.choices, widget=forms.RadioSelect,
                                       help_text="Approve lets a gated award proceed; review and reject keep it blocked.")
    findings = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000,
                               help_text="One finding per line; they are recorded in the audit trail and the report.")

    # The version on screen: certifying is refused if new facts made a newer one meanwhile.
    report_version = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def clean_findings(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["findings"].splitlines() if line.strip()]
