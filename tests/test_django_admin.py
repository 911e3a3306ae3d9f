"""The Django admin: the platform's administrator works there as staff with the administrator's model permissions,
not as a superuser; the BSN is masked and never in a URL; every look at and change of personal data is audited."""

import pytest
from django.urls import reverse

from levenlang.core.models import AuditEvent, User
from levenlang.core.roles import Role
from levenlang.employers.models import Employment
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    """As the demo makes the administrator persona and the OpenID Connect login makes an administrator."""
    return UserFactory(role=Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.org", "a-long-password-for-the-test")


def test_the_administrator_uses_the_django_admin_without_being_a_superuser(client, administrator, resident):
    client.force_login(administrator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:residents_resident_changelist")).status_code == 200
    assert client.get(reverse("admin:residents_resident_change", args=[resident.pk])).status_code == 200
    assert client.get(reverse("admin:catalog_module_changelist")).status_code == 200


def test_user_accounts_and_deletions_are_for_superusers_only(client, administrator, superuser, resident):
    client.force_login(administrator)
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200  # may read the accounts
    assert client.get(reverse("admin:core_user_change", args=[administrator.pk])).status_code == 200
    assert client.post(reverse("admin:core_user_change", args=[administrator.pk]), {}).status_code == 403
    assert client.get(reverse("admin:core_user_add")).status_code == 403
    assert client.get(reverse("admin:residents_resident_delete", args=[resident.pk])).status_code == 403

    client.force_login(superuser)
    page = client.get(reverse("admin:core_user_change", args=[administrator.pk]))
    assert page.status_code == 200
    assert 'name="is_superuser"' in page.text  # the superuser still grants and takes away every power here
    assert client.get(reverse("admin:core_user_add")).status_code == 200


def test_the_bsn_is_masked_on_the_residents_page_and_list_of_the_django_admin(client, administrator, resident):
    client.force_login(administrator)
    page = client.get(reverse("admin:residents_resident_change", args=[resident.pk]))
    assert resident.masked_bsn in page.text
    assert resident.bsn not in page.text
    listing = client.get(reverse("admin:residents_resident_changelist"))
    assert resident.masked_bsn in listing.text and resident.bsn not in listing.text


def test_a_bsn_is_no_search_term_of_the_django_admin(client, administrator, resident):
    client.force_login(administrator)
    listing = client.get(reverse("admin:residents_resident_changelist"), {"q": resident.bsn})
    assert resident.family_name not in listing.text.split("result_list")[-1]  # the list finds nobody by BSN


def test_staff_find_a_resident_by_bsn_with_a_posted_form_and_land_on_their_page_by_id(client, administrator, resident):
    client.force_login(administrator)
    listing = client.get(reverse("admin:residents_resident_changelist"))
    find = reverse("admin:residents_resident_find_by_bsn")
    assert f'action="{find}"' in listing.text and 'method="post"' in listing.text
    response = client.post(find, {"bsn": resident.bsn})
    assert response.status_code == 302
    assert response.url == reverse("admin:residents_resident_change", args=[resident.pk])
    assert resident.bsn not in response.url
    assert client.get(find, {"bsn": resident.bsn}).status_code == 405  # never in a URL


def test_finding_by_bsn_says_so_when_nobody_or_no_valid_bsn_was_typed(client, administrator, resident):
    client.force_login(administrator)
    find = reverse("admin:residents_resident_find_by_bsn")
    other = ResidentFactory.build().bsn
    page = client.post(find, {"bsn": other}, follow=True)
    assert "Er is geen inwoner met dit BSN." in page.text
    page = client.post(find, {"bsn": "123"}, follow=True)
    assert "elfproef" in page.text
    assert not AuditEvent.objects.filter(action="view_personal_data", path=find).exists()


def test_finding_by_bsn_needs_the_django_admin(client, resident):
    client.force_login(resident.user)
    response = client.post(reverse("admin:residents_resident_find_by_bsn"), {"bsn": resident.bsn})
    assert response.status_code == 302 and "login" in response.url


def test_a_list_of_residents_in_the_django_admin_is_audited_with_everyone_shown(client, administrator):
    shown = ResidentFactory.create_batch(3)
    client.force_login(administrator)
    assert client.get(reverse("admin:residents_resident_changelist")).status_code == 200
    events = AuditEvent.objects.filter(actor=administrator, action="view_personal_data")
    assert {e.subject_person for e in events} == {r.uuid for r in shown}
    assert {e.reason for e in events} == {"Admin: list of residents"}


def test_a_residents_page_in_the_django_admin_is_audited_once(client, administrator, resident):
    client.force_login(administrator)
    client.get(reverse("admin:residents_resident_change", args=[resident.pk]))
    event = AuditEvent.objects.exclude(action="login").get(actor=administrator)
    assert (event.action, event.subject_person, event.actor_role) == (
        "view_personal_data",
        resident.uuid,
        Role.ADMINISTRATOR,
    )
    assert resident.bsn not in f"{event.reason}{event.path}{event.object_id}"


def test_a_change_of_personal_data_in_the_django_admin_is_audited(client, superuser, resident):
    client.force_login(superuser)
    url = reverse("admin:residents_resident_change", args=[resident.pk])
    form = {
        "given_name": "Annemarie",
        "family_name": resident.family_name,
        "birth_date": resident.birth_date.isoformat(),
        "nlqf_level": resident.nlqf_level,
        "situation": resident.situation,
        "postcode": resident.postcode,
        "region": resident.region_id,
        "user": resident.user_id or "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    resident.refresh_from_db()
    assert resident.given_name == "Annemarie"
    change = AuditEvent.objects.get(action="change_personal_data")
    assert (change.actor, change.subject_person) == (superuser, resident.uuid)
    assert change.reason == "Admin: residents changed given_name"


def test_someones_job_in_the_django_admin_is_personal_data_and_audited(client, administrator, resident):
    from levenlang.employers.models import Employer

    employer = Employer.objects.create(
        kvk_number="12345678", name="Werk B.V.", sector="ict", size="small", region=resident.region
    )
    job = Employment.objects.create(
        resident=resident, employer=employer, job_title="Lasser", start_date="2020-01-01", hours_per_week=32
    )
    client.force_login(administrator)
    client.get(reverse("admin:employers_employment_changelist"))
    client.get(reverse("admin:employers_employment_change", args=[job.pk]))
    reasons = list(AuditEvent.objects.filter(subject_person=resident.uuid).values_list("reason", flat=True))
    assert sorted(reasons) == ["Admin: details of employments", "Admin: list of employments"]


def test_user_accounts_in_the_django_admin_are_audited_as_the_person_they_belong_to(client, administrator, resident):
    staff = UserFactory(role=Role.PROVIDER_STAFF)
    client.force_login(administrator)
    client.get(reverse("admin:core_user_changelist"))
    listed = set(
        AuditEvent.objects.filter(reason="Admin: list of user accounts").values_list("subject_person", flat=True)
    )
    assert {resident.uuid, staff.uuid} <= listed  # a resident's account as the resident, staff as themselves
    assert administrator.uuid not in listed  # one's own account is not someone else's data
    client.get(reverse("admin:core_user_change", args=[resident.user.pk]))
    detail = AuditEvent.objects.get(reason="Admin: details of user accounts")
    assert (detail.action, detail.subject_person) == ("view_personal_data", resident.uuid)


def test_a_login_is_written_to_the_audit_log(client, resident):
    client.force_login(resident.user)
    event = AuditEvent.objects.get(actor=resident.user)
    assert (event.action, event.subject_person) == ("login", resident.user.uuid)
