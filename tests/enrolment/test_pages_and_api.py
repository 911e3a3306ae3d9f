"""The pages and the API of the enrolment life cycle, and who may see what (docs/security.md): a provider sees only
enrolments in its own modules, a resident only their own; a look at someone else's enrolment is audit-logged."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from levenlang.catalog.services import suspend_provider
from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role
from levenlang.enrolment import credentials
from levenlang.enrolment.models import Enrolment, Status
from levenlang.enrolment.views import STRONG_LOGIN_SESSION_KEY
from levenlang.ledger.models import OwnPayment
from tests.enrolment.conftest import put_money
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_offering(provider):
    module = ModuleFactory(provider=provider, price_cents=120_000, title_nl="PLC programmeren")
    return OfferingFactory(module=module, start_date=timezone.localdate())


@pytest.fixture
def rich(db):
    resident = ResidentFactory()
    put_money(resident, 100_000)
    return resident


def step(client, enrolment_uuid, name, **extra):
    return client.post(
        reverse("enrolment:step", args=[enrolment_uuid]), {"step": name, "key": f"k-{name}-{enrolment_uuid}", **extra}
    )


def test_the_resident_and_provider_journey_through_the_pages(client, today_offering, rich, staff):
    # The resident sees the preview: €1,000 from the pots, €200 own share; nothing is reserved.
    client.force_login(rich.user)
    book = reverse("enrolment:book", args=[today_offering.uuid])
    page = client.get(book)
    assert page.status_code == 200
    assert 'data-own-share="20000"' in page.text
    response = client.post(book, {"key": "book-1"})
    enrolment = Enrolment.objects.get()
    assert response.url == reverse("enrolment:detail", args=[enrolment.uuid])
    assert client.get(reverse("enrolment:mine")).status_code == 200

    # The provider accepts from its list.
    client.force_login(staff)
    listing = client.get(reverse("enrolment:provider-list"))
    assert str(enrolment.uuid) in listing.text and str(rich) in listing.text
    step(client, enrolment.uuid, "accept")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ACCEPTED

    # The resident confirms: first the strong login, then the reservation.
    client.force_login(rich.user)
    confirm = reverse("enrolment:reserve", args=[enrolment.uuid])
    assert client.get(confirm).status_code == 200
    form = {"key": "r-1", "expected_own_share_cents": "20000", "own_share_agreed": "yes"}
    response = client.post(confirm, form)
    assert response.status_code == 302 and reverse("enrolment:strong-login") in response.url
    client.post(reverse("enrolment:strong-login"), {"next": confirm})
    response = client.post(confirm, form)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.covered_cents, enrolment.own_share_cents) == (Status.RESERVED, 100_000, 20_000)

    # The provider declares the start and the completion; the resident confirms; the provider is paid.
    client.force_login(staff)
    step(client, enrolment.uuid, "start")
    step(client, enrolment.uuid, "complete", percent="100")
    client.force_login(rich.user)
    step(client, enrolment.uuid, "confirm")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.paid_cents) == (Status.PAID_OUT, 100_000)
    client.force_login(staff)
    payouts = client.get(reverse("enrolment:provider-payouts"))
    assert "1.000,00" in payouts.text and "PLC programmeren" in payouts.text

    # The credential downloads and verifies on the public page.
    client.force_login(rich.user)
    download = client.get(reverse("enrolment:credential", args=[enrolment.uuid]))
    assert download["Content-Type"] == "application/json"
    client.logout()
    checked = client.post(reverse("enrolment:verify"), {"credential": download.content.decode()})
    assert 'class="utrecht-alert utrecht-alert--ok"' in checked.text
    tampered = json.loads(download.content)
    tampered["credentialSubject"]["achievement"]["name"] = "Iets anders"
    upload = SimpleUploadedFile("bewijs.json", json.dumps(tampered).encode(), "application/json")
    checked = client.post(reverse("enrolment:verify"), {"file": upload})
    assert "utrecht-alert--error" in checked.text


def test_an_own_share_must_be_agreed_before_confirming(client, today_offering, rich, staff, walk):
    enrolment = walk(Status.ACCEPTED, resident=rich, offering_=today_offering)
    client.force_login(rich.user)
    session = client.session
    session[STRONG_LOGIN_SESSION_KEY] = timezone.now().isoformat()
    session.save()
    client.post(reverse("enrolment:reserve", args=[enrolment.uuid]), {"key": "x", "expected_own_share_cents": "20000"})
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ACCEPTED


def test_an_illegal_step_on_a_page_shows_the_message_and_changes_nothing(client, walk, staff):
    enrolment = walk(Status.REQUESTED)
    client.force_login(staff)
    with translation.override("en"):
        url = reverse("enrolment:step", args=[enrolment.uuid])
    assert url.startswith("/en/")
    response = client.post(url, {"step": "start", "key": "k"}, follow=True)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.REQUESTED
    assert "“Declare the start” is not possible now" in response.text


def test_bulk_upload_page_reports_the_bad_line(client, walk, staff):
    enrolment = walk(Status.RESERVED)
    client.force_login(staff)
    data = f"enrolment,action,percent,note\n{enrolment.uuid},start,,\n{enrolment.uuid},finish,,\n".encode()
    page = client.post(reverse("enrolment:provider-bulk"), {"file": SimpleUploadedFile("m.csv", data, "text/csv")})
    assert 'id="bulk-errors"' in page.text
    enrolment.refresh_from_db()
    assert enrolment.status == Status.RESERVED


# --- who sees what ---------------------------------------------------------------------------------------------


def test_a_provider_sees_only_enrolments_in_its_own_modules(client, walk, staff):
    mine = walk(Status.REQUESTED)
    other_offering = OfferingFactory(
        module=ModuleFactory(provider=ProviderFactory()), start_date=mine.offering.start_date
    )
    theirs = walk(Status.REQUESTED, offering_=other_offering)
    client.force_login(staff)
    listing = client.get(reverse("enrolment:provider-list"))
    assert str(mine.uuid) in listing.text and str(theirs.uuid) not in listing.text
    assert client.get(reverse("enrolment:detail", args=[theirs.uuid])).status_code == 404
    assert step(client, theirs.uuid, "accept").status_code == 404
    api = client.get(reverse("api-enrolments")).json()
    assert [e["uuid"] for e in api["results"]] == [str(mine.uuid)]
    assert client.get(reverse("api-enrolment", args=[theirs.uuid])).status_code == 404


def test_a_resident_sees_only_their_own_enrolments(client, walk):
    theirs = walk(Status.REQUESTED)
    other = ResidentFactory()
    client.force_login(other.user)
    assert str(theirs.uuid) not in client.get(reverse("enrolment:mine")).text
    assert client.get(reverse("enrolment:detail", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("api-enrolments")).json()["results"] == []
    assert client.get(reverse("api-enrolment", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("api-enrolment-preview", args=[theirs.uuid])).status_code == 404


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.RESIDENT, Role.ADMINISTRATOR, Role.PROVIDER_STAFF)])
def test_other_roles_see_no_enrolment(client, walk, role):
    enrolment = walk(Status.REQUESTED)
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("enrolment:detail", args=[enrolment.uuid])).status_code == 404
    assert client.get(reverse("api-enrolments")).json()["results"] == []
    assert client.get(reverse("enrolment:provider-list")).status_code == 403


def test_the_provider_cannot_see_the_learners_pots_in_the_preview(client, walk, staff):
    enrolment = walk(Status.ACCEPTED)
    client.force_login(staff)
    assert client.get(reverse("api-enrolment-preview", args=[enrolment.uuid])).status_code == 404


def test_a_providers_look_is_audit_logged_and_the_learners_own_is_not(client, walk, staff, learner):
    enrolment = walk(Status.REQUESTED)
    client.force_login(learner.user)
    client.get(reverse("enrolment:detail", args=[enrolment.uuid]))
    assert not AuditEvent.objects.filter(action="view_personal_data").exists()
    client.force_login(staff)
    client.get(reverse("enrolment:detail", args=[enrolment.uuid]))
    client.get(reverse("enrolment:provider-list"))
    client.get(reverse("api-enrolment", args=[enrolment.uuid]))
    events = AuditEvent.objects.filter(action="view_personal_data", actor=staff, subject_person=learner.uuid)
    assert events.count() == 3
    assert learner.bsn not in "".join(events.values_list("reason", flat=True))


def test_an_administrator_sees_and_may_cancel_any_enrolment(client, walk, learner):
    enrolment = walk(Status.STARTED)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert client.get(reverse("enrolment:detail", args=[enrolment.uuid])).status_code == 200
    step(client, enrolment.uuid, "cancel", note="fraude")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.CANCELLED


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.MINISTRY_ANALYST, 200), (Role.ADMINISTRATOR, 200), (Role.RESIDENT, 403), (Role.PROVIDER_STAFF, 403)],
)
def test_price_monitoring_is_for_the_ministry_and_administrators(client, role, status):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("enrolment:price-monitor")).status_code == status


# --- the API ---------------------------------------------------------------------------------------------------


def api_post(client, name, *args, key="k1", **data):
    return client.post(
        reverse(name, args=args), data=json.dumps(data), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_the_life_cycle_through_the_api(client, today_offering, learner, staff):
    offering = today_offering
    client.force_login(learner.user)
    assert api_post(client, "api-enrolments", key="").status_code == 400  # no Idempotency-Key
    created = api_post(client, "api-enrolments", offering=str(offering.uuid), key="book")
    assert created.status_code == 201
    again = api_post(client, "api-enrolments", offering=str(offering.uuid), key="book")
    assert again.json() == created.json()  # the same key replays the first answer
    uuid_ = created.json()["enrolment"]
    assert client.get(reverse("api-enrolment-preview", args=[uuid_])).json()["own_share_cents"] == 20_000

    client.force_login(staff)
    refused = api_post(client, "api-enrolment-start", uuid_, key="s0")
    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "illegal_transition"
    assert api_post(client, "api-enrolment-accept", uuid_, key="a").json()["status"] == "accepted"

    client.force_login(learner.user)
    no_login = api_post(client, "api-enrolment-reserve", uuid_, key="r0", expected_own_share_cents=20_000)
    assert (no_login.status_code, no_login.json()["code"]) == (403, "strong_login_required")
    session = client.session
    session[STRONG_LOGIN_SESSION_KEY] = timezone.now().isoformat()
    session.save()
    changed = api_post(client, "api-enrolment-reserve", uuid_, key="r1", expected_own_share_cents=0)
    assert (changed.status_code, changed.json()["code"]) == (409, "funding_changed")
    assert (
        api_post(client, "api-enrolment-reserve", uuid_, key="r2", expected_own_share_cents=20_000).status_code == 200
    )

    client.force_login(staff)
    assert api_post(client, "api-enrolment-start", uuid_, key="s1").status_code == 200
    bad = api_post(client, "api-enrolment-complete", uuid_, key="c0", percent=150)
    assert bad.status_code == 400
    assert api_post(client, "api-enrolment-complete", uuid_, key="c1", percent=80).json()["completed_percent"] == 80

    client.force_login(learner.user)
    paid = api_post(client, "api-enrolment-confirm", uuid_, key="ok")
    assert (paid.json()["status"], paid.json()["paid_cents"]) == ("paid_out", 80_000)
    detail = client.get(reverse("api-enrolment", args=[uuid_])).json()
    assert [e["to_status"] for e in detail["events"]] == [
        "requested",
        "accepted",
        "reserved",
        "started",
        "completed",
        "paid_out",
    ]
    assert client.get(reverse("api-enrolment-credential", args=[uuid_])).status_code == 404  # partly: no credential


def test_declarations_and_verification_through_the_api(client, walk, staff):
    enrolment = walk(Status.PAID_OUT)
    reserved = walk(
        Status.RESERVED, offering_=OfferingFactory(module=enrolment.module, start_date=enrolment.offering.start_date)
    )
    client.force_login(staff)
    bad = client.post(
        reverse("api-enrolment-declarations"),
        {"file": SimpleUploadedFile("m.csv", f"enrolment,action\n{reserved.uuid},complete\n".encode(), "text/csv")},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["line"] == 2
    good = client.post(
        reverse("api-enrolment-declarations"),
        {"file": SimpleUploadedFile("m.csv", f"enrolment,action\n{reserved.uuid},start\n".encode(), "text/csv")},
    )
    assert good.json() == {"rows": 1, "applied": 1, "errors": []}

    client.force_login(enrolment.resident.user)
    credential = client.get(reverse("api-enrolment-credential", args=[enrolment.uuid])).json()
    assert credentials.verify(credential).valid
    client.logout()
    checked = client.post(
        reverse("api-credential-verify"), data=json.dumps({"credential": credential}), content_type="application/json"
    )
    assert checked.status_code == 200 and checked.json()["valid"] is True
    credential["validFrom"] = "2000-01-01T00:00:00Z"
    checked = client.post(
        reverse("api-credential-verify"), data=json.dumps({"credential": credential}), content_type="application/json"
    )
    assert checked.json()["valid"] is False


def test_the_own_share_can_be_paid_into_the_leerrekening_first_and_then_the_pots_cover_it(
    client, today_offering, rich, walk
):
    enrolment = walk(Status.ACCEPTED, resident=rich, offering_=today_offering)
    client.force_login(rich.user)
    confirm = reverse("enrolment:reserve", args=[enrolment.uuid])
    response = client.post(confirm, {"action": "top_up", "key": "top-up-1"})
    payment = OwnPayment.objects.get()
    assert payment.amount_cents == 20_000
    assert response.url == reverse("payments:demo-checkout", args=[payment.uuid])
    client.post(response.url, {"action": "pay"})  # the demo payment page
    page = client.get(confirm)
    assert 'data-own-share="0"' in page.text
    session = client.session
    session[STRONG_LOGIN_SESSION_KEY] = timezone.now().isoformat()
    session.save()
    client.post(confirm, {"key": "r", "expected_own_share_cents": "0"})
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.covered_cents, enrolment.own_share_cents) == (Status.RESERVED, 120_000, 0)


def test_administrators_find_the_flagged_enrolments_of_a_suspended_provider(client, walk, provider, learner):
    flagged = walk(Status.REQUESTED)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin)
    assert str(flagged.uuid) not in client.get(reverse("enrolment:admin-list")).text
    suspend_provider(provider, admin, reason="onderzoek")
    listing = client.get(reverse("enrolment:admin-list"))
    assert reverse("enrolment:detail", args=[flagged.uuid]) in listing.text
    assert AuditEvent.objects.filter(actor=admin, subject_person=learner.uuid, action="view_personal_data").exists()
    client.force_login(UserFactory(role=Role.MINISTRY_ANALYST))
    assert client.get(reverse("enrolment:admin-list")).status_code == 403
    client.force_login(learner.user)
    assert client.get(reverse("enrolment:admin-list")).status_code == 403


def test_the_learner_disputes_a_completion_through_the_api_and_the_provider_cannot(client, walk, learner, staff):
    enrolment = walk(Status.COMPLETED)
    client.force_login(staff)
    refused = api_post(client, "api-enrolment-dispute", enrolment.uuid, key="d0", note="klopt")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_permitted")
    client.force_login(learner.user)
    disputed = api_post(client, "api-enrolment-dispute", enrolment.uuid, key="d1", note="niet gegeven")
    assert disputed.json()["status"] == "disputed"
    detail = client.get(reverse("enrolment:detail", args=[enrolment.uuid]))
    assert 'data-step="confirm"' not in detail.text  # the learner waits for the administrator now
    client.force_login(UserFactory(role=Role.ADMINISTRATOR))
    assert reverse("enrolment:detail", args=[enrolment.uuid]) in client.get(reverse("enrolment:admin-list")).text
    assert 'data-step="confirm"' in client.get(reverse("enrolment:detail", args=[enrolment.uuid])).text
