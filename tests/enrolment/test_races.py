"""Bookings that race for the last funded place of a module, or for a person's last euro, on real PostgreSQL:
several threads, each with its own database connection, confirm at the same moment. Exactly one wins; the others
are refused and leave no trace; the books stay right.

To make the race certain (not a matter of timing), the test holds the lock that the bookings queue on — the
module's funded-place lock, or the person's Leerrekening row — until every booking is waiting for it, then lets go.
Data must be committed to be seen by the threads, hence `transaction=True`.
"""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from levenlang.core.errors import DomainError
from levenlang.core.regions import ensure_regions
from levenlang.core.roles import Role
from levenlang.enrolment import services
from levenlang.enrolment.models import Enrolment, Status
from levenlang.ledger.models import Leerrekening, Pot, Reservation
from levenlang.ledger.reconcile import reconcile
from tests.enrolment.conftest import key, put_money
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(hold_lock, calls) -> list[tuple]:
    """Start every call in its own thread while `hold_lock()` (run in this thread's transaction) holds the lock they
    need; let go when all of them wait; return each call's outcome."""
    answers: list = [None] * len(calls)

    def send(n):
        try:
            answers[n] = ("won", calls[n]())
        except DomainError as exc:  # the ledger's refusals and the enrolment's
            answers[n] = ("refused", type(exc).__name__, exc.message)
        except Exception as exc:
            answers[n] = ("error", repr(exc))
            raise
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(calls))]
    with transaction.atomic():
        hold_lock()
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while waiting_on_a_lock() < len(calls):
            assert time.monotonic() < deadline, f"the bookings never all queued on the lock: {answers}"
            time.sleep(0.01)
    for thread in threads:
        thread.join(timeout=30)
    return answers


def accepted_enrolment(resident, offering, staff) -> str:
    uuid_ = services.request_enrolment(offering_uuid=offering.uuid, resident=resident, actor=resident.user, key=key())[
        "enrolment"
    ]
    services.accept(uuid_, actor=staff, key=key())
    return uuid_


@pytest.fixture
def provider_and_staff(transactional_db):
    ensure_regions()
    staff = UserFactory(role=Role.PROVIDER_STAFF)
    provider = ProviderFactory()
    provider.staff.add(staff)
    return provider, staff


def confirm(uuid_, resident, expected_own_share=None):
    return lambda: services.reserve(
        uuid_,
        actor=resident.user,
        key=key(),
        strong_login_at=datetime.datetime.now(datetime.UTC),
        expected_own_share_cents=expected_own_share,
    )


def test_six_residents_race_for_the_last_funded_place_and_exactly_one_wins(provider_and_staff):
    provider, staff = provider_and_staff
    module = ModuleFactory(provider=provider, funded_place_cap=3, price_cents=40_000)
    offering = OfferingFactory(module=module, start_date=datetime.date.today(), capacity=None)
    # Two of the three places are taken already.
    for _ in range(2):
        resident = ResidentFactory()
        put_money(resident, 100_000)
        confirm(accepted_enrolment(resident, offering, staff), resident)()
    racers = []
    for _ in range(6):
        resident = ResidentFactory()
        put_money(resident, 100_000)
        racers.append((accepted_enrolment(resident, offering, staff), resident))

    def hold_the_modules_place_lock():
        services._lock_places(module.pk)

    answers = race(hold_the_modules_place_lock, [confirm(uuid_, resident) for uuid_, resident in racers])

    winners = [a for a in answers if a[0] == "won"]
    refused = [a for a in answers if a[0] == "refused"]
    assert len(winners) == 1, answers
    assert len(refused) == 5 and {a[1] for a in refused} == {"NoFundedPlaceLeft"}, answers
    assert Enrolment.objects.filter(module=module, status=Status.RESERVED).count() == 3
    assert Enrolment.objects.filter(module=module, status=Status.ACCEPTED).count() == 5
    assert Reservation.objects.count() == 3
    for uuid_, resident in racers:
        expected = 100_000 - 40_000 if uuid_ == winners[0][1]["enrolment"] else 100_000
        assert sum(p.available_cents for p in Pot.objects.filter(leerrekening_id=resident.pk)) == expected
    assert reconcile() == []


def test_two_bookings_race_for_the_last_euro_of_one_person_and_exactly_one_wins(provider_and_staff):
    provider, staff = provider_and_staff
    module = ModuleFactory(provider=provider, price_cents=50_000)
    resident = ResidentFactory()
    put_money(resident, 50_000)  # enough for one of the two
    first, second = (
        accepted_enrolment(resident, OfferingFactory(module=module, start_date=datetime.date.today()), staff)
        for _ in range(2)
    )

    def hold_the_persons_leerrekening():
        Leerrekening.objects.select_for_update().get(pk=resident.pk)

    # Both saw "own share €0" in their preview; the one that comes second finds the money gone.
    answers = race(hold_the_persons_leerrekening, [confirm(first, resident, 0), confirm(second, resident, 0)])

    outcomes = sorted(a[0] for a in answers)
    assert outcomes == ["refused", "won"], answers
    refused = next(a for a in answers if a[0] == "refused")
    assert refused[1] in {"NothingToPayWith", "FundingChanged"}
    assert Enrolment.objects.filter(status=Status.RESERVED).count() == 1
    assert Enrolment.objects.filter(status=Status.ACCEPTED).count() == 1
    assert Reservation.objects.get().reserved_cents == 50_000
    pots = Pot.objects.filter(leerrekening_id=resident.pk)
    assert sum(p.pending_cents for p in pots) == 50_000 and sum(p.available_cents for p in pots) == 0
    assert reconcile() == []
