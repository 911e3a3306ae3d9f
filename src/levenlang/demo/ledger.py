"""Money in the demo: this year's learning rights for every resident, computed by the rules (the yearly
allocation job), and a few movements around the personas so that every page has something to show. Runs through
the ledger's services only, with fixed idempotency keys and the allocation's run key per year, so running it again
changes nothing.
"""

import datetime

from django.utils import timezone

from levenlang.catalog.models import Provider
from levenlang.core.categories import Category
from levenlang.core.models import User
from levenlang.employers.models import Employer
from levenlang.ledger import services
from levenlang.ledger.services import DemoPaymentProvider, PotKind, SystemAccount
from levenlang.residents.models import Resident
from levenlang.schemes import services as rules

LAST_KEY = "demo:ineke:digital:paid"  # the last movement below: when it exists, everything does


def demo_ledger_present() -> bool:
    return services.command_exists(LAST_KEY)


def load_demo_ledger(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    allocated = rules.allocate_learning_rights(today.year)
    _persona_movements(today)
    return allocated


def _persona_movements(today: datetime.date) -> None:
    marco = Resident.objects.get(user__username="marco")
    ineke = Resident.objects.get(user__username="ineke")
    employer = Employer.objects.get(staff__username="ahmed")
    ahmed = User.objects.get(username="ahmed")
    end_of_next_year = datetime.date(today.year + 1, 12, 31)

    services.deposit(
        key="demo:marco:employer",
        resident_id=marco.pk,
        source=services.system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer),
        pot_kind=PotKind.EMPLOYER,
        lot=f"{today.year}-opleidingsbudget",
        amount_cents=75_000,
        categories=[Category.JOB_ORIENTED, Category.LABOUR_MARKET],
        expires_on=end_of_next_year,
        description=f"Opleidingsbudget {employer.name}",
        actor=ahmed,
    )
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
    provider = DemoPaymentProvider()
    payment = services.start_own_deposit(
        key="demo:marco:own", resident_id=marco.pk, amount_cents=10_000, provider=provider
    )
    services.settle_own_payment(
        payment_uuid=payment["payment"],
        paid=True,
        reference=f"demo-{payment['payment']}",
        provider=provider,
        actor=marco.user,
    )

    academy = Provider.objects.get(staff__username="joost")
    payee = services.system_account(SystemAccount.Kind.PROVIDER_PAYABLE, academy.name, provider=academy)
    # A date that stays the same all year, so that the idempotent requests stay the same when run again.
    deadline = datetime.datetime(today.year + 1, 6, 30, 17, tzinfo=datetime.UTC)
    services.reserve(
        key="demo:marco:plc",
        resident_id=marco.pk,
        category=Category.JOB_ORIENTED,
        price_cents=120_000,
        payee=payee,
        expires_at=deadline,
        reference="PLC-programmeren",
    )
    course = services.reserve(
        key="demo:ineke:digital",
        resident_id=ineke.pk,
        category=Category.GENERAL_SKILLS,
        price_cents=30_000,
        payee=payee,
        expires_at=deadline,
        reference="Digitale vaardigheden",
    )
    services.post(key=LAST_KEY, reservation_uuid=course["reservation"])
