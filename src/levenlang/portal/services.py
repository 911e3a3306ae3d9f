"""What each role's home page shows. Each function returns the template context for one role; views stay thin.

A home page is a task dashboard: what matters first (the money to spend, what waits for the person), in cards,
from a few cheap queries (tests/portal/test_home_pages.py counts them). Roles whose parts are not built yet get
what exists for them today and a card that says plainly what is coming.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from levenlang.catalog.services import Provider, ProviderRecognition
from levenlang.core.models import Region, User
from levenlang.core.privacy import aggregate_of_people, shown
from levenlang.core.roles import Role
from levenlang.employers.services import Employer, Sector, SectorFund
from levenlang.enrolment import services as enrolment
from levenlang.ledger import services as ledger
from levenlang.residents import services as residents
from levenlang.residents.services import Resident
from levenlang.schemes import services as schemes

__all__ = [
    "EXPIRING_WITHIN_DAYS",
    "HOME_BY_ROLE",
    "administrator_home",
    "adviser_home",
    "employer_home",
    "ministry_home",
    "programme_home",
    "provider_home",
    "resident_home",
    "sector_fund_home",
]


def _employee_count(employer_filter: Q) -> int:
    return (
        Employer.objects.filter(employer_filter, employments__end_date__isnull=True)
        .aggregate(n=Count("employments"))
        .get("n")
        or 0
    )


# A pot whose money expires within this many days is a task on the resident's home page: spend it or lose it.
EXPIRING_WITHIN_DAYS = 90

# The next step of an open enrolment as its learner reads it on the home page: theirs, or what they wait for.
LEARNER_NEXT_STEP = {
    "requested": _("The provider decides whether there is a place for you."),
    "accepted": _("Your turn: confirm your booking, then the money is reserved."),
    "completed": _("Your turn: confirm that the course was given."),
    "reserved": _("The money is reserved. The provider tells us when the course starts."),
    "started": _("The course is under way. The provider tells us when it is finished."),
    "disputed": _("You said the course was not given. An administrator looks into it."),
}


def _schemes_for(resident, year: int) -> list[dict]:
    """The schemes the navigator finds the person eligible for (not their employer's), the largest amount first."""
    language = get_language()
    found = [
        {"key": r.scheme.key, "name": r.scheme.name(language), "amount_cents": r.amount_cents, "kind": r.scheme.kind}
        for r in schemes.navigate(resident, year=year)
        if r.eligible and r.scheme.applies_to != "employer"
    ]
    return sorted(found, key=lambda s: -(s["amount_cents"] or 0))


def resident_home(user, *, today: datetime.date | None = None) -> dict:
    """The money to spend, what needs the person's action, their courses and the schemes for them."""
    resident = Resident.objects.select_related("region").filter(user=user).first()
    if resident is None:
        return {"resident": None}
    today = today or timezone.localdate()
    money = ledger.money_overview(resident.pk, today=today, expiring_within_days=EXPIRING_WITHIN_DAYS)
    courses = enrolment.learner_enrolments(resident)
    to_reserve = [e for e in courses if e.status in enrolment.STEPS["reserve"].sources]
    to_confirm = [e for e in courses if e.status in enrolment.STEPS["confirm"].sources]
    # Money is reserved for these; what the pots do not cover the person pays the provider.
    own_shares = [e for e in courses if e.reservation_id is not None and (e.own_share_cents or 0) > 0]
    for course in courses:
        course.next_step = LEARNER_NEXT_STEP.get(course.status, "")
    return {
        "resident": resident,
        "age": resident.age_on(today),
        "employment": residents.current_employment(resident),
        "money": money,
        "available_cents": money.available_cents,
        "courses": courses,
        "to_reserve": to_reserve,
        "to_confirm": to_confirm,
        "own_shares": own_shares,
        "expiring": money.expiring,
        "task_count": len(to_reserve) + len(to_confirm) + len(own_shares) + len(money.expiring),
        "schemes": _schemes_for(resident, today.year),
    }


def _start_of_year(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()).replace(month=1, day=1)


@aggregate_of_people
def employer_home(user) -> dict:
    employers = list(Employer.objects.filter(staff=user).select_related("region", "sector_fund"))
    for employer in employers:
        # Participation figures are aggregates only; a group under MIN_GROUP_SIZE is not shown.
        employer.employee_count = shown(_employee_count(Q(pk=employer.pk)))
    since = _start_of_year()
    # The employer's own deposits, as totals: never an employee's balance.
    return {"employers": employers, "deposits": ledger.deposits_made(employers=employers, since=since), "since": since}


@aggregate_of_people
def sector_fund_home(user) -> dict:
    funds = list(SectorFund.objects.filter(staff=user))
    for fund in funds:
        fund.employer_count = fund.employer_set.count()  # organisations, which the fund knows by name anyway
        fund.employee_count = shown(_employee_count(Q(sector_fund=fund)))
    since = _start_of_year()
    return {"funds": funds, "deposits": ledger.deposits_made(sector_funds=funds, since=since), "since": since}


# The provider's steps on its home page, each with what the provider does; the status an enrolment waits in for
# it comes from the step's rule (enrolment.STEPS).
PROVIDER_STEPS = (
    ("accept", _("To accept or refuse")),
    ("start", _("To declare the start")),
    ("complete", _("To declare completion")),
)
PROVIDER_WAITS = (
    ("accepted", _("Waiting for the learner to confirm the booking")),
    ("completed", _("Waiting for the learner to confirm the completion")),
    ("disputed", _("Disputed by the learner: an administrator decides")),
)
RECENT_PAYOUTS = 5


def provider_home(user) -> dict:
    """The enrolments that wait for the provider (a count and a link per step) and the latest payouts."""
    providers = list(Provider.objects.filter(staff=user).select_related("region"))
    if not providers:
        return {"providers": []}
    counts = enrolment.waiting_counts(providers)
    legs, total_cents = enrolment.payouts(providers)
    waiting_in = [(str(enrolment.STEPS[step].sources[0]), label) for step, label in PROVIDER_STEPS]
    tasks = [{"status": status, "label": label, "count": counts.get(status, 0)} for status, label in waiting_in]
    return {
        "providers": providers,
        "tasks": tasks,
        "task_count": sum(t["count"] for t in tasks),
        "waits": [{"status": s, "label": label, "count": counts[s]} for s, label in PROVIDER_WAITS if counts.get(s)],
        "payouts": list(legs[:RECENT_PAYOUTS]),
        "payout_total_cents": total_cents,
    }


@aggregate_of_people
def adviser_home(user) -> dict:
    region = user.region
    return {
        "region": region,
        "resident_count": shown(Resident.objects.filter(region=region).count()) if region else None,
        "employer_count": Employer.objects.filter(region=region).count() if region else 0,
    }


@aggregate_of_people
def ministry_home(user) -> dict:
    today = timezone.localdate()
    return {
        "total_residents": shown(Resident.objects.count()),
        "by_region": residents.count_by_region(),
        "by_age": residents.count_by_age_group(today),
    }


def programme_home(user) -> dict:
    region = user.region
    tech = [Sector.METAL_ELECTRICAL, Sector.ICT]
    regions = Region.objects.filter(pk=region.pk) if region else Region.objects.all()
    rows = regions.annotate(
        tech_employers=Count("employers", filter=Q(employers__sector__in=tech)),
        providers_count=Count("providers", distinct=True),
    ).order_by("name")
    return {"region": region, "rows": rows}


def administrator_home(user) -> dict:
    """The reviews that wait: providers and their quality recognitions, enrolments that need a decision, providers
    the price monitor flags; and the users per role."""
    counts = dict(User.objects.values_list("role").annotate(n=Count("id")))
    # The review page's own filter: a provider waiting for approval, or one with a recognition to review.
    waiting = Q(status=Provider.Status.PENDING) | Q(recognitions__status=ProviderRecognition.Status.SUBMITTED)
    return {
        "providers_to_review": Provider.objects.filter(waiting).distinct().count(),
        "decisions_waiting": enrolment.decisions_waiting(),
        "price_alerts": enrolment.price_alerts(),
        "users_by_role": [(label, counts.get(value, 0)) for value, label in Role.choices],
    }


HOME_BY_ROLE = {
    Role.RESIDENT: ("portal/home_resident.html", resident_home),
    Role.EMPLOYER_STAFF: ("portal/home_employer.html", employer_home),
    Role.SECTOR_FUND_STAFF: ("portal/home_sector_fund.html", sector_fund_home),
    Role.PROVIDER_STAFF: ("portal/home_provider.html", provider_home),
    Role.ADVISER: ("portal/home_adviser.html", adviser_home),
    Role.MINISTRY_ANALYST: ("portal/home_ministry.html", ministry_home),
    Role.PROGRAMME_MANAGER: ("portal/home_programme.html", programme_home),
    Role.ADMINISTRATOR: ("portal/home_administrator.html", administrator_home),
}
