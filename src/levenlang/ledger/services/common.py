"""What the ledger's commands share: amounts in cents, the person's lock, journals, the audit and system accounts."""

import datetime

from django.utils.translation import gettext_lazy as _

from levenlang.core.audit import record_money_movement
from levenlang.core.money import MAX_CENTS, format_cents
from levenlang.ledger.errors import InvalidAmount, LedgerError
from levenlang.ledger.models import Journal, Leerrekening, SystemAccount

__all__ = ["forfeited_account", "system_account"]


_NOT_CENTS = {
    "amount": (_("The amount must be a whole number of cents."), _("The amount must be more than zero.")),
    "price": (_("The price must be a whole number of cents."), _("The price must be more than zero.")),
}


def _cents(value, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(_NOT_CENTS[field][0])
    if value <= 0:
        raise InvalidAmount(_NOT_CENTS[field][1])
    if value > MAX_CENTS:  # far above every ceiling; refused here so that it never reaches the database
        raise InvalidAmount(_("The amount can be at most %(max)s."), max=format_cents(MAX_CENTS))
    return value


def _not_expired(expires_on: datetime.date | None, today: datetime.date) -> None:
    if expires_on is not None and expires_on < today:
        raise LedgerError(_("The expiry date %(date)s has passed: choose a date in the future."), date=expires_on)


def _lock(resident_id: int) -> Leerrekening:
    """Open the Leerrekening when needed and lock its row: every change to one person is serialised here."""
    locked = Leerrekening.objects.select_for_update(no_key=True).filter(resident_id=resident_id)
    leerrekening = locked.first()
    if leerrekening is None:  # the first money for this person opens the account
        Leerrekening.objects.get_or_create(resident_id=resident_id)
        leerrekening = locked.get()
    return leerrekening


def _journal(kind, *, description, today, actor=None, reverses=None, reservation=None) -> Journal:
    return Journal.objects.create(
        kind=kind,
        description=description[:200],
        effective_date=today,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        reverses=reverses,
        reservation=reservation,
    )


def _audit(actor, journal: Journal, amount_cents: int, subject=None) -> None:
    record_money_movement(
        actor, amount_cents=amount_cents, obj=journal, reason=journal.description, subject_person=subject
    )


def system_account(kind: SystemAccount.Kind, name: str, **natural_key) -> SystemAccount:
    """The system account with this natural key (scheme, year, employer, ...), created on first use."""
    account, _created = SystemAccount.objects.get_or_create(kind=kind, **natural_key, defaults={"name": name})
    return account


def forfeited_account(source: SystemAccount) -> SystemAccount:
    return system_account(SystemAccount.Kind.FORFEITED, f"Vervallen: {source.name}", source=source)
