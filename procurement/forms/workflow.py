"""Small forms behind the buyer's workflow buttons and the supplier picker."""
from django import forms


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
