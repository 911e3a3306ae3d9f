from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from levenlang.core.identifiers import clean_bsn, validate_kvk_number


class MockDigiDForm(forms.Form):
    bsn = forms.CharField(
        label=_("Citizen service number (BSN)"),
        help_text=_("9 digits. In the demo you find the BSNs of the made-up residents in the admin."),
        max_length=11,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_bsn(self) -> str:
        return clean_bsn(self.cleaned_data["bsn"])


class MockEHerkenningForm(forms.Form):
    kvk_number = forms.CharField(
        label=_("KvK number of your organisation"),
        help_text=_("8 digits, as on the extract from the Chamber of Commerce."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def clean_kvk_number(self) -> str:
        value = self.cleaned_data["kvk_number"].strip()
        try:
            validate_kvk_number(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return value
