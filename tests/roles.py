"""Everyone who might look at, or act on, one resident's affairs (docs/security.md): for the tables of who may
see and do what. Each is a real user with a real tie where the role has one: the staff of the resident's own
employer and of that employer's sector fund, the staff of the provider of the resident's module and of another
provider."""

import datetime

from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role
from levenlang.employers.models import Employer, Employment, SectorFund
from tests.factories import ProviderFactory, ResidentFactory, UserFactory, region

# The names used in test ids, in the order of the tables.
OWNER = "owner"
OTHER_RESIDENT = "other_resident"
EMPLOYER_STAFF = "employer_staff"
SECTOR_FUND_STAFF = "sector_fund_staff"
PROVIDER_STAFF = "provider_staff"
OTHER_PROVIDER_STAFF = "other_provider_staff"
ADVISER = "adviser"
MINISTRY_ANALYST = "ministry_analyst"
PROGRAMME_MANAGER = "programme_manager"
ADMINISTRATOR = "administrator"
EVERYONE = [
    OWNER,
    OTHER_RESIDENT,
    EMPLOYER_STAFF,
    SECTOR_FUND_STAFF,
    PROVIDER_STAFF,
    OTHER_PROVIDER_STAFF,
    ADVISER,
    MINISTRY_ANALYST,
    PROGRAMME_MANAGER,
    ADMINISTRATOR,
]


def people_around(resident, provider=None) -> dict:
    """name -> user, for `resident` (who works for an employer that is affiliated to a sector fund) and, when
    given, `provider` (whose staff is `provider.staff.first()` or a new staff member)."""
    fund = SectorFund.objects.create(name=f"Fonds {resident.pk}", sector="metal_electrical")
    employer = Employer.objects.create(
        kvk_number=f"{70_000_000 + resident.pk:08d}",
        name=f"Werkgever {resident.pk}",
        sector="metal_electrical",
        size=Employer.Size.SMALL,
        region=region(),
        sector_fund=fund,
    )
    Employment.objects.create(
        resident=resident,
        employer=employer,
        job_title="Monteur",
        hours_per_week=32,
        start_date=datetime.date(2020, 1, 1),
    )
    employer_staff = UserFactory(role=Role.EMPLOYER_STAFF)
    employer.staff.add(employer_staff)
    fund_staff = UserFactory(role=Role.SECTOR_FUND_STAFF)
    fund.staff.add(fund_staff)
    provider = provider or ProviderFactory()
    provider_staff = provider.staff.first()
    if provider_staff is None:
        provider_staff = UserFactory(role=Role.PROVIDER_STAFF)
        provider.staff.add(provider_staff)
    other_provider_staff = UserFactory(role=Role.PROVIDER_STAFF)
    ProviderFactory().staff.add(other_provider_staff)
    return {
        OWNER: resident.user,
        OTHER_RESIDENT: ResidentFactory(given_name="Bert").user,
        EMPLOYER_STAFF: employer_staff,
        SECTOR_FUND_STAFF: fund_staff,
        PROVIDER_STAFF: provider_staff,
        OTHER_PROVIDER_STAFF: other_provider_staff,
        ADVISER: UserFactory(role=Role.ADVISER),
        MINISTRY_ANALYST: UserFactory(role=Role.MINISTRY_ANALYST),
        PROGRAMME_MANAGER: UserFactory(role=Role.PROGRAMME_MANAGER),
        ADMINISTRATOR: UserFactory(role=Role.ADMINISTRATOR),
    }


def audit_of_personal_data():
    """The audit log without its login lines (every test login writes one): what the privacy rules are about."""
    return AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN)
