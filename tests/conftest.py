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
