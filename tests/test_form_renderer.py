"""The quick form renderer writes the same HTML as Django's widget templates (core/form_renderer.py)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from levenlang.catalog.forms import OfferingForm, SearchForm
from levenlang.core.form_renderer import QuickRenderer


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=10, help_text="Help <b>text</b>")
    number = forms.IntegerField(required=False)
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=[("", "All"), ("a&b", "A & B"), ("<c>", '"C"')], required=False)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    ticks = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], required=False, widget=forms.CheckboxSelectMultiple
    )
    flag = forms.BooleanField(required=False)


def _both(form_class, data=None, **kwargs) -> tuple[list[str], list[str]]:
    quick = form_class(data, renderer=QuickRenderer(), **kwargs)
    django = form_class(data, renderer=DjangoTemplates(), **kwargs)
    return [str(field) for field in quick], [str(field) for field in django]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": 'say "hi" & <go>', "number": "7", "day": "2027-01-31", "secret": "s'", "choice": "a&b"},
        {"text": "", "grouped": "2", "many": ["x", "y"], "ticks": ["y"], "flag": "on", "choice": "<c>"},
    ],
)
def test_every_plain_widget_is_written_as_django_writes_it(data):
    quick, django = _both(EveryWidget, data)
    assert quick == django


@pytest.mark.django_db
def test_the_search_form_is_written_as_django_writes_it():
    quick, django = _both(SearchForm, {"q": "lassen", "distance": "25", "postcode": "7511 AB", "self_paced": "1"})
    assert quick == django


@pytest.mark.django_db
def test_a_model_form_with_dates_is_written_as_django_writes_it():
    initial = {"start_date": datetime.date(2027, 2, 1), "code": "A<1>"}
    quick, django = _both(OfferingForm, initial=initial)
    assert quick == django
