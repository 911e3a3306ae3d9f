"""The Leerrekening API: who may act, idempotency over HTTP, and the own-money payment step."""

import datetime

import pytest
from django.urls import reverse

from levenlang.core.roles import Role
from levenlang.employers.models import Employer, Employment, SectorFund
from levenlang.ledger.models import OwnPayment, Pot
from levenlang.ledger.reconcile import reconcile
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def books_balance(db):
    yield
    assert reconcile() == []


@pytest.fixture
def fund(db):
    return SectorFund.objects.create(name="A+O fonds Metalektro", sector="metal_electrical")


@pytest.fixture
def employer(db, fund):
    return Employer.objects.create(
        kvk_number="12345678",
        name="Hengelo Metaal",
        sector="metal_electrical",
        size="small",
        region=region(),
        sector_fund=fund,
    )


@pytest.fixture
def hr(employer):
    user = UserFactory(role=Role.EMPLOYER_STAFF)
    employer.staff.add(user)
    return user


@pytest.fixture
def employee(resident, employer):
    Employment.objects.create(
        resident=resident,
        employer=employer,
        job_title="Operator",
        hours_per_week=38,
        start_date=datetime.date(2015, 1, 1),
    )
    return resident


def deposit(client, resident, key="k1", amount=75_000, **extra):
    body = {"resident": str(resident.uuid), "amount_cents": amount, "categories": ["job_oriented"], **extra}
    return client.post(
        reverse("api-deposits"), body, content_type="application/json", headers={"Idempotency-Key": key} if key else {}
    )


def test_an_employer_deposits_for_its_employee_once_per_key(client, hr, employee):
    client.force_login(hr)
    first = deposit(client, employee)
    assert first.status_code == 201, first.json()
    assert deposit(client, employee).json() == first.json()
    conflict = deposit(client, employee, amount=80_000)
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    problem = conflict.json()
    assert (problem["code"], problem["status"], problem["type"]) == (
        "idempotency_conflict",
        409,
        "urn:levenlang:idempotency_conflict",
    )
    assert "different request" in problem["detail"] or "ander verzoek" in problem["detail"]
    pot = Pot.objects.get()
    assert (pot.kind, pot.posted_cents) == ("employer", 75_000)


def test_a_deposit_needs_an_idempotency_key(client, hr, employee):
    client.force_login(hr)
    assert deposit(client, employee, key=None).status_code == 400
    assert not Pot.objects.exists()


def test_an_employer_cannot_deposit_for_someone_who_does_not_work_there(client, hr, other_resident):
    client.force_login(hr)
    assert deposit(client, other_resident).status_code == 404
    assert not Pot.objects.exists()


def test_staff_of_another_employer_cannot_deposit(client, employee):
    other = Employer.objects.create(kvk_number="87654321", name="Ander", sector="ict", size="small", region=region())
    user = UserFactory(role=Role.EMPLOYER_STAFF)
    other.staff.add(user)
    client.force_login(user)
    assert deposit(client, employee).status_code == 404


@pytest.mark.parametrize(
    "role",
    [
        Role.RESIDENT,
        Role.PROVIDER_STAFF,
        Role.ADVISER,
        Role.MINISTRY_ANALYST,
        Role.PROGRAMME_MANAGER,
        Role.ADMINISTRATOR,
    ],
)
def test_other_roles_cannot_deposit(client, user_with_role, employee, role):
    client.force_login(user_with_role(role))
    assert deposit(client, employee).status_code == 403
    assert not Pot.objects.exists()


def test_a_sector_fund_deposits_for_an_employee_of_an_affiliated_employer(client, fund, employee):
    user = UserFactory(role=Role.SECTOR_FUND_STAFF)
    fund.staff.add(user)
    client.force_login(user)
    assert deposit(client, employee).status_code == 201
    assert Pot.objects.get().kind == "sector_fund"


def test_bad_input_gets_a_clear_error_and_changes_nothing(client, hr, employee):
    client.force_login(hr)
    for body in ({"amount_cents": 0}, {"amount_cents": 12.5}, {"categories": ["holiday"]}, {"categories": []}):
        response = deposit(client, employee, key=str(body), **body)
        assert response.status_code == 400, body
    past = deposit(client, employee, key="past", expires_on="2000-01-01")
    assert past.status_code == 400 and "2000-01-01" in past.json()["detail"]
    assert not Pot.objects.exists()


def test_the_resident_sees_their_pots_and_a_preview(client, hr, employee):
    client.force_login(hr)
    deposit(client, employee)
    client.force_login(employee.user)
    account = client.get(reverse("api-leerrekening")).json()
    assert account["available_cents"] == 75_000
    assert account["pots"][0]["categories"] == ["job_oriented"]
    preview = client.post(
        reverse("api-leerrekening-preview"),
        {"category": "job_oriented", "price_cents": 100_000},
        content_type="application/json",
    ).json()
    assert (preview["covered_cents"], preview["own_share_cents"]) == (75_000, 25_000)


@pytest.mark.parametrize("role", [r for r in Role if r != Role.RESIDENT])
def test_only_residents_have_a_leerrekening(client, user_with_role, role):
    client.force_login(user_with_role(role))
    assert client.get(reverse("api-leerrekening")).status_code == 403


def test_own_money_arrives_only_after_the_payment_is_confirmed(client, resident):
    client.force_login(resident.user)
    started = client.post(
        reverse("api-own-deposits"),
        {"amount_cents": 10_000},
        content_type="application/json",
        headers={"Idempotency-Key": "own-1"},
    )
    assert started.status_code == 201
    assert not Pot.objects.exists()  # nothing yet: not paid
    checkout = started.json()["checkout_url"]
    assert client.get(checkout).status_code == 200
    client.post(checkout, {"action": "pay"})
    pot = Pot.objects.get()
    assert (pot.kind, pot.posted_cents, pot.expires_on) == ("own", 10_000, None)
    assert OwnPayment.objects.get().status == "paid"
    assert client.post(checkout, {"action": "pay"}).status_code == 404  # settled: no second booking
    assert Pot.objects.get().posted_cents == 10_000


def test_a_cancelled_payment_books_nothing_and_others_cannot_pay_it(client, resident, other_resident):
    client.force_login(resident.user)
    checkout = client.post(
        reverse("api-own-deposits"),
        {"amount_cents": 10_000},
        content_type="application/json",
        headers={"Idempotency-Key": "own-2"},
    ).json()["checkout_url"]
    client.force_login(other_resident.user)
    assert client.post(checkout, {"action": "pay"}).status_code == 404
    client.force_login(resident.user)
    client.post(checkout, {"action": "cancel"})
    assert OwnPayment.objects.get().status == "cancelled"
    assert not Pot.objects.exists()
