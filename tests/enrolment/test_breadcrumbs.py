"""No page is a dead end: the booking's and the provider's deeper pages show breadcrumbs back to the section of the
person's own menu (portal/navigation.py, docs/components.md)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from levenlang.enrolment.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


def trail(client, url: str) -> list[str]:
    """The addresses in the page's breadcrumbs, then the current page's name."""
    response = client.get(url)
    assert response.status_code == 200, url
    crumbs = re.search(
        r'<nav class="utrecht-breadcrumb-nav[^"]*" aria-label="Kruimelpad">(.*?)</nav>', response.text, re.S
    )
    assert crumbs, f"no breadcrumbs on {url}"
    current = re.search(r'aria-current="page">([^<]*)<', crumbs.group(1)).group(1)
    return [*re.findall(r'href="([^"]+)"', crumbs.group(1)), current]


def test_the_learners_booking_pages_lead_back_to_the_catalogue_and_their_enrolments(client, walk, offering, learner):
    client.force_login(learner.user)
    module_url = reverse("catalog:module", args=[offering.module.uuid])
    assert trail(client, module_url) == ["/", "/aanbod/", offering.module.title]
    assert trail(client, reverse("enrolment:book", args=[offering.uuid])) == ["/", "/aanbod/", module_url, "Boeken"]
    accepted = walk(Status.ACCEPTED)
    detail_url = reverse("enrolment:detail", args=[accepted.uuid])
    assert trail(client, detail_url) == ["/", "/mijn-inschrijvingen/", offering.module.title]
    reserve = trail(client, reverse("enrolment:reserve", args=[accepted.uuid]))
    assert reserve[:3] == ["/", "/mijn-inschrijvingen/", detail_url]


def test_the_providers_steps_lead_back_to_their_enrolments_and_modules(client, walk, offering, staff):
    started = walk(Status.STARTED)
    client.force_login(staff)
    detail_url = reverse("enrolment:detail", args=[started.uuid])
    assert trail(client, detail_url)[:2] == ["/", "/opleider/inschrijvingen/"]
    response = client.post(reverse("enrolment:step", args=[started.uuid]), {"step": "complete"})
    assert response.status_code == 302 and response["Location"] == detail_url  # back to the page with breadcrumbs
    assert trail(client, reverse("enrolment:provider-bulk"))[:2] == ["/", "/opleider/inschrijvingen/"]
    module_url = reverse("catalog:provider-module", args=[offering.module.uuid])
    assert trail(client, module_url) == ["/", "/opleider/modules/", offering.module.title]
    new_offering = trail(client, reverse("catalog:provider-offering-new", args=[offering.module.uuid]))
    assert new_offering[:3] == ["/", "/opleider/modules/", module_url]


def test_a_page_in_the_persons_menu_has_no_breadcrumbs(client, learner):
    client.force_login(learner.user)
    assert 'aria-label="Kruimelpad"' not in client.get(reverse("enrolment:mine")).text
    assert trail(client, reverse("schemes:register")) == ["/", "/regelingen/", "Overzicht van regelingen"]
