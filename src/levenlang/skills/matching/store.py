"""The matcher's index built from the taxonomy tables, once per process (docs/skills-matching.md).

Label vectors live in the database (`skills_label.vector`, float16, written by `encode_taxonomy`, never per request);
the encoder's cache under var/ keeps every vector ever made, so re-encoding after a new import or on a new database
costs only the labels that are new. The fitted index (TF-IDF vocabulary and matrix, vectors) is kept in var/ too,
in a file named by a checksum of the labels it was built from, so a new process loads it in seconds instead of
fitting it again. Within a process the index is built on first use and reused until the taxonomy changes
(a newer import, more labels)."""

import hashlib
import logging
import pickle
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Max

from levenlang.skills.matching import encoder, engine
from levenlang.skills.models import Concept, Label, TaxonomyVersion

log = logging.getLogger(__name__)

KINDS = {"skills": Concept.Kind.SKILL, "occupations": Concept.Kind.OCCUPATION}
# Alternative labels per skill and language in the index (the shortest first); None: all of them. All of them
# found the most on the validation sentences, at twice the memory of three (docs/skills-matching.md).
# Occupations keep all their labels.
SKILL_ALTERNATIVES: int | None = None
INDEX_FORMAT = 1  # raise when engine.Index changes shape: files of an older format are not read

_lock = threading.Lock()
_indexes: dict[str, tuple[tuple, engine.Index]] = {}


def cache() -> encoder.VectorCache:
    return encoder.VectorCache(Path(settings.VAR_DIR) / "encoder-cache" / encoder.encoder_name())


def _forms(kind: str) -> list[tuple[int, str, str, str]]:
    """(label id, uri, language, text) of the active concepts' preferred and alternative labels in the index."""
    rows = (
        Label.objects.filter(concept__kind=KINDS[kind], concept__status=Concept.Status.ACTIVE)
        .exclude(kind=Label.Kind.HIDDEN)
        .order_by("concept__uri", "language", "kind", "text")
        .values_list("id", "concept__uri", "language", "kind", "text")
    )
    forms, alternatives = [], {}
    for label_id, uri, language, label_kind, text in rows.iterator(chunk_size=5000):
        if label_kind == Label.Kind.ALTERNATIVE and kind == "skills":
            alternatives.setdefault((uri, language), []).append((len(text), text, label_id))
        else:
            forms.append((label_id, uri, language, text))
    for (uri, language), alts in alternatives.items():
        forms += [(label_id, uri, language, text) for _n, text, label_id in sorted(alts)[:SKILL_ALTERNATIVES]]
    return forms


def encode_taxonomy(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Give every label of the index a stored vector of the current encoder (encoding only texts the cache does
    not have yet). Returns per kind how many labels were given a vector. Safe to rerun: then it does nothing."""
    say = progress or (lambda message: None)
    name, vectors_cache, counts = encoder.encoder_name(), cache(), {}
    for kind in KINDS:
        wanted = {label_id: text for label_id, _uri, _language, text in _forms(kind)}
        have = set(
            Label.objects.filter(id__in=list(wanted), vector_encoder=name)
            .exclude(vector__isnull=True)
            .values_list("id", flat=True)
        )
        todo = sorted(set(wanted) - have)
        texts = [wanted[label_id] for label_id in todo]
        fresh = vectors_cache.fill(texts, lambda done, total, k=kind: say(f"{k}: encoded {done:,} of {total:,}"))
        vectors = vectors_cache.vectors(texts)
        rows = [(label_id, vector.astype("<f2").tobytes()) for label_id, vector in zip(todo, vectors, strict=True)]
        _store(name, rows)
        counts[kind] = len(todo)
        say(f"{kind}: {len(todo):,} labels given a vector ({fresh:,} encoded, the rest from the cache).")
    return counts


def _store(name: str, rows: list[tuple[int, bytes]]) -> None:
    from levenlang.skills import services  # the door writes the vectors (services imports this module lazily)

    for start in range(0, len(rows), 10_000):
        services.store_vectors(name, rows[start : start + 10_000])


def _state(kind: str) -> tuple:
    """What says the taxonomy changed: the latest import and the highest label id (a cheap query per request)."""
    latest = TaxonomyVersion.objects.order_by("-imported_at").values_list("imported_at", flat=True).first()
    return (kind, encoder.encoder_name(), latest, Label.objects.aggregate(top=Max("id"))["top"])


def index(kind: str) -> engine.Index:
    """The index of `kind` ("skills" or "occupations"), built on first use in this process."""
    state = _state(kind)
    with _lock:
        cached = _indexes.get(kind)
        if cached is None or cached[0] != state:
            _indexes[kind] = (state, _build(kind))
        return _indexes[kind][1]


def _build(kind: str) -> engine.Index:
    forms = _forms(kind)
    name = encoder.encoder_name()
    digest = hashlib.sha256(f"{INDEX_FORMAT}\n{name}\n".encode())
    for _label_id, uri, language, text in forms:
        digest.update(f"{uri}\t{language}\t{text}\n".encode())
    path = Path(settings.VAR_DIR) / "matcher" / f"{kind}-{digest.hexdigest()[:24]}.pickle"
    if path.exists():
        with path.open("rb") as file:
            return pickle.load(file)  # noqa: S301 (our own file, named by the checksum of what it holds)
    stored = dict(
        Label.objects.filter(id__in=[f[0] for f in forms], vector_encoder=name)
        .exclude(vector__isnull=True)
        .values_list("id", "vector")
    )
    missing = [f for f in forms if f[0] not in stored]
    if missing:
        log.warning("%s labels of %s have no vector: run manage.py encode_taxonomy", len(missing), kind)
        forms = [f for f in forms if f[0] in stored]
    raw = b"".join(bytes(stored[f[0]]) for f in forms)
    vectors = np.frombuffer(raw, dtype="<f2").reshape(len(forms), encoder.DIMENSIONS)
    built = engine.Index([f[1] for f in forms], [f[2] for f in forms], [f[3] for f in forms], vectors)
    if not missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as file:
            pickle.dump(built, file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
    return built
