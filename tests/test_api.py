"""The API skeleton: /api/v1/, schema, docs without a CDN, version header, resources by UUID."""

import re

import pytest
import yaml
from django.urls import reverse


def test_schema_lists_the_v1_resources_by_uuid(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["info"]["version"] == "1.0.0"
    assert "/api/v1/residents/{uuid}/" in schema["paths"]
    assert "/api/v1/me/" in schema["paths"]
    assert response["API-Version"] == "1.0.0"


def test_the_docs_page_loads_its_assets_from_our_own_server(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', response.text) if url.startswith("http")]
    assert external == []


@pytest.mark.django_db
def test_me_says_who_is_logged_in(client, resident):
    client.force_login(resident.user)
    data = client.get(reverse("api-me")).json()
    assert data == {
        "uuid": str(resident.user.uuid),
        "username": resident.user.username,
        "display_name": resident.user.display_name,
        "role": "resident",
        "resident": str(resident.uuid),
    }
