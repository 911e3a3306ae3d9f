import datetime
import hashlib
import re
import uuid
from collections import Counter, defaultdict
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.db.models import Sum
from django.utils import timezone, translation
from stdnum.nl import bsn as stdnum_bsn

from levenlang.catalog.models import Provider
from levenlang.core.models import Region, User
from levenlang.core.regions import ensure_regions
from levenlang.demo.ledger import load_demo_ledger
from levenlang.demo.personas import PERSONAS
from levenlang.demo.population import (
    DEFAULT_SEED,
    DemoDataExists,
    PopulationGenerator,
    demo_data_present,
    load_population,
    uuid4_hex,
)
from levenlang.employers.models import Employer, Employment, Sector, SectorFund
from levenlang.enrolment.models import Enrolment, Status
from levenlang.ledger import services as ledger
from levenlang.ledger.models import Journal, Leg, Pot, Reservation
from levenlang.ledger.reconcile import reconcile
from levenlang.residents.models import Resident, Situation
from levenlang.schemes import population
from levenlang.schemes import services as rules
from levenlang.skills import services as skills
from tests.factories import ResidentFactory

DAY = datetime.date(2025, 3, 1)
SIZE = 500


def _fingerprint(generator: PopulationGenerator) -> str:
    digest = hashlib.sha256()
    for rows in (generator.employers, generator.providers):
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    for residents, employments in generator.iter_chunks(chunk_size=300):
        for row in (*residents, *employments):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_the_same_seed_gives_the_same_population_and_another_seed_another():
    generator = PopulationGenerator(residents=1_000, seed=7, today=DAY)
    first = _fingerprint(generator)
    assert first == _fingerprint(generator)  # a second pass over the same generator starts over
    assert first == _fingerprint(PopulationGenerator(residents=1_000, seed=7, today=DAY))
    assert first != _fingerprint(PopulationGenerator(residents=1_000, seed=8, today=DAY))


def test_uuids_are_version_4_and_match_the_uuid_module():
    for bits in (0, 2**128 - 1, 0x0123456789ABCDEF0123456789ABCDEF):
        assert uuid4_hex(bits) == uuid.UUID(int=bits, version=4).hex
        assert uuid.UUID(uuid4_hex(bits)).version == 4


def test_generated_population_is_plausible():
    generator = PopulationGenerator(residents=3_000, seed=3, today=DAY)
    residents = []
    employments = []
    for chunk, jobs in generator.iter_chunks(chunk_size=1_000):
        residents += chunk
        employments += jobs
    assert len(residents) == 3_000

    bsns = [r.bsn for r in residents] + list(generator.persona_bsns.values())
    assert len(set(bsns)) == len(bsns)
    assert all(stdnum_bsn.is_valid(bsn) for bsn in bsns)

    ages = Counter(_age(r.birth_date, DAY) for r in residents)
    assert set(ages) == set(range(16, 91))
    assert sum(ages[a] for a in range(50, 55)) > 2 * sum(ages[a] for a in range(85, 90))  # fewer at a great age
    assert {r.situation for r in residents} == set(Situation.values)
    retired = [_age(r.birth_date, DAY) for r in residents if r.situation == Situation.RETIRED]
    students = [_age(r.birth_date, DAY) for r in residents if r.situation == Situation.STUDENT]
    assert sum(a >= 67 for a in retired) / len(retired) > 0.85
    assert sum(a < 25 for a in students) / len(students) > 0.85
    young_high = sum(r.nlqf_level >= 6 for r in residents if _age(r.birth_date, DAY) < 20)
    assert young_high == 0  # nobody has a bachelor's degree before 20

    assert {r.region for r in residents} == set(generator.region_codes) and len(generator.region_codes) == 35
    by_region = Counter(r.region for r in residents)
    assert by_region["groot-amsterdam"] > 3 * by_region["gorinchem"]
    assert all(re.fullmatch(r"[1-9]\d{3} [A-Z]{2}", r.postcode) for r in residents)
    assert not any(r.postcode.endswith(("SA", "SD", "SS")) for r in residents)

    kvks = [e.kvk_number for e in generator.employers] + [p.kvk_number for p in generator.providers]
    assert len(set(kvks)) == len(kvks) and all(re.fullmatch(r"\d{8}", k) for k in kvks)
    assert len(generator.employers) == 150 and len(generator.providers) == 40
    assert {e.sector for e in generator.employers} == set(Sector.values)
    funds = {(e.sector, e.sector_fund) for e in generator.employers if e.sector_fund}
    assert {f for _, f in funds} <= {"A+O fonds Metalektro", "OOM", "SOOB", "A+O fonds Gemeenten"}
    assert all(s == Sector.METAL_ELECTRICAL for s, f in funds if f in ("OOM", "A+O fonds Metalektro"))
    statuses = Counter(p.status for p in generator.providers)
    assert statuses[Provider.Status.SUSPENDED] == 1 and statuses[Provider.Status.APPROVED] > 30
    assert {p.kind for p in generator.providers} == set(Provider.Kind.values)

    birth = {r.index: r.birth_date for r in residents}
    current = Counter(e.resident for e in employments if e.end_date is None)
    assert max(current.values()) == 1
    employed = {r.index for r in residents if r.situation == Situation.EMPLOYED}
    assert employed <= set(current)
    for job in employments:
        assert job.start_date <= (job.end_date or DAY) <= DAY
        assert _age(birth[job.resident], job.start_date) >= 16
        assert 0 < job.hours_per_week <= 40
    headcount = defaultdict(list)
    per_employer = Counter(e.employer for e in employments if e.end_date is None)
    for index, employer in enumerate(generator.employers[2:], start=2):
        headcount[employer.size].append(per_employer[index])
    mean = {size: sum(counts) / len(counts) for size, counts in headcount.items()}
    assert mean["micro"] < mean["small"] < mean["medium"] < mean["large"]
    # Marco's employer (the first) has enough staff that its aggregate figures are shown (groups under 10 are
    # hidden), and they all work in Twente.
    assert 10 <= per_employer[0] <= 24
    assert {residents[e.resident].region for e in employments if e.employer == 0} == {"twente"}


@pytest.mark.django_db
def test_load_writes_the_generated_population_and_the_personas():
    today = timezone.localdate()
    counts = load_population(residents=SIZE, seed=5)

    assert counts["residents"] == Resident.objects.count() == SIZE + 3
    assert counts["employments"] == Employment.objects.count()
    assert counts["employers"] == Employer.objects.count() == 50
    assert counts["providers"] == Provider.objects.count() == 40
    assert SectorFund.objects.count() == 4
    assert Resident.objects.values("region").distinct().count() == Region.objects.count() == 35
    bsns = list(Resident.objects.values_list("bsn", flat=True))
    assert all(stdnum_bsn.is_valid(bsn) for bsn in bsns) and len(set(bsns)) == len(bsns)

    # The database holds exactly what the generator makes for this seed and day.
    generator = PopulationGenerator(residents=SIZE, seed=5, today=today)
    expected = sorted(
        (r.bsn, r.given_name, r.family_name, r.birth_date) for chunk, _ in generator.iter_chunks() for r in chunk
    )
    loaded = sorted(
        Resident.objects.filter(user__isnull=True).values_list("bsn", "given_name", "family_name", "birth_date")
    )
    assert loaded == expected

    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])}
    assert {name: u.role for name, u in users.items()} == {p.username: p.role for p in PERSONAS}
    assert demo_data_present()

    marco = Resident.objects.get(user=users["marco"])
    assert marco.age_on(today) == 45 and marco.nlqf_level == 2 and marco.region.code == "twente"
    job = marco.employments.get(end_date__isnull=True)
    assert job.job_title == "Operator"
    assert job.employer.sector == Sector.METAL_ELECTRICAL and job.employer.region.code == "twente"
    assert users["ahmed"] in job.employer.staff.all()

    sanne = Resident.objects.get(user=users["sanne"])
    assert sanne.age_on(today) == 18 and sanne.situation == Situation.STUDENT and sanne.nlqf_level == 4
    assert sanne.region.code == "midden-utrecht"

    ineke = Resident.objects.get(user=users["ineke"])
    assert ineke.age_on(today) == 62 and ineke.nlqf_level == 3 and ineke.region.code == "rijnmond"
    job = ineke.employments.get(end_date__isnull=True)
    assert job.job_title == "Verzorgende IG" and job.employer.sector == Sector.CARE

    assert list(users["fleur"].sector_funds.values_list("name", flat=True)) == ["A+O fonds Metalektro"]
    provider = users["joost"].providers.get()
    assert (provider.kind, provider.status, provider.region.code) == ("private", "approved", "twente")
    assert users["lisa"].region.code == users["noor"].region.code == "twente"
    pieter = users["pieter"]
    assert not (pieter.employers.exists() or pieter.sector_funds.exists() or pieter.providers.exists())
    assert pieter.region is None and not pieter.has_usable_password()
    assert users["beheer"].is_staff and not users["beheer"].is_superuser  # the rules apply to the administrator
    assert not any(u.is_superuser for u in users.values())
    assert not any(u.is_staff for name, u in users.items() if name != "beheer")


WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"  # in the demo subset


@pytest.mark.django_db
def test_loading_twice_is_refused_with_a_clear_error():
    load_population(residents=50, seed=1)
    with pytest.raises(DemoDataExists, match="already loaded"):
        load_population(residents=50, seed=1)
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load_demo", residents=50, stdout=StringIO())
    assert Resident.objects.count() == 53


@pytest.mark.django_db
def test_load_demo_command_loads_then_does_nothing_with_if_empty():
    out = StringIO()
    call_command("load_demo", residents=200, seed=2, stdout=out)
    assert "Loaded demo data (seed 2)" in out.getvalue() and "203 residents" in out.getvalue()
    assert "Skills taxonomy (ESCO demo subset)" in out.getvalue()  # the taxonomy was empty
    assert skills.essential_skills(WELDER)  # the demo's welders have their skills

    out = StringIO()
    call_command("load_demo", "--if-empty", residents=200, stdout=out)
    assert out.getvalue().strip() == "Demo data is already loaded; nothing to do."
    assert Resident.objects.count() == 203


@pytest.mark.django_db
def test_the_demo_has_money_for_the_personas_and_the_books_balance():
    call_command("load_demo", residents=200, seed=3, stdout=StringIO())
    marco = Pot.objects.filter(leerrekening__resident__user__username="marco")
    assert sorted(marco.values_list("kind", flat=True)) == ["employer", "own", "rights", "sector_fund"]
    # The learning rights credited are what the rules say, for Marco and for everyone; only people with rights get
    # a pot. (Compared on the allocation's legs: Marco has spent some of his money since.)
    year = timezone.localdate().year
    everyone = population.load(year)
    due = dict(zip(everyone.ids.tolist(), rules.learning_rights_cents(everyone).tolist(), strict=True))
    credited = dict(
        Leg.objects.filter(journal__kind=Journal.Kind.ALLOCATION, pot__isnull=False).values_list(
            "pot__leerrekening_id", "amount_cents"
        )
    )
    assert credited == {resident: cents for resident, cents in due.items() if cents}
    assert credited[Resident.objects.get(user__username="marco").pk] >= 80_000  # NLQF 2: at least EUR 800
    assert Reservation.objects.filter(status="pending").count() == 2  # Marco's PLC course and Sanne's course
    assert reconcile() == []
    journals = Journal.objects.count()
    load_demo_ledger()  # idempotent: running it again moves nothing
    assert Journal.objects.count() == journals


@pytest.mark.django_db
def test_load_demo_refuses_a_negative_size():
    with pytest.raises(CommandError, match="0 or more"):
        call_command("load_demo", residents=-1, stdout=StringIO())
    assert not demo_data_present()


def test_a_failed_load_leaves_nothing_behind(as_owner):
    # As the owner role, which drops the foreign keys for the bulk load (the app role keeps them).
    # A resident already holds a BSN the generator will hand out: the COPY fails, and so does everything.
    ensure_regions()
    generator = PopulationGenerator(residents=100, seed=9, today=timezone.localdate())
    taken = next(generator.iter_chunks())[0][42].bsn
    ResidentFactory(bsn=taken)
    keys = _foreign_keys()
    with pytest.raises(IntegrityError):
        load_population(residents=100, seed=9)
    assert not demo_data_present()
    assert Resident.objects.count() == 1
    assert _foreign_keys() == keys  # the keys dropped for the bulk load came back with the rollback
    assert not Employer.objects.exists() and not Provider.objects.exists() and not SectorFund.objects.exists()


def _foreign_keys() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [[m._meta.db_table for m in (Resident, Employment, Employer, Provider)]],
        )
        return set(cursor.fetchall())


def test_the_load_puts_back_every_foreign_key_it_checks_in_bulk(as_owner):
    before = _foreign_keys()
    assert len(before) >= 6
    load_population(residents=100, seed=4)
    assert _foreign_keys() == before


# --- the story: one true story, told by the enrolments ---------------------------------------------------------


def _sum(queryset, field: str = "amount_cents") -> int:
    return queryset.aggregate(total=Sum(field, default=0))["total"]


@pytest.mark.django_db
def test_every_reservation_and_payout_in_the_demo_comes_from_an_enrolment_whose_dates_fit_its_state():
    call_command("load_demo", residents=200, seed=3, stdout=StringIO())
    today = timezone.localdate()
    enrolments = list(Enrolment.objects.select_related("offering", "reservation", "resident__user", "module"))
    by_reservation = {e.reservation_id: e for e in enrolments if e.reservation_id}
    assert set(Reservation.objects.values_list("pk", flat=True)) == set(by_reservation)
    payouts = Journal.objects.filter(kind=Journal.Kind.PAYOUT)
    assert payouts.count() == 2  # Marco's VCA course and Ineke's digital skills
    for journal in payouts:
        paid = by_reservation[journal.reservation_id]
        assert paid.status == Status.PAID_OUT and paid.completed_percent == 100
        assert set(paid.events.values_list("to_status", flat=True)) >= {Status.COMPLETED, Status.PAID_OUT}
        assert -_sum(journal.legs.filter(pot__isnull=False)) == paid.paid_cents == paid.covered_cents
    for enrolment in enrolments:
        start, end = enrolment.offering.start_date, enrolment.offering.end_date
        if enrolment.status in (Status.REQUESTED, Status.ACCEPTED, Status.RESERVED):
            assert start > today, enrolment.module.code  # not started yet
        elif enrolment.status == Status.STARTED:
            assert start <= today <= end, enrolment.module.code
        else:
            assert enrolment.status == Status.PAID_OUT and end < today, enrolment.module.code
        requested = enrolment.events.get(to_status=Status.REQUESTED)
        assert requested.actor == enrolment.resident.user

    story = {(e.resident.user.username, e.module.title_nl): e for e in enrolments}
    plc = story["marco", "PLC programmeren"]
    assert (plc.status, plc.price_cents, plc.covered_cents) == (Status.RESERVED, 120_000, 120_000)
    assert (plc.offering.start_date - today).days == 10  # starting soon
    assert story["ineke", "Digitale vaardigheden"].paid_cents == 30_000

    # Each persona's money follows from the story: what came in, minus what was paid out, minus what is reserved.
    for username in ("marco", "sanne", "ineke"):
        resident = Resident.objects.get(user__username=username)
        legs = Leg.objects.filter(pot__leerrekening=resident.pk)
        came_in = _sum(legs.filter(journal__kind__in=[Journal.Kind.ALLOCATION, Journal.Kind.DEPOSIT]))
        mine = [e for e in enrolments if e.resident_id == resident.pk]
        paid_out = sum(e.paid_cents or 0 for e in mine)
        reserved = sum(e.covered_cents for e in mine if e.status in (Status.RESERVED, Status.STARTED))
        assert _sum(legs) == came_in - paid_out, username
        assert ledger.available_cents(resident.pk) == came_in - paid_out - reserved, username
    assert reconcile() == []


@pytest.mark.django_db
def test_the_navigator_counts_the_deposits_in_marcos_leerrekening():
    call_command("load_demo", residents=50, seed=3, stdout=StringIO())
    marco = Resident.objects.get(user__username="marco")
    results = {r.scheme.key: r for r in rules.navigate(marco)}
    employer = results["werkgeversstorting"]
    assert employer.eligible and employer.amount_cents == 75_000  # what his employer put in this year
    assert all(c.held for c in employer.conditions if c.condition.variable == "employer_deposits_this_year")
    own = results["eigen_storting_aftrek"]
    assert all(c.held for c in own.conditions if c.condition.variable == "makes_own_deposit")
    sanne = Resident.objects.get(user__username="sanne")
    assert not {r.scheme.key: r for r in rules.navigate(sanne)}["werkgeversstorting"].eligible


# --- README's persona table is the picker ----------------------------------------------------------------------

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_personas() -> list[str]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| Persona | Role | Who |") :].split("\n\n", 1)[0]
    return table.splitlines()[2:]


def test_the_readme_persona_table_is_what_the_persona_picker_shows():
    with translation.override("en"):
        picker = [f"| {p.given_name} {p.family_name} | {p.role.label} | {p.description} |" for p in PERSONAS]
    assert _readme_personas() == picker


def test_the_readme_gives_marcos_bsn_for_the_mock_digid():
    marco = PopulationGenerator(residents=0, seed=DEFAULT_SEED, today=DAY).persona_bsns["marco"]
    assert stdnum_bsn.is_valid(marco)
    assert f"type Marco's BSN\n**{marco}**" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("day", [datetime.date(2027, 1, 1), datetime.date(2026, 12, 31)])
@pytest.mark.django_db
def test_the_personas_have_the_ages_of_their_descriptions_on_the_day_of_the_load(day):
    load_population(residents=0, seed=1, today=day)
    with translation.override("en"):
        described = {p.username: str(p.description) for p in PERSONAS}
    for resident in Resident.objects.filter(user__isnull=False).select_related("user"):
        assert described[resident.user.username].startswith(f"{resident.age_on(day)} years old,")


@pytest.mark.django_db
def test_persona_descriptions_name_the_organisations_their_pages_name(client):
    call_command("load_demo", residents=0, seed=1, stdout=StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])}
    named = {
        "ahmed": users["ahmed"].employers.get().name,
        "fleur": users["fleur"].sector_funds.get().name,
        "joost": users["joost"].providers.get().name,
        "marco": Resident.objects.get(user=users["marco"]).employments.get().employer.name,
        "ineke": Resident.objects.get(user=users["ineke"]).employments.get().employer.name,
    }
    region = users["noor"].region.name
    for language, hub, desk in (("en", "Technohub", "Learning desk"), ("nl", "Technohub", "Leerloket")):
        with translation.override(language):
            described = {p.username: str(p.description) for p in PERSONAS}
        pages = {"noor": f"{hub} {region}", "lisa": f"{desk} {users['lisa'].region.name}"}
        for username, name in (named | pages).items():
            assert name in described[username], (language, username)
        for username, name in pages.items():  # the home page calls it the same
            client.force_login(users[username])
            page = client.get("/" if language == "nl" else "/en/").content.decode()
            assert name in page, (language, username)


@pytest.mark.django_db
def test_the_mock_digid_page_suggests_a_persona_bsn_in_demo_mode(client):
    call_command("load_demo", residents=0, seed=1, stdout=StringIO())
    bsn = Resident.objects.get(user__username="marco").bsn
    page = client.get("/account/demo/digid/").content.decode()
    assert f"<strong>{bsn}</strong>" in page and "Marco Jansen" in page
