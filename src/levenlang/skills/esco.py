"""Reading the official ESCO CSV download (docs/skills.md, "Import").

The source is one or more zips or folders holding the files of ESCO's CSV download: `skills_<lang>.csv`,
`skillGroups_<lang>.csv`, `occupations_<lang>.csv`, `ISCOGroups_<lang>.csv` (concepts with their labels in one
language), and `occupationSkillRelations`, `skillSkillRelations`, `broaderRelationsSkillPillar`,
`broaderRelationsOccPillar` (with or without a language suffix). Other files of the download (collections, concept
schemes, the hierarchy table) are not needed and are passed over. Every row is checked here, before anything is
written; a bad row is reported with its file, row (the header is row 1) and reason."""

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from levenlang.skills.errors import ImportRefused

_CELL_LIMIT = 4_000_000  # ESCO's conceptSchemes file has cells of 100 kB and more

MAX_PROBLEMS = 50  # a report of more bad rows than this helps nobody
LABEL_MAX = 400
URI_MAX = 200
_URI = re.compile(r"^https?://\S+$")
_FILE = re.compile(r"^(?P<stem>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2,3}))?\.csv$")
_VERSION = re.compile(r"v\d+(?:\.\d+)+")

# The concept files: the ESCO file stem, our kind, and the columns each must have.
CONCEPT_FILES = {
    "skills": ("skill", ("conceptUri", "preferredLabel")),
    "skillGroups": ("skill_group", ("conceptUri", "preferredLabel")),
    "occupations": ("occupation", ("conceptUri", "preferredLabel")),
    "ISCOGroups": ("isco_group", ("conceptUri", "preferredLabel", "code")),
}
# The relation files: stem -> (family, source column, target column, type column or None for "broader").
RELATION_FILES = {
    "occupationSkillRelations": ("occupation_skill", "occupationUri", "skillUri", "relationType"),
    "skillSkillRelations": ("skill_skill", "originalSkillUri", "relatedSkillUri", "relationType"),
    "broaderRelationsSkillPillar": ("skill_broader", "conceptUri", "broaderUri", None),
    "broaderRelationsOccPillar": ("occupation_broader", "conceptUri", "broaderUri", None),
}
SKILL_TYPES = {"", "knowledge", "skill/competence"}
REUSE_LEVELS = {"", "transversal", "cross-sector", "sector-specific", "occupation-specific"}
RELATION_TYPES = {"essential", "optional"}


@dataclass
class ConceptRow:
    uri: str
    kind: str
    code: str
    skill_type: str
    reuse_level: str
    isco_code: str
    description: str


@dataclass
class Parsed:
    """Everything an import will write, checked. Labels are (uri, language, kind, text); relations are
    (file, row, source uri, target uri, family, kind)."""

    version: str
    concepts: dict[str, ConceptRow] = field(default_factory=dict)
    descriptions: list[tuple[str, str, str]] = field(default_factory=list)  # (uri, language, text)
    labels: list[tuple[str, str, str, str]] = field(default_factory=list)
    label_languages: set[str] = field(default_factory=set)
    # The kinds whose English file was read. English is ESCO's reference language: its files list every concept of
    # the version, so a concept missing from one has disappeared. A file in another language adds labels only.
    complete_kinds: set[str] = field(default_factory=set)
    relations: list[tuple[str, int, str, str, str, str]] = field(default_factory=list)
    relation_families: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)
    problems: list[tuple[str, int, str]] = field(default_factory=list)

    def problem(self, file: str, row: int, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((file, row, reason))


class _Files:
    """The CSV files of the sources by their base name; a later source wins over an earlier one."""

    def __init__(self, sources: list[Path]):
        self.openers: dict[str, tuple[Path, str]] = {}
        for source in sources:
            if source.is_dir():
                for path in sorted(source.rglob("*.csv")):
                    self.openers[path.name] = (path, "")
            elif zipfile.is_zipfile(source):
                with zipfile.ZipFile(source) as archive:
                    for name in archive.namelist():
                        if name.endswith(".csv"):
                            self.openers[Path(name).name] = (source, name)
            else:
                raise ImportRefused([(str(source), 0, "not a folder or a zip file")])

    @contextlib.contextmanager
    def reader(self, name: str) -> Iterator[csv.DictReader]:
        # The cell limit is the whole process's (the catalogue's import relies on the default): restored after.
        previous = csv.field_size_limit(_CELL_LIMIT)
        path, member = self.openers[name]
        try:
            if member:
                with zipfile.ZipFile(path) as archive, archive.open(member) as raw:
                    yield csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            else:
                with path.open(encoding="utf-8-sig", newline="") as text:
                    yield csv.DictReader(text)
        finally:
            csv.field_size_limit(previous)


def version_of(sources: list[Path], given: str | None) -> str:
    if given:
        return given.strip()
    for source in sources:
        found = _VERSION.search(source.name) or _VERSION.search(source.resolve().parent.name)
        if found:
            return found.group(0)
    raise ImportRefused(
        [(str(sources[0]), 0, "the ESCO version is not in the file or folder name: give it with --esco-version")]
    )


def parse(sources: list[Path], version: str) -> Parsed:
    """Read and check every file the sources hold; raise ImportRefused listing the bad rows."""
    files = _Files(sources)
    parsed = Parsed(version=version)
    for name in sorted(files.openers):
        match = _FILE.match(name)
        if not match:
            continue
        stem, language = match.group("stem"), (match.group("lang") or "")
        if not ((stem in CONCEPT_FILES and language) or stem in RELATION_FILES):
            continue
        try:
            with files.reader(name) as reader:
                if stem in RELATION_FILES:
                    _read_relations(parsed, name, reader, stem)
                else:
                    _read_concepts(parsed, name, reader, stem, language)
        except (csv.Error, UnicodeDecodeError) as exc:
            parsed.problem(name, 0, f"not a readable CSV file in UTF-8 ({exc})")
        parsed.files.append(name)
    if not parsed.files:
        parsed.problem(str(sources[0]), 0, "no ESCO CSV files found (skills_en.csv, occupations_en.csv, ...)")
    if parsed.problems:
        raise ImportRefused(parsed.problems)
    return parsed


def _missing_columns(parsed: Parsed, name: str, header: Sequence[str] | None, needed: Sequence[str]) -> bool:
    missing = [column for column in needed if column not in (header or [])]
    if missing:
        parsed.problem(name, 1, f"the header lacks the column(s) {', '.join(missing)}")
    return bool(missing)


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _uri_problem(value: str) -> str | None:
    if not value:
        return "the URI is empty"
    if len(value) > URI_MAX or not _URI.match(value):
        return f"“{value[:80]}” is not a concept URI"
    return None


def _read_concepts(parsed: Parsed, name: str, reader: csv.DictReader, stem: str, language: str) -> None:
    kind, needed = CONCEPT_FILES[stem]
    if _missing_columns(parsed, name, reader.fieldnames, needed):
        return
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        uri = _clean(row.get("conceptUri"))
        reason = _uri_problem(uri) or _concept_problem(row, kind, uri, seen)
        if reason:
            parsed.problem(name, number, reason)
            continue
        seen.add(uri)
        _take_concept(parsed, row, kind, uri, language)
    if language == "en":
        parsed.complete_kinds.add(kind)
    parsed.label_languages.add(language)


def _concept_problem(row: dict, kind: str, uri: str, seen: set[str]) -> str | None:
    if uri in seen:
        return f"{uri} appears twice in this file"
    if None in row:
        return "the row has more cells than the header"
    labels = [_clean(row.get("preferredLabel")), *_split(row.get("altLabels")), *_split(row.get("hiddenLabels"))]
    if not labels[0]:
        return "the preferred label is empty"
    if any(len(label) > LABEL_MAX for label in labels):
        return f"a label is longer than {LABEL_MAX} characters"
    if any("\x00" in (value or "") for value in row.values()):
        return "the row contains a NUL character"
    if kind == "skill" and _clean(row.get("skillType")) not in SKILL_TYPES:
        return f"unknown skillType “{_clean(row.get('skillType'))[:40]}”"
    if kind == "skill" and _clean(row.get("reuseLevel")) not in REUSE_LEVELS:
        return f"unknown reuseLevel “{_clean(row.get('reuseLevel'))[:40]}”"
    isco = _clean(row.get("iscoGroup") if kind == "occupation" else row.get("code") if kind == "isco_group" else "")
    if isco and not (isco.isascii() and isco.isdigit() and len(isco) <= 4):
        return f"“{isco[:40]}” is not an ISCO code (one to four digits)"
    return None


def _split(cell: str | None) -> list[str]:
    """ESCO puts one alternative label per line in a cell."""
    return [line.strip() for line in (cell or "").splitlines() if line.strip()]


def _take_concept(parsed: Parsed, row: dict, kind: str, uri: str, language: str) -> None:
    code = _clean(row.get("code"))
    parsed.concepts.setdefault(
        uri,
        ConceptRow(
            uri=uri,
            kind=kind,
            code=code[:40],
            skill_type=_clean(row.get("skillType")),
            reuse_level=_clean(row.get("reuseLevel")),
            isco_code=_clean(row.get("iscoGroup")) if kind == "occupation" else "",
            description="",
        ),
    )
    description = _clean(row.get("description"))
    if description:
        parsed.descriptions.append((uri, language, description))
    preferred = _clean(row.get("preferredLabel"))
    parsed.labels.append((uri, language, "preferred", preferred))
    for kind_name, cell in (("alternative", row.get("altLabels")), ("hidden", row.get("hiddenLabels"))):
        for text in dict.fromkeys(_split(cell)):
            if text != preferred or kind_name == "hidden":
                parsed.labels.append((uri, language, kind_name, text))


def _read_relations(parsed: Parsed, name: str, reader: csv.DictReader, stem: str) -> None:
    family, source_column, target_column, type_column = RELATION_FILES[stem]
    needed = [source_column, target_column, *([type_column] if type_column else [])]
    if _missing_columns(parsed, name, reader.fieldnames, needed):
        return
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(reader, start=2):
        source, target = _clean(row.get(source_column)), _clean(row.get(target_column))
        kind = _clean(row.get(type_column)) if type_column else "broader"
        reason = _uri_problem(source) or _uri_problem(target)
        if not reason and type_column and kind not in RELATION_TYPES:
            reason = f"unknown {type_column} “{kind[:40]}” (essential or optional)"
        if not reason and (source, target) in seen:
            reason = f"the relation {source} → {target} appears twice"
        if reason:
            parsed.problem(name, number, reason)
            continue
        seen.add((source, target))
        parsed.relations.append((name, number, source, target, family, kind))
    parsed.relation_families.add(family)


def read_dutch_occupations(folder: Path) -> list[tuple[str, str, str]]:
    """Dutch surface forms of occupations from two TSV files: `nld_corpus_elements.tsv` (element id, label) and
    `nld_concept_mapping.tsv` (element id, ESCO URI). The element whose id ends in `_000` is a concept's preferred
    label, the others are alternatives. Returns (uri, kind, text)."""
    problems: list[tuple[str, int, str]] = []
    texts = _tsv_pairs(folder / "nld_corpus_elements.tsv", problems)
    uris = _tsv_pairs(folder / "nld_concept_mapping.tsv", problems)
    found: list[tuple[str, str, str]] = []
    for element, uri in uris.items():
        text = texts.get(element, "")
        if not text or _uri_problem(uri) or len(text) > LABEL_MAX:
            continue
        found.append((uri, "preferred" if element.endswith("_000") else "alternative", text))
    if problems:
        raise ImportRefused(problems)
    return found


def _tsv_pairs(path: Path, problems: list[tuple[str, int, str]]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    if not path.is_file():
        problems.append((str(path), 0, "the file is missing"))
        return pairs
    with path.open(encoding="utf-8-sig") as text:
        for number, line in enumerate(text, start=1):
            cells = line.rstrip("\n").split("\t")
            if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
                if len(problems) < MAX_PROBLEMS:
                    problems.append((path.name, number, "expected two cells separated by a tab"))
                continue
            pairs[cells[0].strip()] = cells[1].strip()
    return pairs
