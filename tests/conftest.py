import os

import pytest

from levenlang.core.roles import Role
from tests.factories import ResidentFactory, UserFactory


@pytest.fixture
def resident(db):
    return ResidentFactory()


@pytest.fixture
def other_resident(db):
    return ResidentFactory(given_name="Bert")


@pytest.fixture
def user_with_role(db):
    """A function that makes a user with the given role: `user_with_role(Role.ADMINISTRATOR)`."""

    def make(role: Role, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Under mutation testing (`make mutation`) every mutant runs the tests in a new process: they share one
    database of a fixed name, made once and reused (`--reuse-db`), instead of migrating a new one each time."""
    if "MUTANT_UNDER_TEST" in os.environ:
        from django.conf import settings

        settings.DATABASES["default"]["TEST"]["NAME"] = "test_levenlang_mutation"
