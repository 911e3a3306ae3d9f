"""The catalogue's rules in catalog.services: who may publish, recognitions, suspension, bookability."""

import datetime

import pytest
from django.db import connection
from django.db.utils import IntegrityError

from levenlang.catalog import services
from levenlang.catalog.models import Module, Offering, Provider, ProviderRecognition
from levenlang.catalog.signals import provider_suspended
from levenlang.core.roles import Role
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, UserFactory


@pytest.fixture
def admin(db):
    return UserFactory(role=Role.ADMINISTRATOR)


def test_only_an_approved_provider_with_a_valid_recognition_publishes(provider, db):
    module = ModuleFactory(provider=provider, status=Module.Status.DRAFT)
    OfferingFactory(module=module)
    services.publish_module(module)
    assert module.status == Module.Status.PUBLISHED and module.published_at is not None

    pending = ProviderFactory(status=Provider.Status.PENDING)
    draft = ModuleFactory(provider=pending, status=Module.Status.DRAFT)
    OfferingFactory(module=draft)
    with pytest.raises(services.CatalogError, match="waiting for review"):
        services.publish_module(draft)

    without = ProviderFactory()  # approved, but no recognition (or only an expired one)
    ProviderRecognition.objects.create(
        provider=without,
        kind="nrto",
        reference="old",
        status="approved",
        valid_until=datetime.date.today() - datetime.timedelta(days=1),
    )
    draft = ModuleFactory(provider=without, status=Module.Status.DRAFT)
    OfferingFactory(module=draft)
    with pytest.raises(services.CatalogError, match="no valid quality recognition"):
        services.publish_module(draft)
    assert Module.objects.get(pk=draft.pk).status == Module.Status.DRAFT


def test_a_module_without_offerings_is_not_published(provider):
    module = ModuleFactory(provider=provider, status=Module.Status.DRAFT)
    with pytest.raises(services.CatalogError, match="at least one offering"):
        services.publish_module(module)


def test_approving_a_recognition_approves_a_waiting_provider_and_rejecting_needs_a_note(admin):
    provider = services.register_provider(
        kvk_number="12121212", name="Leerhuis", kind="private", region=ProviderFactory().region
    )
    staff = provider.staff.get()
    assert staff.role == Role.PROVIDER_STAFF and provider.status == Provider.Status.PENDING
    first = services.submit_recognition(provider, kind="crkbo", reference="C-1", valid_until=None, actor=staff)
    with pytest.raises(services.CatalogError, match="already sent"):
        services.submit_recognition(provider, kind="crkbo", reference="C-2", valid_until=None, actor=staff)
    with pytest.raises(services.CatalogError, match="Say why"):
        services.review_recognition(first, approve=False, actor=admin)
    services.review_recognition(first, approve=True, actor=admin)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.APPROVED and services.can_publish(provider)
    with pytest.raises(services.CatalogError, match="already been reviewed"):
        services.review_recognition(first, approve=False, actor=admin, note="te laat")
    with pytest.raises(services.CatalogError, match="already registered"):
        services.register_provider(kvk_number="12121212", name="Kopie", kind="private", region=provider.region)


def test_suspension_sends_the_signal_in_its_transaction_and_a_failing_receiver_undoes_it(provider, admin):
    heard = []

    def receiver(sender, provider, actor, reason, **kwargs):
        heard.append((provider.pk, actor.pk, reason, Provider.objects.get(pk=provider.pk).status))

    provider_suspended.connect(receiver)
    try:
        services.suspend_provider(provider, admin, reason="Nepcursussen")
    finally:
        provider_suspended.disconnect(receiver)
    assert heard == [(provider.pk, admin.pk, "Nepcursussen", "suspended")]
    provider.refresh_from_db()
    assert provider.suspended_at is not None and not services.can_publish(provider)
    services.reinstate_provider(provider, admin)
    provider.refresh_from_db()
    assert provider.status == Provider.Status.APPROVED and provider.suspension_reason == ""

    def failing(**kwargs):
        raise RuntimeError("enrolments could not be flagged")

    provider_suspended.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            services.suspend_provider(provider, admin, reason="x")
    finally:
        provider_suspended.disconnect(failing)
    assert Provider.objects.get(pk=provider.pk).status == Provider.Status.APPROVED


def test_bookable_problem_names_each_reason(provider):
    today = datetime.date(2027, 1, 10)
    offering = OfferingFactory(module=ModuleFactory(provider=provider), start_date=datetime.date(2027, 2, 1))
    assert services.bookable_problem(offering, today=today) is None
    self_paced = OfferingFactory(module=offering.module, start_date=None)
    assert services.bookable_problem(self_paced, today=today) is None
    assert "already started" in services.bookable_problem(offering, today=datetime.date(2027, 2, 2))
    offering.enrol_until = datetime.date(2027, 1, 5)
    assert "closed" in services.bookable_problem(offering, today=today)
    offering.enrol_until = None
    offering.state = Offering.State.CANCELLED
    assert "not open" in services.bookable_problem(offering, today=today)
    offering.state = Offering.State.ACTIVE
    offering.module.status = Module.Status.DRAFT
    assert "not published" in services.bookable_problem(offering, today=today)
    offering.module.status = Module.Status.PUBLISHED
    offering.module.provider.status = Provider.Status.SUSPENDED
    assert "does not take new enrolments" in services.bookable_problem(offering, today=today)


def test_the_database_refuses_a_module_without_a_title_or_with_two_categories(provider):
    with pytest.raises(IntegrityError):
        ModuleFactory(provider=provider, title_nl="", title_en="")
    connection.needs_rollback = False


@pytest.mark.parametrize("category", [0, 3, 32])
def test_the_database_refuses_a_category_that_is_not_exactly_one(provider, category):
    from django.db import transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ModuleFactory(provider=provider, category=category)


def test_the_search_document_is_generated_from_both_languages(provider):
    module = ModuleFactory(provider=provider, title_nl="Timmeren", title_en="Carpentry", skills=["zagen"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_document::text FROM catalog_module WHERE id = %s", [module.pk])
        (lexemes,) = cursor.fetchone()
    assert "'timmer'" in lexemes and "'carpentri'" in lexemes and "'zag'" in lexemes
