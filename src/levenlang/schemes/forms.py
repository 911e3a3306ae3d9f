from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levenlang.schemes import services

NAMED_CHOICES = list(services.NAMED_REFORMS.items())


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
        localize=True,  # a Dutch decimal comma (1500,50) is accepted
        help_text=_("In euros for amounts, in years for ages."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year + 1
        self.fields["parameter"].choices = [("", "—"), *services.parameter_choices()]

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


class DepositEffectForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who deposits?"),
        choices=[("employer", _("An employer, for an employee")), ("own", _("I deposit my own money"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("Amount of the deposit"),
        min_value=Decimal("0.01"),
        max_value=1_000_000,
        decimal_places=2,
        localize=True,  # a Dutch decimal comma (1500,50) is accepted
        help_text=_("In euros, for example 1500."),
    )
    yearly_wage = forms.DecimalField(
        label=_("Yearly wage or income of the person"),
        min_value=0,
        max_value=10_000_000,
        decimal_places=2,
        localize=True,  # a Dutch decimal comma (1500,50) is accepted
        help_text=_("Gross, in euros, for example 42000."),
    )
    free_space = forms.DecimalField(
        label=_("Free space left in the employer's work-related costs scheme (WKR)"),
        required=False,
        min_value=0,
        max_value=100_000_000,
        decimal_places=2,
        localize=True,  # a Dutch decimal comma (1500,50) is accepted
        help_text=_("Only for an employer. In euros; leave empty if none."),
    )

    def effect_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "amount_cents": int(data["amount"] * 100),
            "yearly_wage_cents": int(data["yearly_wage"] * 100),
            "free_space_cents": int((data.get("free_space") or 0) * 100),
        }
