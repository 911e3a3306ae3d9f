"""Aggregates that may be shown to roles that see no individuals (employers, the ministry): groups of fewer
than MIN_GROUP_SIZE people are hidden, so that nobody can be singled out (docs/security.md)."""

__all__ = [
    "MIN_GROUP_SIZE",
    "suppress_small_groups",
]

MIN_GROUP_SIZE = 10


def suppress_small_groups(rows: list[dict], count_key: str = "count") -> list[dict]:
    """Return the rows with `count` set to None where it is below MIN_GROUP_SIZE (shown as '< 10')."""
    return [{**row, count_key: row[count_key] if row[count_key] >= MIN_GROUP_SIZE else None} for row in rows]
