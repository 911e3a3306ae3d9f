"""Deposits by organisations: an employer or a sector fund puts money in the Leerrekening of one of its current
employees. Which source and pot kind follow from who deposits; the deposit itself is `commands.deposit`."""

import datetime
import hashlib
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import Category
from levenlang.core.permissions import DEPOSIT_FROM_EMPLOYER, DEPOSIT_FROM_SECTOR_FUND
from levenlang.core.roles import Role
from levenlang.employers.services import Employer, SectorFund
from levenlang.ledger.errors import Forbidden, LedgerError, NotFound
from levenlang.ledger.models import Command, PotKind, SystemAccount
from levenlang.ledger.services.commands import deposit
from levenlang.ledger.services.common import system_account
from levenlang.residents.services import Resident

__all__ = ["deposit_for_employee"]


def _one(queryset, uuid):
    if uuid is not None:
        queryset = queryset.filter(uuid=uuid)
    found = list(queryset[:2])
    if len(found) != 1:
        raise LedgerError(_("Say which one: you act for more than one, or for none."))
    return found[0]


def deposit_for_employee(
    *,
    key: str,
    user,
    resident_uuid,
    amount_cents: int,
    categories: Iterable[Category],
    expires_on: datetime.date | None = None,
    employer_uuid=None,
    sector_fund_uuid=None,
) -> dict:
    """Deposit from the employer (or sector fund) `user` works for, into a pot of that kind, for a current
    employee (of an affiliated employer, for a fund). `employer_uuid`/`sector_fund_uuid` say which one when the
    user acts for several. Refused (403) for other roles; 404 for someone who is not a current employee."""
    today = timezone.localdate()
    current = Q(employments__end_date__isnull=True) | Q(employments__end_date__gte=today)
    if user.role == Role.EMPLOYER_STAFF:
        employer = _one(Employer.objects.filter(staff=user), employer_uuid)
        perm, organisation = DEPOSIT_FROM_EMPLOYER, employer
        employees = Resident.objects.filter(current, employments__employer=employer)
        source = system_account(SystemAccount.Kind.EMPLOYER, employer.name, employer=employer)
        pot_kind = PotKind.EMPLOYER
    elif user.role == Role.SECTOR_FUND_STAFF:
        fund = _one(SectorFund.objects.filter(staff=user), sector_fund_uuid)
        perm, organisation = DEPOSIT_FROM_SECTOR_FUND, fund
        employees = Resident.objects.filter(current, employments__employer__sector_fund=fund)
        source = system_account(SystemAccount.Kind.SECTOR_FUND, fund.name, sector_fund=fund)
        pot_kind = PotKind.SECTOR_FUND
    else:
        raise Forbidden(_("Only employers and sector funds can deposit here."))
    if not user.has_perm(perm, organisation):
        raise Forbidden(_("You may not deposit for this organisation."))
    resident = employees.filter(uuid=resident_uuid).distinct().first()
    if resident is None and Command.objects.filter(key=key).exists():
        # A retry of a deposit that was made (its answer is replayed, or a 409 if it differs), also when the
        # employment ended since: a retry is a retry, whenever it comes. Permission is checked again above.
        resident = Resident.objects.filter(uuid=resident_uuid).first()
    if resident is None:
        raise NotFound(_("No current employee with this resident ID."))
    return deposit(
        key=key,
        resident_id=resident.pk,
        source=source,
        pot_kind=pot_kind,
        # One pot per deposit, named by the key alone: a retry on another day is the same request (and two keys
        # that end alike are still two lots). The date of the deposit is the journal's.
        lot=f"storting-{hashlib.sha256(key.encode()).hexdigest()[:40]}",
        amount_cents=amount_cents,
        categories=categories,
        expires_on=expires_on,
        description=f"Storting {organisation.name}",
        actor=user,
    )
