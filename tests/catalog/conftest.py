import datetime

import pytest

from levenlang.catalog.models import ProviderRecognition
from tests.factories import ProviderFactory


@pytest.fixture
def provider(db):
    """An approved provider with an approved CRKBO recognition: it may publish."""
    provider = ProviderFactory()
    ProviderRecognition.objects.create(
        provider=provider,
        kind=ProviderRecognition.Kind.CRKBO,
        reference="CRKBO-123",
        status=ProviderRecognition.Status.APPROVED,
        valid_until=datetime.date.today() + datetime.timedelta(days=365),
    )
    return provider


@pytest.fixture(autouse=True)
def english():
    """Messages in English, so that tests read the msgids whatever the Dutch translation says."""
    from django.utils import translation

    with translation.override("en"):
        yield
