"""The Dutch catalogue is complete and speaks with one voice: every message translated, the reader addressed as
"je" (docs/decisions/0014-je-as-form-of-address.md)."""

import ast
import datetime
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation.template import templatize

from levenlang.core.wording import OLDEST_AGE, age_band, year_text
from levenlang.ledger.services import name_of_pot
from levenlang.schemes.services import NAMED_REFORMS, PARAMETER_LABELS
from levenlang_rules import reforms

SOURCE = Path(__file__).resolve().parents[1] / "src/levenlang"
CATALOGUE = SOURCE / "locale/nl/LC_MESSAGES/django.po"

# The formal pronoun as a word of its own. Letters glued to it by a hyphen or an apostrophe ("u-bocht", "'u'") or a
# dot inside an abbreviation ("a.u.b.") are not the pronoun; placeholders (%(u)s) are taken out before the check.
FORMAL = re.compile(r"(?<![\w.'\u2019\-])(u|U|uw|Uw|UW|uzelf|Uzelf)(?![\w'\u2019\-]|\.\w)")
INFORMAL = re.compile(r"\b(je|Je|jij|Jij|jou|Jou|jouw|Jouw|jezelf)\b")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}|\{\w*\}")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def _texts(entry: polib.POEntry) -> list[str]:
    return [*entry.msgstr_plural.values()] if entry.msgid_plural else [entry.msgstr]


def _formal_words(text: str) -> list[str]:
    return FORMAL.findall(PLACEHOLDER.sub(" ", text))


def test_every_message_has_a_dutch_translation(catalogue):
    untranslated = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert untranslated == [], f"{len(untranslated)} message(s) without a Dutch msgstr (or marked fuzzy)"


def test_no_message_is_marked_fuzzy(catalogue):
    assert [e.msgid for e in catalogue if "fuzzy" in e.flags] == []


def test_the_catalogue_keeps_no_obsolete_entries(catalogue):
    assert [e.msgid for e in catalogue.obsolete_entries()] == []


def test_no_message_appears_twice(catalogue):
    counts = Counter((e.msgctxt, e.msgid) for e in catalogue)
    assert [key for key, n in counts.items() if n > 1] == []


def test_placeholders_survive_the_translation(catalogue):
    wrong = []
    for entry in catalogue:
        wanted = sorted(set(re.findall(r"%\(\w+\)[sd]", entry.msgid + entry.msgid_plural)))
        for text in _texts(entry):
            if sorted(set(re.findall(r"%\(\w+\)[sd]", text))) != wanted:
                wrong.append(entry.msgid)
    assert wrong == []


def test_the_dutch_catalogue_never_addresses_the_reader_as_u(catalogue):
    formal = {e.msgid: words for e in catalogue for text in _texts(e) if (words := _formal_words(text))}
    assert formal == {}, "write je/jouw, not u/uw (docs/decisions/0014-je-as-form-of-address.md)"


def test_the_dutch_catalogue_addresses_the_reader_as_je():
    # Enough messages speak to the reader that a catalogue without any "je" has lost its voice.
    catalogue = polib.pofile(str(CATALOGUE))
    informal = [e for e in catalogue if any(INFORMAL.search(t) for t in _texts(e))]
    assert len(informal) > 100


@pytest.mark.parametrize(
    ("text", "formal"),
    [
        ("Heeft u een probleem gevonden?", ["u"]),
        ("Uw postcode", ["Uw"]),
        ("Dank u.", ["u"]),
        ("U kunt zich inschrijven", ["U"]),
        ("Vul a.u.b. je postcode in", []),
        ("De u-bocht en de letter 'u'", []),
        ("Je betaalt %(u)s zelf", []),
        ("Je hebt nu 3 uur", []),
    ],
)
def test_the_check_for_u_finds_the_pronoun_only(text, formal):
    assert _formal_words(text) == formal


# --- numbers and names as a person reads them ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "dutch", "english"),
    [
        (0, 17, "tot 18 jaar", "under 18"),
        (25, 34, "25 tot en met 34 jaar", "25 to 34"),
        (67, OLDEST_AGE, "67 jaar en ouder", "67 and older"),
        (67, 200, "67 jaar en ouder", "67 and older"),
    ],
)
def test_an_age_band_reads_as_words(low, high, dutch, english):
    with translation.override("nl"):
        assert age_band(low, high) == dutch
    with translation.override("en"):
        assert age_band(low, high) == english


def test_a_pot_is_named_by_its_source_and_the_month_of_its_deposit():
    december = datetime.date(2026, 12, 2)
    with translation.override("nl"):
        assert name_of_pot("employer", "Hengelo Precisie Metaal B.V.", None, december) == (
            "Opleidingsbudget Hengelo Precisie Metaal B.V., december 2026"
        )
        assert name_of_pot("sector_fund", "OOM", None, december) == "Ontwikkelbudget OOM, december 2026"
        assert name_of_pot("rights", "Leerrechten 2026", 2026, december) == "Leerrechten 2026"
        assert name_of_pot("own", "Eigen geld (ontvangen betalingen)", None, december) == "Eigen geld"
    with translation.override("en"):
        assert name_of_pot("rights", "Leerrechten 2027", 2027, december) == "Learning rights 2027"


def test_every_number_the_what_if_can_change_has_a_label_in_both_languages():
    paths = {path for path, _description in reforms.numeric_parameters()}
    assert paths == set(PARAMETER_LABELS)
    for path in paths:
        with translation.override("en"):
            english = str(PARAMETER_LABELS[path])
        with translation.override("nl"):
            dutch = str(PARAMETER_LABELS[path])
        assert dutch != english and "_" not in dutch and "." not in dutch, path
    assert set(NAMED_REFORMS) == set(reforms.NAMED)


def test_a_year_reads_without_a_thousands_separator():
    assert year_text(2027) == "2027"


# --- every message the code and templates ask for is in the catalogue (what `makemessages` would find) ---------------

GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
PGETTEXT_CALLS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
# templatize() turns {% translate %}, {% blocktranslate %} and _("...") into gettext calls, as makemessages does.
TEMPLATE_CALL = re.compile(rf"\b(?P<call>n?p?gettext|_)\(\s*(?P<first>{LITERAL})(?:\s*,\s*(?P<second>{LITERAL}))?")


def _python_messages(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        texts = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args[:2]]
        if name in GETTEXT_CALLS and texts and texts[0] is not None:
            yield (None, texts[0])
        elif name in PGETTEXT_CALLS and len(texts) == 2 and None not in texts:
            yield (texts[0], texts[1])


def _template_messages(path: Path):
    for found in TEMPLATE_CALL.finditer(templatize(path.read_text(), origin=str(path))):
        first = ast.literal_eval(found["first"])
        if found["call"] in ("pgettext", "npgettext"):
            yield (first, ast.literal_eval(found["second"]))
        else:
            yield (None, first)


def test_every_message_in_the_code_and_the_templates_is_in_the_dutch_catalogue(catalogue):
    known = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    asked = [
        *(
            (path, message)
            for path in SOURCE.rglob("*.py")
            if "migrations" not in path.parts
            for message in _python_messages(path)
        ),
        *((path, message) for path in SOURCE.rglob("templates/**/*.html") for message in _template_messages(path)),
    ]
    assert len(asked) > 1000  # the extraction finds the messages at all
    missing = sorted(
        {(str(path.relative_to(SOURCE)), msgid) for path, (context, msgid) in asked if (context, msgid) not in known}
    )
    assert missing == [], "Add these to the Dutch catalogue (msgid in English, msgstr in Dutch B1 with je):"
