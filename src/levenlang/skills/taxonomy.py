"""Writing a checked ESCO import (skills.esco) into the taxonomy tables, in one transaction.

The rows are copied (COPY) into temporary tables and merged with set-based SQL: a concept, label or relation that
is already there as it should be is not touched, so a second run of the same files changes nothing and reports
zeros. Concepts are never deleted: one that a file of its kind no longer lists is marked disappeared in the
imported version. Labels and relations are replaced exactly for what the files cover: the labels of each
(concept, language) a file lists, the relations of each relation file read."""

from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from levenlang.catalog import services as catalog
from levenlang.skills.errors import ImportRefused
from levenlang.skills.esco import MAX_PROBLEMS, Parsed
from levenlang.skills.models import TaxonomyVersion

Progress = Callable[[str], None]

# ON COMMIT DROP ends them with the transaction; the DROP first covers an import inside a longer transaction.
_STAGE = """
DROP TABLE IF EXISTS s_concept, s_description, s_label, s_relation, s_relation_ids;
CREATE TEMP TABLE s_concept (uri text, kind text, code text, skill_type text, reuse_level text, isco_code text)
    ON COMMIT DROP;
CREATE TEMP TABLE s_description (uri text, language text, text text) ON COMMIT DROP;
CREATE TEMP TABLE s_label (uri text, language text, kind text, text text) ON COMMIT DROP;
CREATE TEMP TABLE s_relation (file text, row int, source text, target text, family text, kind text) ON COMMIT DROP;
"""

_UPSERT_CONCEPTS = """
INSERT INTO skills_concept (uri, kind, code, skill_type, reuse_level, description, status, added_in, disappeared_in)
SELECT uri, kind, code, skill_type, reuse_level, '{}'::jsonb, 'active', %(version)s, '' FROM s_concept
ON CONFLICT (uri) DO UPDATE SET
    kind = excluded.kind, code = excluded.code, skill_type = excluded.skill_type,
    reuse_level = excluded.reuse_level, status = 'active', disappeared_in = ''
WHERE (skills_concept.kind, skills_concept.code, skills_concept.skill_type, skills_concept.reuse_level,
       skills_concept.status)
    IS DISTINCT FROM (excluded.kind, excluded.code, excluded.skill_type, excluded.reuse_level, 'active')
RETURNING (xmax = 0)
"""

# A file of one language replaces that language's description; the other languages' stay.
_DESCRIPTIONS = """
WITH new AS (
    SELECT s.uri, c.description - %(languages)s::text[] || coalesce(d.texts, '{}'::jsonb) AS description
    FROM s_concept s JOIN skills_concept c ON c.uri = s.uri
    LEFT JOIN (SELECT uri, jsonb_object_agg(language, text) AS texts FROM s_description GROUP BY uri) d
        ON d.uri = s.uri
)
UPDATE skills_concept c SET description = new.description FROM new
WHERE c.uri = new.uri AND c.description IS DISTINCT FROM new.description
"""

_ISCO_LINKS = """
UPDATE skills_concept o SET isco_group_id = g.id
FROM s_concept s LEFT JOIN skills_concept g ON g.kind = 'isco_group' AND g.code = s.isco_code AND s.isco_code <> ''
WHERE s.kind = 'occupation' AND o.uri = s.uri AND o.isco_group_id IS DISTINCT FROM g.id
"""

_DISAPPEARED = """
UPDATE skills_concept c SET status = 'disappeared', disappeared_in = %(version)s
WHERE c.kind = ANY(%(kinds)s) AND c.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM s_concept s WHERE s.uri = c.uri)
"""

# The labels of each (concept, language) that a file lists are exactly the file's.
_LABELS_REMOVED = """
DELETE FROM skills_label l USING skills_concept c
WHERE l.concept_id = c.id
  AND EXISTS (SELECT 1 FROM s_label p WHERE p.uri = c.uri AND p.language = l.language AND p.kind = 'preferred')
  AND NOT EXISTS (SELECT 1 FROM s_label s
                  WHERE s.uri = c.uri AND s.language = l.language AND s.kind = l.kind AND s.text = l.text)
"""

_LABELS_ADDED = """
INSERT INTO skills_label (concept_id, language, kind, text)
SELECT DISTINCT c.id, s.language, s.kind, s.text FROM s_label s JOIN skills_concept c ON c.uri = s.uri
ON CONFLICT (concept_id, language, kind, text) DO NOTHING
"""

# ESCO's own download has a few relations whose concept is in no concept file (v1.1.1: 67 occupation–skill rows of
# one occupation, 7 broader relations of skills); they are skipped and reported, not refused.
_UNRESOLVED = """
SELECT r.file, r.row, CASE WHEN a.id IS NULL THEN r.source ELSE r.target END
FROM s_relation r
LEFT JOIN skills_concept a ON a.uri = r.source LEFT JOIN skills_concept b ON b.uri = r.target
WHERE a.id IS NULL OR b.id IS NULL
ORDER BY r.file, r.row
"""

_RELATIONS_RESOLVED = """
CREATE TEMP TABLE s_relation_ids ON COMMIT DROP AS
SELECT a.id AS source_id, b.id AS target_id, r.family, r.kind
FROM s_relation r JOIN skills_concept a ON a.uri = r.source JOIN skills_concept b ON b.uri = r.target;
CREATE INDEX ON s_relation_ids (source_id, target_id, family);
ANALYZE s_relation_ids;
"""

_RELATIONS_REMOVED = """
DELETE FROM skills_relation x WHERE x.family = ANY(%(families)s)
  AND NOT EXISTS (SELECT 1 FROM s_relation_ids r
                  WHERE r.source_id = x.source_id AND r.target_id = x.target_id AND r.family = x.family)
"""

_RELATIONS_UPSERT = """
INSERT INTO skills_relation (source_id, target_id, family, kind)
SELECT source_id, target_id, family, kind FROM s_relation_ids
ON CONFLICT (source_id, target_id, family) DO UPDATE SET kind = excluded.kind
WHERE skills_relation.kind IS DISTINCT FROM excluded.kind
RETURNING (xmax = 0)
"""


def write(parsed: Parsed, dutch_occupations: list[tuple[str, str, str]], progress: Progress) -> dict[str, int]:
    """Merge `parsed` (and Dutch occupation labels) into the taxonomy; all or nothing. Returns what changed."""
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_STAGE)
        _copy_stage(cursor, parsed, dutch_occupations, progress)
        _merge_concepts(cursor, parsed, counts, progress)
        _merge_labels(cursor, counts, progress)
        if parsed.relation_families:
            _merge_relations(cursor, parsed, counts, progress)
        if counts["labels_added"] or counts["labels_removed"]:
            _send_skill_terms(cursor, counts, progress)
        if parsed.files:
            _record_version(parsed, counts)
    return counts


def _copy(cursor, table: str, columns: str, rows) -> None:
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _copy_stage(cursor, parsed: Parsed, dutch_occupations, progress: Progress) -> None:
    concepts = parsed.concepts.values()
    _copy(
        cursor,
        "s_concept",
        "uri, kind, code, skill_type, reuse_level, isco_code",
        ((c.uri, c.kind, c.code, c.skill_type, c.reuse_level, c.isco_code) for c in concepts),
    )
    _copy(cursor, "s_description", "uri, language, text", parsed.descriptions)
    _copy(cursor, "s_label", "uri, language, kind, text", parsed.labels)
    _copy(cursor, "s_label", "uri, language, kind, text", ((u, "nl", k, t) for u, k, t in dutch_occupations))
    _copy(cursor, "s_relation", "file, row, source, target, family, kind", parsed.relations)
    cursor.execute(
        "CREATE INDEX ON s_concept (uri); CREATE INDEX ON s_label (uri, language, kind, text);"
        " ANALYZE s_concept; ANALYZE s_label; ANALYZE s_relation; ANALYZE s_description"
    )
    progress(
        f"Read {len(parsed.concepts):,} concepts, {len(parsed.labels) + len(dutch_occupations):,} labels and"
        f" {len(parsed.relations):,} relations."
    )


def _merge_concepts(cursor, parsed: Parsed, counts: dict[str, int], progress: Progress) -> None:
    cursor.execute(_UPSERT_CONCEPTS, {"version": parsed.version})
    inserted = [row[0] for row in cursor.fetchall()]
    counts["concepts_added"] = sum(inserted)
    counts["concepts_changed"] = len(inserted) - sum(inserted)
    cursor.execute(_DESCRIPTIONS, {"languages": sorted(parsed.label_languages)})
    counts["descriptions_changed"] = cursor.rowcount
    cursor.execute(_ISCO_LINKS)
    counts["isco_links_changed"] = cursor.rowcount
    cursor.execute(_DISAPPEARED, {"version": parsed.version, "kinds": sorted(parsed.complete_kinds)})
    counts["concepts_disappeared"] = cursor.rowcount
    progress(
        f"Concepts: {counts['concepts_added']:,} added, {counts['concepts_changed']:,} changed,"
        f" {counts['concepts_disappeared']:,} marked as disappeared."
    )


def _merge_labels(cursor, counts: dict[str, int], progress: Progress) -> None:
    cursor.execute(_LABELS_REMOVED)
    counts["labels_removed"] = cursor.rowcount
    cursor.execute(_LABELS_ADDED)
    counts["labels_added"] = cursor.rowcount
    cursor.execute(
        "SELECT count(*) FROM s_label s WHERE NOT EXISTS (SELECT 1 FROM skills_concept c WHERE c.uri = s.uri)"
    )
    counts["labels_of_unknown_concepts"] = cursor.fetchone()[0]
    progress(f"Labels: {counts['labels_added']:,} added, {counts['labels_removed']:,} removed.")


def _merge_relations(cursor, parsed: Parsed, counts: dict[str, int], progress: Progress) -> None:
    _skip_unresolved(cursor, parsed, counts, progress)
    cursor.execute(_RELATIONS_RESOLVED)
    cursor.execute(_RELATIONS_REMOVED, {"families": sorted(parsed.relation_families)})
    counts["relations_removed"] = cursor.rowcount
    cursor.execute(_RELATIONS_UPSERT)
    inserted = [row[0] for row in cursor.fetchall()]
    counts["relations_added"] = sum(inserted)
    counts["relations_changed"] = len(inserted) - sum(inserted)
    progress(
        f"Relations: {counts['relations_added']:,} added, {counts['relations_changed']:,} changed,"
        f" {counts['relations_removed']:,} removed."
    )


def _skip_unresolved(cursor, parsed: Parsed, counts: dict[str, int], progress: Progress) -> None:
    """A relation whose concept is unknown is skipped with a warning; a file none of whose relations resolve is
    refused (its concepts were never imported: import the classification with it)."""
    cursor.execute(_UNRESOLVED)
    unresolved = cursor.fetchall()
    counts["relations_skipped"] = len(unresolved)
    per_file: dict[str, int] = {}
    for file, _row, _uri in unresolved:
        per_file[file] = per_file.get(file, 0) + 1
    read = {}
    for file, *_rest in parsed.relations:
        read[file] = read.get(file, 0) + 1
    hopeless = [file for file, count in per_file.items() if count == read[file]]
    if hopeless:
        raise ImportRefused(
            [
                (file, row, f"{uri} is not a concept of the taxonomy")
                for file, row, uri in unresolved
                if file in hopeless
            ][:MAX_PROBLEMS]
        )
    for file, row, uri in unresolved[:10]:
        progress(f"Skipped: {file}, row {row}: {uri} is in no concept file.")
    if len(unresolved) > 10:
        progress(f"Skipped {len(unresolved) - 10:,} more relations whose concept is in no concept file.")


# What the catalogue needs of every skill (also a disappeared one: modules may still link to it).
_SKILL_TERMS = """
SELECT c.uri,
       coalesce(max(l.text) FILTER (WHERE l.language = 'nl' AND l.kind = 'preferred'), ''),
       coalesce(max(l.text) FILTER (WHERE l.language = 'en' AND l.kind = 'preferred'), ''),
       array_agg(l.text) FILTER (WHERE l.kind IN ('preferred', 'alternative'))
FROM skills_concept c JOIN skills_label l ON l.concept_id = c.id
WHERE c.kind = 'skill'
GROUP BY c.uri
"""


def _send_skill_terms(cursor, counts: dict[str, int], progress: Progress) -> None:
    """The catalogue keeps skill URIs on its modules; it learns the skills' labels from here (docs/architecture.md)."""
    # Right after a bulk load the tables' statistics are stale (the app role may not ANALYZE them), and a nested
    # loop over 18,000 skills and 150,000 labels then runs for minutes: hash the join instead, for this query only.
    cursor.execute("SELECT set_config('enable_nestloop', 'off', true)")
    cursor.execute(_SKILL_TERMS)
    terms = cursor.fetchall()
    cursor.execute("SELECT set_config('enable_nestloop', 'on', true)")
    counts["catalogue_skill_terms_changed"] = catalog.set_skill_terms(terms)
    progress(
        f"Catalogue: the labels of {counts['catalogue_skill_terms_changed']:,} skills updated for linking and search."
    )


def _record_version(parsed: Parsed, counts: dict[str, int]) -> None:
    record, _ = TaxonomyVersion.objects.get_or_create(
        version=parsed.version, defaults={"imported_at": timezone.now(), "languages": []}
    )
    record.languages = sorted(set(record.languages) | parsed.label_languages)
    record.counts = {**record.counts, **_totals()}
    record.imported_at = timezone.now()
    record.save()


def _totals() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, count(*) FILTER (WHERE status = 'active') FROM skills_concept GROUP BY kind"
            " UNION ALL SELECT family, count(*) FROM skills_relation GROUP BY family"
        )
        return dict(cursor.fetchall())
