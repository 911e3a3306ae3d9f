"""Who may take which step of an enrolment (docs/enrolment.md, docs/security.md), as one table, tried for every
role through the service, the API and the pages.

Only the learner books, reserves, confirms and disputes (confirming pays the provider, so a provider who could
confirm could pay itself); only the provider of the module accepts, refuses and declares start and completion;
an administrator may confirm on the learner's behalf and decide on a disputed or started enrolment. Someone who
may not see the enrolment gets "not found" (a refusal reveals nothing); someone who sees it but may not take the
step gets "not permitted". A refused step changes nothing: no status, no event, no money."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from levenlang.core.errors import DomainError
from levenlang.enrolment import services
from levenlang.enrolment.errors import IllegalTransition, NotPermitted
from levenlang.enrolment.models import Enrolment, EnrolmentEvent, Status
from levenlang.enrolment.views import STRONG_LOGIN_SESSION_KEY
from levenlang.ledger.clock import FixedClock
from levenlang.ledger.errors import NotFound
from levenlang.ledger.models import Leg, Reservation
from tests import roles
from tests.enrolment.conftest import books_are_right, put_money
from tests.factories import ModuleFactory, OfferingFactory, ResidentFactory

pytestmark = pytest.mark.django_db

# Who sees an enrolment at all: the others get "not found".
SEES = {roles.OWNER, roles.PROVIDER_STAFF, roles.ADMINISTRATOR}

# step: (the status it is taken from, the status it leads to, who may take it)
STEPS = {
    "accept": (Status.REQUESTED, Status.ACCEPTED, {roles.PROVIDER_STAFF}),
    "refuse": (Status.REQUESTED, Status.REFUSED, {roles.PROVIDER_STAFF}),
    "reserve": (Status.ACCEPTED, Status.RESERVED, {roles.OWNER}),
    "start": (Status.RESERVED, Status.STARTED, {roles.PROVIDER_STAFF}),
    "complete": (Status.STARTED, Status.COMPLETED, {roles.PROVIDER_STAFF}),
    "confirm": (Status.COMPLETED, Status.PAID_OUT, {roles.OWNER, roles.ADMINISTRATOR}),
    "dispute": (Status.COMPLETED, Status.DISPUTED, {roles.OWNER}),
    "cancel": (Status.RESERVED, Status.CANCELLED, {roles.OWNER, roles.PROVIDER_STAFF, roles.ADMINISTRATOR}),
    "cancel requested": (Status.REQUESTED, Status.CANCELLED, {roles.OWNER, roles.PROVIDER_STAFF, roles.ADMINISTRATOR}),
    # An administrator's decisions on a support case.
    "cancel started": (Status.STARTED, Status.CANCELLED, {roles.ADMINISTRATOR}),
    "confirm disputed": (Status.DISPUTED, Status.PAID_OUT, {roles.ADMINISTRATOR}),
    "cancel disputed": (Status.DISPUTED, Status.CANCELLED, {roles.ADMINISTRATOR}),
}
# Who may take the step at all (from some status): the others among those who see the enrolment are "not
# permitted"; these are told "not possible now" (409) when the status is wrong for them.
TAKES = {
    "accept": {roles.PROVIDER_STAFF},
    "refuse": {roles.PROVIDER_STAFF},
    "reserve": {roles.OWNER},
    "start": {roles.PROVIDER_STAFF},
    "complete": {roles.PROVIDER_STAFF},
    "confirm": {roles.OWNER, roles.ADMINISTRATOR},
    "dispute": {roles.OWNER},
    "cancel": {roles.OWNER, roles.PROVIDER_STAFF, roles.ADMINISTRATOR},
}
IDS = [name.replace(" ", "-") for name in STEPS]


def refusal(name: str, role: str) -> type[Exception]:
    if role not in SEES:
        return NotFound
    return IllegalTransition if role in TAKES[name.split()[0]] else NotPermitted


@pytest.fixture
def clock():
    """Now: the pages and the API run on the system clock, so the service calls here do too."""
    return FixedClock(timezone.now())


@pytest.fixture
def offering(provider):
    """Starts today, so that it can be booked and its start declared today."""
    module = ModuleFactory(provider=provider, price_cents=50_000)
    return OfferingFactory(module=module, start_date=timezone.localdate())


@pytest.fixture
def learner(db):
    """Money for a booking by every role that may take a step, each on an enrolment of its own."""
    resident = ResidentFactory()
    put_money(resident, 500_000)
    return resident


@pytest.fixture
def people(learner, provider):
    return roles.people_around(learner, provider)


def another(offering):
    """A second run of the same module: the learner may have one open enrolment per offering."""
    return OfferingFactory(module=offering.module, start_date=offering.start_date)


def snapshot(enrolment) -> tuple:
    enrolment.refresh_from_db()
    reservation = Reservation.objects.filter(pk=enrolment.reservation_id).values_list("status", flat=True).first()
    events = EnrolmentEvent.objects.filter(enrolment=enrolment).count()
    return enrolment.status, events, reservation, Leg.objects.count()


def service_call(name: str, enrolment, user, clock):
    step = name.split()[0]
    args = {"actor": user, "key": f"test-{uuid.uuid4()}"}
    calls = {
        "accept": lambda: services.accept(enrolment.uuid, **args),
        "refuse": lambda: services.refuse(enrolment.uuid, **args),
        "reserve": lambda: services.reserve(enrolment.uuid, strong_login_at=clock.now(), clock=clock, **args),
        "start": lambda: services.declare_start(enrolment.uuid, clock=clock, **args),
        "complete": lambda: services.declare_completion(enrolment.uuid, percent=100, **args),
        "confirm": lambda: services.confirm_completion(enrolment.uuid, clock=clock, **args),
        "dispute": lambda: services.dispute_completion(enrolment.uuid, **args),
        "cancel": lambda: services.cancel(enrolment.uuid, **args),
    }
    return calls[step]()


def strong_login(client) -> None:
    session = client.session
    session[STRONG_LOGIN_SESSION_KEY] = timezone.now().isoformat()
    session.save()


def refused_and_allowed(name: str) -> tuple[list[str], list[str]]:
    allowed = STEPS[name][2]
    return [r for r in roles.EVERYONE if r not in allowed], [r for r in roles.EVERYONE if r in allowed]


# One enrolment serves every role that is refused (a refusal changes nothing, which is checked after each); each
# role that may take the step gets a fresh one.


@pytest.mark.parametrize("name", STEPS, ids=IDS)
def test_the_service_lets_only_the_right_roles_take_each_step(walk, offering, people, clock, name):
    source, target, _allowed = STEPS[name]
    refused, allowed = refused_and_allowed(name)
    enrolment = walk(source)
    before = snapshot(enrolment)
    for role in refused:
        with pytest.raises(DomainError) as raised:
            service_call(name, enrolment, people[role], clock)
        assert type(raised.value) is refusal(name, role), role
        assert snapshot(enrolment) == before, role
    for role in allowed:
        enrolment = walk(source, offering_=another(offering))
        assert service_call(name, enrolment, people[role], clock)["status"] == target, role
        assert snapshot(enrolment)[0] == target, role
    books_are_right()


STATUS_CODES = {NotFound: 404, NotPermitted: 403, IllegalTransition: 409}


@pytest.mark.parametrize("name", STEPS, ids=IDS)
def test_the_api_lets_only_the_right_roles_take_each_step(client, walk, offering, people, name):
    source, target, _allowed = STEPS[name]
    refused, allowed = refused_and_allowed(name)
    url = f"api-enrolment-{name.split()[0]}"

    def post(enrolment, role):
        client.force_login(people[role])
        strong_login(client)
        return client.post(
            reverse(url, args=[enrolment.uuid]),
            {},
            content_type="application/json",
            headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
        )

    enrolment = walk(source)
    before = snapshot(enrolment)
    for role in refused:
        assert post(enrolment, role).status_code == STATUS_CODES[refusal(name, role)], role
        assert snapshot(enrolment) == before, role
    for role in allowed:
        enrolment = walk(source, offering_=another(offering))
        response = post(enrolment, role)
        assert response.status_code == 200, (role, response.content)
        assert response.json()["status"] == target, role
        assert snapshot(enrolment)[0] == target, role


@pytest.mark.parametrize("name", STEPS, ids=IDS)
def test_the_pages_let_only_the_right_roles_take_each_step(client, walk, offering, people, name):
    source, target, _allowed = STEPS[name]
    refused, allowed = refused_and_allowed(name)
    step = name.split()[0]

    def post(enrolment, role):
        client.force_login(people[role])
        strong_login(client)
        if step == "reserve":
            return client.post(
                reverse("enrolment:reserve", args=[enrolment.uuid]),
                {"key": f"page-{uuid.uuid4()}", "expected_own_share_cents": "0", "own_share_agreed": "yes"},
            )
        return client.post(
            reverse("enrolment:step", args=[enrolment.uuid]), {"step": step, "key": f"page-{uuid.uuid4()}"}
        )

    enrolment = walk(source)
    before = snapshot(enrolment)
    for role in refused:
        # Not found for those who may not see it; the others get the page back with a message why not.
        assert post(enrolment, role).status_code == (302 if role in SEES else 404), role
        assert snapshot(enrolment) == before, role
    for role in allowed:
        enrolment = walk(source, offering_=another(offering))
        assert post(enrolment, role).status_code == 302, role
        assert snapshot(enrolment)[0] == target, role


@pytest.mark.parametrize("role", roles.EVERYONE)
def test_only_the_resident_books_for_themself_through_the_service(offering, learner, people, clock, role):
    if role == roles.OWNER:
        result = services.request_enrolment(
            offering_uuid=offering.uuid, resident=learner, actor=people[role], key="book", clock=clock
        )
        assert result["status"] == Status.REQUESTED
    else:
        with pytest.raises(NotPermitted):
            services.request_enrolment(
                offering_uuid=offering.uuid, resident=learner, actor=people[role], key="book", clock=clock
            )
        assert not Enrolment.objects.exists()


@pytest.mark.parametrize("role", roles.EVERYONE)
def test_only_residents_book_through_the_api_and_the_pages(client, offering, people, role):
    client.force_login(people[role])
    residents = {roles.OWNER, roles.OTHER_RESIDENT}
    api = client.post(
        reverse("api-enrolments"),
        {"offering": str(offering.uuid)},
        content_type="application/json",
        headers={"Idempotency-Key": "book"},
    )
    page = client.post(reverse("enrolment:book", args=[another(offering).uuid]), {"key": "book"})
    if role in residents:
        assert api.status_code == 201
        assert page.status_code == 302
        # Each booked for themself, once through the API and once through the page.
        assert list(Enrolment.objects.values_list("resident__user", flat=True)) == [people[role].pk] * 2
    else:
        assert api.status_code == 403
        assert page.status_code == 403
        assert not Enrolment.objects.exists()


def test_the_table_names_every_step_of_the_life_cycle():
    taken = {name.split()[0] for name in STEPS}
    assert taken | {"lapse"} == set(services.STEPS)


# The buttons a page offers: exactly the steps this user may take now (services.allowed_steps), in the life
# cycle's order. Nobody else than these three roles gets any.
BUTTONS = {
    Status.REQUESTED: {
        roles.OWNER: ["cancel"],
        roles.PROVIDER_STAFF: ["accept", "refuse", "cancel"],
        roles.ADMINISTRATOR: ["cancel"],
    },
    Status.ACCEPTED: {
        roles.OWNER: ["reserve", "cancel"],
        roles.PROVIDER_STAFF: ["cancel"],
        roles.ADMINISTRATOR: ["cancel"],
    },
    Status.RESERVED: {
        roles.OWNER: ["cancel"],
        roles.PROVIDER_STAFF: ["start", "cancel"],
        roles.ADMINISTRATOR: ["cancel"],
    },
    Status.STARTED: {roles.PROVIDER_STAFF: ["complete"], roles.ADMINISTRATOR: ["cancel"]},
    Status.COMPLETED: {roles.OWNER: ["confirm", "dispute"], roles.ADMINISTRATOR: ["confirm", "cancel"]},
    Status.DISPUTED: {roles.ADMINISTRATOR: ["confirm", "cancel"]},
    Status.PAID_OUT: {},
    Status.CANCELLED: {},
}


@pytest.mark.parametrize("status", BUTTONS)
def test_each_role_is_offered_exactly_the_steps_it_may_take_now(walk, people, status):
    enrolment = walk(status)
    offered = {role: services.allowed_steps(enrolment, user) for role, user in people.items()}
    assert offered == {role: BUTTONS[status].get(role, []) for role in roles.EVERYONE}


def test_the_nightly_sweep_is_never_offered_as_a_button(walk):
    """`lapse` is the system's step (no user); it is not a button, not even for the system."""
    assert services.allowed_steps(walk(Status.RESERVED), None) == []
