"""The platform's administrator manages no provider's catalogue: the rules decide for administrators as for
everyone, and a superuser's powers stay in the Django admin."""

import pytest
from django.urls import reverse

from levenlang.catalog.models import Module
from levenlang.core.roles import Role
from tests.factories import ModuleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("superuser", [False, True], ids=["administrator", "administrator-and-superuser"])
def test_the_administrator_cannot_unpublish_another_providers_module(client, provider, superuser):
    module = ModuleFactory(provider=provider, status=Module.Status.PUBLISHED)
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=superuser))
    response = client.post(reverse("catalog:provider-module-publish", args=[module.uuid]), {"action": "unpublish"})
    assert response.status_code == 404
    module.refresh_from_db()
    assert module.status == Module.Status.PUBLISHED
    assert client.get(reverse("catalog:provider-module", args=[module.uuid])).status_code == 403  # no provider


def test_only_a_superuser_changes_a_module_in_the_django_admin(client, provider):
    module = ModuleFactory(provider=provider)
    change = reverse("admin:catalog_module_change", args=[module.pk])
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))
    assert client.get(change).status_code == 200
    assert 'name="_save"' not in client.get(change).text  # read-only for the administrator
    client.force_login(UserFactory(role=Role.RESIDENT, is_staff=True, is_superuser=True))
    assert 'name="_save"' in client.get(change).text
