"""The enrolment journeys in a real browser, with axe-core on every page on the way:

- the resident: module page → booking with the funding preview → request → (provider accepts) → my enrolments →
  confirm with the DigiD step → money reserved;
- the provider: accept, declare the start, declare the completion, see the payout (the learner's steps in between
  go through the services).
"""

import json

import pytest
from django.utils import timezone

from levenlang.catalog.services import suspend_provider
from levenlang.core.roles import Role
from levenlang.enrolment import services
from levenlang.enrolment.models import Enrolment, Status
from tests.browser.conftest import assert_no_axe_violations
from tests.browser.test_journeys import log_in_as
from tests.enrolment.conftest import put_money
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def academy(transactional_db):
    joost = UserFactory(username="joost", first_name="Joost", last_name="Mulder", role=Role.PROVIDER_STAFF)
    provider = ProviderFactory(name="Techniek Academie Oost")
    provider.staff.add(joost)
    module = ModuleFactory(provider=provider, title_nl="Lassen MIG/MAG", price_cents=95_000, skills=["lassen"])
    offering = OfferingFactory(module=module, start_date=timezone.localdate())
    return joost, offering


@pytest.fixture
def marco(transactional_db):
    user = UserFactory(username="marco", first_name="Marco", last_name="Jansen", role=Role.RESIDENT)
    resident = ResidentFactory(user=user, given_name="Marco", family_name="Jansen")
    put_money(resident, 80_000)
    return resident


def key() -> str:
    return f"browser-{timezone.now().timestamp()}"


def test_the_resident_books_with_the_funding_preview_and_confirms_with_the_digid_step(page, academy, marco):
    joost, offering = academy
    log_in_as(page, "marco")

    page.goto(f"/aanbod/{offering.module.uuid}/")
    assert_no_axe_violations(page)
    page.click(f"a[href*='/inschrijven/{offering.uuid}/']")
    page.wait_for_url(f"**/inschrijven/{offering.uuid}/")
    assert page.locator("[data-own-share]").get_attribute("data-own-share") == "15000"  # € 950 - € 800
    assert "800,00" in page.locator("#main table").inner_text()
    assert_no_axe_violations(page)
    page.click("main form button[type='submit']")
    page.wait_for_url("**/inschrijvingen/*/")
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Status.REQUESTED
    assert_no_axe_violations(page)

    services.accept(enrolment.uuid, actor=joost, key=key())

    page.goto("/mijn-inschrijvingen/")
    assert_no_axe_violations(page)
    page.click(f"a[href='/inschrijvingen/{enrolment.uuid}/bevestigen/']")
    assert_no_axe_violations(page)
    page.click("#strong-login-link")
    page.wait_for_url("**/sterk-inloggen/**")
    assert_no_axe_violations(page)
    page.click("#strong-login-confirm")
    page.wait_for_url(f"**/inschrijvingen/{enrolment.uuid}/bevestigen/")
    page.check("#own-share")
    page.click("#confirm")
    page.wait_for_url(f"**/inschrijvingen/{enrolment.uuid}/")
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.covered_cents, enrolment.own_share_cents) == (Status.RESERVED, 80_000, 15_000)
    assert page.locator("[role=status], .utrecht-alert--ok").count() >= 1
    assert_no_axe_violations(page)

    page.goto("/en/mijn-inschrijvingen/")
    assert "Money reserved" in page.locator("main table").inner_text()
    assert_no_axe_violations(page)


def test_the_provider_accepts_declares_start_and_completion_and_sees_the_payout(page, academy, marco):
    _joost, offering = academy
    uuid_ = services.request_enrolment(offering_uuid=offering.uuid, resident=marco, actor=marco.user, key=key())[
        "enrolment"
    ]
    log_in_as(page, "joost")
    page.goto("/opleider/inschrijvingen/")
    assert_no_axe_violations(page)
    page.click(f"tr[data-enrolment='{uuid_}'] button[data-step='accept']")
    page.wait_for_url("**/opleider/inschrijvingen/**")
    assert Enrolment.objects.get(uuid=uuid_).status == Status.ACCEPTED

    services.reserve(uuid_, actor=marco.user, key=key(), strong_login_at=timezone.now())

    page.goto("/opleider/inschrijvingen/")
    page.click(f"tr[data-enrolment='{uuid_}'] button[data-step='start']")
    page.wait_for_url("**/opleider/inschrijvingen/**")
    assert Enrolment.objects.get(uuid=uuid_).status == Status.STARTED
    assert_no_axe_violations(page)

    page.click(f"tr[data-enrolment='{uuid_}'] a[href='/inschrijvingen/{uuid_}/']")
    page.wait_for_url(f"**/inschrijvingen/{uuid_}/")
    assert_no_axe_violations(page)
    page.select_option("#percent", "100")
    page.click("button[data-step='complete']")
    page.wait_for_url(f"**/inschrijvingen/{uuid_}/")
    assert Enrolment.objects.get(uuid=uuid_).status == Status.COMPLETED
    assert_no_axe_violations(page)

    services.confirm_completion(uuid_, actor=marco.user, key=key())

    page.goto("/opleider/uitbetalingen/")
    assert "Lassen MIG/MAG" in page.locator("main table").inner_text()
    assert "800,00" in page.locator("main table").inner_text()
    assert_no_axe_violations(page)
    page.goto("/opleider/meldingen/")
    assert_no_axe_violations(page)

    # The learner's credential checks out on the public page.
    credential = Enrolment.objects.get(uuid=uuid_).credential
    page.goto("/bewijs-controleren/")
    assert_no_axe_violations(page)
    page.fill("#credential", json.dumps(credential))
    page.click("#check")
    assert page.locator("#verification.utrecht-alert--ok").is_visible()
    assert_no_axe_violations(page)


def test_the_price_monitor_and_the_flagged_enrolments_pass_axe(page, academy, marco):
    _joost, offering = academy
    services.request_enrolment(offering_uuid=offering.uuid, resident=marco, actor=marco.user, key=key())
    admin = UserFactory(username="beheer", first_name="Bram", last_name="Peters", role=Role.ADMINISTRATOR)
    suspend_provider(offering.module.provider, admin, reason="demo")
    log_in_as(page, "beheer")
    page.goto("/beheer/inschrijvingen/")
    assert "Marco Jansen" in page.locator("main table").inner_text()
    assert_no_axe_violations(page)
    page.goto("/beheer/prijsmonitor/")
    assert_no_axe_violations(page)


def test_the_price_monitor_passes_axe(page, transactional_db):
    UserFactory(username="pieter", first_name="Pieter", last_name="de Boer", role=Role.MINISTRY_ANALYST)
    provider = ProviderFactory()
    for price in (99_000, 99_500, 100_000):
        ModuleFactory(provider=provider, price_cents=price)
    log_in_as(page, "pieter")
    page.goto("/beheer/prijsmonitor/")
    assert provider.name in page.locator("main table").inner_text()
    assert_no_axe_violations(page)
