"""Numbers in the provider's forms and files are ASCII digits: "²" and "¹⁸" pass str.isdigit() but are no number,
and must give a message, not a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from levenlang.enrolment.models import Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("percent", ["²", "¹⁸", "\u0665\u0660", "50.5"])
def test_a_declaration_file_with_a_percent_in_other_digits_names_the_line(client, walk, staff, percent):
    started = walk(Status.STARTED)
    client.force_login(staff)
    upload = SimpleUploadedFile(
        "m.csv", f"enrolment,action,percent,note\n{started.uuid},complete,{percent},\n".encode(), "text/csv"
    )
    response = client.post(reverse("api-enrolment-declarations"), {"file": upload})
    assert response.status_code == 422 and response.json()["errors"][0]["line"] == 2
    started.refresh_from_db()
    assert started.status == Status.STARTED


def test_a_declaration_file_with_a_percent_in_ascii_digits_still_applies(client, walk, staff):
    started = walk(Status.STARTED)
    client.force_login(staff)
    upload = SimpleUploadedFile("m.csv", f"enrolment,action,percent\n{started.uuid},complete,80\n".encode(), "text/csv")
    assert client.post(reverse("api-enrolment-declarations"), {"file": upload}).json()["applied"] == 1
    started.refresh_from_db()
    assert (started.status, started.completed_percent) == (Status.COMPLETED, 80)


@pytest.mark.parametrize("percent", ["²", "¹⁸", "\u0661\u0660\u0660"])
def test_the_step_form_with_a_percent_in_other_digits_says_so_and_changes_nothing(client, walk, staff, percent):
    started = walk(Status.STARTED)
    client.force_login(staff)
    response = client.post(
        reverse("enrolment:step", args=[started.uuid]), {"step": "complete", "key": "k-c", "percent": percent}
    )
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.status == Status.STARTED


@pytest.mark.parametrize("expected", ["²", "\u0661\u0662"])
def test_the_reserve_form_with_an_own_share_in_other_digits_asks_to_try_again(client, walk, expected):
    accepted = walk(Status.ACCEPTED)
    client.force_login(accepted.resident.user)
    response = client.post(
        reverse("enrolment:reserve", args=[accepted.uuid]),
        {"own_share_agreed": "yes", "expected_own_share_cents": expected},
    )
    assert response.status_code in {200, 302}
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED
