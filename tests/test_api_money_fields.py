"""No amount leaves (or enters) the API as a JSON number a browser would round: every money field of every API
serializer is a `CentsField`, bounded by ±MAX_CENTS (2^53 - 1), and the published schema says so."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
import yaml
from rest_framework import serializers

import levenlang
from levenlang.core.api_fields import CentsField
from levenlang.core.money import MAX_CENTS

MONEY_NAMES = ("cents", "price", "amount")  # a field whose name has one of these holds money


def api_serializers() -> list[type[serializers.BaseSerializer]]:
    found = []
    for module_info in pkgutil.walk_packages(levenlang.__path__, "levenlang."):
        if not module_info.name.split(".")[-1].startswith("api"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, serializers.BaseSerializer) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def money_fields(serializer_class) -> list[tuple[str, serializers.Field]]:
    fields = serializer_class().fields
    return [(name, field) for name, field in fields.items() if any(word in name for word in MONEY_NAMES)]


def test_the_walk_finds_the_serializers_with_money():
    names = {cls.__name__ for cls in api_serializers() if money_fields(cls)}
    assert {"DepositRequest", "PotSerializer", "EnrolmentSerializer", "DepositEffectQuery"} <= names


@pytest.mark.parametrize("serializer_class", api_serializers(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_money_field_of_the_api_is_bounded_by_max_cents(serializer_class):
    for name, field in money_fields(serializer_class):
        if isinstance(field, serializers.CharField | serializers.SerializerMethodField | serializers.DecimalField):
            continue  # written as text (the catalogue's "340.84"), not as a JSON number
        assert isinstance(field, CentsField), f"{serializer_class.__name__}.{name} is not a CentsField"
        assert -MAX_CENTS <= field.min_value <= field.max_value <= MAX_CENTS, f"{serializer_class.__name__}.{name}"


def test_a_cents_field_refuses_to_write_or_read_an_amount_a_browser_would_round():
    field = CentsField()
    with pytest.raises(serializers.ValidationError):
        field.run_validation(MAX_CENTS + 1)
    with pytest.raises(ValueError):
        field.to_representation(2**63 - 1)
    assert field.to_representation(MAX_CENTS) == MAX_CENTS
    with pytest.raises(ValueError):
        CentsField(max_value=2**63 - 1)


def integer_money_properties(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and value.get("type") == "integer" and key.endswith("_cents"):
                yield f"{path}/{key}", value
            yield from integer_money_properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from integer_money_properties(value, f"{path}/{index}")


def test_the_published_schema_bounds_every_amount():
    schema = yaml.safe_load((Path(__file__).parent.parent / "openapi.yaml").read_text())
    properties = list(integer_money_properties(schema))
    assert len(properties) > 20
    for where, prop in properties:
        assert prop.get("minimum", -(2**63)) >= -MAX_CENTS and prop.get("maximum", 2**63) <= MAX_CENTS, where
