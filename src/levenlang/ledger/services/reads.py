"""What other apps read of the ledger, so that they need not know its tables: balances, the names of the pots of
a preview, the payouts to providers, the caps, whether a command ran."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Sum

from levenlang.ledger.models import Cap, Command, Journal, Leg, Pot, PotKind, SystemAccount

__all__ = [
    "MoneyOverview",
    "available_cents",
    "cap_amounts",
    "command_exists",
    "deposits_in_year",
    "deposits_made",
    "describe_draws",
    "money_overview",
    "payees_sql",
    "provider_payable_sql",
    "provider_payout_legs",
    "reservation_id_sql",
]


def available_cents(resident_id: int) -> int:
    """What the person can spend now: held in their pots minus what reservations hold."""
    balances = Pot.objects.filter(leerrekening_id=resident_id).aggregate(
        posted=Sum("posted_cents", default=0), pending=Sum("pending_cents", default=0)
    )
    return balances["posted"] - balances["pending"]


def deposits_in_year(resident_id: int, year: int) -> dict[str, int]:
    """What was deposited in the person's pots in `year` (by the journals' dates), in cents per pot kind: the
    employer's, the sector fund's, own money. Allocated learning rights are not deposits; kinds without a deposit
    are left out."""
    rows = (
        Leg.objects.filter(
            pot__leerrekening_id=resident_id,
            journal__kind=Journal.Kind.DEPOSIT,
            journal__effective_date__year=year,
        )
        .values_list("pot__kind")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    return {kind: cents for kind, cents in rows if cents}


@dataclass(frozen=True)
class MoneyOverview:
    """What a person's home page shows of their Leerrekening: the money to spend, what reservations hold, and
    the pots with money that expires soon (soonest first; each a statement's PotBalance, with its name)."""

    posted_cents: int
    pending_cents: int
    expiring: list

    @property
    def available_cents(self) -> int:
        return self.posted_cents - self.pending_cents


def money_overview(resident_id: int, *, today: datetime.date, expiring_within_days: int = 90) -> MoneyOverview:
    """The person's balance, reserved money and the pots whose usable money expires within the given number of
    days from `today` (expired pots excluded): one query."""
    from levenlang.ledger.statements import pot_balances  # the statement's names for the pots, one place

    pots = pot_balances(resident_id, today=today)  # a Leerrekening's id is its resident's
    until = today + datetime.timedelta(days=expiring_within_days)
    return MoneyOverview(
        posted_cents=sum(p.posted_cents for p in pots),
        pending_cents=sum(p.pending_cents for p in pots),
        expiring=[
            p for p in pots if p.expires_on is not None and today <= p.expires_on <= until and p.available_cents > 0
        ],
    )


def deposits_made(*, employers=(), sector_funds=(), since: datetime.date | None = None) -> dict:
    """What these employers or sector funds deposited into Leerrekeningen (since a date): the number of deposits
    and their total in cents. Their own deposits, as totals: no person's balance."""
    legs = Leg.objects.filter(journal__kind=Journal.Kind.DEPOSIT, pot__isnull=True)
    if employers:
        legs = legs.filter(system_account__kind=SystemAccount.Kind.EMPLOYER, system_account__employer__in=employers)
    elif sector_funds:
        legs = legs.filter(
            system_account__kind=SystemAccount.Kind.SECTOR_FUND, system_account__sector_fund__in=sector_funds
        )
    else:
        return {"deposit_count": 0, "total_cents": 0}
    if since is not None:
        legs = legs.filter(journal__effective_date__gte=since)
    found = legs.aggregate(n=Count("journal", distinct=True), total=Sum("amount_cents", default=0))
    # The source's leg is the other side of the pot's: money leaving the source is negative there.
    return {"deposit_count": found["n"], "total_cents": -found["total"]}


def describe_draws(preview) -> list[dict]:
    """A preview's draws with a name a person knows for each pot (its kind and, but for own money, its source)."""
    pots = {
        str(p.uuid): p
        for p in Pot.objects.filter(uuid__in=[d.pot_uuid for d in preview.draws]).select_related("source")
    }
    rows = []
    for draw in preview.draws:
        pot = pots[draw.pot_uuid]
        kind = PotKind(pot.kind)
        rows.append(
            {
                "kind": kind.label,
                "source": "" if kind == PotKind.OWN else pot.source.name,
                "expires_on": draw.expires_on,
                "amount_cents": draw.amount_cents,
            }
        )
    return rows


def provider_payout_legs(providers):
    """The legs on the payable accounts of these providers (payouts, refunds, clawbacks), newest first, with their
    journal, its reservation and the account. A queryset: the caller pages it and may add what it shows."""
    return (
        Leg.objects.filter(
            system_account__kind="provider_payable",
            system_account__provider__in=providers,
            journal__kind__in=[Journal.Kind.PAYOUT, Journal.Kind.REFUND, Journal.Kind.CLAWBACK],
        )
        .select_related("journal__reservation", "system_account")
        .order_by("-journal__created_at", "-id")
    )


def cap_amounts() -> list[int]:
    """The ceilings (cents) set on pots."""
    return list(Cap.objects.values_list("max_cents", flat=True))


def command_exists(key: str) -> bool:
    """Whether a command ran under this idempotency key (the demo's set-up uses it to run once)."""
    return Command.objects.filter(key=key).exists()


# Fragments for another app's hot path that must read the ledger inside its own statement (one round trip): the
# ledger's tables stay named here only.


def provider_payable_sql(provider_id: str) -> str:
    """A scalar subquery: the id of the payable account of the provider whose id is the SQL `provider_id`
    (NULL while it has none; `system_account` creates it)."""
    return (
        "(SELECT a.id FROM ledger_systemaccount a WHERE a.kind = 'provider_payable' "  # noqa: S608 -- SQL from our code
        f"AND a.provider_id = {provider_id} ORDER BY a.id LIMIT 1)"
    )


def reservation_id_sql(reservation_uuid: str) -> str:
    """A scalar subquery: the id of the reservation whose uuid is the SQL `reservation_uuid` (a placeholder)."""
    return f"(SELECT id FROM ledger_reservation WHERE uuid = {reservation_uuid})"  # noqa: S608 -- a placeholder


def payees_sql() -> str:
    """A query for another app's reconcile check: for every reservation, each account its money goes to or comes
    back from (its payee, and the system-account legs of its payouts, refunds and clawbacks), as rows of
    reservation_id, what (a description), account_kind and provider_id (NULL for an account of no provider)."""
    return """SELECT r.id AS reservation_id, 'payee of reservation ' || r.uuid AS what, a.kind AS account_kind,
                     a.provider_id
                FROM ledger_reservation r JOIN ledger_systemaccount a ON a.id = r.payee_id
              UNION ALL
              SELECT j.reservation_id, j.kind || ' ' || j.uuid, a.kind, a.provider_id
                FROM ledger_journal j
                JOIN ledger_leg l ON l.journal_id = j.id
                JOIN ledger_systemaccount a ON a.id = l.system_account_id
               WHERE j.kind IN ('payout', 'refund', 'clawback') AND j.reservation_id IS NOT NULL"""
