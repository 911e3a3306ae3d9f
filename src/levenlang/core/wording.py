"""Numbers as a person reads them, in the active language: age bands in words ("67 jaar en ouder", not "67–200")
and years without a thousands separator ("2027", not "2.027")."""

from django.utils.translation import gettext

__all__ = ["OLDEST_AGE", "age_band", "level_band", "year_text"]

# An upper bound at or above this age means "and older": no person is that old.
OLDEST_AGE = 120


def age_band(low: int, high: int) -> str:
    """A band of ages, both ends included: "under 18", "25 to 34", "67 and older"."""
    if low <= 0:
        return gettext("under %(age)s") % {"age": high + 1}
    if high >= OLDEST_AGE:
        return gettext("%(age)s and older") % {"age": low}
    return gettext("%(low)s to %(high)s") % {"low": low, "high": high}


def level_band(low: int, high: int) -> str:
    """A band of NLQF levels, both ends included: "NLQF 3 to 4"."""
    return gettext("NLQF %(low)s to %(high)s") % {"low": low, "high": high}


def year_text(year: int) -> str:
    """A calendar year as digits only: templates localize integers, and 2027 would read "2.027" in Dutch."""
    return str(int(year))
