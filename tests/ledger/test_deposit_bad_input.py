"""Deposit amounts are ASCII-digit integers from 0 to 2^63 - 1: anything else is a 400 in problem details, never a
500 from the database (a bigint cannot hold 2^63) and never "١٢٣" read as 123."""

import pytest
from django.urls import reverse

from levenlang.ledger.models import OwnPayment, Pot
from tests.ledger.test_api import deposit, employee, employer, fund, hr  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

BAD_AMOUNTS = [2**63, str(2**63), 10**30, "\u0661\u0662\u0663", "¹⁸", "12.5", "1e3", True, -5]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_an_employer_deposit_of_an_impossible_amount_is_a_400(client, hr, employee, amount):  # noqa: F811
    client.force_login(hr)
    response = deposit(client, employee, amount=amount)
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert response.json()["invalid_params"][0]["name"] == "amount_cents"
    assert not Pot.objects.exists()


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_an_own_deposit_of_an_impossible_amount_is_a_400(client, resident, amount):
    client.force_login(resident.user)
    response = client.post(
        reverse("api-own-deposits"),
        {"amount_cents": amount},
        content_type="application/json",
        headers={"Idempotency-Key": "own-bad"},
    )
    assert (response.status_code, response["Content-Type"]) == (400, "application/problem+json")
    assert not OwnPayment.objects.exists()
