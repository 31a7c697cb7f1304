"""Page forms for supplier users. The services check content, size and dates."""
from django import forms

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


class DeclineForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label="Reason (optional)",
                             widget=forms.Textarea(attrs={"rows": 2,
                                                          "placeholder": "e.g. No stock for this delivery date"}))
