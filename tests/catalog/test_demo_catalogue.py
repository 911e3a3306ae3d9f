"""The demo catalogue: every category and mode, Dutch titles, searchable, loaded once and quickly."""

import time

import pytest

from levenlang.catalog import services
from levenlang.catalog.models import Module, Offering, Provider, ProviderRecognition
from levenlang.demo.catalogue import demo_catalogue_present, load_demo_catalogue
from levenlang.demo.population import load_population
from levenlang.ledger.models import Category

pytestmark = pytest.mark.django_db


def test_the_demo_catalogue_covers_every_category_and_mode_and_loads_once():
    load_population(residents=200, seed=3)
    started = time.perf_counter()
    counts = load_demo_catalogue(seed=3)
    seconds = time.perf_counter() - started
    assert demo_catalogue_present() and seconds < 5
    assert counts["modules"] >= 300 and counts["offerings"] > counts["modules"]
    published = Module.objects.filter(status="published")
    assert set(published.values_list("category", flat=True)) == set(Category.values)
    assert {"online", "hybrid", "blended", "presential", "work_based"} <= set(
        published.values_list("mode_of_delivery", flat=True)
    )
    assert published.filter(self_paced=True).exists()
    assert Offering.objects.filter(start_date__isnull=False, latitude__isnull=False).exists()
    # Every approved provider can publish; pending ones wait with a recognition for the administrator.
    for provider in Provider.objects.filter(status="approved"):
        assert services.can_publish(provider), provider
    assert (
        ProviderRecognition.objects.filter(status="submitted").count()
        == Provider.objects.filter(status="pending").count()
    )
    # Searchable in Dutch, with results from approved providers only
    result = services.search(services.SearchParams(q="lassen"))
    assert result.total > 0 and all(h.module.provider.status == "approved" for h in result.hits)
    assert load_demo_catalogue(seed=3) == {"modules": 0, "offerings": 0}
