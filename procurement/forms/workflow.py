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


class AwardForm(forms.Form):
    """Award a ranked quote. The reason is the service's to require (any quote but the recommended one)."""

    bid_id = forms.IntegerField(min_value=1, error_messages={"required": "Choose the quote to award."})
    reason = forms.CharField(required=False, max_length=2000, label="Reason for the override",
                             widget=forms.Textarea(attrs={"rows": 3, "placeholder":
                                                          "e.g. The recommended supplier cannot deliver before the "
                                                          "vessel sails."}),
                             help_text="Recorded in the audit trail; the fairness report marks a manual override.")


class ReopenForm(forms.Form):
    """Reopen after no award: a new deadline and, optionally, a lower reserve."""

    bidding_deadline = forms.DateTimeField(label="New bidding deadline (UTC)", input_formats=["%Y-%m-%dT%H:%M"],
                                           widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                      format="%Y-%m-%dT%H:%M"))
    reserve_amount = forms.DecimalField(required=False, max_digits=18, decimal_places=4, min_value=0,
                                        label="Lower the reserve to (optional)")
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Reason (optional)")
