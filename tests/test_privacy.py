"""Who may see a resident's personal data (docs/security.md), as one table: every role against every personal object
(the resident's profile, navigator, Leerrekening with its pots and statements, enrolments and their credential,
and the audit log), asked of the rules in core/permissions.py and tried through every page and API door.

Personal data is the resident's own; an administrator may look for support (audit-logged); the provider of a
module sees the enrolments in it, and nothing else of the person. Nobody else sees any of it: not the employer,
not the sector fund, not another provider, not an adviser (until the consent model exists), not the ministry, not
a programme manager. A refusal says "not found" where saying "forbidden" would reveal that the person exists."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from levenlang.core.permissions import (
    ACT_AS_LEARNER,
    ACT_AS_PROVIDER,
    BOOK_ENROLMENT,
    OVERRIDE_ENROLMENT,
    VIEW_AUDIT_LOG,
    VIEW_ENROLMENT,
    VIEW_LEERREKENING,
    VIEW_RESIDENT,
)
from levenlang.core.roles import Role
from levenlang.enrolment import services as enrolment
from levenlang.ledger import services as ledger
from levenlang.ledger.models import Category, Pot, PotKind, SystemAccount
from tests import roles
from tests.factories import ModuleFactory, OfferingFactory, ResidentFactory

pytestmark = pytest.mark.django_db

OWN = {roles.OWNER}
SUPPORT = {roles.OWNER, roles.ADMINISTRATOR}
ENROLMENT = {roles.OWNER, roles.PROVIDER_STAFF, roles.ADMINISTRATOR}
ADMINISTRATORS = {roles.ADMINISTRATOR}


class World:
    """One resident with money and a paid-out enrolment (with its credential), and everyone around them."""

    def __init__(self):
        self.resident = ResidentFactory()
        ledger.deposit(
            key=f"money-{self.resident.pk}",
            resident_id=self.resident.pk,
            source=ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten", scheme="leerrechten", year=2026),
            pot_kind=PotKind.RIGHTS,
            lot="2026",
            amount_cents=100_000,
            categories=list(Category),
            expires_on=None,
            description="test",
        )
        self.people = roles.people_around(self.resident)
        provider = self.people[roles.PROVIDER_STAFF].providers.get()
        offering = OfferingFactory(
            module=ModuleFactory(provider=provider, price_cents=40_000), start_date=timezone.localdate()
        )
        learner, staff = self.people[roles.OWNER], self.people[roles.PROVIDER_STAFF]

        def key() -> str:
            return f"privacy-{uuid.uuid4()}"

        self.enrolment = enrolment.request_enrolment(
            offering_uuid=offering.uuid, resident=self.resident, actor=learner, key=key()
        )["enrolment"]
        enrolment.accept(self.enrolment, actor=staff, key=key())
        enrolment.reserve(self.enrolment, actor=learner, key=key(), strong_login_at=timezone.now())
        enrolment.declare_start(self.enrolment, actor=staff, key=key())
        enrolment.declare_completion(self.enrolment, actor=staff, key=key())
        enrolment.confirm_completion(self.enrolment, actor=learner, key=key())
        pots = Pot.objects.filter(leerrekening_id=self.resident.pk)
        self.pots = [str(u) for u in pots.values_list("uuid", flat=True)]


@pytest.fixture
def world(db):
    return World()


# --- the rules ------------------------------------------------------------------------------------------------------


def rule_objects(world: World) -> dict:
    from levenlang.enrolment.models import Enrolment

    the_enrolment = Enrolment.objects.get(uuid=world.enrolment)
    return {
        VIEW_RESIDENT: (world.resident, SUPPORT),
        VIEW_LEERREKENING: (world.resident, SUPPORT),
        BOOK_ENROLMENT: (world.resident, OWN),
        VIEW_ENROLMENT: (the_enrolment, ENROLMENT),
        ACT_AS_LEARNER: (the_enrolment, OWN),
        ACT_AS_PROVIDER: (the_enrolment, {roles.PROVIDER_STAFF}),
        OVERRIDE_ENROLMENT: (the_enrolment, ADMINISTRATORS),
        VIEW_AUDIT_LOG: (None, ADMINISTRATORS),
    }


RULES = [VIEW_RESIDENT, VIEW_LEERREKENING, BOOK_ENROLMENT, VIEW_ENROLMENT, ACT_AS_LEARNER, ACT_AS_PROVIDER]
RULES += [OVERRIDE_ENROLMENT, VIEW_AUDIT_LOG]


@pytest.mark.parametrize("perm", RULES)
def test_the_rules_give_each_personal_object_to_exactly_the_right_roles(world, perm):
    obj, allowed = rule_objects(world)[perm]
    granted = {name for name, user in world.people.items() if user.has_perm(perm, obj)}
    assert granted == allowed


def test_the_same_role_without_the_tie_sees_nothing(world):
    """A resident's Leerrekening is not given by the role alone: the rules look at the person."""
    stranger = ResidentFactory()
    for perm in (VIEW_RESIDENT, VIEW_LEERREKENING, BOOK_ENROLMENT):
        assert not stranger.user.has_perm(perm, world.resident)
    assert world.people[roles.OWNER].has_perm(VIEW_LEERREKENING, world.resident)
    assert not world.people[roles.OWNER].has_perm(VIEW_LEERREKENING, stranger)


def test_a_user_without_a_role_sees_nothing_of_anyone(world):
    from django.contrib.auth.models import AnonymousUser

    for perm, (obj, _allowed) in rule_objects(world).items():
        assert not AnonymousUser().has_perm(perm, obj), perm


# --- the doors ------------------------------------------------------------------------------------------------------

# name: (url name, what to pass it, who gets it, the status everyone else gets)
DOORS = {
    "profile (API)": ("api-resident", "resident", SUPPORT, 404),
    "navigator of the resident (page)": ("schemes:resident", "resident", SUPPORT, 404),
    "navigator of the resident (API)": ("api-resident-navigator", "resident", SUPPORT, 404),
    "Leerrekening statement (page)": ("ledger:resident", "resident", SUPPORT, 404),
    "Leerrekening statement (CSV)": ("ledger:resident-csv", "resident", SUPPORT, 404),
    "Leerrekening statement (PDF)": ("ledger:resident-pdf", "resident", SUPPORT, 404),
    "enrolment (page)": ("enrolment:detail", "enrolment", ENROLMENT, 404),
    "enrolment (API)": ("api-enrolment", "enrolment", ENROLMENT, 404),
    "pots paying for the enrolment (API)": (
        "api-enrolment-preview",
        "enrolment",
        SUPPORT,
        404,
    ),  # administrators for support, audited
    "credential (page)": ("enrolment:credential", "enrolment", ENROLMENT, 404),
    "credential (API)": ("api-enrolment-credential", "enrolment", ENROLMENT, 404),
    "audit log (page)": ("core:audit-log", None, ADMINISTRATORS, 403),
}


def door_url(world: World, name: str) -> str:
    url_name, argument, _allowed, _refused = DOORS[name]
    if argument is None:
        return reverse(url_name)
    value = world.resident.uuid if argument == "resident" else world.enrolment
    return reverse(url_name, args=[value])


@pytest.mark.parametrize("door", DOORS)
def test_every_door_to_personal_data_opens_for_exactly_the_right_roles(client, world, door):
    _url_name, _argument, allowed, refused = DOORS[door]
    url = door_url(world, door)
    for name, user in world.people.items():
        client.force_login(user)
        response = client.get(url)
        expected = 200 if name in allowed else refused
        assert response.status_code == expected, f"{door} for {name}: {response.status_code}"
        if name not in allowed:
            assert world.resident.family_name not in response.content.decode(errors="replace"), name


def test_the_lists_of_enrolments_show_the_enrolment_only_to_the_right_roles(client, world):
    for name, user in world.people.items():
        client.force_login(user)
        listed = [e["uuid"] for e in client.get(reverse("api-enrolments")).json()["results"]]
        assert (world.enrolment in listed) == (name in ENROLMENT), name


def test_ones_own_pages_never_show_someone_elses_leerrekening(client, world):
    """The doors without a person in the address (my Leerrekening, my statement, my schemes) show the logged-in
    resident's own data; to everyone else they show nothing of this resident."""
    own_pages = ["api-leerrekening", "ledger:mine", "ledger:mine-csv", "schemes:mine", "api-navigator", "api-me"]
    for name, user in world.people.items():
        client.force_login(user)
        for page in own_pages:
            response = client.get(reverse(page))
            text = response.content.decode(errors="replace")
            shown = any(pot in text for pot in world.pots) or world.resident.family_name in text
            if name == roles.OWNER:
                assert response.status_code == 200, page
            else:
                assert not shown, f"{page} shows the resident's data to {name}"
    client.force_login(world.people[roles.OWNER])
    assert set(world.pots) <= {p["uuid"] for p in client.get(reverse("api-leerrekening")).json()["pots"]}


def test_nobody_but_the_resident_has_a_leerrekening_through_the_api(client, world):
    for name, user in world.people.items():
        client.force_login(user)
        response = client.get(reverse("api-leerrekening"))
        if user.role == Role.RESIDENT:
            assert response.status_code == 200, name
        else:
            assert response.status_code == 403, name


def test_the_tables_cover_every_role():
    assert set(roles.EVERYONE) >= OWN | SUPPORT | ENROLMENT | ADMINISTRATORS
    assert len(roles.EVERYONE) == len(Role) + 2  # the owner and another resident; staff of two providers
