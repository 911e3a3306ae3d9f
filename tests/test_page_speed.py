"""What keeps the pages and the enrolment steps fast (docs/performance.md, "Pages"): how many queries each asks on
the demo data, so that an N+1 or a query per row cannot come back unnoticed, and the shortcuts that replaced
slow paths (a resident's menu asks no model permissions, money cells and choice labels without templates)."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from levenlang.catalog.models import Module
from levenlang.core.categories import Category
from levenlang.core.models import User
from levenlang.demo.catalogue import load_demo_catalogue
from levenlang.demo.enrolment import load_demo_enrolments
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.population import load_population
from levenlang.enrolment.models import Enrolment, Status

pytestmark = pytest.mark.django_db

# Queries per page for a logged-in resident: the session and the user (every page), then what the page reads.
PAGES = {
    "/toegankelijkheid/": 2,
    "/leerrekening/": 6,  # + the resident, pots, legs, open reservations with their parts
    "/aanbod/?q=lassen": 7,  # + the resident, regions (form), pots, the search, the shown results
}


@pytest.fixture
def demo(db):
    with translation.override("nl"):
        load_population(residents=50, seed=5)
        load_demo_ledger()
        load_demo_catalogue(seed=5)
        load_demo_enrolments()
        yield


def _logged_in(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize(("path", "queries"), PAGES.items())
def test_each_page_asks_a_fixed_number_of_queries(demo, client, django_assert_max_num_queries, path, queries):
    _logged_in(client, "marco").get(path)  # warm: the first request of a session may differ
    with django_assert_max_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200


def test_the_search_page_asks_no_more_queries_for_more_results(demo, client, django_assert_max_num_queries):
    _logged_in(client, "marco")
    few = client.get("/aanbod/?q=lassen")
    many = client.get("/aanbod/")
    assert many.text.count('class="result"') > few.text.count('class="result"') > 0
    with django_assert_max_num_queries(10):  # without words: the facet counts and the best offerings apart
        client.get("/aanbod/")


# Each step's form post: the session, the user, the enrolment and the permission checks, the idempotency record,
# the step's own writes; confirming pays out (ledger legs) and issues the credential.
STEP_QUERIES = {"accept": 12, "start": 12, "complete": 12, "confirm": 24}


def test_every_enrolment_step_asks_a_fixed_number_of_queries(demo, client, django_assert_max_num_queries):
    """Ineke's requested enrolment through every step, each a form post as the pages send it."""
    enrolment = Enrolment.objects.get(resident__user__username="ineke", status=Status.REQUESTED)
    url = reverse("enrolment:step", args=[enrolment.uuid])
    joost = _logged_in(client.__class__(), "joost")
    ineke = _logged_in(client, "ineke")

    def step(browser, name: str, **extra) -> None:
        with django_assert_max_num_queries(STEP_QUERIES[name]):
            response = browser.post(url, {"step": name, "key": f"speed-{name}", **extra})
        assert response.status_code == 302

    step(joost, "accept")
    ineke.post(reverse("enrolment:strong-login"), {"next": "/"})
    confirm = ineke.get(reverse("enrolment:reserve", args=[enrolment.uuid])).text
    expected = re.search(r'name="expected_own_share_cents" value="(\d+)"', confirm).group(1)
    with django_assert_max_num_queries(9):
        ineke.post(
            reverse("enrolment:reserve", args=[enrolment.uuid]),
            {"key": "speed-reserve", "own_share_agreed": "yes", "expected_own_share_cents": expected},
        )
    enrolment.offering.start_date = None  # the demo's course starts on the day of the load: start it now
    enrolment.offering.save(update_fields=["start_date"])
    step(joost, "start")
    step(joost, "complete", percent="100")
    step(ineke, "confirm")
    enrolment.refresh_from_db()
    assert enrolment.status == Status.PAID_OUT


def test_a_residents_menu_asks_no_model_permissions(resident, client, django_assert_num_queries):
    """The menu asks whether to link the audit log; for anyone but staff the rule alone answers."""
    client.force_login(resident.user)
    client.get("/toegankelijkheid/")
    with django_assert_num_queries(2):  # the session and the user
        client.get("/toegankelijkheid/")


def test_staff_keep_their_model_permissions(user_with_role, django_assert_num_queries):
    from django.contrib.auth.models import Permission

    from levenlang.core.roles import Role

    user = user_with_role(Role.RESIDENT)
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    assert not User.objects.get(pk=user.pk).has_perm("core.view_auditevent")  # not staff: not the Django admin
    user.is_staff = True
    user.save()
    assert User.objects.get(pk=user.pk).has_perm("core.view_auditevent")


def test_a_money_cell_is_written_exactly_as_before():
    def cell(source: str, **context) -> str:
        return Template("{% load components %}" + source).render(Context(context))

    numeric = "utrecht-table__cell utrecht-table__cell--numeric-column utrecht-table__cell--numeric-data money-cell"
    with translation.override("nl"):
        assert cell("{% money_cell 123456 %}") == f'<td class="{numeric}">€ 1.234,56</td>\n'
        assert cell('{% money_cell -5 strong=True data="own" %}') == (
            f'<td class="{numeric} money-cell--negative" data-own="-5"><strong>-€ 0,05</strong></td>\n'
        )
        assert cell("{% money_cell None empty=text %}", text="<geen>") == f'<td class="{numeric}">&lt;geen&gt;</td>\n'


def test_choice_labels_are_the_labels_of_the_field():
    module = Module(category=Category.JOB_ORIENTED, mode_of_delivery="online", level="")
    with translation.override("en"):
        assert module.get_category_display() == str(Category.JOB_ORIENTED.label)
        assert module.get_mode_of_delivery_display() == "Online"
        assert module.get_level_display() == ""  # a value that is not a choice shows as itself
    module.mode_of_delivery = "by pigeon"
    assert module.get_mode_of_delivery_display() == "by pigeon"
