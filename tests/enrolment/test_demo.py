"""The demo's enrolments: each persona's booking in its own state, loaded through the services, and a second load
changes nothing."""

import pytest

from levenlang.demo.enrolment import demo_enrolments_present, load_demo_enrolments
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from levenlang.enrolment import credentials, monitoring
from levenlang.enrolment.models import Enrolment, EnrolmentEvent, Status
from levenlang.enrolment.services import funding_preview
from levenlang.ledger.models import Journal
from levenlang.ledger.reconcile import reconcile

pytestmark = pytest.mark.django_db


def test_the_personas_have_enrolments_in_several_states_and_a_second_load_changes_nothing():
    load_population(residents=200, seed=3)
    load_demo_ledger()
    assert not demo_enrolments_present()
    load_demo_enrolments()
    assert demo_enrolments_present()
    enrolments = Enrolment.objects.select_related("module", "resident__user")
    by_course = {(e.resident.user.username, e.module.code): e for e in enrolments}
    assert {course: e.status for course, e in by_course.items()} == {
        ("marco", "TAO-VCA-01"): Status.PAID_OUT,
        ("marco", "TAO-PLC-01"): Status.RESERVED,
        ("marco", "TAO-LAS-01"): Status.ACCEPTED,
        ("ineke", "TAO-DIGI-01"): Status.PAID_OUT,
        ("ineke", "TAO-EXCEL-01"): Status.REQUESTED,
        ("sanne", "TAO-DIGI-01"): Status.STARTED,
    }
    assert credentials.verify(by_course["marco", "TAO-VCA-01"].credential).valid
    assert {e.provider.staff.get().username for e in by_course.values()} == {"joost"}
    lassen = by_course["marco", "TAO-LAS-01"]
    assert funding_preview(lassen).own_share_cents > 0  # Marco sees an own share when he confirms
    counts = (Enrolment.objects.count(), EnrolmentEvent.objects.count(), Journal.objects.count())
    load_demo_enrolments()
    assert (Enrolment.objects.count(), EnrolmentEvent.objects.count(), Journal.objects.count()) == counts
    assert reconcile() == []
    assert any(row.flagged for row in monitoring.price_bunching())
