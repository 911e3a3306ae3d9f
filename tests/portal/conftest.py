"""The home pages use the enrolment tests' set-up: a provider with staff, an offering, a learner with money and
`walk(to)`, which takes a fresh enrolment along the happy path to any status."""

from tests.enrolment.conftest import clock, learner, offering, provider, staff, walk  # noqa: F401
