import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.nl import bsn as stdnum_bsn

from levenlang.core.identifiers import bsn_check_digit, clean_bsn, mask_bsn, validate_kvk_number
from levenlang.core.money import format_cents


def test_bsn_check_digit_agrees_with_python_stdnum():
    for n in range(10_000_000, 10_002_000):
        digit = bsn_check_digit(f"{n:08d}")
        candidates = [f"{n:08d}{d}" for d in range(10) if stdnum_bsn.is_valid(f"{n:08d}{d}")]
        assert candidates == ([] if digit is None else [f"{n:08d}{digit}"])


def test_clean_bsn_accepts_spaces_and_refuses_a_bad_eleven_test():
    assert clean_bsn("1112 22 333") == "111222333"
    with translation.override("en"), pytest.raises(ValidationError, match="eleven test"):
        clean_bsn("111222334")
    with translation.override("nl"), pytest.raises(ValidationError, match="elfproef"):
        clean_bsn("111222334")


def test_bsn_is_masked_to_the_last_three_digits():
    assert mask_bsn("111222333") == "******333"


def test_kvk_number_is_eight_digits():
    validate_kvk_number("12345678")
    for bad in ("1234567", "123456789", "1234567a", ""):
        with pytest.raises(ValidationError):
            validate_kvk_number(bad)


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "€ 0,00"), (5, "€ 0,05"), (123456, "€ 1.234,56"), (-100000000, "-€ 1.000.000,00")],
)
def test_money_is_shown_the_dutch_way(cents, text):
    assert format_cents(cents) == text


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_cents(12.5)
