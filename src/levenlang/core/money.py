"""Money is an integer number of euro cents everywhere; this module only formats it for people."""

__all__ = [
    "MAX_CENTS",
    "format_cents",
]

# The largest amount the platform ever stores or sends: 2^53 - 1 cents (about 90 trillion euros), the largest
# integer a JSON number keeps exactly in a browser (JavaScript's Number.MAX_SAFE_INTEGER). Every amount column of
# the ledger has a CHECK against it and every money field of the API has it as maximum, so no amount can leave the
# API as a number a browser would round. The real ceilings (the ledger's `AmountCap`s) are far lower.
MAX_CENTS = 2**53 - 1


def format_cents(cents: int, *, whole_euros: bool = False) -> str:
    """`123456` → `€ 1.234,56`; negative amounts get a minus sign before the euro sign.

    With whole_euros, a round amount leaves out its cents (`€ 1.000`), as on a chart's axis.
    """
    if not isinstance(cents, int):
        raise TypeError("Money is an integer number of cents.")
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    whole = f"{sign}€ {euros:,}".replace(",", ".")
    return whole if whole_euros and not rest else whole + f",{rest:02d}"
