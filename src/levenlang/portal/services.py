"""What each role's home page shows. Each function returns the template context for one role; views stay thin."""

from django.db.models import Count, Q
from django.utils import timezone

from levenlang.catalog.services import Provider
from levenlang.core.models import Region, User
from levenlang.core.privacy import aggregate_of_people, shown
from levenlang.core.roles import Role
from levenlang.employers.services import Employer, Sector, SectorFund
from levenlang.ledger import services as ledger
from levenlang.residents import services as residents
from levenlang.residents.services import Resident

__all__ = [
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


def resident_home(user) -> dict:
    resident = Resident.objects.select_related("region").filter(user=user).first()
    if resident is None:
        return {"resident": None}
    return {
        "resident": resident,
        "age": resident.age_on(timezone.localdate()),
        "employment": residents.current_employment(resident),
        "available_cents": ledger.available_cents(resident.pk),
    }


@aggregate_of_people
def employer_home(user) -> dict:
    employers = list(Employer.objects.filter(staff=user).select_related("region", "sector_fund"))
    for employer in employers:
        # Participation figures are aggregates only; a group under MIN_GROUP_SIZE is not shown.
        employer.employee_count = shown(_employee_count(Q(pk=employer.pk)))
    return {"employers": employers}


@aggregate_of_people
def sector_fund_home(user) -> dict:
    funds = list(SectorFund.objects.filter(staff=user))
    for fund in funds:
        fund.employer_count = fund.employer_set.count()  # organisations, which the fund knows by name anyway
        fund.employee_count = shown(_employee_count(Q(sector_fund=fund)))
    return {"funds": funds}


def provider_home(user) -> dict:
    return {"providers": Provider.objects.filter(staff=user).select_related("region")}


@aggregate_of_people
def adviser_home(user) -> dict:
    region = user.region
    return {
        "region": region,
        "resident_count": shown(Resident.objects.filter(region=region).count()) if region else 0,
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
    counts = dict(User.objects.values_list("role").annotate(n=Count("id")))
    return {"users_by_role": [(label, counts.get(value, 0)) for value, label in Role.choices]}


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
