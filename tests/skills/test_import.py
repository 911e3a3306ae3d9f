"""import_esco: ESCO's official CSV layout round-trips, a rerun changes nothing, a malformed file is refused with
its row and reason and leaves the taxonomy as it was, and a new version marks what disappeared."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from levenlang.skills import services
from levenlang.skills.errors import ImportRefused
from levenlang.skills.models import Concept, Label, Relation, TaxonomyVersion
from tests.skills import esco_files as f


def _snapshot() -> tuple:
    concepts = sorted(
        Concept.objects.values_list(
            "uri", "kind", "code", "skill_type", "reuse_level", "isco_group__uri", "description", "status",
            "added_in", "disappeared_in",
        )
    )  # fmt: skip
    labels = sorted(Label.objects.values_list("id", "concept__uri", "language", "kind", "text"))
    relations = sorted(Relation.objects.values_list("id", "source__uri", "target__uri", "family", "kind"))
    return concepts, labels, relations


@pytest.fixture
def v1(tmp_path):
    """The small taxonomy as ESCO ships it: the classification in a folder, the relations in a zip."""
    classification = f.write_classification(tmp_path / "esco-v1.0.0-classification")
    relations = f.zip_folder(f.write_relations(tmp_path / "relations"), tmp_path / "esco-v1.0.0-relations-csv.zip")
    return [classification, relations]


def _counts(result: dict) -> dict:
    return {key: value for key, value in result.items() if value}


def test_the_official_layout_round_trips_from_a_folder_and_a_zip(db, v1):
    services.import_taxonomy(v1)
    kinds = dict(Concept.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {"skill": 5, "occupation": 2, "isco_group": 2, "skill_group": 1}
    families = Relation.objects.values_list("family", "kind")
    assert sorted(families) == sorted(
        [("occupation_skill", "essential")] * 5
        + [("occupation_skill", "optional")]
        + [("skill_skill", "optional")]
        + [("skill_broader", "broader")] * 3
        + [("occupation_broader", "broader")] * 3
    )
    weld = services.concept(f.WELD, language="en")
    assert weld.labels == {"en": ["weld metal", "join metal by welding", "welding"]}
    assert weld.description == "Join metal parts by melting them." and weld.active
    assert Concept.objects.get(uri=f.WELDER).isco_group.uri == f.ISCO_7212
    assert services.essential_skills(f.WELDER) == sorted([f.WELD, f.SAFETY, f.BLUEPRINTS])
    assert services.current_version() == "v1.0.0"
    assert TaxonomyVersion.objects.get().counts["skill"] == 5


def test_a_rerun_changes_nothing(db, v1):
    services.import_taxonomy(v1)
    before = _snapshot()
    again = services.import_taxonomy(v1)
    assert _counts(again) == {}
    assert _snapshot() == before


def test_the_command_says_what_changed_and_that_a_rerun_changed_nothing(db, v1):
    out = io.StringIO()
    call_command("import_esco", *map(str, v1), stdout=out)
    assert "concepts_added 10" in out.getvalue()
    out = io.StringIO()
    call_command("import_esco", *map(str, v1), stdout=out)
    assert "nothing changed" in out.getvalue()


def test_a_malformed_file_is_refused_with_its_row_and_reason_and_the_taxonomy_stays(db, v1, tmp_path):
    services.import_taxonomy(v1)
    before = _snapshot()
    bad = [*f.SKILLS[:1], f.skill(f.CUT, "cut metal", reuse="everywhere"), f.skill(f.SAFETY, " ")]
    folder = f.write_classification(tmp_path / "esco-v1.0.1", skills=bad)
    with pytest.raises(ImportRefused) as refused:
        services.import_taxonomy([folder])
    assert refused.value.problems == [
        ("skills_en.csv", 3, "unknown reuseLevel “everywhere”"),
        ("skills_en.csv", 4, "the preferred label is empty"),
    ]
    assert _snapshot() == before


def test_the_command_prints_every_bad_row_and_fails(db, v1, tmp_path):
    folder = f.write_classification(tmp_path / "esco-v1.0.1")
    (folder / "occupations_en.csv").write_text("conceptUri,iscoGroup\nhttp://x/o,7212\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="taxonomy is as it was"):
        call_command("import_esco", str(folder), stderr=err)
    assert "occupations_en.csv, row 1: the header lacks the column(s) preferredLabel" in err.getvalue()
    assert not Concept.objects.exists()


def test_a_relation_to_a_concept_in_no_file_is_skipped_but_a_file_that_fits_nothing_is_refused(db, v1, tmp_path):
    rows = [*f.OCCUPATION_SKILLS, [f.WELDER, "essential", "skill/competence", f"{f.ESCO}/skill/unknown"]]
    relations = f.write_relations(tmp_path / "esco-v1.0.0-relations", occupation_skills=rows)
    counts = services.import_taxonomy([v1[0], relations])
    assert counts["relations_skipped"] == 1
    assert Relation.objects.filter(family="occupation_skill").count() == 6
    Concept.objects.all().delete()
    with pytest.raises(ImportRefused) as refused:
        services.import_taxonomy([relations])  # relations alone, into an empty taxonomy
    assert refused.value.problems[0][:2] == ("broaderRelationsOccPillar.csv", 2)


def test_a_new_version_updates_labels_and_marks_disappeared_concepts_without_deleting_them(db, v1, tmp_path):
    services.import_taxonomy(v1)
    skills = [f.skill(f.WELD, "weld metals", "welding"), *f.SKILLS[1:4]]  # gas welding is gone
    relations = [row for row in f.OCCUPATION_SKILLS if f.GAS not in row]
    v2 = [
        f.write_classification(tmp_path / "esco-v2.0.0-classification", skills=skills),
        f.write_relations(tmp_path / "esco-v2.0.0-relations", occupation_skills=relations),
    ]
    (v2[1] / "skillSkillRelations.csv").write_text(
        "originalSkillUri,originalSkillType,relationType,relatedSkillType,relatedSkillUri\n", encoding="utf-8"
    )
    (v2[1] / "broaderRelationsSkillPillar.csv").write_text(
        f"conceptType,conceptUri,broaderType,broaderUri\nx,{f.WELD},SkillGroup,{f.GROUP}\n", encoding="utf-8"
    )
    counts = services.import_taxonomy(v2)
    assert counts["concepts_disappeared"] == 1
    gas = Concept.objects.get(uri=f.GAS)
    assert (gas.status, gas.disappeared_in, gas.added_in) == ("disappeared", "v2.0.0", "v1.0.0")
    assert services.labels_for([f.GAS], language="en") == {f.GAS: "use gas welding equipment"}  # still readable
    assert services.concept(f.WELD).labels["en"] == ["weld metals", "welding"]
    assert not Relation.objects.filter(source__uri=f.GAS).exists()
    assert [hit.uri for hit in services.search("gas weld", language="en")] == []
    services.import_taxonomy(v1)  # it comes back
    assert Concept.objects.get(uri=f.GAS).status == "active"


def test_dutch_labels_come_from_the_official_dutch_csv_the_same_way(db, v1, tmp_path):
    services.import_taxonomy(v1)
    dutch = [f.skill(f.WELD, "metaal lassen", "lassen"), f.skill(f.CUT, "metaal snijden")]
    folder = tmp_path / "esco-v1.0.0-nl"
    folder.mkdir()
    f.write_csv(folder / "skills_nl.csv", f.SKILL_HEADER, dutch)
    counts = services.import_taxonomy([folder])
    assert counts["labels_added"] == 3 and counts["concepts_disappeared"] == 0  # only English files judge that
    assert services.concept(f.WELD).labels == {
        "en": ["weld metal", "join metal by welding", "welding"],
        "nl": ["metaal lassen", "lassen"],
    }
    assert services.labels_for([f.WELD, f.SAFETY], language="nl") == {f.WELD: "metaal lassen", f.SAFETY: "work safely"}
    assert [hit.label for hit in services.search("lass", language="nl")] == ["metaal lassen"]
    assert TaxonomyVersion.objects.get().languages == ["en", "nl"]


def test_dutch_occupation_labels_come_from_the_two_tsv_files(db, v1, tmp_path):
    services.import_taxonomy(v1)
    folder = tmp_path / "nl"
    folder.mkdir()
    (folder / "nld_corpus_elements.tsv").write_text(
        "C1_nl_000\tLasser\nC1_nl_001\tMetaallasser\nC2_nl_000\tVerdwenen beroep\n", encoding="utf-8"
    )
    (folder / "nld_concept_mapping.tsv").write_text(
        f"C1_nl_000\t{f.WELDER}\nC1_nl_001\t{f.WELDER}\nC2_nl_000\t{f.ESCO}/occupation/not-in-this-version\n",
        encoding="utf-8",
    )
    counts = services.import_taxonomy([], nl_occupations=folder)
    assert (counts["labels_added"], counts["labels_of_unknown_concepts"]) == (2, 1)
    assert services.concept(f.WELDER).labels["nl"] == ["Lasser", "Metaallasser"]
    assert [hit.uri for hit in services.search("lasser", kind="occupation")] == [f.WELDER]
    assert _counts(services.import_taxonomy([], nl_occupations=folder)) == {"labels_of_unknown_concepts": 1}


def test_an_import_without_a_version_in_its_name_asks_for_one(db, tmp_path):
    folder = f.write_classification(tmp_path / "download")
    with pytest.raises(ImportRefused, match="--esco-version"):
        services.import_taxonomy([folder])
    services.import_taxonomy([folder], version="v1.2.0")
    assert services.current_version() == "v1.2.0"


def test_search_as_you_type_puts_labels_that_start_with_the_text_first(db, v1):
    services.import_taxonomy(v1)
    hits = services.search("weld", language="en")
    assert [hit.uri for hit in hits] == [f.WELD, f.GAS]
    assert (hits[0].label, hits[0].matched) == ("weld metal", "welding")  # the shortest label that starts so
    assert services.search("w", language="en") == []  # one letter is too little
    assert services.search("100%_", language="en") == []  # LIKE's wildcards are plain characters


def test_surface_forms_and_their_vectors_round_trip(db, v1):
    services.import_taxonomy(v1)
    forms = list(services.surface_forms("skill", languages=["en"]))
    assert len(forms) == 5 + 5  # five preferred labels, five alternatives
    vector = bytes(range(8))
    assert services.store_vectors("test-encoder", [(form.label_id, vector) for form in forms[:3]]) == 3
    assert len(list(services.surface_forms("skill", without_vectors_of="test-encoder"))) == 7
    assert [(uri, bytes_) for _id, uri, _lang, bytes_ in services.vectors("skill", encoder="test-encoder")] == [
        (form.uri, vector) for form in forms[:3]
    ]


def test_the_official_esco_v1_1_1_zips_import_whole(db):
    """The real ESCO v1.1.1 download, when the reference folder is there (it is not part of this repository)."""
    from tests.skills.reference import REFERENCE

    if REFERENCE is None:
        pytest.skip("ESCO v1.1.1 zips not found in ../shared/reference/esco-v1.1.1: the full import is not tested")
    zips = sorted((REFERENCE / "esco-v1.1.1").glob("*.zip"))
    counts = services.import_taxonomy(zips, nl_occupations=REFERENCE / "esco-nl-occupations")
    active = dict(Concept.objects.filter(status="active").values_list("kind").annotate(n=Count("id")))
    assert (active["skill"], active["occupation"]) == (13_896, 3_007)
    # ESCO's own relations file has 123,855 rows; 67 of them name an occupation that is in no concept file.
    assert Relation.objects.filter(family="occupation_skill").count() + 67 == 123_855
    assert counts["relations_skipped"] == 67 + 7 + 1  # and 8 broader relations
    assert Label.objects.filter(language="nl", concept__kind="occupation").count() > 20_000
