"""The skills app's door (docs/skills.md): the ESCO taxonomy (import, look-up, search as you type, the surface forms
and stored vectors the matcher works with) and residents' skills profiles.

A profile is personal data: `profile` checks `VIEW_SKILLS_PROFILE` and audits every look by someone other than the
resident; only the resident changes it (`CHANGE_SKILLS_PROFILE`)."""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from levenlang.core import audit
from levenlang.core.permissions import CHANGE_SKILLS_PROFILE, VIEW_SKILLS_PROFILE
from levenlang.skills import esco, taxonomy
from levenlang.skills.errors import NotYourProfile, UnknownConcept
from levenlang.skills.models import Concept, Label, Relation, SkillsProfileEntry, TaxonomyVersion

__all__ = [
    "DEMO_SUBSET",
    "MATCH_KINDS",
    "SOURCES",
    "ConceptInfo",
    "Hit",
    "MatchedConcept",
    "ProfileSkill",
    "SurfaceForm",
    "add_likely_from_occupation",
    "add_skill",
    "concept",
    "confirm_skill",
    "current_version",
    "encode_taxonomy",
    "essential_skills",
    "import_demo_subset",
    "import_taxonomy",
    "labels_for",
    "match_text",
    "profile",
    "remove_skill",
    "search",
    "store_vectors",
    "surface_forms",
    "taxonomy_is_empty",
    "vectors",
]

SOURCES = SkillsProfileEntry.Source

# A small part of ESCO made for the demo (docs/skills.md, "The demo subset"), in ESCO's own CSV layout.
DEMO_SUBSET = Path(__file__).resolve().parent / "data" / "esco-v1.1.1-demo"


# --- the taxonomy ------------------------------------------------------------------------------------------------


def import_taxonomy(
    sources: list[Path],
    *,
    version: str | None = None,
    nl_occupations: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Import ESCO's CSV download (zips or folders, any language suffix) and/or Dutch occupation labels; all or
    nothing. Raises ImportRefused (file, row, reason) for a malformed file. Returns what changed; a second run of
    the same files returns zeros."""
    say = progress or (lambda message: None)
    parsed = esco.parse(sources, esco.version_of(sources, version)) if sources else esco.Parsed(version="")
    say(f"Checked {len(parsed.files)} file(s) of ESCO {parsed.version or '(labels only)'}.")
    dutch = esco.read_dutch_occupations(nl_occupations) if nl_occupations else []
    return taxonomy.write(parsed, dutch, say)


def import_demo_subset(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    return import_taxonomy([DEMO_SUBSET], progress=progress)


def taxonomy_is_empty() -> bool:
    return not Concept.objects.exists()


def current_version() -> str | None:
    latest = TaxonomyVersion.objects.order_by("-imported_at").first()
    return latest.version if latest else None


@dataclass(frozen=True)
class ConceptInfo:
    uri: str
    kind: str
    label: str  # the preferred label in the asked language, else English, else any
    labels: dict[str, list[str]]  # language -> preferred label first, then the alternatives
    description: str
    skill_type: str
    active: bool
    disappeared_in: str


def _language(language: str | None) -> str:
    return (language or get_language() or "nl")[:2]


def concept(uri: str, *, language: str | None = None) -> ConceptInfo:
    found = Concept.objects.filter(uri=uri).first()
    if found is None:
        raise UnknownConcept(_("This skill or occupation is not in the taxonomy."))
    labels: dict[str, list[str]] = {}
    for lang, kind, text in (
        found.labels.exclude(kind=Label.Kind.HIDDEN)
        .order_by("language", "kind", "text")
        .values_list("language", "kind", "text")
    ):
        group = labels.setdefault(lang, [])
        group.insert(0, text) if kind == Label.Kind.PREFERRED else group.append(text)
    lang = _language(language)
    return ConceptInfo(
        uri=found.uri,
        kind=found.kind,
        label=_pick(labels, lang),
        labels=labels,
        description=found.description.get(lang) or found.description.get("en") or "",
        skill_type=found.skill_type,
        active=found.status == Concept.Status.ACTIVE,
        disappeared_in=found.disappeared_in,
    )


def _pick(labels: dict[str, list[str]], language: str) -> str:
    for lang in (language, "en", *sorted(labels)):
        if labels.get(lang):
            return labels[lang][0]
    return ""


def labels_for(uris: Iterable[str], *, language: str | None = None) -> dict[str, str]:
    """The preferred label of each concept in `language` (falling back to English, then any); unknown URIs are left
    out."""
    lang = _language(language)
    found: dict[str, dict[str, str]] = {}
    rows = Label.objects.filter(concept__uri__in=list(uris), kind=Label.Kind.PREFERRED).values_list(
        "concept__uri", "language", "text"
    )
    for uri, label_language, text in rows:
        found.setdefault(uri, {})[label_language] = text
    return {uri: _pick({k: [v] for k, v in texts.items()}, lang) for uri, texts in found.items()}


@dataclass(frozen=True)
class Hit:
    uri: str
    label: str  # the preferred label in the asked language
    matched: str  # the surface form that matched what was typed


def search(text: str, *, kind: str = Concept.Kind.SKILL, language: str | None = None, limit: int = 10) -> list[Hit]:
    """Search as you type: concepts of `kind` with a label that contains `text` (any language; the trigram index
    serves the ILIKE), labels that start with it first, then the shortest. Disappeared concepts are left out."""
    text = " ".join(text.split())[:100]
    if len(text) < 2:
        return []
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT ON (c.id) c.uri, l.text, (l.text ILIKE %(prefix)s) AS starts
               FROM skills_label l JOIN skills_concept c ON c.id = l.concept_id
               WHERE l.text ILIKE %(pattern)s AND c.kind = %(kind)s AND c.status = 'active'
               ORDER BY c.id, (l.text ILIKE %(prefix)s) DESC, length(l.text)""",
            {"pattern": f"%{escaped}%", "prefix": f"{escaped}%", "kind": kind},
        )
        rows = sorted(cursor.fetchall(), key=lambda row: (not row[2], len(row[1]), row[1]))[:limit]
    labels = labels_for([row[0] for row in rows], language=language)
    return [Hit(uri=uri, label=labels.get(uri, matched), matched=matched) for uri, matched, _starts in rows]


def essential_skills(occupation_uri: str) -> list[str]:
    """The URIs of an occupation's essential skills (ESCO's occupation–skill relations)."""
    return list(
        Relation.objects.filter(
            source__uri=occupation_uri, family=Relation.Family.OCCUPATION_SKILL, kind=Relation.Kind.ESSENTIAL
        )
        .order_by("target__uri")
        .values_list("target__uri", flat=True)
    )


# --- what the matcher reads: surface forms and their stored vectors ----------------------------------------------


@dataclass(frozen=True)
class SurfaceForm:
    label_id: int
    uri: str
    language: str
    kind: str  # preferred, alternative, hidden
    text: str


def surface_forms(
    kind: str = Concept.Kind.SKILL,
    *,
    languages: Iterable[str] | None = None,
    include_disappeared: bool = False,
    without_vectors_of: str | None = None,
) -> Iterator[SurfaceForm]:
    """Every label of the concepts of `kind` (in `languages`, default all), in a stable order (label id), read in
    chunks. `without_vectors_of=ENCODER` gives only the labels that have no vector of that encoder yet."""
    labels = Label.objects.filter(concept__kind=kind)
    if not include_disappeared:
        labels = labels.filter(concept__status=Concept.Status.ACTIVE)
    if languages is not None:
        labels = labels.filter(language__in=list(languages))
    if without_vectors_of is not None:
        labels = labels.filter(Q(vector__isnull=True) | ~Q(vector_encoder=without_vectors_of))
    rows = labels.order_by("id").values_list("id", "concept__uri", "language", "kind", "text")
    for label_id, uri, language, label_kind, text in rows.iterator(chunk_size=5000):
        yield SurfaceForm(label_id, uri, language, label_kind, text)


def store_vectors(encoder: str, vectors_by_label: Iterable[tuple[int, bytes]]) -> int:
    """Store the matcher's vectors (float16 bytes per label id) made by `encoder`. Returns how many were stored."""
    rows = list(vectors_by_label)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS s_vector; CREATE TEMP TABLE s_vector (id bigint, vector bytea) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY s_vector (id, vector) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            "UPDATE skills_label l SET vector = s.vector, vector_encoder = %s FROM s_vector s WHERE l.id = s.id",
            [encoder],
        )
        return cursor.rowcount


def vectors(kind: str = Concept.Kind.SKILL, *, encoder: str) -> Iterator[tuple[int, str, str, bytes]]:
    """(label id, concept URI, language, float16 bytes) of every active concept's label with a vector of `encoder`."""
    rows = (
        Label.objects.filter(concept__kind=kind, concept__status=Concept.Status.ACTIVE, vector_encoder=encoder)
        .exclude(vector__isnull=True)
        .order_by("id")
        .values_list("id", "concept__uri", "language", "vector")
    )
    for label_id, uri, language, vector in rows.iterator(chunk_size=5000):
        yield label_id, uri, language, bytes(vector)


# --- the matcher (docs/skills-matching.md) -------------------------------------------------------------------------

MATCH_KINDS = ("skills", "occupations")


@dataclass(frozen=True)
class MatchedConcept:
    uri: str
    label: str  # the preferred label in the asked language (English where the concept has no label in it)
    score: float  # the fused score (per-sentence z-scores; higher is better, about 3 and up is a clear match)
    sentence: str  # the sentence of the text it was found in
    matched: str  # the label (in any language) that matched that sentence best


def match_text(text: str, *, kind: str = "skills", top: int = 10, language: str | None = None) -> list[MatchedConcept]:
    """The `top` skills or occupations a text (a work description, a CV, a job advert, a job title; Dutch or
    English) speaks of, best first, each with its sentence. Empty text gives an empty list. Dutch text is matched
    against Dutch labels where a concept has them; `language` ("nl"/"en") is used when the text does not show its
    language (a job title, a list of tools) and for the labels returned (default: the active language)."""
    from levenlang.skills.matching import encoder, engine, store  # the encoder loads only when matching

    if kind not in MATCH_KINDS:
        raise ValueError(f"kind must be one of {MATCH_KINDS}")
    parts = engine.sentences(text)
    if not parts or top < 1:
        return []
    shown = _language(language)
    index = store.index(kind)
    found = index.match(parts, encoder.encode(parts), engine.language_of(text, default=language or ""), top=top)
    labels = labels_for([m.uri for m in found], language=shown)
    return [MatchedConcept(m.uri, labels.get(m.uri, m.matched), m.score, m.sentence, m.matched) for m in found]


def encode_taxonomy(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Give every label the matcher uses a stored vector (after an import; a rerun does nothing). Returns per kind
    how many labels were given one."""
    from levenlang.skills.matching import store

    return store.encode_taxonomy(progress)


# --- skills profiles (personal data) -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileSkill:
    uri: str
    label: str
    source: str
    source_label: str  # where it came from, in words
    source_detail: str
    confirmed: bool
    added_at: datetime.datetime
    in_taxonomy: bool  # False once a newer ESCO version no longer has the skill


def profile(viewer, resident, *, request=None, language: str | None = None) -> list[ProfileSkill]:
    """The resident's skills, oldest first. The resident and administrators may look; an administrator's look is
    audited (as a look at a Leerrekening is)."""
    if not viewer.has_perm(VIEW_SKILLS_PROFILE, resident):
        raise NotYourProfile(_("You may only see your own skills."))
    audit.record_view(viewer, resident, reason="skills profile", request=request)
    entries = list(SkillsProfileEntry.objects.filter(resident=resident).select_related("skill"))
    labels = labels_for([entry.skill.uri for entry in entries], language=language)
    return [_profile_skill(entry, labels) for entry in entries]


def _profile_skill(entry: SkillsProfileEntry, labels: dict[str, str]) -> ProfileSkill:
    return ProfileSkill(
        uri=entry.skill.uri,
        label=labels.get(entry.skill.uri, ""),
        source=entry.source,
        source_label=str(SkillsProfileEntry.Source(entry.source).label),
        source_detail=entry.source_detail,
        confirmed=entry.confirmed,
        added_at=entry.added_at,
        in_taxonomy=entry.skill.status == Concept.Status.ACTIVE,
    )


def _may_change(actor, resident) -> None:
    if not actor.has_perm(CHANGE_SKILLS_PROFILE, resident):
        raise NotYourProfile(_("Only you can change your skills."))


def _skill(uri: str) -> Concept:
    """A skill that may be added: one of the taxonomy as it is now (not one that has disappeared)."""
    found = Concept.objects.filter(uri=uri, kind=Concept.Kind.SKILL, status=Concept.Status.ACTIVE).first()
    if found is None:
        raise UnknownConcept(_("This skill is not in the taxonomy."))
    return found


def add_skill(
    actor,
    resident,
    uri: str,
    *,
    source: str = SOURCES.CHOSEN,
    source_detail: str = "",
    now: datetime.datetime | None = None,
) -> bool:
    """Add a skill to the resident's profile (chosen, accepted from their text, from a completed module). A skill
    already there stays once; a "likely" one is confirmed by adding it this way. Returns whether anything changed."""
    _may_change(actor, resident)
    skill = _skill(uri)
    if source == SOURCES.OCCUPATION_HELD:
        raise ValueError("likely skills come from add_likely_from_occupation")
    now = now or timezone.now()
    with transaction.atomic():
        entry, created = SkillsProfileEntry.objects.select_for_update().get_or_create(
            resident=resident,
            skill=skill,
            defaults={"source": source, "source_detail": source_detail[:500], "added_at": now, "confirmed_at": now},
        )
        if created or entry.confirmed:
            return created
        entry.source, entry.source_detail = source, source_detail[:500]
        entry.confirmed, entry.confirmed_at = True, now
        entry.save(update_fields=["source", "source_detail", "confirmed", "confirmed_at"])
        return True


def add_likely_from_occupation(
    actor, resident, occupation_uri: str, *, now: datetime.datetime | None = None
) -> list[str]:
    """The essential skills of an occupation the resident held, added as "likely" (to confirm); skills already in
    the profile stay as they are. Returns the URIs added."""
    _may_change(actor, resident)
    occupation = Concept.objects.filter(uri=occupation_uri, kind=Concept.Kind.OCCUPATION).first()
    if occupation is None:
        raise UnknownConcept(_("This occupation is not in the taxonomy."))
    now = now or timezone.now()
    have = set(SkillsProfileEntry.objects.filter(resident=resident).values_list("skill_id", flat=True))
    skills = Concept.objects.filter(
        relations_in__source=occupation,
        relations_in__family=Relation.Family.OCCUPATION_SKILL,
        relations_in__kind=Relation.Kind.ESSENTIAL,
        status=Concept.Status.ACTIVE,
    ).exclude(id__in=have)
    entries = [
        SkillsProfileEntry(
            resident=resident,
            skill=skill,
            source=SOURCES.OCCUPATION_HELD,
            source_detail=occupation.uri,
            confirmed=False,
            added_at=now,
        )
        for skill in skills.order_by("uri")
    ]
    SkillsProfileEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return [entry.skill.uri for entry in entries]


def confirm_skill(actor, resident, uri: str, *, now: datetime.datetime | None = None) -> bool:
    """The resident confirms a "likely" skill. Returns whether it was unconfirmed."""
    _may_change(actor, resident)
    return bool(
        SkillsProfileEntry.objects.filter(resident=resident, skill__uri=uri, confirmed=False).update(
            confirmed=True, confirmed_at=now or timezone.now()
        )
    )


def remove_skill(actor, resident, uri: str) -> bool:
    """The resident removes a skill (any source). Returns whether it was there."""
    _may_change(actor, resident)
    deleted, _by_model = SkillsProfileEntry.objects.filter(resident=resident, skill__uri=uri).delete()
    return bool(deleted)
