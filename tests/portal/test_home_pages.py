"""Each role's home page is a task dashboard (portal/services.py): the cards come from real data, the action items
appear exactly when they should, other people's data never shows, and each page costs a few queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from levenlang.catalog.models import ProviderRecognition
from levenlang.core.roles import Role
from levenlang.enrolment.models import Status
from levenlang.ledger import services as ledger
from levenlang.ledger.models import Category, OwnPayment, PotKind, SystemAccount
from levenlang.portal.services import EXPIRING_WITHIN_DAYS
from levenlang.schemes import services as schemes
from tests.enrolment.conftest import NOW, key, put_money
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, ResidentFactory, UserFactory
from tests.roles import EMPLOYER_STAFF, OWNER, SECTOR_FUND_STAFF, people_around

pytestmark = pytest.mark.django_db

# The most queries a home page may take, session and user included. A dashboard reads aggregates and a few rows;
# a number that grows with the data would show here first.
MAX_QUERIES = {
    Role.RESIDENT: 14,
    Role.PROVIDER_STAFF: 8,
    Role.ADMINISTRATOR: 8,
    Role.EMPLOYER_STAFF: 8,
    Role.SECTOR_FUND_STAFF: 8,
    Role.ADVISER: 6,
    Role.MINISTRY_ANALYST: 8,
    Role.PROGRAMME_MANAGER: 6,
}


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.text


def card(html: str, heading_id: str) -> str:
    """The HTML of the card whose heading has this id."""
    start = html.index(f'id="{heading_id}"')
    return html[html.rindex("<section", 0, start) : html.index("</section>", start)]


def offering_of(module):
    """An offering that starts on the enrolment tests' fixed day, so that `walk` may declare its start."""
    return OfferingFactory(module=module, start_date=NOW.date(), end_date=NOW.date() + datetime.timedelta(days=30))


def someone() -> object:
    """Another resident, with money for a course."""
    resident = ResidentFactory()
    put_money(resident, 100_000)
    return resident


def tasks(html: str) -> list[str]:
    return re.findall(r'data-task="([a-z-]+)"', card(html, "tasks"))


def expiring_pot(resident, cents: int, days: int) -> None:
    source = ledger.system_account(SystemAccount.Kind.BUDGET, "Scholingsfonds test", scheme="test", year=2026)
    ledger.deposit(
        key=key(),
        resident_id=resident.pk,
        source=source,
        pot_kind=PotKind.RIGHTS,
        lot=f"lot-{days}",
        amount_cents=cents,
        categories=list(Category),
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        description="test",
    )


# --- resident ------------------------------------------------------------------------------------------------


def test_the_resident_sees_the_money_to_spend_large_which_is_the_balance_minus_what_is_reserved(client, learner, walk):
    walk(Status.RESERVED)  # € 500 of the € 1.000 is reserved
    html = home(client, learner.user)
    money = card(html, "money")
    assert '<span class="card__figure-value">€ 500,00</span>' in money
    assert "€ 500,00 is daarnaast gereserveerd" in money
    assert f'href="{reverse("ledger:mine")}"' in money
    assert f'href="{reverse("ledger:add-money")}"' in money


def test_nothing_needs_the_resident_s_action_while_others_have_the_next_step(client, learner, walk, provider):
    walk(Status.REQUESTED)
    lassen = ModuleFactory(provider=provider, title_nl="Lassen voor beginners")
    walk(Status.STARTED, offering_=offering_of(lassen))
    html = home(client, learner.user)
    assert tasks(html) == []
    assert "Er is nu niets dat je moet doen." in card(html, "tasks")
    assert "card--attention" not in card(html, "tasks")
    courses = card(html, "courses")
    assert "Lassen voor beginners" in courses and 'data-status="started"' in courses
    assert "De opleider beslist of er plaats voor je is." in courses


def test_a_completed_course_asks_the_resident_to_confirm_it_and_links_to_that_enrolment(client, learner, walk):
    enrolment = walk(Status.COMPLETED)
    html = home(client, learner.user)
    assert tasks(html) == ["confirm"]
    assert "card--attention" in card(html, "tasks")
    assert f'href="{reverse("enrolment:detail", args=[enrolment.uuid])}"' in card(html, "tasks")
    assert "Jij bent aan de beurt: bevestig dat de cursus is gegeven." in card(html, "courses")


def test_an_accepted_booking_asks_the_resident_to_confirm_it_on_the_reserve_step(client, learner, walk):
    enrolment = walk(Status.ACCEPTED)
    html = home(client, learner.user)
    assert tasks(html) == ["reserve"]
    assert f'href="{reverse("enrolment:reserve", args=[enrolment.uuid])}"' in card(html, "tasks")


def test_a_pot_that_expires_within_ninety_days_is_a_task_with_its_amount_and_date(client, learner):
    expiring_pot(learner, 12_345, days=30)
    expiring_pot(learner, 9_900, days=EXPIRING_WITHIN_DAYS + 60)  # later: not yet a task
    html = home(client, learner.user)
    assert tasks(html) == ["expiring"]
    date = timezone.localdate() + datetime.timedelta(days=30)
    assert f"€ 123,45 vervalt op {date.day} " in card(html, "tasks")
    assert "€ 99,00" not in card(html, "tasks")


def test_a_pot_whose_money_is_reserved_for_a_course_is_no_longer_a_task(client, learner, walk):
    expiring_pot(learner, 12_345, days=30)
    walk(Status.RESERVED)  # the waterfall takes the money that expires first
    assert tasks(home(client, learner.user)) == []


def test_an_own_share_still_to_pay_is_a_task_only_once_the_booking_is_confirmed(client, walk):
    poor = ResidentFactory()
    put_money(poor, 20_000)
    enrolment = walk(Status.ACCEPTED, resident=poor)
    assert "own-share" not in tasks(home(client, poor.user))
    walk(Status.RESERVED, resident=poor, offering_=offering_of(enrolment.module))
    html = home(client, poor.user)
    assert "own-share" in tasks(html)
    assert f"Je betaalt € 300,00 zelf aan {enrolment.provider.name}" in card(html, "tasks")


def test_a_resident_without_courses_is_told_what_to_do(client, learner):
    courses = card(home(client, learner.user), "courses")
    assert "Je hebt nog geen cursussen." in courses
    assert f'href="{reverse("catalog:search")}"' in courses


def test_the_schemes_card_names_the_schemes_the_navigator_finds_for_the_resident(client, learner):
    found = [r for r in schemes.navigate(learner) if r.eligible and r.scheme.applies_to != "employer"]
    html = card(home(client, learner.user), "schemes")
    for result in found[:3]:
        assert result.scheme.name("nl") in html
    if not found:
        assert "Er is nu geen regeling voor jou." in html


def test_the_resident_never_sees_another_person_s_courses_or_money(client, learner, walk, provider):
    other = ResidentFactory(given_name="Bert")
    put_money(other, 77_700)
    secret = ModuleFactory(provider=provider, title_nl="Geheim vak")
    walk(Status.COMPLETED, resident=other, offering_=offering_of(secret))
    html = home(client, learner.user)
    assert "Geheim vak" not in html and "Bert" not in html and "€ 777,00" not in html
    assert tasks(html) == []


# --- add money -----------------------------------------------------------------------------------------------


def test_add_money_from_the_leerrekening_opens_a_payment_for_the_amount_and_sends_the_person_to_pay(client, learner):
    client.force_login(learner.user)
    assert f'href="{reverse("ledger:add-money")}"' in client.get(reverse("ledger:mine")).text
    response = client.post(reverse("ledger:add-money"), {"amount": "25,50", "key": "k1"})
    payment = OwnPayment.objects.get()
    assert payment.amount_cents == 2550 and payment.status == OwnPayment.Status.OPEN
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:demo-checkout", kwargs={"uuid": payment.uuid})


def test_add_money_refuses_an_amount_that_is_not_one_and_moves_nothing(client, learner):
    client.force_login(learner.user)
    response = client.post(reverse("ledger:add-money"), {"amount": "twintig", "key": "k1"})
    assert response.status_code == 200
    assert "is geen getal" in response.text and 'aria-invalid="true"' in response.text
    assert not OwnPayment.objects.exists()


def test_without_a_payment_provider_there_is_no_add_money_button_and_no_page(client, learner, settings):
    settings.DEMO_MODE = False  # outside demo mode no payment provider is built yet
    assert reverse("ledger:add-money") not in home(client, learner.user)
    assert reverse("ledger:add-money") not in client.get(reverse("ledger:mine")).text
    assert client.get(reverse("ledger:add-money")).status_code == 404


def test_only_a_resident_can_add_money(client, user_with_role):
    client.force_login(user_with_role(Role.EMPLOYER_STAFF))
    assert client.get(reverse("ledger:add-money")).status_code == 403


# --- provider ------------------------------------------------------------------------------------------------


def test_the_provider_sees_the_enrolments_waiting_for_each_step_with_a_link_to_them(client, staff, walk):
    walk(Status.REQUESTED)
    walk(Status.REQUESTED, resident=someone())
    walk(Status.STARTED, resident=someone())
    other = ProviderFactory()  # another provider's request is not counted
    OfferingFactory(module=ModuleFactory(provider=other))
    html = card(home(client, staff), "waiting")
    counts = dict(re.findall(r'data-status="([a-z_]+)">.*?task-list__count">(\d+)<', html))
    assert counts == {"requested": "2", "reserved": "0", "started": "1"}
    assert f'href="{reverse("enrolment:provider-list")}?status=requested"' in html
    assert '<span class="card__figure-value">3</span>' in html


def test_the_provider_sees_its_recent_payouts(client, staff, walk):
    enrolment = walk(Status.PAID_OUT)
    html = card(home(client, staff), "payouts")
    assert enrolment.module.title in html and "€ 500,00" in html


def test_a_provider_with_nothing_waiting_is_told_so(client, staff, provider):
    html = card(home(client, staff), "waiting")
    assert "Er wacht nu geen inschrijving op jou." in html
    assert "card--attention" not in html


# --- administrator -------------------------------------------------------------------------------------------


def test_the_administrator_sees_the_reviews_waiting_with_counts_and_links(client, user_with_role, walk):
    ProviderFactory(status="pending")
    approved = ProviderFactory()
    ProviderRecognition.objects.create(
        provider=approved,
        kind=ProviderRecognition.Kind.CRKBO,
        reference="12345",
        status=ProviderRecognition.Status.SUBMITTED,
    )
    walk(Status.DISPUTED)
    html = home(client, user_with_role(Role.ADMINISTRATOR))
    assert '<span class="card__figure-value">2</span>' in card(html, "providers")
    assert f'href="{reverse("catalog:review-providers")}"' in card(html, "providers")
    assert '<span class="card__figure-value">1</span>' in card(html, "decisions")
    assert '<span class="card__figure-value">0</span>' in card(html, "prices")
    assert "card--attention" not in card(html, "prices")


# --- employer and sector fund --------------------------------------------------------------------------------


def test_the_employer_sees_its_own_deposits_as_totals_and_never_an_employee_s_balance(client):
    employee = ResidentFactory(given_name="Henk")
    people = people_around(employee)
    put_money(employee, 40_000)  # the learning rights: not the employer's
    ledger.deposit_for_employee(
        key=key(),
        user=people[EMPLOYER_STAFF],
        resident_uuid=employee.uuid,
        amount_cents=25_000,
        categories=[Category.JOB_ORIENTED],
    )
    ledger.deposit_for_employee(
        key=key(),
        user=people[SECTOR_FUND_STAFF],
        resident_uuid=employee.uuid,
        amount_cents=10_000,
        categories=[Category.JOB_ORIENTED],
    )
    html = home(client, people[EMPLOYER_STAFF])
    deposits = card(html, "deposits")
    assert '<span class="card__figure-value">€ 250,00</span>' in deposits and "1 storting dit jaar." in deposits
    assert "Henk" not in html and "€ 650,00" not in html and "€ 400,00" not in html
    assert "Wat komt er" in html
    fund = card(home(client, people[SECTOR_FUND_STAFF]), "deposits")
    assert '<span class="card__figure-value">€ 100,00</span>' in fund
    assert people[OWNER].first_name not in fund


# --- every role ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.EMPLOYER_STAFF, Role.SECTOR_FUND_STAFF, Role.ADVISER, Role.MINISTRY_ANALYST, Role.PROGRAMME_MANAGER]
)
def test_roles_whose_parts_are_coming_get_real_cards_and_say_what_is_coming(client, user_with_role, role):
    html = home(client, user_with_role(role))
    assert html.count('<section class="card') >= 2
    coming = card(html, "coming")
    assert coming.count("<li") >= 2


@pytest.mark.parametrize("role", list(MAX_QUERIES))
def test_a_home_page_takes_few_queries(client, django_assert_max_num_queries, role, walk, learner, staff):
    users = {Role.RESIDENT: learner.user, Role.PROVIDER_STAFF: staff}
    walk(Status.COMPLETED)
    walk(Status.REQUESTED, resident=someone())
    expiring_pot(learner, 5_000, days=10)
    user = users.get(role) or UserFactory(role=role)
    client.force_login(user)
    with django_assert_max_num_queries(MAX_QUERIES[role]):
        assert client.get(reverse("portal:home")).status_code == 200


def test_the_adviser_sees_the_region_in_figures_without_a_small_group(client, user_with_role):
    twente = ResidentFactory().region
    adviser = user_with_role(Role.ADVISER, region=twente)
    html = card(home(client, adviser), "region")
    assert "card__figure-value" not in html  # one resident: not shown …
    assert "Er staan nog minder dan 10 inwoners van je regio op Levenlang." in html  # … and said so
    ResidentFactory.create_batch(11, region=twente)
    assert '<span class="card__figure-value">12</span>' in card(home(client, adviser), "region")


def test_the_technohub_shows_its_own_region_in_figures_and_without_a_region_every_region(client, user_with_role):
    twente = ResidentFactory().region
    html = home(client, user_with_role(Role.PROGRAMME_MANAGER, region=twente))
    assert "Twente in cijfers" in card(html, "figures") and "<table" not in html
    html = home(client, user_with_role(Role.PROGRAMME_MANAGER))
    assert 'id="figures"' not in html and "<table" in html
