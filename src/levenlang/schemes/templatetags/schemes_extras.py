from django import template

register = template.Library()


@register.filter
def largest_difference(rows: list[dict]) -> int:
    return max((abs(r["difference_cents"]) for r in rows), default=0)


@register.filter
def bar_width(cents: int, largest: int) -> int:
    """Percent of the widest bar; a non-zero difference stays visible."""
    if not largest or not cents:
        return 0
    return max(1, round(100 * abs(cents) / largest))
