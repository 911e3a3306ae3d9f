"""The platform's administrator follows the object rules and their audit like everyone else; a superuser too,
outside the Django admin."""

import pytest
from django.urls import reverse

from levenlang.core.roles import Role
from levenlang.enrolment.models import Status
from tests.factories import UserFactory
from tests.roles import audit_of_personal_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("superuser", [False, True], ids=["administrator", "administrator-and-superuser"])
def test_the_administrator_reading_a_learners_funding_preview_writes_an_audit_entry(client, walk, learner, superuser):
    enrolment = walk(Status.ACCEPTED)
    administrator = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=superuser)
    client.force_login(administrator)
    response = client.get(reverse("api-enrolment-preview", args=[enrolment.uuid]))
    assert response.status_code == 200
    event = audit_of_personal_data().get(actor=administrator)
    assert (event.action, event.subject_person) == ("view_personal_data", learner.uuid)


def test_the_learner_reads_their_own_preview_without_an_audit_entry(client, walk, learner):
    enrolment = walk(Status.ACCEPTED)
    client.force_login(learner.user)
    assert client.get(reverse("api-enrolment-preview", args=[enrolment.uuid])).status_code == 200
    assert not audit_of_personal_data().filter(action="view_personal_data").exists()


def test_a_superuser_without_the_administrator_role_gets_no_learners_preview(client, walk):
    enrolment = walk(Status.ACCEPTED)
    client.force_login(UserFactory(role=Role.RESIDENT, is_staff=True, is_superuser=True))
    assert client.get(reverse("api-enrolment-preview", args=[enrolment.uuid])).status_code == 404


def test_a_superuser_takes_no_step_of_the_learner_or_the_provider(walk):
    from levenlang.enrolment.services import allowed_steps

    enrolment = walk(Status.ACCEPTED)
    superuser = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    assert "reserve" not in allowed_steps(enrolment, superuser)  # the learner's step
    assert "start" not in allowed_steps(enrolment, superuser)  # the provider's step
