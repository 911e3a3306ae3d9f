"""Mijn Leerrekening: the statement (pots, reserved money, history with running balance), who may see it, its
CSV and PDF downloads, and the beancount export of the whole journal that bean-check must accept."""

import base64
import csv
import datetime
import io
import re
import subprocess
import sys
import zlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from levenlang.core.models import AuditEvent
from levenlang.core.regions import ensure_regions
from levenlang.core.roles import Role
from levenlang.ledger import services, statements
from levenlang.ledger.beancount_export import pot_account, system_account_name
from levenlang.ledger.models import Category, Journal, Leg, Pot, PotKind, SystemAccount
from levenlang.ledger.reconcile import reconcile
from levenlang.residents.models import Resident
from tests.factories import ResidentFactory
from tests.roles import audit_of_personal_data

pytestmark = pytest.mark.django_db

ALL = list(Category)
FAR = datetime.date(2099, 12, 31)  # an expiry date that stays in the future while the page uses the real date
OTHER_ROLES = [r for r in Role if r not in (Role.RESIDENT, Role.ADMINISTRATOR)]


@pytest.fixture(autouse=True)
def dutch():
    """Dutch first (a request under /en/ leaves English active in the thread for the next test)."""
    with translation.override("nl"):
        yield


@pytest.fixture(autouse=True)
def books_balance_after_each_test(db):
    yield
    assert reconcile() == []


def deposit(resident, source, cents, *, kind=PotKind.RIGHTS, lot="2026", categories=ALL, expires=FAR, clock):
    return services.deposit(
        key=f"dep-{resident.pk}-{source.pk}-{lot}",
        resident_id=resident.pk,
        source=source,
        pot_kind=kind,
        lot=lot,
        amount_cents=cents,
        categories=categories,
        expires_on=expires,
        description=f"Storting {source.name}",
        clock=clock,
    )


def reserve(resident, payee, cents, category, *, key, reference, clock):
    return services.reserve(
        key=key,
        resident_id=resident.pk,
        category=category,
        price_cents=cents,
        payee=payee,
        expires_at=clock.now() + datetime.timedelta(days=60),
        reference=reference,
        clock=clock,
    )


@pytest.fixture
def account(resident, budget, employer_account, payee, clock):
    """€ 1.000 learning rights (all kinds of learning) and € 500 from the employer (job-oriented and
    labour-market training only); a course of € 800 reserved (employer pot first: it is more restricted),
    € 600 of it paid out (the rest released); a study of € 250 still reserved."""
    deposit(resident, budget, 100_000, clock=clock)
    deposit(
        resident,
        employer_account,
        50_000,
        kind=PotKind.EMPLOYER,
        categories=[Category.JOB_ORIENTED, Category.LABOUR_MARKET],
        clock=clock,
    )
    course = reserve(resident, payee, 80_000, Category.JOB_ORIENTED, key="r1", reference="Lassen MIG/MAG", clock=clock)
    services.post(key="p1", reservation_uuid=course["reservation"], amount_cents=60_000, clock=clock)
    reserve(resident, payee, 25_000, Category.STUDY, key="r2", reference="Boekhouden basis", clock=clock)
    return resident


def pots_by_kind(statement):
    return {pot.kind: pot for pot in statement.pots}


# --- the statement ---------------------------------------------------------------------------------------


def test_statement_has_the_pots_reservations_and_running_balance(account, clock):
    statement = statements.statement_for(account, clock=clock)
    pots = pots_by_kind(statement)
    rights, employer = pots[PotKind.RIGHTS], pots[PotKind.EMPLOYER]
    assert (rights.posted_cents, rights.pending_cents, rights.available_cents) == (90_000, 25_000, 65_000)
    assert (employer.posted_cents, employer.pending_cents, employer.available_cents) == (0, 0, 0)
    assert rights.source_name == "Leerrechten 2026" and rights.for_every_category and rights.expires_on == FAR
    assert employer.categories == [Category.JOB_ORIENTED, Category.LABOUR_MARKET]
    assert (statement.posted_cents, statement.pending_cents, statement.available_cents) == (90_000, 25_000, 65_000)

    # Newest last; the payout drew € 500 from the employer pot and € 100 from the rights.
    assert [(line.kind, line.pot.kind, line.amount_cents, line.balance_cents) for line in statement.history] == [
        (Journal.Kind.DEPOSIT, PotKind.RIGHTS, 100_000, 100_000),
        (Journal.Kind.DEPOSIT, PotKind.EMPLOYER, 50_000, 150_000),
        (Journal.Kind.PAYOUT, PotKind.EMPLOYER, -50_000, 100_000),
        (Journal.Kind.PAYOUT, PotKind.RIGHTS, -10_000, 90_000),
    ]
    assert [line.pot_balance_cents for line in statement.history_of(rights)] == [100_000, 90_000]
    assert [line.pot_balance_cents for line in statement.history_of(employer)] == [50_000, 0]
    assert statement.history[-1].balance_cents == statement.posted_cents

    [open_one] = statement.reservations
    assert (open_one.reference, open_one.category, open_one.price_cents, open_one.reserved_cents) == (
        "Boekhouden basis",
        Category.STUDY,
        25_000,
        25_000,
    )
    assert [(pot.kind, cents) for pot, cents in open_one.parts] == [(PotKind.RIGHTS, 25_000)]


def test_statement_takes_the_same_few_queries_however_long_the_history(
    account, budget, payee, clock, django_assert_max_num_queries
):
    for n in range(6):
        r = reserve(account, payee, 1_000, Category.STUDY, key=f"more-{n}", reference=f"module {n}", clock=clock)
        if n % 2:
            services.post(key=f"more-post-{n}", reservation_uuid=r["reservation"], clock=clock)
    resident = statements.find_resident(account.uuid)
    with django_assert_max_num_queries(4):  # pots, legs, reservations, reservation parts
        statement = statements.statement_for(resident, clock=clock)
        assert len(statement.history) == 7 and len(statement.reservations) == 4


def test_an_expired_pot_says_so(resident, budget, clock):
    deposit(resident, budget, 5_000, expires=datetime.date(2026, 6, 30), clock=clock)
    clock.advance(datetime.timedelta(days=200))
    [pot] = statements.statement_for(resident, clock=clock).pots
    assert pot.expired


def test_the_resident_sees_their_own_statement_without_an_audit_entry(client, account):
    client.force_login(account.user)
    response = client.get(reverse("ledger:mine"))
    assert response.status_code == 200
    html = response.text
    assert "Mijn Leerrekening" in html and account.masked_bsn in html and account.bsn not in html
    for shown in ("€ 900,00", "€ 250,00", "€ 650,00", "Leerrechten 2026", "Werkgever test", "Boekhouden basis"):
        assert shown in html
    assert "Alle soorten leren" in html  # what the rights pot may pay for, in plain Dutch
    # The history, newest last, with the running balance over all pots.
    history = html[html.index('id="history"') :]
    positions = [history.index(amount) for amount in ("€ 1.000,00", "€ 1.500,00", "-€ 500,00", "-€ 100,00")]
    assert positions == sorted(positions)
    assert reverse("ledger:mine-csv") in html and reverse("ledger:mine-pdf") in html
    assert not audit_of_personal_data().exclude(action=AuditEvent.Action.MONEY_MOVEMENT).exists()


def test_the_page_is_also_in_english(client, account):
    client.force_login(account.user)
    html = client.get("/en/leerrekening/").text
    assert "My Leerrekening" in html and "Where the money comes from" in html and "All kinds of learning" in html


def test_the_home_page_links_to_the_leerrekening(client, account):
    client.force_login(account.user)
    assert reverse("ledger:mine") in client.get(reverse("portal:home")).text


def test_a_resident_without_a_leerrekening_sees_a_friendly_message(client, resident):
    client.force_login(resident.user)
    response = client.get(reverse("ledger:mine"))
    assert response.status_code == 200
    assert "U heeft nog geen Leerrekening" in response.text


def test_a_resident_user_without_resident_details_sees_a_friendly_message(client, user_with_role):
    client.force_login(user_with_role(Role.RESIDENT))
    response = client.get(reverse("ledger:mine"))
    assert response.status_code == 200
    assert "We kunnen uw gegevens niet vinden" in response.text


# --- who may see it (docs/security.md): one test per rule ------------------------------------------------------


def _urls(resident):
    return [
        reverse(name, args=[resident.uuid])
        for name in ("ledger:resident", "ledger:resident-csv", "ledger:resident-pdf")
    ]


def test_another_resident_cannot_see_the_statement(client, account, other_resident):
    client.force_login(other_resident.user)
    for url in _urls(account):
        assert client.get(url).status_code == 404
    own = client.get(reverse("ledger:mine"))  # their own page shows their own (empty) account, not the other's
    assert own.status_code == 200 and account.masked_bsn not in own.text and "€ 900,00" not in own.text
    assert not audit_of_personal_data().exclude(action=AuditEvent.Action.MONEY_MOVEMENT).exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_see_a_statement(client, user_with_role, account, role):
    client.force_login(user_with_role(role))
    for url in _urls(account):
        assert client.get(url).status_code == 404
    for name in ("ledger:mine", "ledger:mine-csv", "ledger:mine-pdf"):
        assert client.get(reverse(name)).status_code == 403
    assert not audit_of_personal_data().exclude(action=AuditEvent.Action.MONEY_MOVEMENT).exists()


def test_anonymous_visitors_are_sent_to_log_in(client, account):
    for url in [reverse("ledger:mine"), *_urls(account)]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_unknown_resident_is_404_for_an_administrator(client, user_with_role, account):
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(reverse("ledger:resident", args=["6f2b0b57-0000-4000-8000-000000000000"])).status_code == 404


def test_an_administrator_sees_a_statement_and_the_look_is_audit_logged(client, user_with_role, account):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get(reverse("ledger:resident", args=[account.uuid]))
    assert response.status_code == 200
    assert "€ 650,00" in response.text and account.bsn not in response.text
    event = audit_of_personal_data().get(action=AuditEvent.Action.VIEW_PERSONAL_DATA)
    assert (event.actor, event.actor_role, event.subject_person) == (admin, Role.ADMINISTRATOR, account.uuid)
    assert event.path == reverse("ledger:resident", args=[account.uuid])
    assert account.bsn not in f"{event.reason}{event.path}{event.object_id}"
    assert client.get(reverse("ledger:mine")).status_code == 403  # an administrator has no Leerrekening of their own


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_an_administrators_download_is_audit_logged_as_an_export(client, user_with_role, account, fmt):
    admin = user_with_role(Role.ADMINISTRATOR)
    client.force_login(admin)
    response = client.get(reverse(f"ledger:resident-{fmt}", args=[account.uuid]))
    assert response.status_code == 200
    event = audit_of_personal_data().get(action=AuditEvent.Action.EXPORT_PERSONAL_DATA)
    assert (event.actor, event.subject_person) == (admin, account.uuid)
    assert fmt.upper() in event.reason
    assert not audit_of_personal_data().filter(action=AuditEvent.Action.VIEW_PERSONAL_DATA).exists()


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_the_residents_own_download_is_not_audit_logged(client, account, fmt):
    client.force_login(account.user)
    assert client.get(reverse(f"ledger:mine-{fmt}")).status_code == 200
    assert not audit_of_personal_data().exclude(action=AuditEvent.Action.MONEY_MOVEMENT).exists()


# --- the downloads -----------------------------------------------------------------------------------------


def csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's sections (separated by an empty line), by their first cell; the first is the identity."""
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    sections, current = {}, []
    for row in [*rows, []]:
        if row:
            current.append(row)
        elif current:
            sections[current[0][0] if len(current[0]) == 1 else "identity"] = current
            current = []
    return sections


def test_the_csv_has_pots_reservations_and_history_in_euros_and_cents(client, account):
    client.force_login(account.user)
    response = client.get(reverse("ledger:mine-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leerrekening-')
    assert account.bsn not in response.content.decode("utf-8-sig")
    sections = csv_sections(response.content)

    identity = dict(sections["identity"])
    assert identity["BSN"] == account.masked_bsn and identity["Naam"] == str(account)

    header, *pots, total = sections["Potten"][1:]
    assert header[:4] == [
        "Waar komt het geld vandaan",
        "Soort geld",
        "Waarvoor mag u het gebruiken",
        "Te gebruiken tot en met",
    ]
    by_source = {row[0]: row for row in pots}
    assert by_source["Leerrechten 2026"][2:] == [
        "Alle soorten leren",
        "2099-12-31",
        "900,00",
        "90000",
        "250,00",
        "25000",
        "650,00",
        "65000",
    ]
    assert by_source["Werkgever test"][4:6] == ["0,00", "0"]
    assert total[0] == "Totaal" and total[4:] == ["900,00", "90000", "250,00", "25000", "650,00", "65000"]

    [reservation] = sections["Gereserveerd geld"][2:]
    assert reservation[0] == "Boekhouden basis" and reservation[3:] == [
        "250,00",
        "25000",
        "250,00",
        "25000",
        "0,00",
        "0",
    ]

    header, *history = sections["Geschiedenis"][1:]
    assert header[4:6] == ["Bedrag (euro)", "Bedrag (cent)"]
    assert [(row[4], row[5], row[6], row[7]) for row in history] == [
        ("1000,00", "100000", "1000,00", "100000"),
        ("500,00", "50000", "1500,00", "150000"),
        ("-500,00", "-50000", "1000,00", "100000"),
        ("-100,00", "-10000", "900,00", "90000"),
    ]
    assert [row[8] for row in history] == ["1000,00", "500,00", "0,00", "900,00"]  # balance of that pot


def test_a_csv_cell_is_never_a_spreadsheet_formula(client, resident, clock):
    source = services.system_account(SystemAccount.Kind.EMPLOYER, '=HYPERLINK("x")', scheme="evil")
    deposit(resident, source, 1_000, kind=PotKind.EMPLOYER, clock=clock)
    client.force_login(resident.user)
    text = client.get(reverse("ledger:mine-csv")).content.decode("utf-8-sig")
    assert ";=HYPERLINK" not in text and not re.search(r"^=", text, re.M)


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its content streams decoded (reportlab writes them ASCII85 + Flate), to search in."""
    decoded = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data, adobe=True)
        try:
            decoded.append(zlib.decompress(data))
        except zlib.error:
            decoded.append(data)
    return b"\n".join(decoded)


def test_the_pdf_is_an_a4_statement_with_the_masked_bsn(client, account):
    client.force_login(account.user)
    response = client.get(reverse("ledger:mine-pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in response.content  # A4
    text = pdf_text(response.content)
    assert account.masked_bsn.encode() in text and account.bsn.encode() not in text
    assert str(account).encode() in text and b"Overzicht van uw Leerrekening" in text
    for amount in (b"1.500,00", b"900,00", b"650,00"):
        assert amount in text


# --- the beancount export of the whole journal -------------------------------------------------------------


@pytest.fixture
def busy_ledger(account, budget, employer_account, payee, other_resident, clock):
    """Every kind of journal: allocation, deposit, payout, refund, clawback, expiry; a name with quotes."""
    services.allocate(
        [services.AllocationRow(r.pk, 75_000) for r in sorted([account, other_resident], key=lambda r: r.pk)],
        run_key="alloc",
        source=budget,
        pot_kind=PotKind.RIGHTS,
        lot="2026-extra",
        categories=ALL,
        expires_on=FAR,
        chunk_size=1,
        clock=clock,
    )
    fund = services.system_account(SystemAccount.Kind.SECTOR_FUND, 'O&O-fonds "Metaal" \\ Électro', scheme="oo")
    deposit(other_resident, fund, 20_000, kind=PotKind.SECTOR_FUND, expires=datetime.date(2026, 3, 20), clock=clock)
    course = reserve(other_resident, payee, 30_000, Category.STUDY, key="o1", reference="Excel", clock=clock)
    services.post(key="o1-post", reservation_uuid=course["reservation"], clock=clock)
    services.reverse_payout(
        key="o1-refund",
        reservation_uuid=course["reservation"],
        amount_cents=5_000,
        reason='Les "3" vervallen',
        clock=clock,
    )
    services.reverse_payout(
        key="o1-claw",
        reservation_uuid=course["reservation"],
        amount_cents=2_500,
        kind=Journal.Kind.CLAWBACK,
        reason="Terugvordering",
        clock=clock,
    )
    clock.advance(datetime.timedelta(days=30))
    assert services.expire(clock=clock)["forfeited_cents"] > 0
    assert set(Journal.objects.values_list("kind", flat=True)) == set(Journal.Kind.values)
    return fund


def test_the_beancount_export_passes_bean_check_and_equals_the_ledger(busy_ledger, tmp_path):
    path = tmp_path / "ledger.beancount"
    call_command("export_beancount", "--output", str(path), stderr=io.StringIO())

    check = subprocess.run(
        [str(Path(sys.executable).parent / "bean-check"), str(path)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr

    from beancount import loader

    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    transactions = [e for e in entries if type(e).__name__ == "Transaction"]
    assert len(transactions) == Journal.objects.count()
    assert {e.meta["uuid"] for e in transactions} == {str(u) for u in Journal.objects.values_list("uuid", flat=True)}

    totals: dict[str, Decimal] = defaultdict(Decimal)
    for entry in transactions:
        assert sum(p.units.number for p in entry.postings) == 0
        for posting in entry.postings:
            assert posting.units.currency == "EUR"
            totals[posting.account] += posting.units.number
    cents = {account: int(total * 100) for account, total in totals.items()}
    for pot_id, posted in Pot.objects.values_list("id", "posted_cents"):
        assert cents.get(pot_account(pot_id), 0) == posted
    for account in SystemAccount.objects.annotate(total=Sum("legs__amount_cents")):
        assert cents.get(system_account_name(account.pk, account.kind, account.name), 0) == (account.total or 0)
    assert sum(totals.values()) == 0
    assert sum(cents.values()) == Leg.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    assert (
        len([e for e in entries if type(e).__name__ == "Balance"])
        == Pot.objects.count() + SystemAccount.objects.count()
    )


def test_the_beancount_export_can_go_to_standard_output(busy_ledger):
    out = io.StringIO()
    call_command("export_beancount", "--output", "-", stdout=out)
    text = out.getvalue()
    assert 'option "operating_currency" "EUR"' in text and "#payout" in text
    assert 'O&O-fonds \\"Metaal\\" \\\\ Électro' in text  # the name as metadata, escaped
    assert not any(bsn in text for bsn in Resident.objects.values_list("bsn", flat=True))  # no personal data


@pytest.mark.django_db(transaction=True)
def test_the_command_exports_one_consistent_snapshot_outside_a_transaction(budget, clock, tmp_path):
    """Run as in production (not inside a test's transaction): REPEATABLE READ, server-side cursors."""
    ensure_regions()  # a transactional test's flush removed the migration's rows
    resident = ResidentFactory()
    deposit(resident, budget, 12_345, clock=clock)
    path = tmp_path / "ledger.beancount"
    call_command("export_beancount", "--output", str(path), stderr=io.StringIO())

    from beancount import loader

    entries, errors, _options = loader.load_file(str(path))
    assert errors == []
    assert sum(1 for e in entries if type(e).__name__ == "Transaction") == 1
    assert not list(tmp_path.glob("*.partial"))  # written under a temporary name, then renamed


def test_an_empty_ledger_exports_a_valid_file(db, tmp_path):
    from beancount import loader

    path = tmp_path / "empty.beancount"
    call_command("export_beancount", "--output", str(path), stderr=io.StringIO())
    _entries, errors, _options = loader.load_file(str(path))
    assert errors == []


# --- the template filter -------------------------------------------------------------------------------------


def test_the_euro_filter_shows_cents_the_dutch_way():
    rendered = Template("{% load money %}{{ a|euro }} | {{ b|euro }} | {{ c|euro }}").render(
        Context({"a": 123456, "b": -5, "c": None})
    )
    assert rendered == "€ 1.234,56 | -€ 0,05 | "
