"""Dutch identifiers. BSN is personal data of a special kind: validate it, store it, show it only masked."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

__all__ = [
    "bsn_check_digit",
    "clean_bsn",
    "mask_bsn",
    "validate_bsn",
    "validate_kvk_number",
]

KVK_RE = re.compile(r"^\d{8}$")


def clean_bsn(value: str) -> str:
    """Return the BSN as 9 digits, or raise a ValidationError that says what is wrong."""
    try:
        return stdnum_bsn.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("This is not a valid BSN: it must be 9 digits and pass the eleven test (11-proef)."),
            code="invalid_bsn",
        ) from exc


def validate_bsn(value: str) -> None:
    clean_bsn(value)


def mask_bsn(value: str) -> str:
    """Show only the last three digits: the person recognises their number, nobody can copy it."""
    return f"******{value[-3:]}" if value else ""


def validate_kvk_number(value: str) -> None:
    if not KVK_RE.match(value or ""):
        raise ValidationError(_("A KvK number has exactly 8 digits."), code="invalid_kvk")


def bsn_check_digit(first_eight: str) -> int | None:
    """The ninth digit that makes `first_eight` a valid BSN, or None when no digit does (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(first_eight, range(9, 1, -1), strict=True))
    digit = total % 11
    return None if digit == 10 else digit
