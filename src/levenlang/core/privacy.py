"""Aggregates that may be shown to roles that see no individuals (employers, sector funds, advisers, the ministry):
no group of fewer than MIN_GROUP_SIZE people comes out, so that nobody can be singled out (docs/security.md).

Every count of people that a page, a download or the API shows goes through this module:

- `shown(count)` for a count on its own;
- `suppress_cells(counts)` for the cells of one table whose total is known (primary and complementary
  suppression, below);
- `suppress_small_groups(rows, ...)` for rows of a table: the group's count, the values derived from the group
  (sums of money: hidden with it) and the sub-groups inside it (better and worse off: a table of their own).

Complementary suppression: hiding one small cell is not enough when the total is shown, because the total minus
the cells shown gives the hidden one back. So when the hidden cells of a table hold between 1 and
MIN_GROUP_SIZE - 1 people together, the smallest cells still shown are hidden as well, until the hidden cells
together hold at least MIN_GROUP_SIZE people (or none). What one can then work out is a group of at least
MIN_GROUP_SIZE. An empty group (0) is shown: it singles nobody out.

Functions that produce such aggregates are marked with `@aggregate_of_people`; a test calls each of them with tiny
groups and checks that no count under MIN_GROUP_SIZE comes out, and that every other function that counts is known
to count something other than people (tests/test_small_groups.py).
"""

from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "MIN_GROUP_SIZE",
    "aggregate_of_people",
    "is_small",
    "shown",
    "suppress_cells",
    "suppress_small_groups",
]

MIN_GROUP_SIZE = 10

AGGREGATE_PRODUCERS: dict[str, Callable] = {}


def aggregate_of_people(function: Callable) -> Callable:
    """Mark (and register) a function whose result shows counts of people: it must use this module."""
    AGGREGATE_PRODUCERS[f"{function.__module__}.{function.__qualname__}"] = function
    return function


def shown(count: int | None) -> int | None:
    """A count of people on its own: the count, or None (shown as 'fewer than 10') when the group is too small."""
    return count if count is not None and not is_small(count) else None


def is_small(count: int) -> bool:
    return 0 < count < MIN_GROUP_SIZE


def suppress_cells(counts: Sequence[int]) -> list[int | None]:
    """The cells of one table (groups that do not overlap), each a count or None: small cells are hidden, and
    then as many of the smallest other cells as needed so that the hidden ones hold at least MIN_GROUP_SIZE
    people together (complementary suppression; see the module's docstring)."""
    hidden = [is_small(count) for count in counts]

    def hidden_people() -> int:
        return sum(count for count, hide in zip(counts, hidden, strict=True) if hide)

    while 0 < hidden_people() < MIN_GROUP_SIZE:
        rest = [i for i, hide in enumerate(hidden) if not hide and counts[i] > 0]
        if not rest:
            break  # everything is hidden already
        hidden[min(rest, key=lambda i: counts[i])] = True
    return [None if hide else count for count, hide in zip(counts, hidden, strict=True)]


def suppress_small_groups(
    rows: list[dict],
    count_key: str = "count",
    *,
    derived: Iterable[str] = (),
    parts: Iterable[str] = (),
) -> list[dict]:
    """The rows with `count_key` suppressed as cells of one table (`suppress_cells`). A hidden row's `derived`
    values (for example sums of money over the group) are hidden with it. `parts` are counts of sub-groups inside
    each row (for example better off and worse off); with the rest of the group (not shown, but known to whoever
    knows the group's count) they form a table of their own and are suppressed the same way."""
    derived, parts = list(derived), list(parts)
    counts = suppress_cells([row[count_key] for row in rows])
    result = []
    for row, count in zip(rows, counts, strict=True):
        row = {**row, count_key: count}
        if count is None:
            row.update(dict.fromkeys([*derived, *parts]))
        elif parts:
            values = [row[key] for key in parts]
            cells = suppress_cells([*values, count - sum(values)])
            row.update(zip(parts, cells[:-1], strict=True))
        result.append(row)
    return result
