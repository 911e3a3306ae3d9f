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
    by_course = {e.module.code: e for e in Enrolment.objects.select_related("module", "resident__user")}
    assert by_course["TAO-VCA-01"].status == Status.PAID_OUT
    assert credentials.verify(by_course["TAO-VCA-01"].credential).valid
    assert by_course["TAO-LAS-01"].status == Status.ACCEPTED
    assert by_course["TAO-EXCEL-01"].status == Status.REQUESTED
    assert by_course["TAO-DIGI-01"].status == Status.STARTED
    assert {e.provider.staff.get().username for e in by_course.values()} == {"joost"}
    assert {e.module.code: e.resident.user.username for e in by_course.values()} == {
        "TAO-VCA-01": "marco",
        "TAO-LAS-01": "marco",
        "TAO-EXCEL-01": "ineke",
        "TAO-DIGI-01": "sanne",
    }
    lassen = by_course["TAO-LAS-01"]
    assert funding_preview(lassen).own_share_cents > 0  # Marco sees an own share when he confirms
    counts = (Enrolment.objects.count(), EnrolmentEvent.objects.count(), Journal.objects.count())
    load_demo_enrolments()
    assert (Enrolment.objects.count(), EnrolmentEvent.objects.count(), Journal.objects.count()) == counts
    assert reconcile() == []
    assert any(row.flagged for row in monitoring.price_bunching())
