"""Money in the demo: this year's learning rights for every resident, computed by the rules (the yearly
allocation job), and the deposits around the personas: Marco's employer and sector fund, and his own money. What
the personas spend comes from their enrolments (demo/enrolment.py), through the enrolment services, never from a
reservation made here. Runs through the ledger's services only, with fixed idempotency keys and the allocation's
run key per year, so running it again changes nothing.
"""

import datetime

from django.utils import timezone

from levenlang.core.categories import Category
from levenlang.core.models import User
from levenlang.employers.models import Employer
from levenlang.ledger import services
from levenlang.ledger.services import DemoPaymentProvider, PotKind, SystemAccount
from levenlang.residents.models import Resident
from levenlang.schemes import services as rules

LAST_KEY = "demo:marco:employer"  # the last movement below: when it exists, everything does


def demo_ledger_present() -> bool:
    return services.command_exists(LAST_KEY)


def load_demo_ledger(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    allocated = rules.allocate_learning_rights(today.year)
    _persona_movements(today)
    return allocated


def _persona_movements(today: datetime.date) -> None:
    marco = Resident.objects.get(user__username="marco")
    employer = Employer.objects.get(staff__username="ahmed")
    end_of_next_year = datetime.date(today.year + 1, 12, 31)
    _own_deposit(marco, 10_000)
    if employer.sector_fund:
        fund = employer.sector_fund
        services.deposit(
            key="demo:marco:sector-fund",
            resident_id=marco.pk,
            source=services.system_account(SystemAccount.Kind.SECTOR_FUND, fund.name, sector_fund=fund),
            pot_kind=PotKind.SECTOR_FUND,
            lot=f"{today.year}-ontwikkelbudget",
            amount_cents=40_000,
            categories=[Category.JOB_ORIENTED, Category.LABOUR_MARKET, Category.CAREER_SUPPORT],
            expires_on=end_of_next_year,
            description=f"Individueel ontwikkelbudget {fund.name}",
        )
    services.deposit(
        key=LAST_KEY,
        resident_id=marco.pk,
        source=services.system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer),
        pot_kind=PotKind.EMPLOYER,
        lot=f"{today.year}-opleidingsbudget",
        amount_cents=75_000,
        categories=[Category.JOB_ORIENTED, Category.LABOUR_MARKET],
        expires_on=end_of_next_year,
        description=f"Opleidingsbudget {employer.name}",
        actor=User.objects.get(username="ahmed"),
    )


def _own_deposit(resident: Resident, amount_cents: int) -> None:
    """Own money through the (demo) payment step, as the person would add it; settled once, also when run again."""
    provider = DemoPaymentProvider()
    payment = services.start_own_deposit(
        key=f"demo:{resident.user.username}:own", resident_id=resident.pk, amount_cents=amount_cents, provider=provider
    )
    if services.command_exists(f"own-payment:{payment['payment']}"):
        return
    services.settle_own_payment(
        payment_uuid=payment["payment"],
        paid=True,
        reference=f"demo-{payment['payment']}",
        provider=provider,
        actor=resident.user,
    )
