"""levenlang.core.parsing: numbers, euro amounts and JSON from outside input, read one strict way."""

import contextlib
import json
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levenlang.core.parsing import (
    MAX_JSON_DEPTH,
    MAX_NUMBER_LENGTH,
    ParseError,
    excerpt,
    json_depth,
    load_json,
    parse_cents,
    parse_decimal,
    parse_int,
)

# Every character that Python counts as a digit but is not one of 0-9: superscripts, Arabic-Indic, Devanagari,
# full-width...
NON_ASCII_DIGITS = [chr(c) for c in range(0x80, 0x110000) if chr(c).isdigit() or chr(c).isdecimal()]
ANY_INPUT = st.one_of(
    st.text(),
    st.text(alphabet="0123456789+-.,e ²¹٣"),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.decimals(allow_nan=True),
)


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --- parse_int ---------------------------------------------------------------------------------------------------


def test_a_whole_number_is_read_with_white_space_and_sign():
    assert parse_int(" 12 ", minimum=0, maximum=100) == 12
    assert parse_int("+7", minimum=0, maximum=100) == 7
    assert parse_int("-3", minimum=-10, maximum=10) == -3
    assert parse_int("007", minimum=0, maximum=10) == 7
    assert parse_int(16, minimum=0, maximum=100) == 16
    assert parse_int(16.0, minimum=0, maximum=100) == 16  # a JSON number written 16.0


@pytest.mark.parametrize(
    "text", ["²", "¹⁸", "١٢", "\uff11\uff12", "1²", "12.5", "1e3", "1_000", "1.000", "", "  ", "tien"]
)
def test_what_python_might_read_as_a_number_but_is_not_one_here_is_refused(text):
    with pytest.raises(ParseError):
        parse_int(text, minimum=0, maximum=10**6)


def test_the_range_is_enforced_and_the_message_says_it():
    with pytest.raises(ParseError) as low:
        parse_int("-1", minimum=0, maximum=10)
    assert low.value.message == "-1 is too low: the lowest allowed is 0."
    with pytest.raises(ParseError) as high:
        parse_int("11", minimum=0, maximum=10, field="capacity")
    assert high.value.message == "11 is too high: the highest allowed is 10."
    assert high.value.field == "capacity" and str(high.value) == "capacity: " + high.value.message


def test_true_false_and_other_types_are_not_numbers():
    for value in (True, False, None, [1], {"a": 1}, 1.5, float("nan"), float("inf")):
        with pytest.raises(ParseError):
            parse_int(value, minimum=0, maximum=10)


def test_a_very_long_text_is_refused_before_it_is_read():
    with pytest.raises(ParseError, match="too long"):
        parse_int("1" * (MAX_NUMBER_LENGTH + 1), minimum=0, maximum=10)
    with pytest.raises(ParseError, match="too long"):
        parse_int(10**5000, minimum=0, maximum=10)


def test_the_message_is_in_dutch_for_dutch_users():
    from django.utils import translation

    with translation.override("nl"), pytest.raises(ParseError) as error:
        parse_int("²", minimum=0, maximum=10)
    assert "geen heel getal" in error.value.message


@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_every_integer_round_trips(value):
    assert parse_int(str(value), minimum=-(10**18), maximum=10**18) == value
    assert parse_int(value, minimum=-(10**18), maximum=10**18) == value


@settings(max_examples=300)
@given(ANY_INPUT)
def test_parse_int_raises_nothing_but_parse_error(value):
    try:
        result = parse_int(value, minimum=-1000, maximum=1000)
    except ParseError:
        return
    assert isinstance(result, int) and -1000 <= result <= 1000


@given(st.text(alphabet="0123456789", max_size=5), st.sampled_from(NON_ASCII_DIGITS), st.text("0123456789", max_size=5))
def test_parse_int_rejects_every_non_ascii_digit(before, digit, after):
    with pytest.raises(ParseError):
        parse_int(before + digit + after, minimum=0, maximum=10**12)


def test_the_list_of_non_ascii_digits_is_complete_enough_to_mean_something():
    assert {"²", "¹", "٣", "\uff15", "९"} <= set(NON_ASCII_DIGITS)
    assert len(NON_ASCII_DIGITS) > 500 and not any(unicodedata.digit(d, None) is None for d in "٣\uff15९")


# --- parse_cents -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [("340.84", 34_084), ("340,84", 34_084), ("340", 34_000), ("0,5", 50), (" 12.34 ", 1_234), ("120,50", 12_050)],
)
def test_an_amount_with_a_point_or_a_comma_is_read_in_cents(text, cents):
    assert parse_cents(text, maximum=10**8) == cents


def test_a_decimal_value_is_read_as_its_plain_text():
    assert parse_cents(Decimal("12.5"), maximum=10**8) == 1_250
    assert parse_int(Decimal("16.00"), minimum=0, maximum=100) == 16
    with pytest.raises(ParseError, match="too long"):
        parse_decimal(Decimal("1E+1000000"), minimum=0, maximum=1, places=2)


def test_json_numbers_are_read_as_written():
    assert parse_cents(340.84, maximum=10**8) == 34_084
    assert parse_cents(340, maximum=10**8) == 34_000
    assert parse_cents(0.1, maximum=10**8) == 10


@pytest.mark.parametrize(
    "text",
    [
        "12.345",
        "1.000",
        "12.340",
        "1.234,56",
        "1,234.56",
        "1e3",
        "Infinity",
        "NaN",
        "€ 5",
        "5 euro",
        "١٢",
        "²",
        ".5",
        "12.",
    ],
)
def test_what_is_not_an_amount_in_whole_cents_is_refused(text):
    with pytest.raises(ParseError):
        parse_cents(text, maximum=10**8)


def test_only_the_allowed_decimal_separator_is_accepted():
    assert parse_cents("1.5", maximum=10**8, separators=".") == 150
    with pytest.raises(ParseError, match=r"decimal point, like 340\.84"):
        parse_cents("1,5", maximum=10**8, separators=".")


def test_an_amount_above_the_maximum_is_refused_in_euros():
    with pytest.raises(ParseError) as error:
        parse_cents("1000000.01", maximum=1_000_000_00)
    assert error.value.message == "€ 1.000.000,01 is too high: the highest allowed is € 1.000.000,00."
    with pytest.raises(ParseError, match="too low"):
        parse_cents("-1", maximum=100)
    assert parse_cents("-1", minimum=-100, maximum=100) == -100


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(".,"))
def test_every_amount_round_trips_through_its_text(cents, separator):
    text = f"{cents // 100}{separator}{cents % 100:02d}"
    assert parse_cents(text, maximum=10**12) == cents


@settings(max_examples=300)
@given(ANY_INPUT)
def test_parse_cents_raises_nothing_but_parse_error(value):
    try:
        result = parse_cents(value, maximum=10**9, minimum=-(10**9))
    except ParseError:
        return
    assert isinstance(result, int) and -(10**9) <= result <= 10**9


@given(
    st.text(alphabet="0123456789", max_size=4), st.sampled_from(NON_ASCII_DIGITS), st.sampled_from(["", ",5", ".25"])
)
def test_parse_cents_rejects_every_non_ascii_digit(before, digit, after):
    with pytest.raises(ParseError):
        parse_cents(before + digit + after, maximum=10**12)


# --- parse_decimal -----------------------------------------------------------------------------------------------


def test_a_decimal_is_read_within_its_places_and_range():
    assert parse_decimal("2,5", minimum=0, maximum=10, places=2) == Decimal("2.5")
    assert parse_decimal(16, minimum=0, maximum=100, places=2) == Decimal(16)
    assert parse_decimal("1.500", minimum=0, maximum=10, places=1) == Decimal("1.5")
    with pytest.raises(ParseError, match="more than 2 decimals"):
        parse_decimal("1.234", minimum=0, maximum=10, places=2)
    with pytest.raises(ParseError, match="too high: the highest allowed is 10"):
        parse_decimal("10.01", minimum=0, maximum=10, places=2)


@settings(max_examples=300)
@given(ANY_INPUT)
def test_parse_decimal_raises_nothing_but_parse_error(value):
    try:
        result = parse_decimal(value, minimum=-5, maximum=5, places=3)
    except ParseError:
        return
    assert isinstance(result, Decimal) and result.is_finite() and -5 <= result <= 5


@given(st.decimals(min_value=-1000, max_value=1000, places=2))
def test_every_decimal_round_trips(value):
    assert parse_decimal(f"{value:f}", minimum=-1000, maximum=1000, places=2) == value


# --- load_json ---------------------------------------------------------------------------------------------------


def test_json_is_loaded_from_bytes_with_or_without_a_byte_order_mark():
    assert load_json(b'{"items": [1, 2.5, "x"]}') == {"items": [1, 2.5, "x"]}
    assert load_json("\ufeff[true]".encode()) == [True]


def test_deeply_nested_json_is_refused_with_a_clear_message_not_a_recursion_error():
    with pytest.raises(ParseError) as error:
        load_json(b"[" * 100_000)
    assert "nests more than 64 levels" in error.value.message
    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(ParseError, match="nests more than"):
        load_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    # Brackets inside strings do not nest.
    assert load_json(json.dumps(["[" * 1000, "{" * 1000])) == ["[" * 1000, "{" * 1000]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[NaN]", "NaN is not a number"),
        (b"[-Infinity]", "Infinity is not a number"),
        (b"[1e999]", "too large"),
        (b"[" + b"1" * 5000 + b"]", "too long"),
    ],
)
def test_what_is_not_json_is_refused_with_a_reason(data, message):
    with pytest.raises(ParseError, match=message):
        load_json(data)


def test_the_depth_count_is_linear_even_for_a_broken_file():
    import time

    text = '"' + '\\"' * 300_000 + "[" * 300_000
    started = time.monotonic()
    assert json_depth(text) == 0  # one unclosed string, to the end
    assert time.monotonic() - started < 5
    assert json_depth('{"a": [1, {"b": "]]]"}]}') == 3


@settings(max_examples=200)
@given(st.one_of(st.binary(max_size=200), st.text(alphabet='[]{}",:\\0123456789truefalsn ', max_size=200)))
def test_load_json_raises_nothing_but_parse_error(data):
    with contextlib.suppress(ParseError):
        load_json(data)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
        max_leaves=20,
    )
)
def test_json_round_trips(value):
    assert load_json(json.dumps(value).encode()) == value


def test_an_excerpt_of_input_is_short_and_holds_no_control_characters():
    assert excerpt("a\x00b") == "a\N{REPLACEMENT CHARACTER}b"
    assert len(excerpt("x" * 1000)) == 40
    assert excerpt(["a"]) == "['a']"
