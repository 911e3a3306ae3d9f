"""The skills profile's data: what a resident adds, confirms and removes, and who may read it (personal data: the
resident; an administrator for support, audited; nobody else)."""

import datetime

import pytest

from levenlang.core.models import AuditEvent
from levenlang.core.roles import Role
from levenlang.skills import services
from levenlang.skills.errors import NotYourProfile, UnknownConcept
from tests.skills import esco_files as f

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def taxonomy(db, tmp_path):
    services.import_taxonomy(
        [f.write_classification(tmp_path / "esco-v1.0.0"), f.write_relations(tmp_path / "esco-v1.0.0-relations")]
    )


def _summary(viewer, resident):
    return [(s.uri, s.source, s.confirmed) for s in services.profile(viewer, resident, language="en")]


def test_a_resident_adds_chosen_skills_and_sees_them_with_their_source(taxonomy, resident):
    me = resident.user
    assert services.add_skill(me, resident, f.WELD, now=NOW)
    assert services.add_skill(me, resident, f.CUT, source=services.SOURCES.FROM_TEXT, source_detail="Ik snijd staal.")
    assert not services.add_skill(me, resident, f.WELD)  # once
    skills = services.profile(me, resident, language="en")
    assert [(s.label, s.source, s.source_detail, s.confirmed) for s in skills] == [
        ("weld metal", "chosen", "", True),
        ("cut metal", "from_text", "Ik snijd staal.", True),
    ]
    assert skills[0].added_at == NOW and skills[0].in_taxonomy
    assert not AuditEvent.objects.exists()  # one's own data: nothing to audit


def test_an_occupation_held_adds_its_essential_skills_as_likely_until_confirmed(taxonomy, resident):
    me = resident.user
    services.add_skill(me, resident, f.SAFETY)
    added = services.add_likely_from_occupation(me, resident, f.WELDER)
    assert added == sorted([f.WELD, f.BLUEPRINTS])  # work safely was there already; cut metal is only optional
    assert services.confirm_skill(me, resident, f.WELD)
    assert not services.confirm_skill(me, resident, f.WELD)
    assert sorted(_summary(me, resident)) == sorted(
        [(f.SAFETY, "chosen", True), (f.WELD, "occupation_held", True), (f.BLUEPRINTS, "occupation_held", False)]
    )
    assert services.add_skill(me, resident, f.BLUEPRINTS)  # choosing a likely skill confirms it
    assert (f.BLUEPRINTS, "chosen", True) in _summary(me, resident)


def test_a_resident_removes_any_skill(taxonomy, resident):
    me = resident.user
    services.add_likely_from_occupation(me, resident, f.PIPE_WELDER)
    assert services.remove_skill(me, resident, f.GAS)
    assert not services.remove_skill(me, resident, f.GAS)
    assert _summary(me, resident) == [(f.WELD, "occupation_held", False)]


def test_only_skills_and_occupations_of_the_taxonomy_are_taken(taxonomy, resident):
    with pytest.raises(UnknownConcept):
        services.add_skill(resident.user, resident, f"{f.ESCO}/skill/nonsense")
    with pytest.raises(UnknownConcept):
        services.add_skill(resident.user, resident, f.WELDER)  # an occupation is not a skill
    with pytest.raises(UnknownConcept):
        services.add_likely_from_occupation(resident.user, resident, f.WELD)


def test_another_resident_can_neither_read_nor_change_a_profile(taxonomy, resident, other_resident):
    services.add_skill(resident.user, resident, f.WELD)
    stranger = other_resident.user
    with pytest.raises(NotYourProfile):
        services.profile(stranger, resident)
    for change in (
        lambda: services.add_skill(stranger, resident, f.CUT),
        lambda: services.remove_skill(stranger, resident, f.WELD),
        lambda: services.confirm_skill(stranger, resident, f.WELD),
        lambda: services.add_likely_from_occupation(stranger, resident, f.WELDER),
    ):
        with pytest.raises(NotYourProfile):
            change()
    assert _summary(resident.user, resident) == [(f.WELD, "chosen", True)]


@pytest.mark.parametrize("role", [Role.EMPLOYER_STAFF, Role.PROVIDER_STAFF, Role.ADVISER, Role.MINISTRY_ANALYST])
def test_staff_of_other_roles_cannot_read_a_profile(taxonomy, resident, user_with_role, role):
    with pytest.raises(NotYourProfile):
        services.profile(user_with_role(role), resident)


def test_an_administrator_may_read_a_profile_for_support_and_the_look_is_audited(taxonomy, resident, user_with_role):
    services.add_skill(resident.user, resident, f.WELD)
    administrator = user_with_role(Role.ADMINISTRATOR)
    assert _summary(administrator, resident) == [(f.WELD, "chosen", True)]
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.subject_person, event.reason) == (
        administrator,
        AuditEvent.Action.VIEW_PERSONAL_DATA,
        resident.uuid,
        "skills profile",
    )
    with pytest.raises(NotYourProfile):
        services.add_skill(administrator, resident, f.CUT)  # only the resident changes it


def test_a_skill_that_disappears_from_the_taxonomy_stays_in_the_profile(taxonomy, resident, tmp_path):
    services.add_skill(resident.user, resident, f.GAS)
    services.import_taxonomy([f.write_classification(tmp_path / "esco-v2.0.0", skills=f.SKILLS[:4])])
    [skill] = services.profile(resident.user, resident, language="en")
    assert (skill.uri, skill.label, skill.in_taxonomy) == (f.GAS, "use gas welding equipment", False)
