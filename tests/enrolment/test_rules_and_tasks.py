"""One test per permission rule of the enrolment app (core/permissions.py), and the nightly sweep run by a real
procrastinate worker."""

import pytest
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from levenlang.core.permissions import (
    ACT_AS_LEARNER,
    ACT_AS_PROVIDER,
    BOOK_ENROLMENT,
    OVERRIDE_ENROLMENT,
    VIEW_ENROLMENT,
    VIEW_PRICE_MONITOR,
)
from levenlang.core.roles import Role
from levenlang.enrolment import monitoring
from levenlang.enrolment.models import Enrolment, Status
from levenlang.enrolment.tasks import sweep_not_started_enrolments
from levenlang.ledger.models import Reservation
from tests.factories import ModuleFactory, ProviderFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(walk):
    return walk(Status.REQUESTED)


def other_staff():
    user = UserFactory(role=Role.PROVIDER_STAFF)
    ProviderFactory().staff.add(user)
    return user


def test_view_enrolment_the_learner_their_providers_staff_and_administrators_only(enrolment, learner, staff):
    assert learner.user.has_perm(VIEW_ENROLMENT, enrolment)
    assert staff.has_perm(VIEW_ENROLMENT, enrolment)
    assert UserFactory(role=Role.ADMINISTRATOR).has_perm(VIEW_ENROLMENT, enrolment)
    assert not other_staff().has_perm(VIEW_ENROLMENT, enrolment)
    assert not ResidentFactory().user.has_perm(VIEW_ENROLMENT, enrolment)
    for role in (Role.EMPLOYER_STAFF, Role.SECTOR_FUND_STAFF, Role.ADVISER, Role.MINISTRY_ANALYST):
        assert not UserFactory(role=role).has_perm(VIEW_ENROLMENT, enrolment)
    # Staff of the provider who lost the provider role (e.g. moved to another job) sees nothing either.
    staff.role = Role.EMPLOYER_STAFF
    assert not staff.has_perm(VIEW_ENROLMENT, enrolment)


def test_book_a_resident_for_themself_only(learner):
    assert learner.user.has_perm(BOOK_ENROLMENT, learner)
    assert not ResidentFactory().user.has_perm(BOOK_ENROLMENT, learner)
    assert not UserFactory(role=Role.ADMINISTRATOR).has_perm(BOOK_ENROLMENT, learner)


def test_act_as_learner_only_the_learner(enrolment, learner, staff):
    assert learner.user.has_perm(ACT_AS_LEARNER, enrolment)
    assert not staff.has_perm(ACT_AS_LEARNER, enrolment)
    assert not UserFactory(role=Role.ADMINISTRATOR).has_perm(ACT_AS_LEARNER, enrolment)


def test_act_as_provider_only_staff_of_the_enrolments_provider(enrolment, learner, staff):
    assert staff.has_perm(ACT_AS_PROVIDER, enrolment)
    assert not other_staff().has_perm(ACT_AS_PROVIDER, enrolment)
    assert not learner.user.has_perm(ACT_AS_PROVIDER, enrolment)


def test_override_administrators_only(enrolment, learner, staff):
    assert UserFactory(role=Role.ADMINISTRATOR).has_perm(OVERRIDE_ENROLMENT, enrolment)
    assert not staff.has_perm(OVERRIDE_ENROLMENT, enrolment)
    assert not learner.user.has_perm(OVERRIDE_ENROLMENT, enrolment)


@pytest.mark.parametrize("role", list(Role))
def test_price_monitor_the_ministry_and_administrators_only(role):
    allowed = role in (Role.MINISTRY_ANALYST, Role.ADMINISTRATOR)
    assert UserFactory(role=role).has_perm(VIEW_PRICE_MONITOR) is allowed


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sweep_and_the_late_enrolment_gets_its_money_back(walk):
    # Reserved on 2 March 2026 for a course that started that day: by today's real date it is long overdue.
    enrolment = walk(Status.RESERVED)
    job_id = sweep_not_started_enrolments.defer()
    worker_app = app.with_connector(app.connector.get_worker_connector())
    worker_app.run_worker(queues=["enrolment"], wait=False, install_signal_handlers=False, listen_notify=False)
    assert ProcrastinateJob.objects.get(id=job_id).status == "succeeded"
    enrolment.refresh_from_db()
    assert enrolment.status == Status.NOT_STARTED
    assert Reservation.objects.get(pk=enrolment.reservation_id).status == Reservation.Status.VOIDED
    assert Enrolment.objects.filter(status=Status.RESERVED).count() == 0


def test_price_bunching_counts_prices_from_2_percent_below_a_ceiling_up_to_it(settings):
    settings.ENROLMENT_FUNDING_CEILINGS_CENTS = [100_000]
    bunched, spread = ProviderFactory(), ProviderFactory()
    for price in (98_000, 99_999, 100_000, 60_000):  # 3 of 4 at the ceiling
        ModuleFactory(provider=bunched, price_cents=price)
    for price in (97_999, 100_001, 50_000):  # just outside the band, both sides
        ModuleFactory(provider=spread, price_cents=price)
    rows = {r.provider: r for r in monitoring.price_bunching()}
    assert (rows[bunched].modules, rows[bunched].at_ceiling, rows[bunched].share_percent) == (4, 3, 75)
    assert rows[bunched].flagged
    assert (rows[spread].at_ceiling, rows[spread].flagged) == (0, False)
    assert [r.provider for r in monitoring.price_bunching(only_flagged=True)] == [bunched]
