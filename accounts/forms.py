"""The preferences page's form: how pages and e-mails show times and read typed amounts."""
from django import forms

from common.local_format import NUMBER_FORMAT_CHOICES

from .models import time_zone_names


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", help_text="Pages and e-mails show times in this zone, "
                                  "with UTC on hover. The API always answers in UTC.")
    number_format = forms.ChoiceField(choices=NUMBER_FORMAT_CHOICES, label="Number format",
                                      widget=forms.RadioSelect,
                                      help_text="How you type prices on the pages. The API takes plain "
                                                "decimals such as 48500.00.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]
