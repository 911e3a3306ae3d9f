"""The home pages use the enrolment tests' set-up: a provider with staff, an offering, a learner with money and
`walk(to)`, which takes a fresh enrolment along the happy path to any status. The pages are read in Dutch, the
first language (an earlier test may leave another language active in this thread)."""

import pytest
from django.utils import translation

from tests.enrolment.conftest import clock, learner, offering, provider, staff, walk  # noqa: F401


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield
