"""Queries about residents, and the door of the residents app: other apps use residents through this module.
Functions that return aggregates never return individuals."""

from datetime import date

from django.db.models import Count, Q

from levenlang.core.privacy import aggregate_of_people, suppress_small_groups
from levenlang.core.roles import Role
from levenlang.core.wording import OLDEST_AGE, age_band
from levenlang.residents.models import NLQFLevel, Resident, Situation

__all__ = [
    "AGE_GROUPS",
    "NLQFLevel",
    "Resident",
    "Situation",
    "count_by_age_group",
    "count_by_region",
    "current_employment",
    "names_by_uuid",
    "resident_of",
    "years_before",
]

# Bands of age, both ends included; OLDEST_AGE as the upper end means "and older". Labels come from core.wording.
AGE_GROUPS: list[tuple[int, int]] = [(16, 24), (25, 34), (35, 44), (45, 54), (55, 66), (67, OLDEST_AGE)]


def resident_of(user) -> Resident | None:
    """The resident this user logs in as, or None (the user is not a resident)."""
    if user is None or not user.is_authenticated or user.role != Role.RESIDENT:
        return None
    return Resident.objects.filter(user=user).first()


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _born_between(today: date, min_age: int, max_age: int) -> Q:
    """Residents aged min_age..max_age (inclusive) on `today`."""
    return Q(birth_date__lte=years_before(today, min_age), birth_date__gt=years_before(today, max_age + 1))


@aggregate_of_people
def count_by_region(queryset=None) -> list[dict]:
    """Residents per labour market region, small groups hidden."""
    queryset = Resident.objects.all() if queryset is None else queryset
    rows = queryset.values("region__name").annotate(count=Count("id")).order_by("region__name")
    return suppress_small_groups([{"label": r["region__name"], "count": r["count"]} for r in rows])


@aggregate_of_people
def count_by_age_group(today: date, queryset=None) -> list[dict]:
    queryset = Resident.objects.all() if queryset is None else queryset
    totals = queryset.aggregate(
        **{f"age_{lo}": Count("id", filter=_born_between(today, lo, hi)) for lo, hi in AGE_GROUPS}
    )
    return suppress_small_groups([{"label": age_band(lo, hi), "count": totals[f"age_{lo}"]} for lo, hi in AGE_GROUPS])


def current_employment(resident: Resident):
    return resident.employments.filter(end_date__isnull=True).select_related("employer").first()


def names_by_uuid(uuids: list[str]) -> dict[str, str]:
    """Residents' names by their UUID, for the audit log (core.audit.register_namer): one query."""
    rows = Resident.objects.filter(uuid__in=uuids).values_list("uuid", "given_name", "family_name")
    return {str(uuid): f"{given} {family}" for uuid, given, family in rows}
