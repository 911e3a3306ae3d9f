"""What other apps read of the ledger, so that they need not know its tables: balances, the names of the pots of
a preview, the payouts to providers, the caps, whether a command ran."""

from django.db.models import Sum

from levenlang.ledger.models import Cap, Command, Journal, Leg, Pot, PotKind

__all__ = [
    "available_cents",
    "cap_amounts",
    "command_exists",
    "deposits_in_year",
    "describe_draws",
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
