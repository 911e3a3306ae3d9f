"""Full-text search in Dutch and English with facets, counts and the reasons each result matches."""

import datetime

import pytest

from levenlang.catalog import services
from levenlang.catalog.models import ModeOfDelivery, Module, Provider
from levenlang.catalog.services import SearchParams
from levenlang.ledger.models import Category
from tests.factories import ModuleFactory, OfferingFactory, ProviderFactory, region

TODAY = datetime.date(2027, 1, 10)


@pytest.fixture
def catalogue(db):
    welding = ModuleFactory(
        title_nl="Lassen voor beginners",
        title_en="Welding for beginners",
        description_nl="Je leert veilig lassen met MIG en TIG.",
        skills=["MIG-lassen"],
        category=Category.JOB_ORIENTED,
        mode_of_delivery=ModeOfDelivery.PRESENTIAL,
        level="eqf_2",
        price_cents=80_000,
    )
    OfferingFactory(module=welding, start_date=datetime.date(2027, 2, 1), region=region("twente"), postcode="7511 AB")
    excel = ModuleFactory(
        title_nl="Werken met Excel",
        title_en="Working with spreadsheets",
        description_nl="Rekenbladen voor kantoorwerk.",
        category=Category.GENERAL_SKILLS,
        mode_of_delivery=ModeOfDelivery.ONLINE,
        self_paced=True,
        level="eqf_3",
        price_cents=15_000,
    )
    OfferingFactory(module=excel, start_date=None, region=None, postcode="")
    care = ModuleFactory(
        title_nl="Zorg thuis: lassen van zorgtaken",  # also has the word, in another field and category
        description_nl="Over mantelzorg en het lassen van taken.",
        category=Category.LABOUR_MARKET,
        mode_of_delivery=ModeOfDelivery.HYBRID,
        level="eqf_3",
        price_cents=40_000,
    )
    OfferingFactory(
        module=care, start_date=datetime.date(2027, 6, 1), region=region("groot-amsterdam"), postcode="1012 AB"
    )
    draft = ModuleFactory(title_nl="Lassen (concept)", status=Module.Status.DRAFT)
    OfferingFactory(module=draft)
    suspended = ModuleFactory(
        title_nl="Lassen bij een geschorste opleider", provider=ProviderFactory(status="suspended")
    )
    OfferingFactory(module=suspended)
    return {"welding": welding, "excel": excel, "care": care}


def _titles(result):
    return [hit.module.title_nl for hit in result.hits]


def test_dutch_stemming_finds_inflected_words(catalogue):
    # the Dutch stemmer maps "lassen" and "Rekenbladen" to the stems "lass" and "rekenblad"
    result = services.search(SearchParams(q="lassen"), today=TODAY)
    assert set(_titles(result)) == {"Lassen voor beginners", "Zorg thuis: lassen van zorgtaken"}
    assert services.search(SearchParams(q="rekenblad"), today=TODAY).total == 1  # "Rekenbladen"


def test_english_words_find_modules_by_their_english_title(catalogue):
    result = services.search(SearchParams(q="welding"), today=TODAY)
    assert _titles(result) == ["Lassen voor beginners"]
    assert services.search(SearchParams(q="spreadsheet"), today=TODAY).total == 1  # plural in the title


def test_drafts_and_suspended_providers_never_show(catalogue):
    titles = _titles(services.search(SearchParams(q="lassen"), today=TODAY))
    assert "Lassen (concept)" not in titles and "Lassen bij een geschorste opleider" not in titles
    assert Provider.objects.filter(status="suspended").exists()


def test_title_matches_rank_above_description_matches(catalogue):
    result = services.search(SearchParams(q="beginners lassen"), today=TODAY)
    assert _titles(result)[0] == "Lassen voor beginners"


def test_facets_filter_and_count(catalogue):
    everything = services.search(SearchParams(), today=TODAY)
    assert everything.total == 3
    assert everything.facets["category"] == {
        Category.JOB_ORIENTED: 1,
        Category.GENERAL_SKILLS: 1,
        Category.LABOUR_MARKET: 1,
    }
    assert everything.facets["mode_of_delivery"] == {"presential": 1, "online": 1, "hybrid": 1}
    assert everything.facets["level"] == {"eqf_2": 1, "eqf_3": 2}
    assert everything.facets["self_paced"] == {True: 1, False: 2}
    assert _titles(services.search(SearchParams(categories=[Category.GENERAL_SKILLS]), today=TODAY)) == [
        "Werken met Excel"
    ]
    assert _titles(services.search(SearchParams(modes=["hybrid"], levels=["eqf_3"]), today=TODAY)) == [
        "Zorg thuis: lassen van zorgtaken"
    ]
    assert _titles(services.search(SearchParams(self_paced=True), today=TODAY)) == ["Werken met Excel"]


def test_region_distance_and_start_date(catalogue):
    assert _titles(services.search(SearchParams(region="twente"), today=TODAY)) == ["Lassen voor beginners"]
    # Almelo (76xx) is about 22 km from Enschede (75xx), as the postcode-area table has it
    near = services.search(SearchParams(postcode="7601 AA", distance_km=25), today=TODAY)
    assert _titles(near) == ["Lassen voor beginners"] and 15 < near.hits[0].distance_km < 25
    assert services.search(SearchParams(postcode="7601AA", distance_km=15), today=TODAY).total == 0
    spring = SearchParams(start_from=datetime.date(2027, 5, 1), start_until=datetime.date(2027, 7, 1))
    # the June cohort, and the self-paced module (start any time)
    assert set(_titles(services.search(spring, today=TODAY))) == {
        "Zorg thuis: lassen van zorgtaken",
        "Werken met Excel",
    }


def test_results_explain_why_they_match(catalogue):
    result = services.search(SearchParams(q="lassen", categories=[Category.JOB_ORIENTED], region="twente"), today=TODAY)
    (hit,) = result.hits
    assert hit.reasons[0] == "“lassen” in the title, skills, description"
    assert "category: Job-oriented training" in hit.reasons
    assert "in the region Twente" in hit.reasons
    care = services.search(SearchParams(q="mantelzorg"), today=TODAY).hits[0]
    assert care.reasons == ["“mantelzorg” in the description"]


def test_price_after_funding_uses_the_persons_pots(catalogue, resident):
    from levenlang.ledger import services as ledger
    from levenlang.ledger.models import SystemAccount

    budget = ledger.system_account(SystemAccount.Kind.BUDGET, "Leerrechten", scheme="leerrechten", year=2027)
    ledger.deposit(
        key="rights",
        resident_id=resident.pk,
        pot_kind="rights",
        lot="2027",
        amount_cents=50_000,
        source=budget,
        categories=[Category.JOB_ORIENTED],
        expires_on=None,
        description="Leerrechten 2027",
    )
    result = services.search(SearchParams(q="lassen"), resident=resident, today=TODAY)
    welding = next(h for h in result.hits if h.module.title_nl == "Lassen voor beginners")
    assert (welding.covered_cents, welding.own_share_cents) == (50_000, 30_000)
    care = next(h for h in result.hits if h.module.title_nl != "Lassen voor beginners")
    assert care.own_share_cents == 40_000  # the rights may not pay for this category
    # The facet "at most 300 euro of your own": welding (300 after funding) fits, care (400) does not
    cheap = services.search(SearchParams(max_own_share_cents=30_000), resident=resident, today=TODAY)
    assert set(_titles(cheap)) == {"Lassen voor beginners", "Werken met Excel"}


def test_moving_or_removing_an_offering_updates_the_search_at_once(catalogue):
    """The module's offering_* search columns follow its offerings (triggers, migration 0006)."""
    welding = catalogue["welding"]
    offering = welding.offerings.get()
    assert _titles(services.search(SearchParams(region="twente"), today=TODAY)) == ["Lassen voor beginners"]
    offering.region = region("zuid-limburg")
    offering.postcode = "6211 AB"
    services.place_offering(offering)  # as the offering form and the importer do
    offering.save()
    assert services.search(SearchParams(region="twente"), today=TODAY).total == 0
    assert _titles(services.search(SearchParams(region="zuid-limburg"), today=TODAY)) == ["Lassen voor beginners"]
    assert services.search(SearchParams(postcode="6211 AA", distance_km=10), today=TODAY).total == 1
    offering.delete()
    assert services.search(SearchParams(region="zuid-limburg"), today=TODAY).total == 0
    # a module whose only offering is gone can no longer be found by start date either
    window = SearchParams(start_from=datetime.date(2027, 1, 15), start_until=datetime.date(2027, 3, 1))
    assert "Lassen voor beginners" not in _titles(services.search(window, today=TODAY))


@pytest.mark.parametrize("q", ["'; DROP TABLE catalog_module; --", "!!! () & | <->", "de het een", "C++ & C#"])
def test_any_words_are_safe_and_change_nothing(catalogue, q):
    result = services.search(SearchParams(q=q), today=TODAY)
    assert result.total == len(result.hits) <= 3
    assert Module.objects.count() == 5


def test_counts_of_the_whole_catalogue_are_kept_a_minute_only_when_it_is_large(catalogue, monkeypatch):
    from django.core.cache import cache

    cache.delete(services._ALL_FACETS_KEY)
    assert services.search(SearchParams(), today=TODAY).total == 3
    OfferingFactory(module=ModuleFactory(title_nl="Nieuw"))
    assert services.search(SearchParams(), today=TODAY).total == 4  # small: counted afresh
    monkeypatch.setattr(services, "CACHE_COUNTS_FROM", 1)
    assert services.search(SearchParams(), today=TODAY).total == 4  # now kept
    OfferingFactory(module=ModuleFactory(title_nl="Metselen"))
    assert services.search(SearchParams(), today=TODAY).total == 4
    assert services.search(SearchParams(q="metselen"), today=TODAY).total == 1  # any choice: counted afresh
    cache.delete(services._ALL_FACETS_KEY)
