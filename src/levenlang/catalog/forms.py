from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from levenlang.catalog import services
from levenlang.catalog.importers import MAX_PRICE_CENTS
from levenlang.catalog.models import (
    ImportRun,
    LevelOfQualification,
    ModeOfDelivery,
    Module,
    Offering,
    Provider,
    ProviderRecognition,
)
from levenlang.catalog.postcodes import normalise
from levenlang.core import parsing
from levenlang.core.categories import Category
from levenlang.core.identifiers import validate_kvk_number
from levenlang.core.models import Region

# NL Design System (Utrecht) classes per widget, so that `{{ field }}` renders a styled, labelled control.
WIDGET_CLASSES = {
    "select": "utrecht-select utrecht-select--html-select",
    "textarea": "utrecht-textarea utrecht-textarea--html-textarea",
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
    "checkboxselectmultiple": "utrecht-checkbox utrecht-checkbox--html-input",
    "clearablefile": "",
    "file": "",
    "hidden": "",
}


class UtrechtForm:
    """Mixin: put the Utrecht CSS classes on every widget (text-like inputs get the textbox class)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self:
            css = WIDGET_CLASSES.get(bound.widget_type, "utrecht-textbox utrecht-textbox--html-input")
            if css:
                bound.field.widget.attrs["class"] = css


DISTANCES = [("", _("Any distance")), ("10", "10 km"), ("25", "25 km"), ("50", "50 km"), ("100", "100 km")]


class EuroField(forms.CharField):
    """An amount in euros as people type it ('495', '495,00', '1.250,50' is not accepted: no thousands dots),
    cleaned to integer cents (core.parsing.parse_cents, at most the catalogue's highest price)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return parsing.parse_cents(value.replace("€", ""), maximum=MAX_PRICE_CENTS)
        except parsing.ParseError as error:
            raise forms.ValidationError(error.message) from error


class SearchForm(UtrechtForm, forms.Form):
    q = forms.CharField(label=_("Search words"), required=False, max_length=200)
    category = forms.TypedMultipleChoiceField(
        label=_("Kind of learning"),
        required=False,
        choices=Category.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.MultipleChoiceField(
        label=_("How it is taught"), required=False, choices=ModeOfDelivery.choices, widget=forms.CheckboxSelectMultiple
    )
    level = forms.MultipleChoiceField(
        label=_("Level"), required=False, choices=LevelOfQualification.choices, widget=forms.CheckboxSelectMultiple
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    postcode = forms.CharField(
        label=_("Your postcode"), required=False, max_length=7, help_text=_("For example 7511 AB.")
    )
    distance = forms.TypedChoiceField(
        label=_("Distance from your postcode"), required=False, choices=DISTANCES, coerce=int, empty_value=None
    )
    start_from = forms.DateField(
        label=_("Starts on or after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    start_until = forms.DateField(
        label=_("Starts on or before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    self_paced = forms.TypedChoiceField(
        label=_("Self-paced"),
        required=False,
        choices=[("", _("Both")), ("1", _("Only self-paced (start any time)")), ("0", _("Only with a start date"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    max_price = EuroField(
        label=_("At most this much to pay yourself"),
        required=False,
        help_text=_("In euros. When you are logged in, this is the price after your Leerrekening pays its part."),
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=services.MAX_PAGE, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All regions")), *Region.objects.values_list("code", "name")]

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and normalise(postcode) is None:
            raise forms.ValidationError(_("Type a Dutch postcode, for example 7511 AB."))
        return postcode

    def clean(self):
        data = super().clean()
        if data.get("distance") and not data.get("postcode"):
            self.add_error("postcode", _("Type your postcode to search by distance."))
        return data

    def params(self) -> services.SearchParams:
        data = self.cleaned_data
        return services.SearchParams(
            q=data.get("q") or "",
            categories=data.get("category") or [],
            modes=data.get("mode") or [],
            levels=data.get("level") or [],
            region=data.get("region") or "",
            postcode=data.get("postcode") or "",
            distance_km=data.get("distance"),
            start_from=data.get("start_from"),
            start_until=data.get("start_until"),
            self_paced=data.get("self_paced"),
            max_own_share_cents=data.get("max_price"),
            page=data.get("page") or 1,
        )


class ModuleForm(UtrechtForm, forms.ModelForm):
    price = EuroField(label=_("Price in euros"), help_text=_("The list price. Each offering can have its own price."))
    skills_text = forms.CharField(
        label=_("Skills taught"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One skill per line."),
    )
    study_load_value = forms.DecimalField(label=_("Study load"), required=False, min_value=Decimal("0"))

    class Meta:
        model = Module
        fields = [
            "kind",
            "code",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "category",
            "level",
            "mode_of_delivery",
            "self_paced",
            "study_load_value",
            "study_load_unit",
            "language",
            "min_age",
            "funded_place_cap",
        ]
        labels = {"kind": _("Kind"), "study_load_unit": _("Unit of the study load")}
        help_texts = {
            "min_age": _("Leave empty when there is no age limit."),
            "funded_place_cap": _("How many funded places per quarter. Leave empty for no limit."),
            "code": _("Your own code for this module. An import with the same code updates it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["price"].initial = f"{self.instance.price_cents / 100:.2f}".replace(".", ",")
            self.fields["skills_text"].initial = "\n".join(self.instance.skills)

    def clean(self):
        data = super().clean()
        if not data.get("title_nl") and not data.get("title_en"):
            self.add_error("title_nl", _("Give a title in Dutch or English."))
        return data

    def save(self, commit=True):
        self.instance.price_cents = self.cleaned_data["price"]
        self.instance.skills = [s.strip() for s in self.cleaned_data["skills_text"].splitlines() if s.strip()]
        return super().save(commit)


class OfferingForm(UtrechtForm, forms.ModelForm):
    price = EuroField(label=_("Price in euros"), required=False, help_text=_("Empty: the module's price."))

    class Meta:
        model = Offering
        fields = ["code", "start_date", "end_date", "enrol_until", "capacity", "location_name", "postcode", "state"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "enrol_until": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "start_date": _("Leave empty for a self-paced offering: people start when they like."),
            "capacity": _("Leave empty when there is no limit."),
            "postcode": _("Where it takes place. Leave empty for online."),
        }

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and normalise(postcode) is None:
            raise forms.ValidationError(_("Type a Dutch postcode, for example 3511 EP."))
        return normalise(postcode) if postcode else ""

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return data

    def save(self, commit=True):
        if self.cleaned_data.get("price") is not None:
            self.instance.price_cents = self.cleaned_data["price"]
        elif self.instance.price_cents is None:
            self.instance.price_cents = self.instance.module.price_cents
        services.place_offering(self.instance)
        return super().save(commit)


class ImportForm(UtrechtForm, forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("Open Education API JSON (version 5 or 6), or CSV (see the columns below).")
    )
    format = forms.ChoiceField(
        label=_("Kind of file"),
        # One choice for both versions of the Open Education API: the importer tells them apart by their shape.
        choices=[
            (ImportRun.Format.OEAPI, _("Open Education API JSON (OOAPI v5 or OEAPI v6)")),
            (ImportRun.Format.CSV, ImportRun.Format.CSV.label),
        ],
    )
    default_category = forms.TypedChoiceField(
        label=_("Kind of learning for modules that do not say"),
        choices=[("", _("None: every module says it")), *Category.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    publish = forms.BooleanField(label=_("Publish the modules at once"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > services.MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB. Split it into smaller files."))
        return upload


class RecognitionForm(UtrechtForm, forms.ModelForm):
    class Meta:
        model = ProviderRecognition
        fields = ["kind", "reference", "valid_until"]
        labels = {"kind": _("Recognition"), "valid_until": _("Valid until")}
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"valid_until": _("Leave empty when it does not end.")}


class ReviewForm(UtrechtForm, forms.Form):
    note = forms.CharField(label=_("Note for the provider"), required=False, max_length=300)


class SuspendForm(UtrechtForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RegistrationForm(UtrechtForm, forms.Form):
    kvk_number = forms.CharField(
        label=_("KvK number"), max_length=8, validators=[validate_kvk_number], help_text=_("8 digits.")
    )
    name = forms.CharField(label=_("Name of your organisation"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind of provider"), choices=Provider.Kind.choices)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), to_field_name="code")

    def clean_kvk_number(self):
        kvk = self.cleaned_data["kvk_number"]
        if Provider.objects.filter(kvk_number=kvk).exists():
            raise forms.ValidationError(_("A training provider with this KvK number is already registered."))
        return kvk
