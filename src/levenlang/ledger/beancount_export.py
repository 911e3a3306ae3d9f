"""The whole journal as a beancount file, so that an auditor's tool (`bean-check`) can check our books
(docs/ledger.md, "Statements").

Chart of accounts. Every leg keeps its sign, so the file's totals are the ledger's totals:

- `Assets:Leerrekening:Pot-<id>`: each person's pot (positive: the money it holds);
- `Income:<Kind>:S<id>-<Name>`: where money comes from — a budget of a scheme and year, an employer, a sector
  fund, own money received (negative: what it has paid in);
- `Expenses:<Kind>:S<id>-<Name>`: where money goes — a provider's payable, forfeited (expired) money (positive).

Each account opens on the date of its first leg (unused accounts on the first date in the books). Each journal
is a transaction on its effective date, tagged with its kind, its uuid (and the uuid of the journal it reverses)
as metadata, one posting per leg in EUR. After the last journal, a `balance` assertion per account states the
balance the database holds — for pots the cached `posted_cents` — so `bean-check` proves independently that
cached balances equal the sum of their legs.

Nothing is held in memory per journal or per pot beyond the one being written: pots, legs and balances are
read through server-side cursors, in one REPEATABLE READ snapshot so that the file is consistent while the
ledger keeps working. Personal data stays out: pots are named by number and uuid, never by person.
"""

import datetime
import itertools
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from django.db import connection, transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone

from levenlang.ledger.models import Journal, Leg, Pot, SystemAccount

CHUNK = 5000

ACCOUNT_ROOTS: dict[str, str] = {
    SystemAccount.Kind.BUDGET: "Income:Budget",
    SystemAccount.Kind.EMPLOYER: "Income:Employer",
    SystemAccount.Kind.SECTOR_FUND: "Income:SectorFund",
    SystemAccount.Kind.OWN_MONEY: "Income:OwnMoney",
    SystemAccount.Kind.PROVIDER_PAYABLE: "Expenses:Provider",
    SystemAccount.Kind.FORFEITED: "Expenses:Forfeited",
}


class Writer(Protocol):
    """Where the export goes: an open text file, or a management command's stdout."""

    def write(self, text: str, /) -> object: ...


@dataclass
class ExportResult:
    accounts: int = 0
    transactions: int = 0
    postings: int = 0


def pot_account(pot_id: int) -> str:
    return f"Assets:Leerrekening:Pot-{pot_id}"


def _component(text: str, *, limit: int = 60) -> str:
    """Letters, digits and hyphens only (ASCII), no leading or trailing hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")[:limit].rstrip("-")


def system_account_name(account_id: int, kind: str, name: str) -> str:
    """`Income:Budget:S3-Leerrechten-2026`: the id keeps it unique, the name keeps it readable; the `S`
    makes the component start with a capital, as beancount requires."""
    slug = _component(name)
    return f"{ACCOUNT_ROOTS[kind]}:S{account_id}" + (f"-{slug}" if slug else "")


def amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def quote(text: object) -> str:
    text = " ".join(str(text).split())  # no newlines or tabs inside a string
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def _snapshot():
    """One consistent view of the ledger for the whole export (and a transaction for server-side cursors)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def _posting(account: str, cents: int) -> str:
    return f"  {account:<60} {amount(cents):>16} EUR\n"


def write_beancount(out: Writer) -> ExportResult:
    """Write every account and journal of the ledger to `out` as beancount; returns what was written."""
    result = ExportResult()
    with _snapshot():
        bounds = Journal.objects.aggregate(first=Min("effective_date"), last=Max("effective_date"))
        first_day = bounds["first"] or timezone.localdate()
        balance_day = bounds["last"] + datetime.timedelta(days=1) if bounds["last"] else None

        out.write(";; The Leerrekening ledger of Levenlang, exported for bean-check. Amounts in EUR.\n")
        out.write('option "title" "Levenlang Leerrekening"\n')
        out.write('option "operating_currency" "EUR"\n\n')
        out.write(f"{first_day.isoformat()} commodity EUR\n\n")

        names, system_totals = _write_system_accounts(out, first_day, result)
        _write_pot_accounts(out, first_day, result)
        _write_journals(out, names, result)
        if balance_day is not None:
            _write_balances(out, balance_day, system_totals)
    return result


def _write_system_accounts(
    out: Writer, first_day: datetime.date, result: ExportResult
) -> tuple[dict[int, str], list[tuple[str, int]]]:
    """Open the system accounts; returns their names by id and their totals (for the balance assertions).
    They are few (one per scheme and year, employer, fund, provider), so their names stay in memory."""
    names: dict[int, str] = {}
    system_totals: list[tuple[str, int]] = []
    for account_id, uuid, kind, name, first_use, total in (
        SystemAccount.objects.annotate(first_use=Min("legs__journal__effective_date"), total=Sum("legs__amount_cents"))
        .order_by("id")
        .values_list("id", "uuid", "kind", "name", "first_use", "total")
    ):
        names[account_id] = account = system_account_name(account_id, kind, name)
        out.write(f"{(first_use or first_day).isoformat()} open {account} EUR\n")
        out.write(f"  uuid: {quote(uuid)}\n  kind: {quote(kind)}\n  name: {quote(name)}\n")
        system_totals.append((account, total or 0))
        result.accounts += 1
    out.write("\n")
    return names, system_totals


def _write_pot_accounts(out: Writer, first_day: datetime.date, result: ExportResult) -> None:
    pots = (
        Pot.objects.annotate(first_use=Min("legs__journal__effective_date"))
        .order_by("id")
        .values_list("id", "uuid", "kind", "lot", "first_use")
    )
    for pot_id, uuid, kind, lot, first_use in pots.iterator(chunk_size=CHUNK):
        out.write(f"{(first_use or first_day).isoformat()} open {pot_account(pot_id)} EUR\n")
        out.write(f"  uuid: {quote(uuid)}\n  kind: {quote(kind)}\n  lot: {quote(lot)}\n")
        result.accounts += 1
    out.write("\n")


def _write_journals(out: Writer, names: dict[int, str], result: ExportResult) -> None:
    """One transaction per journal, one posting per leg; the legs stream by in journal order."""
    legs = (
        Leg.objects.order_by("journal_id", "id")
        .values_list(
            "journal_id",
            "journal__uuid",
            "journal__kind",
            "journal__effective_date",
            "journal__description",
            "journal__reverses__uuid",
            "pot_id",
            "system_account_id",
            "amount_cents",
        )
        .iterator(chunk_size=CHUNK)
    )
    for _journal_id, journal_legs in itertools.groupby(legs, key=lambda leg: leg[0]):
        first = next(journal_legs)
        _id, uuid, kind, effective_date, description, reverses, *_leg = first
        out.write(f"{effective_date.isoformat()} * {quote(description)} #{kind}\n")
        out.write(f"  uuid: {quote(uuid)}\n")
        if reverses:
            out.write(f"  reverses: {quote(reverses)}\n")
        for *_journal, pot_id, system_account_id, cents in itertools.chain([first], journal_legs):
            account = pot_account(pot_id) if pot_id is not None else names[system_account_id]
            out.write(_posting(account, cents))
            result.postings += 1
        out.write("\n")
        result.transactions += 1


def _write_balances(out: Writer, balance_day: datetime.date, system_totals: list[tuple[str, int]]) -> None:
    day = balance_day.isoformat()
    out.write(";; Balances held by the database after the last journal.\n")
    for account, total in system_totals:
        out.write(f"{day} balance {account} {amount(total)} EUR\n")
    balances = Pot.objects.order_by("id").values_list("id", "posted_cents").iterator(chunk_size=CHUNK)
    for pot_id, posted in balances:
        out.write(f"{day} balance {pot_account(pot_id)} {amount(posted)} EUR\n")
