"""Money is an integer number of euro cents everywhere; this module only formats it for people."""

__all__ = [
    "format_cents",
]


def format_cents(cents: int) -> str:
    """`123456` → `€ 1.234,56`; negative amounts get a minus sign before the euro sign."""
    if not isinstance(cents, int):
        raise TypeError("Money is an integer number of cents.")
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    return f"{sign}€ {euros:,}".replace(",", ".") + f",{rest:02d}"
