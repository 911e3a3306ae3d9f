"""The matcher on a small fixed taxonomy (built here, encoded by the real encoder: a few dozen labels): Dutch and
English sentences find the obvious skills and occupations, each with the sentence it came from; the same text
gives the same scores; match_skills reads lines and writes JSON arrays; empty text gives nothing, not an error."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from levenlang.skills import services
from levenlang.skills.matching import engine
from levenlang.skills.matching.encoder import DIMENSIONS
from levenlang.skills.models import Concept, Label

ESCO = "http://data.europa.eu/esco"
WELD = f"{ESCO}/skill/weld-metal"
ASSEMBLE = f"{ESCO}/skill/assemble-metal-parts"
ELDERLY = f"{ESCO}/skill/care-for-the-elderly"
FORKLIFT = f"{ESCO}/skill/operate-forklift"
PYTHON = f"{ESCO}/skill/python"
WELDER = f"{ESCO}/occupation/welder"
CARER = f"{ESCO}/occupation/home-care-aide"

SKILLS = {
    WELD: ("weld metal", ["welding", "join metal by welding"]),
    ASSEMBLE: ("assemble metal parts", ["fit metal parts together"]),
    ELDERLY: ("care for the elderly", ["look after older adults", "elderly care"]),
    FORKLIFT: ("operate forklift", ["drive a forklift truck"]),
    PYTHON: ("Python (computer programming)", ["Python"]),
    f"{ESCO}/skill/prepare-meals": ("prepare meals", ["cook food"]),
    f"{ESCO}/skill/keep-records": ("keep financial records", ["bookkeeping"]),
    f"{ESCO}/skill/teach-children": ("teach primary school children", []),
    f"{ESCO}/skill/clean-rooms": ("clean rooms", ["clean floors and windows"]),
    f"{ESCO}/skill/lead-a-team": ("lead a team", ["manage a team"]),
    f"{ESCO}/skill/repair-vehicles": ("repair vehicles", ["fix cars"]),
    f"{ESCO}/skill/plant-crops": ("plant crops", ["sow seeds"]),
}
OCCUPATIONS = {
    WELDER: ("welder", ["metal welder"], "lasser", ["constructielasser"]),
    CARER: ("home care aide", ["home carer"], "thuiszorgmedewerker", ["verzorgende thuiszorg"]),
    f"{ESCO}/occupation/software-developer": ("software developer", [], "softwareontwikkelaar", ["programmeur"]),
    f"{ESCO}/occupation/cook": ("cook", ["chef"], "kok", []),
}


@pytest.fixture
def taxonomy(db, settings, tmp_path_factory):
    """The small taxonomy with its vectors; the encoder's cache and the index files in a folder of this run."""
    settings.VAR_DIR = tmp_path_factory.getbasetemp() / "var"
    for uri, (label, alternatives) in SKILLS.items():
        _concept(uri, Concept.Kind.SKILL, {"en": (label, alternatives)})
    for uri, (label, alternatives, dutch, dutch_alternatives) in OCCUPATIONS.items():
        _concept(uri, Concept.Kind.OCCUPATION, {"en": (label, alternatives), "nl": (dutch, dutch_alternatives)})
    counts = services.encode_taxonomy()
    skill_labels = sum(1 + len(alternatives) for _label, alternatives in SKILLS.values())
    occupation_labels = sum(2 + len(en) + len(nl) for _label, en, _dutch, nl in OCCUPATIONS.values())
    assert counts == {"skills": skill_labels, "occupations": occupation_labels}
    return counts


def _concept(uri: str, kind: str, labels: dict[str, tuple[str, list[str]]]) -> None:
    concept = Concept.objects.create(uri=uri, kind=kind, added_in="test")
    for language, (preferred, alternatives) in labels.items():
        Label.objects.create(concept=concept, language=language, kind=Label.Kind.PREFERRED, text=preferred)
        for text in alternatives:
            Label.objects.create(concept=concept, language=language, kind=Label.Kind.ALTERNATIVE, text=text)


def _uris(text: str, **options) -> list[str]:
    return [match.uri for match in services.match_text(text, **options)]


def test_a_dutch_sentence_about_welding_steel_finds_welding(taxonomy):
    found = services.match_text("Ik las en monteer stalen constructies.", top=2)
    assert WELD in [match.uri for match in found]
    assert {match.sentence for match in found} == {"Ik las en monteer stalen constructies."}


def test_an_english_sentence_about_caring_for_old_people_finds_the_care_skill(taxonomy):
    found = services.match_text("I look after elderly people at home", top=3, language="en")
    assert found[0].uri == ELDERLY
    assert found[0].label == "care for the elderly"
    assert found[0].score > found[1].score


def test_each_skill_comes_with_the_sentence_it_was_found_in(taxonomy):
    text = "I drive a forklift truck in a warehouse.\nIn the evenings I write programs in Python."
    found = {match.uri: match.sentence for match in services.match_text(text, top=4)}
    assert found[FORKLIFT] == "I drive a forklift truck in a warehouse."
    assert found[PYTHON] == "In the evenings I write programs in Python."


def test_a_dutch_job_title_finds_the_occupation_by_its_dutch_label(taxonomy):
    found = services.match_text("Constructielasser", kind="occupations", top=1, language="nl")
    assert [(match.uri, match.label) for match in found] == [(WELDER, "lasser")]
    found = services.match_text("Ik werk in de thuiszorg als verzorgende", kind="occupations", top=1)
    assert found[0].uri == CARER


def test_the_same_text_gives_the_same_scores_in_the_same_order(taxonomy):
    text = "Ik werk in een magazijn en rijd op de heftruck. Ik kook ook voor mijn collega's."
    first = services.match_text(text, top=12)
    assert services.match_text(text, top=12) == first
    assert len(first) == 12 and [m.score for m in first] == sorted((m.score for m in first), reverse=True)


def test_empty_or_blank_text_finds_nothing(taxonomy):
    assert services.match_text("") == []
    assert services.match_text("   \n\t ") == []
    assert services.match_text("12-03-2024 · 17:00 ·") == []  # no words at all


def test_an_empty_taxonomy_finds_nothing_rather_than_failing(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    assert services.match_text("Ik las en monteer stalen constructies.") == []
    assert services.match_text("lasser", kind="occupations") == []


def test_match_skills_writes_one_json_array_per_line_best_first(taxonomy):
    out = io.StringIO()
    lines = "Ik las en monteer stalen constructies.\n\nI look after elderly people at home\n"
    call_command("match_skills", "--kind", "skills", "--top", "2", stdin=io.StringIO(lines), stdout=out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(results) == 3
    assert WELD in results[0] and len(results[0]) == 2
    assert results[1] == []
    assert results[2][0] == ELDERLY


def test_match_skills_gives_occupations_with_details(taxonomy):
    out = io.StringIO()
    call_command("match_skills", "--kind", "occupations", "--top", "1", "--details", "--language", "nl",
                 stdin=io.StringIO("lasser\n"), stdout=out)  # fmt: skip
    [result] = json.loads(out.getvalue())
    assert result["uri"] == WELDER and result["label"] == "lasser" and result["sentence"] == "lasser"


def test_encoding_again_does_nothing_and_a_new_label_is_encoded_alone(taxonomy):
    assert services.encode_taxonomy() == {"skills": 0, "occupations": 0}
    Label.objects.create(
        concept=Concept.objects.get(uri=WELD), language="nl", kind=Label.Kind.PREFERRED, text="metaal lassen"
    )
    assert services.encode_taxonomy() == {"skills": 1, "occupations": 0}
    assert "metaal lassen" in [m.matched for m in services.match_text("Ik kan metaal lassen", top=1)]


def test_a_disappeared_skill_is_not_proposed(taxonomy):
    Concept.objects.filter(uri=WELD).update(status=Concept.Status.DISAPPEARED, disappeared_in="v2")
    _touch_version()
    assert WELD not in _uris("I weld metal", top=12)


def _touch_version() -> None:
    """An import records its version: the matcher's index notices and is built again."""
    from levenlang.skills.models import TaxonomyVersion

    TaxonomyVersion.objects.create(version="v2", imported_at=timezone.now())


def test_sentences_are_split_at_ends_line_breaks_and_bullets():
    text = "Ik las staal. Ik rijd heftruck!\n* • Advanced knowledge of SQL\n2 ) Deliver data solutions\n- Python"
    assert engine.sentences(text) == [
        "Ik las staal.",
        "Ik rijd heftruck!",
        "Advanced knowledge of SQL",
        "Deliver data solutions",
        "Python",
    ]


def test_the_language_is_told_by_common_words_or_not_at_all():
    assert engine.language_of("Ik las en monteer stalen constructies") == "nl"
    assert engine.language_of("I look after elderly people at home") == "en"
    assert engine.language_of("Schaapherder") == ""
    assert engine.language_of("Python, SQL", default="en") == "en"


def test_the_lexical_score_reads_only_the_query_columns_and_equals_the_full_product():
    labels = ["weld metal", "cut metal", "care for the elderly", "Python (computer programming)"]
    index = engine.Index(["a", "b", "c", "d"], ["en"] * 4, labels, np.eye(4, DIMENSIONS))
    queries = ["I weld metal parts", "I look after the elderly"]
    full = (index.lexical_matrix @ index.tfidf.transform([q.lower() for q in queries]).T).toarray()
    assert np.allclose(index.lexical(queries), full)
    assert index.lexical(queries).argmax(axis=0).tolist() == [0, 2]
