"""`manage.py reconcile` finds books that were changed behind the database's back: each test corrupts the ledger with
raw SQL as the tables' owner (triggers switched off for the test's transaction where they would refuse it) and
expects reconcile to name the damage. The journal chain and an earlier report find what no check over the current
tables can: a truncation, a rewritten journal, a journal deleted together with its link."""

import datetime
import json
import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from levenlang.ledger import chain, services
from levenlang.ledger.models import Category, ChainLink, Journal, PotKind, Reservation
from levenlang.ledger.reconcile import reconcile, report
from levenlang.ledger.tasks import link_journals, reconcile_books
from tests.conftest import disable_triggers
from tests.factories import ResidentFactory

LATER = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)


def key() -> str:
    return f"test-{uuid.uuid4()}"


def execute(*statements, check_first: bool = True) -> None:
    with connection.cursor() as cursor:
        if check_first:  # run the deferred checks of what the test booked now, while those books are still whole
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for statement in statements:
            if isinstance(statement, tuple):
                cursor.execute(*statement)
            else:
                cursor.execute(statement)


LEDGER_TABLES = [
    "ledger_journal",
    "ledger_leg",
    "ledger_pot",
    "ledger_reservation",
    "ledger_reservationpart",
    "ledger_chain_link",
    "ledger_command",
]


def behind_the_triggers(*statements) -> None:
    """What someone with the owner's rights can do: switch the tables' triggers and foreign keys off until the test's
    rollback."""
    with connection.cursor() as cursor:
        disable_triggers(cursor, LEDGER_TABLES)
        # and their foreign keys, which the test case would still check before its rollback
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%s::regclass[])",
            [LEDGER_TABLES],
        )
        for table, constraint in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    execute(*statements, check_first=False)


def deposit(resident, cents: int, source, *, categories=(Category.STUDY,), lot: str = "2026") -> dict:
    return services.deposit(
        key=key(),
        resident_id=resident.pk,
        source=source,
        pot_kind=PotKind.RIGHTS,
        lot=lot,
        amount_cents=cents,
        categories=list(categories),
        expires_on=None,
        description="test",
    )


def reconcile_command(*args) -> str:
    """Run `manage.py reconcile` and return what it printed; CommandError (exit 1) when it finds differences."""
    from io import StringIO

    out = StringIO()
    call_command("reconcile", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def books(owner_db, db, budget, payee):
    """Three residents with deposits, a paid-out reservation and an open one; every journal linked."""
    people = [ResidentFactory() for _ in range(3)]
    for n, person in enumerate(people):
        deposit(person, 10_000 + n, budget, categories=(Category.STUDY, Category.GENERAL_SKILLS))
    booked = services.reserve(
        key=key(),
        resident_id=people[0].pk,
        payee=payee,
        category=Category.STUDY,
        price_cents=4_000,
        expires_at=LATER,
        reference="test",
    )
    services.post(key=key(), reservation_uuid=booked["reservation"])
    services.reserve(
        key=key(),
        resident_id=people[1].pk,
        payee=payee,
        category=Category.GENERAL_SKILLS,
        price_cents=3_000,
        expires_at=LATER,
        reference="test",
    )
    deposit(people[2], 500, budget, lot="2027")
    chain.link_journals()
    return people


def third_deposit() -> Journal:
    """The deposit of the third resident, in the middle of the chain: nothing else depends on its money."""
    return Journal.objects.get(kind=Journal.Kind.DEPOSIT, legs__amount_cents=10_002)


def test_a_clean_ledger_passes_and_its_report_anchors_the_chain(books, budget, tmp_path):
    out = reconcile_command("--report", str(tmp_path / "r.json"))
    assert "the books balance" in out
    earlier = json.loads((tmp_path / "r.json").read_text())
    assert earlier["differences"] == []
    assert earlier["chain"]["position"] == Journal.objects.count() == 5
    assert earlier["chain"]["unlinked"] == 0 and len(earlier["chain"]["head"]) == 64
    assert earlier["counts"]["journals"] == 5 and earlier["counts"]["legs"] == 10
    # more bookings later: the earlier report still holds, and so does the new one
    deposit(books[0], 700, budget, lot="later")
    assert "the books balance" in reconcile_command("--expect", str(tmp_path / "r.json"))
    chain.link_journals()
    assert "the books balance" in reconcile_command("--expect", str(tmp_path / "r.json"))


def test_emptying_every_ledger_table_is_found_with_the_earlier_report(books, tmp_path):
    reconcile_command("--report", str(tmp_path / "r.json"))
    execute(
        "SET LOCAL levenlang.allow_truncate = on",  # the owner passes the guard only on purpose
        "TRUNCATE ledger_chain_link, ledger_leg, ledger_journal, ledger_reservationpart, ledger_reservation, "
        "ledger_allocationchunk, ledger_ownpayment, ledger_pot, ledger_leerrekening, ledger_command, "
        "ledger_systemaccount, ledger_cap CASCADE",
    )
    assert reconcile() == []  # the empty books balance: only the anchor outside the tables shows the loss
    with pytest.raises(CommandError, match="differences found"):
        reconcile_command("--expect", str(tmp_path / "r.json"))
    lost = report(json.loads((tmp_path / "r.json").read_text()))["differences"]
    assert "the chain no longer reaches position 5 of the earlier report" in lost[0]
    assert "fewer journals than in the earlier report: 0 now, 5 then" in lost


def test_a_rebuilt_chain_over_fewer_journals_does_not_hold_the_earlier_head(books, tmp_path):
    reconcile_command("--report", str(tmp_path / "r.json"))
    last = Journal.objects.order_by("-id").first()
    first = third_deposit()
    # a deposit, its legs, its pot's balance and its command go, and the chain is rebuilt from scratch
    behind_the_triggers(
        (
            "UPDATE ledger_pot SET posted_cents = posted_cents - l.amount_cents FROM ledger_leg l "
            "WHERE l.pot_id = ledger_pot.id AND l.journal_id = %s",
            [first.id],
        ),
        ("DELETE FROM ledger_command WHERE result ->> 'journal' = %s", [str(first.uuid)]),
        ("DELETE FROM ledger_leg WHERE journal_id = %s", [first.id]),
        ("DELETE FROM ledger_journal WHERE id = %s", [first.id]),
        "DELETE FROM ledger_chain_link",
    )
    chain.link_journals()
    assert reconcile() == []
    differences = report(json.loads((tmp_path / "r.json").read_text()))["differences"]
    assert differences[0].startswith("the chain at position 4 is not the earlier head") or differences[0].startswith(
        "the chain no longer reaches position 5"
    )
    assert last.id in ChainLink.objects.values_list("journal_id", flat=True)


def test_a_journal_deleted_in_the_middle_breaks_the_chain(books):
    middle = third_deposit()
    position = ChainLink.objects.get(journal=middle).position
    behind_the_triggers(
        (
            "UPDATE ledger_pot SET posted_cents = posted_cents - l.amount_cents FROM ledger_leg l "
            "WHERE l.pot_id = ledger_pot.id AND l.journal_id = %s",
            [middle.id],
        ),
        ("DELETE FROM ledger_command WHERE result ->> 'journal' = %s", [str(middle.uuid)]),
        ("DELETE FROM ledger_leg WHERE journal_id = %s", [middle.id]),
        ("DELETE FROM ledger_journal WHERE id = %s", [middle.id]),
    )
    differences = reconcile()
    assert differences == [
        f"the journal chain does not hold: position {position}, journal {middle.id}, the journal is gone"
    ]


def test_a_journal_deleted_with_its_link_leaves_a_gap_in_the_chain(books):
    middle = third_deposit()
    position = ChainLink.objects.get(journal=middle).position
    behind_the_triggers(
        (
            "UPDATE ledger_pot SET posted_cents = posted_cents - l.amount_cents FROM ledger_leg l "
            "WHERE l.pot_id = ledger_pot.id AND l.journal_id = %s",
            [middle.id],
        ),
        ("DELETE FROM ledger_command WHERE result ->> 'journal' = %s", [str(middle.uuid)]),
        ("DELETE FROM ledger_leg WHERE journal_id = %s", [middle.id]),
        ("DELETE FROM ledger_chain_link WHERE journal_id = %s", [middle.id]),
        ("DELETE FROM ledger_journal WHERE id = %s", [middle.id]),
    )
    (difference,) = reconcile()
    assert difference.startswith(f"the journal chain does not hold: position {position + 1}")
    assert difference.endswith("a link before it is missing")


def test_a_rewritten_leg_amount_no_longer_matches_its_link(books):
    journal = third_deposit()
    # 10,002 becomes 1,000 on both legs and on the pot: every other check still balances
    behind_the_triggers(
        ("UPDATE ledger_leg SET amount_cents = amount_cents / 10 WHERE journal_id = %s", [journal.id]),
        (
            "UPDATE ledger_pot p SET posted_cents = (SELECT sum(amount_cents) FROM ledger_leg WHERE pot_id = p.id) "
            "WHERE id IN (SELECT pot_id FROM ledger_leg WHERE journal_id = %s)",
            [journal.id],
        ),
    )
    position = ChainLink.objects.get(journal=journal).position
    assert reconcile() == [
        f"the journal chain does not hold: position {position}, journal {journal.id}, "
        "the journal was changed (hash differs)"
    ]


def test_money_reserved_from_a_pot_whose_earmark_does_not_allow_the_category_is_found(books):
    reservation = Reservation.objects.get(status=Reservation.Status.PENDING)
    # the reservation was for general skills; it now says study, which the pot allows: still fine
    behind_the_triggers(("UPDATE ledger_reservation SET category = %s WHERE id = %s", [Category.STUDY, reservation.id]))
    assert reconcile() == []
    behind_the_triggers(
        ("UPDATE ledger_reservation SET category = %s WHERE id = %s", [Category.CAREER_SUPPORT, reservation.id])
    )
    (difference,) = reconcile()
    assert difference.startswith(
        f"a reservation holds money in a pot whose earmark does not allow its category: {reservation.uuid}, 16,"
    )


def test_a_payout_to_another_account_than_the_reservations_payee_is_found(books, budget):
    payout = Journal.objects.get(kind=Journal.Kind.PAYOUT)
    behind_the_triggers(
        (
            "UPDATE ledger_leg SET system_account_id = %s WHERE journal_id = %s AND system_account_id IS NOT NULL",
            [budget.id, payout.id],
        )
    )
    assert any(
        line.startswith(
            f"a payout, refund or clawback moved money to or from another account than its reservation's "
            f"payee: {payout.uuid}, payout"
        )
        for line in reconcile()
    )


def test_a_journal_whose_idempotency_record_was_deleted_is_found(books):
    journal = Journal.objects.filter(kind=Journal.Kind.DEPOSIT).order_by("id").last()
    execute(("DELETE FROM ledger_command WHERE result ->> 'journal' = %s", [str(journal.uuid)]))
    assert reconcile() == [f"a journal has lost its idempotency record (ledger_command): {journal.uuid}, deposit"]


def test_the_link_task_links_each_journal_once_in_id_order_and_is_idempotent(books, budget):
    deposit(books[0], 100, budget, lot="x")
    deposit(books[1], 200, budget, lot="y")
    first = link_journals()
    assert (first["linked"], first["position"], first["unlinked"]) == (2, 7, 0)
    again = link_journals()
    assert (again["linked"], again["position"], again["head"]) == (0, 7, first["head"])
    links = list(ChainLink.objects.order_by("position").values_list("journal_id", "position"))
    assert [journal for journal, _ in links] == sorted(Journal.objects.values_list("id", flat=True))
    assert [position for _, position in links] == list(range(1, 8))
    assert reconcile() == []


def test_links_are_append_only(books):
    from django.db import DatabaseError, transaction

    for statement in ("UPDATE ledger_chain_link SET position = position + 100", "DELETE FROM ledger_chain_link"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            execute(statement)


def test_the_nightly_task_links_logs_one_json_line_and_compares_with_yesterdays_report(
    books, budget, settings, tmp_path, caplog
):
    settings.VAR_DIR = tmp_path
    deposit(books[0], 100, budget, lot="x")
    with caplog.at_level("INFO", logger="levenlang.reconcile"):
        result = reconcile_books()
    assert result["differences"] == [] and result["chain"]["position"] == 6
    (record,) = [r for r in caplog.records if r.name == "levenlang.reconcile"]
    assert json.loads(record.getMessage())["chain"] == result["chain"]
    (saved,) = (tmp_path / "reconcile").glob("reconcile-*.json")
    assert json.loads(saved.read_text())["chain"]["head"] == result["chain"]["head"]
    # the next night finds the damage done since, by the report it kept
    execute(
        "SET LOCAL levenlang.allow_truncate = on",  # the owner passes the guard only on purpose
        "TRUNCATE ledger_chain_link, ledger_leg, ledger_journal, ledger_command CASCADE",
    )
    assert any(line.startswith("the chain no longer reaches position 6") for line in reconcile_books()["differences"])


@pytest.mark.django_db(transaction=True)
def test_two_link_runs_at_once_link_every_journal_exactly_once(budget):
    people = [ResidentFactory() for _ in range(4)]
    for n in range(40):
        deposit(people[n % 4], 100 + n, budget, lot=f"lot-{n}")
    barrier, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            barrier.wait()
            results.append(chain.link_journals(batch_size=7))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r["linked"] for r in results) == 40
    assert ChainLink.objects.count() == 40
    assert sorted(ChainLink.objects.values_list("position", flat=True)) == list(range(1, 41))
    assert reconcile() == []


def test_the_chain_is_extended_every_quarter_hour_and_reconciled_every_night():
    from procrastinate.contrib.django import app

    periodic = {task.periodic_id: task for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["link_journals"].cron == "*/15 * * * *"
    assert periodic["reconcile_books"].cron == "7 2 * * *"


def test_an_earlier_report_that_cannot_be_read_or_has_no_head_is_refused(books, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(CommandError, match="Cannot read the earlier report"):
        reconcile_command("--expect", str(tmp_path / "broken.json"))
    (tmp_path / "headless.json").write_text('{"counts": {"journals": 1}}')
    with pytest.raises(CommandError, match="differences found"):
        reconcile_command("--expect", str(tmp_path / "headless.json"))
