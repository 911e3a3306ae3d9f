"""A module's funded places per quarter (docs/enrolment.md): every enrolment that holds or used a funded place counts
in the quarter it was reserved, also after the money was paid out or disputed; one that ended without using it
(cancelled, not started in time, refused) frees it. The same for the places of one offering."""

import datetime

import pytest

from levenlang.enrolment import services
from levenlang.enrolment.errors import NoFundedPlaceLeft
from levenlang.enrolment.models import FUNDED_STATUSES, Status
from levenlang.ledger.clock import FixedClock
from tests.enrolment.conftest import books_are_right, key, put_money
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

HOLDS_A_PLACE = [Status.RESERVED, Status.STARTED, Status.COMPLETED, Status.DISPUTED, Status.PAID_OUT]
FREES_IT = [Status.CANCELLED, Status.NOT_STARTED]
APRIL = FixedClock(datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.UTC))


def second_learner_accepted(walk):
    resident = ResidentFactory()
    put_money(resident, 100_000)
    return resident, walk(Status.ACCEPTED, resident=resident)


def reserve(enrolment, resident, clock):
    return services.reserve(enrolment.uuid, actor=resident.user, key=key(), strong_login_at=clock.now(), clock=clock)


def test_the_statuses_that_hold_a_place_are_the_ones_this_file_tries():
    assert set(FUNDED_STATUSES) == set(HOLDS_A_PLACE)


@pytest.mark.parametrize("status", HOLDS_A_PLACE)
def test_an_enrolment_that_holds_or_used_a_funded_place_counts_in_its_quarter(offering, walk, clock, status):
    offering.module.funded_place_cap = 1
    offering.module.save()
    first = walk(status)
    assert first.funded_quarter == datetime.date(2026, 1, 1)
    resident, second = second_learner_accepted(walk)
    with pytest.raises(NoFundedPlaceLeft):
        reserve(second, resident, clock)
    second.refresh_from_db()
    assert second.status == Status.ACCEPTED
    # The next quarter has its own places.
    assert reserve(second, resident, APRIL)["status"] == Status.RESERVED
    books_are_right()


@pytest.mark.parametrize("status", FREES_IT)
def test_an_enrolment_that_ended_without_using_its_place_frees_it(offering, walk, clock, status):
    offering.module.funded_place_cap = 1
    offering.module.save()
    walk(status)
    resident, second = second_learner_accepted(walk)
    assert reserve(second, resident, clock)["status"] == Status.RESERVED


def test_the_cap_counts_every_place_of_the_quarter_up_to_the_cap(offering, walk, clock):
    offering.module.funded_place_cap = 3
    offering.module.save()
    walk(Status.PAID_OUT)
    walk(Status.DISPUTED, resident=_funded())
    resident, third = second_learner_accepted(walk)
    assert reserve(third, resident, clock)["status"] == Status.RESERVED  # the third of three
    resident, fourth = second_learner_accepted(walk)
    with pytest.raises(NoFundedPlaceLeft):
        reserve(fourth, resident, clock)


def test_a_paid_out_enrolment_keeps_its_offering_place(offering, walk, clock):
    offering.capacity = 1
    offering.save()
    walk(Status.PAID_OUT)
    resident, second = second_learner_accepted(walk)
    with pytest.raises(NoFundedPlaceLeft):
        reserve(second, resident, clock)


def _funded():
    resident = ResidentFactory()
    put_money(resident, 100_000)
    return resident
