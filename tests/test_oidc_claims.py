"""Production login: how the claims of the identity provider become users (the provider itself is outside)."""

import pytest

from levenlang.accounts.services import user_for_claims
from levenlang.catalog.models import Provider
from levenlang.core.roles import Role
from tests.factories import ResidentFactory, region

pytestmark = pytest.mark.django_db


def test_a_bsn_claim_logs_in_that_resident():
    resident = ResidentFactory(user=None)
    user = user_for_claims({"bsn": resident.bsn, "roles": ["administrator"]})
    assert user.role == Role.RESIDENT  # a role claim never lifts a DigiD login
    resident.refresh_from_db()
    assert resident.user == user


def test_an_unknown_or_invalid_bsn_logs_in_nobody():
    assert user_for_claims({"bsn": "999999990"}) is None
    assert user_for_claims({"bsn": "123456789"}) is None


def test_a_kvk_claim_logs_in_staff_of_that_organisation():
    provider = Provider.objects.create(kvk_number="11223344", name="ROC", kind="public", region=region())
    user = user_for_claims({"kvk": "11223344"})
    assert user.role == Role.PROVIDER_STAFF and provider.staff.filter(pk=user.pk).exists()


def test_staff_need_an_email_and_exactly_one_staff_role():
    adviser = user_for_claims({"email": "Lisa@Example.org", "roles": ["adviser"]})
    assert (adviser.role, adviser.email, adviser.is_staff) == (Role.ADVISER, "lisa@example.org", False)
    assert user_for_claims({"email": "x@example.org", "roles": ["resident"]}) is None
    assert user_for_claims({"email": "x@example.org", "roles": ["adviser", "administrator"]}) is None
    assert user_for_claims({"roles": ["adviser"]}) is None
    admin = user_for_claims({"email": "beheer@example.org", "roles": ["administrator"]})
    assert admin.is_staff
