"""A pot's `expires_on` is the last day its money can be used (docs/ledger.md): on that day it still pays, from the
next day on it pays for nothing, also before the nightly sweep has forfeited it. Days are Dutch calendar days.

Every way of spending is tried on both days: the preview, the preview over pots read once (`usable_pots` with
`preview_from`), and the reservation itself."""

import datetime

import pytest

from levenlang.ledger import services as ledger
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.errors import LedgerError, NothingToPayWith
from levenlang.ledger.models import Category, Pot, PotKind
from levenlang.ledger.reconcile import reconcile

pytestmark = pytest.mark.django_db

LAST_DAY = datetime.date(2026, 3, 31)
# Noon in Amsterdam on the pot's last day, and on the day after.
ON_THE_LAST_DAY = datetime.datetime(2026, 3, 31, 10, 0, tzinfo=datetime.UTC)
THE_DAY_AFTER = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)


def deposit(resident, source, cents: int, lot: str, expires_on, categories=(Category.STUDY,)) -> str:
    result = ledger.deposit(
        key=f"deposit-{lot}",
        resident_id=resident.pk,
        source=source,
        pot_kind=PotKind.RIGHTS,
        lot=lot,
        amount_cents=cents,
        categories=list(categories),
        expires_on=expires_on,
        description="test",
        clock=FixedClock(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)),
    )
    return result["pot"]


def reserve(resident, payee, clock, price: int = 5_000) -> dict:
    return ledger.reserve(
        key=f"reserve-{clock.now().isoformat()}-{price}",
        resident_id=resident.pk,
        category=Category.STUDY,
        price_cents=price,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=30),
        clock=clock,
    )


def draws_of(preview) -> list[tuple[str, int]]:
    return [(draw.lot, draw.amount_cents) for draw in preview.draws]


@pytest.fixture
def pots(resident, budget):
    """A pot of € 100,00 whose last day is 31 March 2026 and one of € 20,00 without expiry, both for study. The
    expiring pot is the more urgent one: the waterfall takes it first while it may be used."""
    expiring = deposit(resident, budget, 10_000, "expiring", LAST_DAY)
    lasting = deposit(resident, budget, 2_000, "lasting", None)
    return expiring, lasting


def test_on_its_last_day_a_pot_still_pays_in_the_preview_and_the_reservation(resident, pots, payee):
    clock = FixedClock(ON_THE_LAST_DAY)
    preview = ledger.preview(resident_id=resident.pk, category=Category.STUDY, price_cents=5_000, clock=clock)
    assert draws_of(preview) == [("expiring", 5_000)]
    usable = ledger.usable_pots(resident_id=resident.pk, clock=clock)
    assert {str(row[1]) for row in usable} == set(pots)
    assert draws_of(ledger.preview_from(usable, category=Category.STUDY, price_cents=5_000)) == [("expiring", 5_000)]
    reserved = reserve(resident, payee, clock)
    assert [(d["lot"], d["amount_cents"]) for d in reserved["draws"]] == [("expiring", 5_000)]


def test_the_day_after_its_last_day_a_pot_pays_for_nothing_even_before_the_sweep(resident, pots, payee):
    clock = FixedClock(THE_DAY_AFTER)
    expiring, _lasting = pots
    assert Pot.objects.get(uuid=expiring).available_cents == 10_000  # not swept yet: the money is still there
    preview = ledger.preview(resident_id=resident.pk, category=Category.STUDY, price_cents=5_000, clock=clock)
    assert draws_of(preview) == [("lasting", 2_000)]
    assert preview.own_share_cents == 3_000
    usable = ledger.usable_pots(resident_id=resident.pk, clock=clock)
    assert expiring not in {str(row[1]) for row in usable}
    assert draws_of(ledger.preview_from(usable, category=Category.STUDY, price_cents=5_000)) == [("lasting", 2_000)]
    reserved = reserve(resident, payee, clock)
    assert [(d["lot"], d["amount_cents"]) for d in reserved["draws"]] == [("lasting", 2_000)]
    assert Pot.objects.get(uuid=expiring).pending_cents == 0
    assert reconcile() == []


def test_a_reservation_with_only_an_expired_pot_is_refused_before_the_sweep(resident, budget, payee):
    deposit(resident, budget, 10_000, "expiring", LAST_DAY)
    clock = FixedClock(THE_DAY_AFTER)
    assert ledger.preview(resident_id=resident.pk, category=Category.STUDY, price_cents=5_000, clock=clock).draws == []
    assert ledger.usable_pots(resident_id=resident.pk, clock=clock) == []
    with pytest.raises(NothingToPayWith):
        reserve(resident, payee, clock)
    assert Pot.objects.get().pending_cents == 0


def test_the_day_changes_at_midnight_in_the_netherlands_not_in_utc(resident, budget, payee):
    deposit(resident, budget, 10_000, "expiring", LAST_DAY)
    # 31 March, 23:30 UTC is 1 April, 01:30 in Amsterdam: the pot's last day has passed.
    late = FixedClock(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC))
    assert ledger.preview(resident_id=resident.pk, category=Category.STUDY, price_cents=5_000, clock=late).draws == []
    with pytest.raises(NothingToPayWith):
        reserve(resident, payee, late)
    # 31 March, 21:30 UTC is 23:30 in Amsterdam: still the last day.
    evening = FixedClock(datetime.datetime(2026, 3, 31, 21, 30, tzinfo=datetime.UTC))
    assert reserve(resident, payee, evening)["covered_cents"] == 5_000


def test_the_sweep_forfeits_a_pot_only_after_its_last_day(resident, pots):
    expiring, _lasting = pots
    assert ledger.expire(clock=FixedClock(ON_THE_LAST_DAY))["forfeited_pots"] == 0
    assert Pot.objects.get(uuid=expiring).posted_cents == 10_000
    swept = ledger.expire(clock=FixedClock(THE_DAY_AFTER))
    assert (swept["forfeited_pots"], swept["forfeited_cents"]) == (1, 10_000)
    assert Pot.objects.get(uuid=expiring).posted_cents == 0
    assert reconcile() == []


def test_a_deposit_may_name_today_as_the_last_day_but_not_yesterday(resident, budget):
    today = FixedClock(ON_THE_LAST_DAY)
    kwargs = {
        "resident_id": resident.pk,
        "source": budget,
        "pot_kind": PotKind.RIGHTS,
        "amount_cents": 1_000,
        "categories": [Category.STUDY],
        "description": "test",
        "clock": today,
    }
    ledger.deposit(key="today", lot="today", expires_on=LAST_DAY, **kwargs)
    with pytest.raises(LedgerError):
        ledger.deposit(key="yesterday", lot="yesterday", expires_on=LAST_DAY - datetime.timedelta(days=1), **kwargs)
