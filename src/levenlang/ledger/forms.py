"""Forms of the ledger's pages: how much own money a person adds to their Leerrekening."""

from django import forms
from django.utils.translation import gettext_lazy as _

from levenlang.core.parsing import ParseError, parse_cents

# A limit on what one form accepts (€ 100,000): the ledger's caps decide what may really go in.
MAX_OWN_DEPOSIT_CENTS = 10_000_000


class AddMoneyForm(forms.Form):
    amount = forms.CharField(
        label=_("How much do you want to add?"),
        max_length=20,
        help_text=_("In euros, for example 250 or 250,50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_amount(self) -> int:
        """The amount in cents (a Dutch comma or a point for the cents)."""
        try:
            return parse_cents(self.cleaned_data["amount"], minimum=100, maximum=MAX_OWN_DEPOSIT_CENTS)
        except ParseError as error:
            raise forms.ValidationError(error.message) from None
