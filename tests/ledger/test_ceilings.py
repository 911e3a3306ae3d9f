"""Every amount has a ceiling (docs/ledger.md, "Ceilings on deposits"), and a retry is a retry whenever it comes.

The ceilings on deposits are rows of `AmountCap` (defaults from migration 0005); the database keeps every amount
within ±MAX_CENTS (2^53 - 1) even when the services are bypassed."""

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from levenlang.core.money import MAX_CENTS
from levenlang.core.roles import Role
from levenlang.employers.models import Employer, Employment
from levenlang.ledger import services
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.errors import CapExceeded, InvalidAmount
from levenlang.ledger.models import AmountCap, Category, Journal, OwnPayment, Pot, PotKind, Reservation
from levenlang.ledger.reconcile import reconcile
from tests.factories import UserFactory, region

pytestmark = pytest.mark.django_db

ALL = list(Category)
BIGGEST_BIGINT = 2**63 - 1


@pytest.fixture(autouse=True)
def books_balance_after_each_test(db):
    with translation.override("en"):  # the messages below are matched in English (the API test asks for both)
        yield
    assert reconcile() == []


@pytest.fixture
def employer(db):
    return Employer.objects.create(
        kvk_number="12345678", name="Hengelo Metaal", sector="metal_electrical", size="small", region=region()
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


def api_deposit(client, resident, cents, key="k1"):
    return client.post(
        reverse("api-deposits"),
        {"resident": str(resident.uuid), "amount_cents": cents, "categories": ["job_oriented"]},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def api_own_deposit(client, cents, key="own-1"):
    return client.post(
        reverse("api-own-deposits"),
        {"amount_cents": cents},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def put(resident, source, cents, *, kind, lot="2026", clock=None, key=None):
    return services.deposit(
        key=key or f"dep-{resident.pk}-{source.pk}-{kind}-{lot}-{cents}",
        resident_id=resident.pk,
        source=source,
        pot_kind=kind,
        lot=lot,
        amount_cents=cents,
        categories=ALL,
        expires_on=None,
        description="test",
        **({"clock": clock} if clock else {}),
    )


def money_rows() -> tuple[int, int, int]:
    return Journal.objects.count(), Pot.objects.count(), OwnPayment.objects.count()


# --- the API: absurd amounts are refused, not booked and not a 500 ------------------------------------------


@pytest.mark.parametrize("cents", [BIGGEST_BIGINT, 2**63, 2**53, MAX_CENTS])
def test_an_employer_cannot_deposit_an_absurd_amount(client, hr, employee, cents):
    client.force_login(hr)
    response = api_deposit(client, employee, cents)
    assert response.status_code in (400, 422), response.content
    assert money_rows() == (0, 0, 0)


@pytest.mark.parametrize("cents", [BIGGEST_BIGINT, 2**63, 2**53, MAX_CENTS])
def test_a_resident_cannot_start_an_absurd_own_deposit(client, resident, cents):
    client.force_login(resident.user)
    response = api_own_deposit(client, cents)
    assert response.status_code in (400, 422), response.content
    assert money_rows() == (0, 0, 0)


def test_an_employer_deposit_above_the_ceiling_says_so_in_euros_in_both_languages(client, hr, employee):
    client.force_login(hr)
    response = api_deposit(client, employee, 250_001)
    assert response.status_code == 422
    problem = response.json()
    assert (problem["code"], problem["status"]) == ("cap_exceeded", 422)
    assert (
        problem["detail"] == "Eén storting van deze soort mag hoogstens € 2.500,00 zijn. Deze storting is € 2.500,01."
    )
    with pytest.raises(CapExceeded) as refused:
        services.deposit_for_employee(
            key="k2", user=hr, resident_uuid=employee.uuid, amount_cents=250_001, categories=[Category.JOB_ORIENTED]
        )
    with translation.override("en"):
        assert str(refused.value) == "One deposit of this kind can be at most € 2.500,00. This one is € 2.500,01."
    assert money_rows() == (0, 0, 0)
    assert api_deposit(client, employee, 250_000, key="k3").status_code == 201


def test_an_own_deposit_above_the_ceiling_is_refused_before_the_person_pays(client, resident):
    client.force_login(resident.user)
    response = api_own_deposit(client, 250_001)
    assert (response.status_code, response.json()["code"]) == (422, "cap_exceeded")
    assert money_rows() == (0, 0, 0)
    assert api_own_deposit(client, 250_000, key="own-2").status_code == 201


# --- the ceilings in the service ----------------------------------------------------------------------------


def test_the_default_ceilings_are_rows_with_their_reasons():
    caps = {(c.rule, c.pot_kind): c for c in AmountCap.objects.all()}
    assert {key: cap.max_cents for key, cap in caps.items()} == {
        ("per_deposit", "employer"): 250_000,
        ("per_deposit", "sector_fund"): 250_000,
        ("per_deposit", "region"): 250_000,
        ("per_deposit", "own"): 250_000,
        ("per_source_per_year", "employer"): 250_000,
        ("per_source_per_year", "sector_fund"): 250_000,
        ("account_total", ""): 1_800_000,
    }
    assert all(len(cap.reason) > 40 for cap in caps.values())


def test_one_employer_deposits_at_most_the_yearly_ceiling_per_employee_per_calendar_year(resident, employer_account):
    clock = FixedClock(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC))
    put(resident, employer_account, 200_000, kind=PotKind.EMPLOYER, lot="a", clock=clock)
    before = money_rows()
    with pytest.raises(CapExceeded, match=re.escape("Deposit at most € 500,00 this year")) as refused:
        put(resident, employer_account, 50_001, kind=PotKind.EMPLOYER, lot="b", clock=clock)
    assert refused.value.status == 422
    assert money_rows() == before
    put(resident, employer_account, 50_000, kind=PotKind.EMPLOYER, lot="b", clock=clock)
    clock.advance(datetime.timedelta(days=306))  # 2 January 2027: a new calendar year
    put(resident, employer_account, 250_000, kind=PotKind.EMPLOYER, lot="c", clock=clock)
    assert Pot.objects.filter(kind=PotKind.EMPLOYER).count() == 3


def test_the_yearly_ceiling_is_per_employer(resident, employer_account):
    other = services.system_account(services.SystemAccount.Kind.EMPLOYER, "Tweede werkgever", scheme="tweede")
    put(resident, employer_account, 250_000, kind=PotKind.EMPLOYER)
    put(resident, other, 250_000, kind=PotKind.EMPLOYER)
    assert Pot.objects.count() == 2


def test_no_deposit_brings_the_account_above_its_total_ceiling(resident, budget, employer_account):
    put(resident, budget, 1_700_000, kind=PotKind.RIGHTS)
    with pytest.raises(CapExceeded, match=re.escape("above the ceiling of € 18.000,00. Deposit at most € 1.000,00")):
        put(resident, employer_account, 100_001, kind=PotKind.EMPLOYER)
    put(resident, employer_account, 100_000, kind=PotKind.EMPLOYER)
    assert sum(Pot.objects.values_list("posted_cents", flat=True)) == 1_800_000


def test_a_ceiling_changes_with_its_row(resident, employer_account):
    AmountCap.objects.filter(rule="per_deposit", pot_kind="employer").update(max_cents=10_000)
    with pytest.raises(CapExceeded, match=re.escape("€ 100,00")):
        put(resident, employer_account, 10_001, kind=PotKind.EMPLOYER)
    AmountCap.objects.filter(pot_kind="employer").delete()
    put(resident, employer_account, 300_000, kind=PotKind.EMPLOYER)


def test_own_money_that_was_paid_is_booked_even_when_the_account_filled_up_meanwhile(resident, budget):
    provider = services.DemoPaymentProvider()
    payment = services.start_own_deposit(key="own", resident_id=resident.pk, amount_cents=200_000, provider=provider)
    put(resident, budget, 1_700_000, kind=PotKind.RIGHTS)  # the account total is reached before the payment lands
    services.settle_own_payment(
        payment_uuid=payment["payment"], paid=True, reference=f"demo-{payment['payment']}", provider=provider
    )
    assert Pot.objects.get(kind=PotKind.OWN).posted_cents == 200_000


@pytest.mark.parametrize("cents", [MAX_CENTS + 1, BIGGEST_BIGINT, 2**63])
def test_no_service_takes_an_amount_above_max_cents(resident, budget, payee, cents):
    with pytest.raises(InvalidAmount, match="at most"):
        put(resident, budget, cents, kind=PotKind.RIGHTS)
    with pytest.raises(InvalidAmount, match="at most"):
        services.reserve(
            key="r",
            resident_id=resident.pk,
            category=Category.STUDY,
            price_cents=cents,
            payee=payee,
            expires_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert money_rows() == (0, 0, 0)


def test_the_allocation_list_refuses_a_row_above_what_an_account_may_hold(resident, tmp_path):
    csv = tmp_path / "rows.csv"
    csv.write_text(f"resident,pot_kind,amount_cents,scheme,year\n{resident.uuid},rights,1800001,leerrechten,2026\n")
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command("allocate", file=csv, run_key="too-much", stderr=(report := io.StringIO()))
    assert "amount_cents must be at most 1800000" in report.getvalue()
    csv.write_text(f"resident,pot_kind,amount_cents,scheme,year\n{resident.uuid},rights,²,leerrechten,2026\n")
    with pytest.raises(CommandError, match="1 bad rows"):
        call_command("allocate", file=csv, run_key="superscript", stderr=(report := io.StringIO()))
    assert "whole number of cents" in report.getvalue()
    assert money_rows() == (0, 0, 0)


# --- the database keeps every amount within ±MAX_CENTS, also for raw SQL ------------------------------------


def refused(statements: list[tuple[str, list]], constraint: str) -> None:
    with pytest.raises(DatabaseError, match=constraint), transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


NEW_JOURNAL = (
    "INSERT INTO ledger_journal (uuid, kind, description, effective_date, created_at) "
    "VALUES (gen_random_uuid(), 'deposit', 'raw', '2026-03-01', now())",
    [],
)
LEG = (
    "INSERT INTO ledger_leg (pot_id, system_account_id, amount_cents, journal_id) "
    "VALUES (%s, %s, %s, currval('ledger_journal_id_seq'))"
)


def test_the_database_refuses_a_leg_above_max_cents(resident, budget):
    pot = Pot.objects.get(uuid=put(resident, budget, 10_000, kind=PotKind.RIGHTS)["pot"])
    huge = MAX_CENTS + 1
    refused([NEW_JOURNAL, (LEG, [pot.pk, None, huge]), (LEG, [None, budget.pk, -huge])], "leg_within_max")


def test_the_database_refuses_a_pot_balance_above_max_cents(resident, budget):
    pot = Pot.objects.get(uuid=put(resident, budget, 10_000, kind=PotKind.RIGHTS)["pot"])
    refused(
        [NEW_JOURNAL, (LEG, [pot.pk, None, MAX_CENTS]), (LEG, [None, budget.pk, -MAX_CENTS])], "pot_posted_within_max"
    )
    assert Pot.objects.get(pk=pot.pk).posted_cents == 10_000


def test_the_database_refuses_a_reservation_or_payment_or_ceiling_above_max_cents(resident, budget, payee):
    put(resident, budget, 10_000, kind=PotKind.RIGHTS)
    huge = MAX_CENTS + 1
    reservation = (
        "INSERT INTO ledger_reservation (uuid, leerrekening_id, payee_id, category, price_cents, reserved_cents, "
        "status, reference, expires_at, created_at) "
        "VALUES (gen_random_uuid(), %s, %s, 1, %s, 100, 'pending', '', now() + interval '1 day', now())",
        [resident.pk, payee.pk, huge],
    )
    refused([reservation], "reservation_price_within_max")
    payment = (
        "INSERT INTO ledger_ownpayment (uuid, leerrekening_id, amount_cents, status, provider, provider_reference, "
        "created_at) VALUES (gen_random_uuid(), %s, %s, 'open', 'demo', '', now())",
        [resident.pk, huge],
    )
    refused([payment], "own_payment_within_max")
    refused([("UPDATE ledger_amountcap SET max_cents = %s", [huge])], "amount_cap_within_max")
    refused([("INSERT INTO ledger_cap (pot_kind, max_cents) VALUES ('own', %s)", [huge])], "cap_within_max")
    assert Reservation.objects.count() == OwnPayment.objects.count() == 0


# --- a retry is a retry, whenever it comes --------------------------------------------------------------------


def test_the_same_deposit_retried_the_next_day_gets_the_first_answer(client, hr, employee, monkeypatch):
    client.force_login(hr)
    first = api_deposit(client, employee, 75_000, key="retry")
    assert first.status_code == 201
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    again = api_deposit(client, employee, 75_000, key="retry")
    assert (again.status_code, again.json()) == (201, first.json())
    assert Pot.objects.get().posted_cents == 75_000


def test_two_keys_that_end_alike_are_two_deposits(client, hr, employee):
    client.force_login(hr)
    tail = "x" * 40
    assert api_deposit(client, employee, 1_000, key=f"a-{tail}").status_code == 201
    assert api_deposit(client, employee, 2_000, key=f"b-{tail}").status_code == 201
    assert sorted(Pot.objects.values_list("posted_cents", flat=True)) == [1_000, 2_000]


def test_a_retry_after_the_employment_ended_still_gets_the_first_answer(client, hr, employee, monkeypatch):
    client.force_login(hr)
    first = api_deposit(client, employee, 75_000, key="late")
    assert first.status_code == 201
    Employment.objects.filter(resident=employee).update(end_date=timezone.localdate())
    next_week = timezone.now() + datetime.timedelta(days=7)
    monkeypatch.setattr(timezone, "now", lambda: next_week)
    again = api_deposit(client, employee, 75_000, key="late")
    assert (again.status_code, again.json()) == (201, first.json())
    assert api_deposit(client, employee, 75_000, key="new").status_code == 404  # a new deposit is refused
    assert Pot.objects.get().posted_cents == 75_000
