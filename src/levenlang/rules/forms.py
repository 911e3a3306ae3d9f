from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levenlang_rules import reforms

NAMED_CHOICES = [
    ("more_rights_low_qualified", _("More rights for people with NLQF 2 or lower (EUR 300 a year extra)")),
    ("earlier_mid_career", _("Mid-career supplement from age 40 instead of 45")),
]


class WhatIfForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2026, max_value=2100)
    reform = forms.ChoiceField(
        label=_("Policy change"),
        choices=[*NAMED_CHOICES, ("parameter", _("Change one number of the learning rights (below)"))],
        widget=forms.RadioSelect,
    )
    parameter = forms.ChoiceField(label=_("Number to change"), required=False)
    value = forms.DecimalField(
        label=_("New value"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("In euros for amounts, in years for ages."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1
        self.fields["parameter"].choices = [("", "—"), *reforms.numeric_parameters()]

    def clean(self):
        data = super().clean()
        if data.get("reform") == "parameter":
            if not data.get("parameter"):
                self.add_error("parameter", _("Choose the number you want to change."))
            if data.get("value") is None:
                self.add_error("value", _("Fill in the new value, for example 600."))
        return data

    def spec(self) -> dict:
        data = self.cleaned_data
        if data["reform"] == "parameter":
            return {"changes": {data["parameter"]: float(data["value"])}}
        return {"named": data["reform"]}
