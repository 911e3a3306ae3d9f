"""One test per rule of docs/security.md that exists so far: who may see what, and who may not."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError
from django.urls import reverse

from levenlang.core.roles import Role
from tests.factories import ResidentFactory, region
from tests.roles import audit_of_personal_data

pytestmark = pytest.mark.django_db

NOT_THE_RESIDENT = [r for r in Role if r not in (Role.RESIDENT, Role.ADMINISTRATOR)]


def api_resident(client, resident):
    return client.get(reverse("api-resident", kwargs={"uuid": resident.uuid}))


def test_a_resident_sees_their_own_data_without_an_audit_entry(client, resident):
    client.force_login(resident.user)
    response = api_resident(client, resident)
    assert response.status_code == 200
    assert response.json()["masked_bsn"] == resident.masked_bsn
    assert resident.bsn not in response.text
    assert not audit_of_personal_data().exists()


def test_a_resident_cannot_see_another_resident(client, resident, other_resident):
    client.force_login(resident.user)
    assert api_resident(client, other_resident).status_code == 404


@pytest.mark.parametrize("role", NOT_THE_RESIDENT)
def test_other_roles_cannot_see_a_resident(client, user_with_role, resident, role):
    client.force_login(user_with_role(role))
    assert api_resident(client, resident).status_code == 404
    assert not audit_of_personal_data().exists()


def test_anonymous_users_get_nothing(client, resident):
    assert api_resident(client, resident).status_code == 401
    assert client.get(reverse("api-me")).status_code == 401


def test_an_administrator_sees_a_resident_and_the_look_is_audit_logged(client, user_with_role, resident):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    assert api_resident(client, resident).status_code == 200
    event = audit_of_personal_data().get()
    assert (event.actor, event.actor_role, event.action) == (admin, Role.ADMINISTRATOR, "view_personal_data")
    assert event.subject_person == resident.uuid
    assert resident.bsn not in f"{event.reason}{event.path}{event.object_id}"


def test_opening_a_resident_in_the_django_admin_is_audit_logged(client, user_with_role, resident):
    admin = user_with_role(Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:residents_resident_change", args=[resident.pk]))
    assert response.status_code == 200
    assert audit_of_personal_data().filter(actor=admin, subject_person=resident.uuid).count() == 1


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMINISTRATOR])
def test_only_administrators_see_the_audit_log(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("core:audit-log")).status_code == 403


def test_the_audit_log_page_lists_and_filters_entries(client, user_with_role, resident, other_resident):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    api_resident(client, resident)
    api_resident(client, other_resident)
    page = client.get(reverse("core:audit-log"), {"subject_person": str(resident.uuid)})
    assert page.status_code == 200
    assert str(resident.uuid) in page.text
    assert str(other_resident.uuid) not in page.text


def test_the_database_refuses_to_change_or_delete_audit_entries(user_with_role, resident):
    audit_of_personal_data().create(actor=user_with_role(Role.ADMINISTRATOR), action="view_personal_data", reason="x")
    for statement in ("UPDATE core_auditevent SET reason = 'changed'", "DELETE FROM core_auditevent"):
        with (
            # The app role has no UPDATE or DELETE here; the owner meets the trigger (tests/test_database_roles.py).
            pytest.raises((InternalError, ProgrammingError), match="permission denied for table core_auditevent"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert audit_of_personal_data().get().reason == "x"


def test_the_ministry_sees_aggregates_without_names_and_no_group_under_ten(client, user_with_role):
    ResidentFactory.create_batch(12)  # in Twente
    ResidentFactory.create_batch(11, region=region("midden-utrecht"))
    lonely = ResidentFactory(region=region("zeeland"), given_name="Lonely")
    client.force_login(user_with_role(Role.MINISTRY_ANALYST))
    page = client.get(reverse("portal:home"))
    assert page.status_code == 200
    assert "Lonely" not in page.text and lonely.family_name not in page.text
    assert ">12<" in page.text  # Twente: shown
    assert "niet getoond" in page.text  # Zeeland: one person, hidden
    assert ">11<" not in page.text  # Utrecht-Midden: hidden too, else the total minus the others gives Zeeland
