"""Every scheme in the register points at variables that exist, with the right types, and has YAML tests of its own."""

from pathlib import Path

import pytest

from levenlang_rules import PACKAGE_DIR, register, tax_benefit_system

SCHEMES = register.schemes()


@pytest.mark.parametrize("scheme", SCHEMES, ids=[s.key for s in SCHEMES])
def test_register_entry_names_existing_variables_of_the_right_type(scheme: register.Scheme) -> None:
    system = tax_benefit_system()
    assert system.get_variable(scheme.eligible, check_existence=True).value_type is bool
    for condition in scheme.conditions:
        assert system.get_variable(condition.variable, check_existence=True).value_type is bool, condition.variable
    for name in [scheme.amount, *(part.variable for part in scheme.parts)]:
        if name:
            assert system.get_variable(name, check_existence=True).value_type is float, name


@pytest.mark.parametrize("scheme", SCHEMES, ids=[s.key for s in SCHEMES])
def test_every_scheme_has_yaml_tests(scheme: register.Scheme) -> None:
    tests = Path(PACKAGE_DIR) / "tests"
    assert (tests / f"{scheme.key}.yaml").exists() or (tests / "schemes" / f"{scheme.key}.yaml").exists()


def test_texts_are_filled_in_both_languages() -> None:
    for scheme in SCHEMES:
        for text in [scheme.name, scheme.summary, scheme.how_to_apply, *(c.met for c in scheme.conditions)]:
            assert text.nl and text.en and text.nl != text.en, scheme.key
