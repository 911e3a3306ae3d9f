"""Declarations in bulk (CSV, all or nothing, every bad row reported) and the signed credential (valid when
untouched, invalid when anything is changed or someone else signed it)."""

import copy
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import translation

from levenlang.core.roles import Role
from levenlang.enrolment import credentials, services
from levenlang.enrolment.models import Enrolment, EnrolmentEvent, Status
from tests.enrolment.conftest import NOW, books_are_right, put_money
from tests.factories import OfferingFactory, ProviderFactory, UserFactory
from tests.test_identifiers import visible_text as visible

pytestmark = pytest.mark.django_db


def csv_of(*rows: str, header: str = "enrolment,action,percent,note") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def three(walk, offering, learner):
    """Three reserved enrolments of the learner, in three offerings of one module."""
    put_money(learner, 50_000, lot="extra")
    return [
        walk(Status.RESERVED, offering_=OfferingFactory(module=offering.module, start_date=NOW.date())) for _ in "abc"
    ]


def test_a_good_file_declares_every_row(three, staff, clock):
    a, b, c = three
    report = services.declare_in_bulk(
        csv_of(f"{a.uuid},start,,", f"{b.uuid},start,,", f"{b.uuid},complete,,", f"{c.uuid},start,,"),
        actor=staff,
        clock=clock,
    )
    assert (report.ok, report.rows, report.applied) == (True, 4, 4)
    statuses = [Enrolment.objects.get(pk=e.pk).status for e in three]
    assert statuses == [Status.STARTED, Status.COMPLETED, Status.STARTED]
    books_are_right()


def test_the_same_file_uploaded_twice_replays_the_first_answers(three, staff, clock):
    data = csv_of(f"{three[0].uuid},start,,")
    assert services.declare_in_bulk(data, actor=staff, clock=clock).applied == 1
    again = services.declare_in_bulk(data, actor=staff, clock=clock)
    assert (again.ok, again.applied) == (True, 1)
    assert EnrolmentEvent.objects.filter(enrolment=three[0], to_status=Status.STARTED).count() == 1


def test_a_partial_completion_and_dutch_column_values_with_semicolons(walk, staff, clock):
    enrolment = walk(Status.STARTED)
    report = services.declare_in_bulk(
        csv_of(f"{enrolment.uuid};afgerond;40;gestopt na week 3", header="enrolment;action;percent;note"),
        actor=staff,
        clock=clock,
    )
    assert report.ok, report.errors
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.completed_percent) == (Status.COMPLETED, 40)
    assert enrolment.events.last().note == "gestopt na week 3"


@pytest.mark.parametrize(
    ("bad_row", "why"),
    [
        ("{a},finish,,", "start"),  # unknown action
        ("{a},start,50,", "Percent"),  # a percentage with start
        ("{a},complete,,", "not possible now"),  # reserved, not started: illegal transition
        ("not-a-uuid,start,,", "no enrolment"),
        ("{other},start,,", "no enrolment"),  # another provider's enrolment: not even visible
        ("{a},complete,0,", "1 to 100"),
    ],
)
def test_one_bad_row_changes_nothing_and_is_reported_with_its_number(three, staff, clock, bad_row, why):
    a, b, c = three
    other = OfferingFactory(module__provider=ProviderFactory(), start_date=NOW.date())
    foreign = Enrolment.objects.create(
        resident=a.resident,
        offering=other,
        module=other.module,
        provider=other.module.provider,
        price_cents=100,
        category=other.module.category,
    )
    data = csv_of(f"{b.uuid},start,,", bad_row.format(a=a.uuid, other=foreign.uuid), f"{c.uuid},start,,")
    events_before = EnrolmentEvent.objects.count()
    with translation.override("en"):
        report = services.declare_in_bulk(data, actor=staff, clock=clock)
    assert not report.ok and report.applied == 0
    assert [number for number, _ in report.errors] == [3]  # line 3 of the file (line 1 is the header)
    assert why.lower() in report.errors[0][1].lower()
    assert [Enrolment.objects.get(pk=e.pk).status for e in three] == [Status.RESERVED] * 3
    assert EnrolmentEvent.objects.count() == events_before
    books_are_right()


@pytest.mark.parametrize("data", [b"", b"name,what\nx,y\n", "\ufffe".encode("utf-16")])
def test_a_file_without_the_right_columns_or_not_utf8_is_refused(staff, data):
    report = services.declare_in_bulk(data, actor=staff)
    assert not report.ok and report.applied == 0


def test_a_resident_cannot_declare_in_bulk(three, learner, clock):
    report = services.declare_in_bulk(csv_of(f"{three[0].uuid},start,,"), actor=learner.user, clock=clock)
    assert not report.ok
    assert Enrolment.objects.get(pk=three[0].pk).status == Status.RESERVED


# --- the credential ---------------------------------------------------------------------------------------------


@pytest.fixture
def credential(walk):
    return walk(Status.PAID_OUT).credential


def test_the_credential_says_who_did_what_where_and_verifies(credential, learner, offering):
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["name"] == offering.module.title_nl
    assert achievement["creator"]["name"] == offering.module.provider.name
    assert achievement["educationalLevel"] == "http://data.europa.eu/snb/eqf/3"
    assert achievement["tag"] == ["lassen", "http://data.europa.eu/esco/skill/x"]
    assert [a["targetUrl"] for a in achievement["alignment"]] == ["http://data.europa.eu/esco/skill/x"]
    hashed, name = subject["identifier"]
    assert name["identityHash"] == str(learner)
    assert hashed["hashed"] and str(learner.uuid) not in json.dumps(credential)
    assert learner.bsn not in json.dumps(credential)
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    result = credentials.verify(json.dumps(credential))
    assert result.valid, result.reasons
    assert result.summary["learner"] == str(learner)
    assert result.summary["module"] == offering.module.title_nl


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["identifier"][1].update(identityHash="Iemand Anders"),
        lambda c: c["credentialSubject"]["achievement"].update(name="Master in de rechten"),
        lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
        lambda c: c["proof"].update(created="2020-01-01T00:00:00Z"),
        lambda c: c["proof"].update(proofValue="z" + credentials.b58encode(b"\1" * 64)),
        lambda c: c["credentialSubject"]["achievement"].update(creditsAvailable=1.5),
    ],
)
def test_a_changed_credential_fails(credential, tamper):
    changed = copy.deepcopy(credential)
    tamper(changed)
    result = credentials.verify(changed)
    assert not result.valid
    assert result.reasons


def test_a_credential_signed_with_another_key_fails_even_when_it_names_that_key(credential):
    forger = Ed25519PrivateKey.generate()
    did = credentials.did_key(forger.public_key())
    forged = copy.deepcopy(credential)
    forged["issuer"]["id"] = did
    forged["proof"]["verificationMethod"] = f"{did}#{did[8:]}"
    options = {k: v for k, v in forged["proof"].items() if k != "proofValue"}
    forged["proof"]["proofValue"] = "z" + credentials.b58encode(forger.sign(credentials._hash_data(forged, options)))
    with translation.override("en"):
        result = credentials.verify(forged)
        assert not result.valid
        assert "not signed by Levenlang" in str(result.reasons[0])


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", '{"proof": 1}', "{}"])
def test_what_is_not_a_credential_is_invalid_with_a_reason(content):
    result = credentials.verify(content)
    assert not result.valid and result.reasons


def test_base58_round_trips():
    for data in (b"", b"\0\0abc", bytes(range(256))):
        assert credentials.b58decode(credentials.b58encode(data)) == data


def test_the_signing_key_is_kept_under_var_in_demo_mode(settings):
    assert credentials.issuer_did().startswith("did:key:z6Mk")  # an Ed25519 did:key
    assert (settings.VAR_DIR / "credential-signing-key.pem").exists()


def test_an_administrator_may_confirm_for_the_learner(walk, clock):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    enrolment = walk(Status.COMPLETED)
    services.confirm_completion(
        enrolment.uuid, actor=admin, key="admin-confirm", note="bevestigd per telefoon", clock=clock
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.PAID_OUT
    assert credentials.verify(enrolment.credential).valid


@pytest.fixture
def fresh_key_cache():
    credentials.signing_key.cache_clear()
    yield
    credentials.signing_key.cache_clear()


def test_the_key_from_the_environment_signs_and_older_keys_stay_trusted(settings, fresh_key_cache, walk):
    import base64

    from cryptography.hazmat.primitives import serialization

    def raw(key):
        return key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings.CREDENTIAL_SIGNING_KEY = base64.b64encode(raw(old)).decode()
    issued_with_old = walk(Status.PAID_OUT).credential
    assert issued_with_old["issuer"]["id"] == credentials.did_key(old.public_key())

    credentials.signing_key.cache_clear()
    settings.CREDENTIAL_SIGNING_KEY = base64.b64encode(raw(new)).decode()
    assert not credentials.verify(issued_with_old).valid  # rotated, and the old key is not trusted
    settings.CREDENTIAL_TRUSTED_KEYS = [credentials.did_key(old.public_key())]
    assert credentials.verify(issued_with_old).valid


def test_outside_demo_mode_a_credential_needs_a_configured_key(settings, fresh_key_cache):
    from django.core.exceptions import ImproperlyConfigured

    settings.DEMO_MODE, settings.CREDENTIAL_SIGNING_KEY = False, ""
    with pytest.raises(ImproperlyConfigured):
        credentials.signing_key()


def test_a_file_with_one_column_only_is_refused_with_the_column_list(staff):
    with translation.override("en"):
        report = services.declare_in_bulk(b"enrolment\nabc\n", actor=staff)
    assert not report.ok and "enrolment, action" in report.errors[0][1]


def test_the_provider_downloads_its_declarations_filled_in_and_uploads_them_as_they_are(client, three, staff, clock):
    client.force_login(staff)
    page = client.get(reverse("enrolment:provider-bulk")).text
    assert reverse("enrolment:provider-declarations-csv") in page
    response = client.get(reverse("enrolment:provider-declarations-csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "enrolment;action;percent;note;learner;course;start"
    assert sorted(line.split(";")[0] for line in lines[1:]) == sorted(str(e.uuid) for e in three)
    assert {line.split(";")[1] for line in lines[1:]} == {"start"}
    report = services.declare_in_bulk(response.content, actor=staff, clock=clock)
    assert (report.ok, report.applied) == (True, 3)
    assert {Enrolment.objects.get(pk=e.pk).status for e in three} == {Status.STARTED}
    # The provider's list names each enrolment by learner, course and date: its code is only in the file.
    assert str(three[0].uuid) not in visible(client.get(reverse("enrolment:provider-list")).text)
