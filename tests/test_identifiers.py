import re
from html import unescape
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from stdnum.nl import bsn as stdnum_bsn

from levenlang.core import audit
from levenlang.core.audit import SystemActor, acting_as
from levenlang.core.identifiers import bsn_check_digit, clean_bsn, mask_bsn, validate_kvk_number
from levenlang.core.models import User
from levenlang.core.money import format_cents
from levenlang.enrolment.models import Enrolment
from levenlang.ledger import services as ledger
from levenlang.schemes import services as schemes
from levenlang.schemes.models import SimulationRun


def test_bsn_check_digit_agrees_with_python_stdnum():
    for n in range(10_000_000, 10_002_000):
        digit = bsn_check_digit(f"{n:08d}")
        candidates = [f"{n:08d}{d}" for d in range(10) if stdnum_bsn.is_valid(f"{n:08d}{d}")]
        assert candidates == ([] if digit is None else [f"{n:08d}{digit}"])


def test_clean_bsn_accepts_spaces_and_refuses_a_bad_eleven_test():
    assert clean_bsn("1112 22 333") == "111222333"
    with translation.override("en"), pytest.raises(ValidationError, match="eleven test"):
        clean_bsn("111222334")
    with translation.override("nl"), pytest.raises(ValidationError, match="elfproef"):
        clean_bsn("111222334")


def test_bsn_is_masked_to_the_last_three_digits():
    assert mask_bsn("111222333") == "******333"


def test_kvk_number_is_eight_digits():
    validate_kvk_number("12345678")
    for bad in ("1234567", "123456789", "1234567a", ""):
        with pytest.raises(ValidationError):
            validate_kvk_number(bad)


@pytest.mark.parametrize(
    ("cents", "text"),
    [(0, "€ 0,00"), (5, "€ 0,05"), (123456, "€ 1.234,56"), (-100000000, "-€ 1.000.000,00")],
)
def test_money_is_shown_the_dutch_way(cents, text):
    assert format_cents(cents) == text


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        format_cents(12.5)


# --- no internal identifiers on a person's screen -----------------------------------------------------------------

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
# What must never be read on a page: a UUID, a lot key, a model's label, a year with a thousands separator (2.027;
# an amount of money or a count of that size would match too, which the demo pages tested here do not show), an age
# band's technical upper bound, a choice's raw value, a parameter's path.
FORBIDDEN = {
    "a UUID": UUID,
    "a lot key": re.compile(r"\b(storting-[0-9a-f]{6,}|\d{4}-(opleidingsbudget|ontwikkelbudget)|eigen-geld)\b"),
    "a model label": re.compile(r"\b(residents\.Resident|ledger\.Journal|ledger\.Pot)\b"),
    "a year with a separator": re.compile(r"(?<!€ )\b2\.0[2-9]\d\b(?![,\d])"),
    "an age band's bound": re.compile(r"–(120|200)\b|\b67\+"),
    "a raw choice": re.compile(r"\b(PUBLIC_INSTITUTION|paid_out|not_started|sector_fund|job_oriented)\b"),
    "a parameter path": re.compile(r"\blearning_rights\.\w+"),
}


def visible_text(html: str) -> str:
    """What a person reads: the page without tags, attributes, scripts and styles."""
    html = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", html)
    return unescape(re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html)))


def identifiers_in(text: str) -> dict[str, list[str]]:
    return {
        name: found for name, pattern in FORBIDDEN.items() if (found := [m.group() for m in pattern.finditer(text)])
    }


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Pot 3f6026d1-c356-4ce6-95ce-55fc5cd308ab", ["a UUID"]),
        ("Opleidingsbudget (2026-opleidingsbudget)", ["a lot key"]),
        ("residents.Resident", ["a model label"]),
        ("Jaar: 2.027.", ["a year with a separator"]),
        ("67–200", ["an age band's bound"]),
        ("€ 2.027,00 en 5.003 inwoners, 67 jaar en ouder, 2027", []),
    ],
)
def test_the_identifier_check_finds_what_it_should(text, found):
    assert list(identifiers_in(text)) == found


@pytest.fixture
def demo(db):
    call_command("load_demo", residents=200, seed=3, stdout=StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=["marco", "sanne", "ineke", "joost", "beheer"])}
    marco = users["marco"]
    run = SimulationRun.objects.create(
        created_by=User.objects.get(username="pieter"),
        year=2027,
        reform={"changes": {"learning_rights.yearly_base": 600}},
        reform_name="learning_rights.yearly_base = 600",
    )
    schemes.run_what_if(run.pk)
    with acting_as(SystemActor.EXPIRY_CHECK):
        ledger.expire()
    return users | {"pieter": run.created_by, "run": run, "marco": marco}


def _pages(demo) -> list[tuple[str, str]]:
    """(username, path) of every page that names pots, journals, enrolments or audit entries."""
    pages = [
        ("marco", reverse("ledger:mine")),
        ("marco", reverse("ledger:mine-csv")),
        ("marco", reverse("enrolment:mine")),
        ("joost", reverse("enrolment:provider-list")),
        ("joost", reverse("enrolment:provider-payouts")),
        ("joost", reverse("enrolment:provider-bulk")),
        ("beheer", reverse("enrolment:admin-list")),
        ("beheer", reverse("core:audit-log")),
        ("pieter", reverse("schemes:what-if")),
        ("pieter", reverse("schemes:what-if-run", args=[demo["run"].uuid])),
    ]
    for enrolment in Enrolment.objects.select_related("resident__user"):
        pages.append((enrolment.resident.user.username, reverse("enrolment:detail", args=[enrolment.uuid])))
        pages.append(("joost", reverse("enrolment:detail", args=[enrolment.uuid])))
        if enrolment.status == "accepted":
            pages.append((enrolment.resident.user.username, reverse("enrolment:reserve", args=[enrolment.uuid])))
    return pages


def test_no_page_about_money_enrolments_or_the_audit_shows_an_internal_identifier(client, demo):
    found = {}
    for username, path in _pages(demo):
        client.force_login(User.objects.get(username=username))
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode("utf-8-sig")
        text = content if path.endswith(".csv") else visible_text(content)
        if problems := identifiers_in(text):
            found[f"{username} {path}"] = problems
    assert found == {}


def test_the_pdf_statement_shows_no_internal_identifier(client, demo):
    client.force_login(demo["marco"])
    pdf = client.get(reverse("ledger:mine-pdf")).content
    assert not UUID.search(pdf.decode("latin-1"))


def test_the_audit_log_names_people_objects_and_the_jobs_that_acted(client, demo):
    client.force_login(demo["beheer"])
    text = visible_text(client.get(reverse("core:audit-log")).text)
    assert "Marco Jansen" in text  # whose data, by name
    assert "Storting: Hengelo Precisie Metaal B.V." in text  # the money movement, in words
    assert "Het laden van de demogegevens" in text  # the demo loader, not "Levenlang (automatisch)"
    with translation.override("en"):
        text = visible_text(client.get(reverse("core:audit-log")).text)
    assert "Loading the demo data" in text


def test_a_job_outside_any_request_is_named_in_the_audit_log(resident):
    with acting_as(SystemActor.NIGHTLY_CHECK):
        event = audit.record_view(AnonymousUser(), resident, reason="test")
    assert event.system_actor == SystemActor.NIGHTLY_CHECK and event.actor is None
    [entry] = audit.entries([event])
    with translation.override("nl"):
        assert str(SystemActor(event.system_actor).label) == "De nachtelijke controle van inschrijvingen"
    assert entry.person == str(resident)


# --- no English or code on a Dutch page ------------------------------------------------------------------------------

ENGLISH = re.compile(r"\b(the|and|you|your|with|from|becomes|yearly|ceiling|rights|learning|years|euros|older)\b", re.I)


def test_the_what_if_and_navigator_pages_in_dutch_have_no_english_words(client, demo):
    pages = [
        ("pieter", reverse("schemes:what-if")),
        ("pieter", reverse("schemes:what-if-run", args=[demo["run"].uuid])),
        ("marco", reverse("schemes:mine")),
        ("marco", reverse("schemes:register")),
        ("marco", reverse("schemes:deposit-effect")),
    ]
    found = {}
    for username, path in pages:
        client.force_login(User.objects.get(username=username))
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.text)
        if words := sorted({m.group() for m in ENGLISH.finditer(text)}):
            found[path] = words
    assert found == {}
