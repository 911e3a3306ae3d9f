"""Numbers, money and JSON from outside input (files, forms, API bodies): one strict way to read them.

Every function here either returns a value or raises `ParseError`, whatever it is given: never a ValueError,
OverflowError, decimal exception or RecursionError from deeper down. The rules:

- Only the ASCII digits 0-9 are digits. Python's `int()`, `Decimal()` and `str.isdigit()` also take "²", "¹⁸" or
  Arabic-Indic "١٢" (some of them only halfway: `"²".isdigit()` is true but `int("²")` fails); none of them is a
  number here.
- Surrounding white space is ignored; a sign (`+` or `-`) may come first, and the range decides whether a negative
  value is allowed. No thousands separators, no exponents ("1e3"), no "NaN" or "Infinity", no underscores.
- Every number has a range: callers must say `minimum` and `maximum` (money: `maximum`), so that nothing absurd
  reaches the database or a calculation. A text longer than `MAX_NUMBER_LENGTH` is refused before it is read.
- Amounts in euros take a decimal point or a decimal comma ("340.84", "340,84": English and Dutch spreadsheets);
  `separators="."` restricts that (OEAPI/OOAPI amounts allow the point only). At most two decimals: "12.345" is
  not whole cents, and "1.000" is refused rather than read as one euro when a thousand was meant.
- A JSON number (int or float, as `json.loads` gives it) is read as the decimal text it was written as; a Decimal
  as its plain text; True and False are not numbers.

`ParseError.message` says what is wrong in the active language (msgids in English), without the field's name;
`ParseError.field` is the name the caller gave; `str(error)` is "field: message".

    parse_int("12", minimum=0, maximum=100, field="capacity")           -> 12
    parse_cents("340,84", maximum=1_000_000_00, field="price_eur")      -> 34084
    parse_decimal("2.5", minimum=0, maximum=10_000, places=2)           -> Decimal("2.5")
    load_json(b'{"items": []}')                                          -> {"items": []}
"""

import json
import math
import re
from decimal import Decimal
from itertools import accumulate

from django.utils.translation import gettext as _

from levenlang.core.money import format_cents

# Long enough for any real number (a bigint has 19 digits; with sign, separator and decimals well under 40), short
# enough that nothing is spent on a megabyte of digits.
MAX_NUMBER_LENGTH = 40
# Catalogue files and API bodies nest a handful of levels; 64 leaves room for any honest document and stops a file
# of 100,000 "[" long before the JSON decoder would run out of stack.
MAX_JSON_DEPTH = 64

_INTEGER = re.compile(r"([+-]?)([0-9]+)")
_DECIMAL = re.compile(r"([+-]?)([0-9]+)(?:([.,])([0-9]+))?")
# A JSON string, up to its closing quote or the end of the text: it cannot fail to match once it has started, so
# removing all strings stays linear even in a broken file (an unclosed string ends at the end of the text).
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.?[^"\\]*+)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class ParseError(ValueError):
    """The input is not what was asked for. `message`: why, for people (translated); `field`: the caller's name
    for the input ("" when none was given)."""

    def __init__(self, message: str, *, field: str = ""):
        self.message = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


def excerpt(value, limit: int = 40) -> str:
    """A piece of input to quote in a message: at most `limit` characters, control characters (NUL above all:
    PostgreSQL stores no NUL in text or jsonb) shown as "�"."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text)


def number_text(value, *, field: str = "") -> str:
    """The text of a number as it was written: a str is trimmed, an int is its digits, a float (from JSON) its
    shortest exact decimal form without exponent (0.1 -> "0.1", 1e16 -> "10000000000000000"), a Decimal its plain
    form. Raises ParseError for anything else (True/False, None, lists, NaN, infinity)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ParseError(_("This must be a number."), field=field)
    if isinstance(value, int):
        # int -> str is refused beyond 4,300 digits, and such a number is too long for any range here anyway.
        if abs(value) >= 10**MAX_NUMBER_LENGTH:
            raise ParseError(_("This number is too long."), field=field)
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(_("This must be a number."), field=field)
        value = Decimal(repr(value))
    if not value.is_finite():
        raise ParseError(_("This must be a number."), field=field)
    if value.adjusted() >= MAX_NUMBER_LENGTH or value.as_tuple().exponent < -MAX_NUMBER_LENGTH:
        raise ParseError(_("This number is too long."), field=field)  # before "f" writes out a million zeros
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text  # 16.0 and 16.00 are whole


def _text(value, field: str) -> str:
    text = number_text(value, field=field)
    if not text:
        raise ParseError(_("This is empty; write a number."), field=field)
    if len(text) > MAX_NUMBER_LENGTH:
        raise ParseError(
            _("“%(text)s” is too long for a number (at most %(length)s characters).")
            % {"text": excerpt(text), "length": MAX_NUMBER_LENGTH},
            field=field,
        )
    return text


def _in_range(value, minimum, maximum, field: str, shown=str):
    if value < minimum:
        raise ParseError(
            _("%(value)s is too low: the lowest allowed is %(minimum)s.")
            % {"value": shown(value), "minimum": shown(minimum)},
            field=field,
        )
    if value > maximum:
        raise ParseError(
            _("%(value)s is too high: the highest allowed is %(maximum)s.")
            % {"value": shown(value), "maximum": shown(maximum)},
            field=field,
        )
    return value


def parse_int(text: str | int | float | Decimal, *, minimum: int, maximum: int, field: str = "") -> int:
    """A whole number from `minimum` to `maximum` (both included): ASCII digits with an optional sign. A JSON
    float is accepted only when it is whole (16.0)."""
    written = _text(text, field)
    match = _INTEGER.fullmatch(written)
    if not match:
        raise ParseError(
            _("“%(text)s” is not a whole number. Use only the digits 0-9.") % {"text": excerpt(written)}, field=field
        )
    value = int(match[2]) * (-1 if match[1] == "-" else 1)
    return _in_range(value, minimum, maximum, field)


def _decimal_parts(written: str, separators: str, field: str, example: str):
    match = _DECIMAL.fullmatch(written)
    if not match or (match[3] and match[3] not in separators):
        if separators == ".":
            hint = _("Use the digits 0-9 and a decimal point, like %(example)s.") % {"example": example}
        else:
            hint = _("Use the digits 0-9 and a decimal point or comma, like %(example)s.") % {"example": example}
        raise ParseError(_("“%(text)s” is not a number.") % {"text": excerpt(written)} + " " + hint, field=field)
    return match[1] == "-", match[2], match[4] or ""


def parse_cents(
    text: str | int | float | Decimal, *, maximum: int, minimum: int = 0, field: str = "", separators: str = ".,"
) -> int:
    """An amount in euros ("340.84", "340,84", "340") as a whole number of cents (34084), from `minimum` to
    `maximum` cents, with at most two decimals. `separators`: which decimal separators are allowed."""
    written = _text(text, field)
    example = "340.84" if separators == "." else "340,84"
    negative, euros, fraction = _decimal_parts(written, separators, field, example)
    if len(fraction) > 2:
        raise ParseError(
            _(
                "“%(text)s” has more than two decimals. Write euros and cents without a thousands separator, "
                "like %(example)s."
            )
            % {"text": excerpt(written), "example": example},
            field=field,
        )
    cents = int(euros) * 100 + int(fraction[:2].ljust(2, "0"))
    return _in_range(-cents if negative else cents, minimum, maximum, field, shown=format_cents)


def parse_decimal(
    text: str | int | float | Decimal,
    *,
    minimum: Decimal | int,
    maximum: Decimal | int,
    places: int,
    field: str = "",
    separators: str = ".,",
) -> Decimal:
    """A decimal number ("2.5", "2,5") with at most `places` decimals (trailing zeros do not count), from
    `minimum` to `maximum`."""
    written = _text(text, field)
    negative, whole, fraction = _decimal_parts(written, separators, field, "2.5" if separators == "." else "2,5")
    fraction = fraction.rstrip("0")
    if len(fraction) > places:
        raise ParseError(
            _("“%(text)s” has more than %(places)s decimals.") % {"text": excerpt(written), "places": places},
            field=field,
        )
    value = Decimal(f"{'-' if negative else ''}{whole}.{fraction or '0'}")
    return _in_range(value, Decimal(minimum), Decimal(maximum), field, shown=lambda d: f"{d.normalize():f}")


class _NotAllowed(Exception):
    def __init__(self, message: str):
        self.message = message


def _refuse_constant(name: str):
    raise _NotAllowed(_("%(name)s is not a number in JSON.") % {"name": name})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotAllowed(_("The number %(text)s is too large.") % {"text": excerpt(text)})
    return value


def json_depth(text: str) -> int:
    """How deep the arrays and objects in a JSON text nest (0 for a bare value), counted without parsing it: brackets
    inside strings do not count. Linear time and no recursion, whatever the text holds."""
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def load_json(data: bytes | str, *, max_depth: int = MAX_JSON_DEPTH, field: str = ""):
    """The value of a JSON document (bytes in UTF-8, a BOM allowed, or text). Raises ParseError when it is not
    UTF-8, not JSON, nests deeper than `max_depth`, or holds NaN, Infinity or a number too long to read."""
    if isinstance(data, bytes | bytearray | memoryview):
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(
                _("This is not UTF-8 text (byte %(position)s).") % {"position": exc.start + 1}, field=field
            ) from None
    elif isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        raise ParseError(_("This is not JSON text."), field=field)
    if _too_deep(text, max_depth):
        raise ParseError(_deep_message(max_depth), field=field)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotAllowed as exc:
        raise ParseError(exc.message, field=field) from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            _("This is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
            % {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
            field=field,
        ) from None
    except RecursionError:
        # The check above stops deep nesting first; this is for a stack smaller than Python's usual one.
        raise ParseError(_deep_message(max_depth), field=field) from None
    except ValueError:
        # Python refuses to read an integer of more than 4,300 digits.
        raise ParseError(_("The JSON holds a number that is too long to read."), field=field) from None


def _too_deep(text: str, max_depth: int) -> bool:
    # Most documents have far fewer brackets than the limit allows levels: no need to count them one by one.
    if text.count("[") + text.count("{") <= max_depth:
        return False
    return json_depth(text) > max_depth


def _deep_message(max_depth: int) -> str:
    return _("The JSON nests more than %(depth)s levels deep. No catalogue or request needs that; check the file.") % {
        "depth": max_depth
    }
