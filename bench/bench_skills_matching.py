"""The skills matcher's quality and speed (docs/skills-matching.md), beside plain char n-gram TF-IDF in the same run.

Reads the full ESCO v1.1.1 and the validation sets from the reference folder beside the checkout
(`../shared/reference/`, not part of the repository) and skips with a message when it is absent. Four parts:

1. **Skills (English job-ad sentences)**: the TECH and HOUSE validation sentences against all 13,896 ESCO skills
   (preferred and alternative labels). RP@5 and MRR per split and their mean (macro); gold labels "LABEL NOT
   PRESENT" and "UNDERSPECIFIED" name no skill and are left out, and so is a sentence left without any.
   RP@5 = (gold skills in the first 5) / min(5, number of gold skills), averaged over the sentences.
2. **Dutch job titles → occupations**: the Dutch validation queries against all Dutch surface forms of the
   Dutch occupation corpus (every concept there, ISCO groups included, as the benchmark defines). MRR and
   accuracy@10 of the right concept.
3. **Dutch text → English skill labels**: sentences of (1) translated into Dutch by hand for this project
   (bench/data/skills_nl_sentences.csv), against the same English skill labels.
4. **Speed and memory**: one ~20-sentence description (English and Dutch) against the full skills and the full
   occupations (English labels and Dutch labels), p95 over ROUNDS; the process's resident memory with both
   indexes loaded.

The baseline ("ceiling" in the report) is the same index scored by TF-IDF alone (fusion weights (1, 0)). Vectors
come from the encoder's cache under var/ (encoded once; the first run on a fresh machine encodes ~170,000 labels:
15–30 minutes on a busy 2-core machine). At n < 10,000 (CI: `make bench N=300`) a small sample instead: the gold
skills and 300 others (preferred labels), 20 sentences per split, 50 Dutch titles.

Alone, without a database: `.venv/bin/python bench/bench_skills_matching.py [N]`.
`LEVENLANG_BENCH_SKILL_ALTERNATIVES=3` indexes at most three alternative labels per skill (default: as the store).
"""

import csv
import io
import os
import statistics
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
NL_SENTENCES = ROOT / "bench" / "data" / "skills_nl_sentences.csv"
NO_SKILL = {"LABEL NOT PRESENT", "UNDERSPECIFIED"}
ROUNDS = 20
TARGETS = {"skills": "macro RP@5 ≥ 50", "occupations": "MRR ≥ 0.55"}

DESCRIPTION_EN = """I have worked for twelve years as a maintenance technician in a food factory.
I repair and maintain packaging machines and conveyor belts.
I read electrical diagrams and find faults in PLC-controlled installations.
I weld small repairs in stainless steel.
I plan preventive maintenance and keep the maintenance records up to date.
I train new colleagues on the machines.
I work in shifts and often on my own at night.
Safety comes first: I follow lockout procedures and wear protective equipment.
I order spare parts and keep the stock of parts in order.
I write short reports for the production manager.
I speak Dutch and English and some German.
I can drive a forklift truck.
I have a basic knowledge of hydraulics and pneumatics.
I like solving technical problems.
I use Excel for planning and for the stock list.
I help with the installation of new production lines.
I check the quality of the products at the end of the line.
I keep my workplace clean and tidy because of food hygiene rules.
I would like to learn more about robots and automation.
In my free time I coach a youth football team."""

DESCRIPTION_NL = """Ik werk al twaalf jaar als monteur onderhoud in een voedingsmiddelenfabriek.
Ik repareer en onderhoud verpakkingsmachines en transportbanden.
Ik lees elektrische schema's en zoek storingen in installaties met een PLC.
Ik las kleine reparaties in roestvrij staal.
Ik plan het preventief onderhoud en houd de onderhoudsadministratie bij.
Ik leer nieuwe collega's met de machines werken.
Ik werk in ploegendienst en 's nachts vaak alleen.
Veiligheid gaat voor: ik volg de procedures en draag beschermende kleding.
Ik bestel onderdelen en houd de voorraad op orde.
Ik schrijf korte rapporten voor de productieleider.
Ik spreek Nederlands, Engels en een beetje Duits.
Ik kan heftruck rijden.
Ik heb basiskennis van hydrauliek en pneumatiek.
Ik los graag technische problemen op.
Ik gebruik Excel voor de planning en de voorraadlijst.
Ik help bij het installeren van nieuwe productielijnen.
Ik controleer de kwaliteit van de producten aan het eind van de lijn.
Ik houd mijn werkplek schoon vanwege de hygiëneregels.
Ik wil graag meer leren over robots en automatisering.
In mijn vrije tijd ben ik trainer van een jeugdvoetbalteam."""


def reference() -> Path | None:
    for parent in ROOT.parents:
        candidate = parent / "shared" / "reference"
        if (candidate / "esco-v1.1.1").is_dir() and (candidate / "skill-benchmark-validation").is_dir():
            return candidate
    return None


# --- the data ----------------------------------------------------------------------------------------------------


def _lines(cell: str) -> list[str]:
    return [line.strip() for line in (cell or "").split("\n") if line.strip()]


def esco_concepts(ref: Path, name: str) -> list[dict]:
    with zipfile.ZipFile(ref / "esco-v1.1.1" / "esco-v1.1.1-classification-en-csv.zip") as archive:
        text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def skill_forms(skills: list[dict], alternatives: int | None = None) -> list[tuple[str, str, str]]:
    """(uri, language, text) of every skill's preferred label and its first `alternatives` alternative labels."""
    forms = []
    for row in skills:
        forms.append((row["conceptUri"], "en", row["preferredLabel"].strip()))
        forms += [(row["conceptUri"], "en", alt) for alt in _lines(row["altLabels"])[:alternatives]]
    return forms


def skill_sentences(ref: Path, split: str, by_label: dict[str, str]) -> list[tuple[str, set[str]]]:
    """(sentence, gold skill URIs) of one validation split, sentences without a gold skill left out."""
    gold: dict[str, set[str]] = {}
    path = ref / "skill-benchmark-validation" / f"{split}_validation_annotations.csv"
    with path.open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            uris = gold.setdefault(row["sentence"], set())
            if row["label"] not in NO_SKILL and row["label"] in by_label:
                uris.add(by_label[row["label"]])
    return [(sentence, uris) for sentence, uris in gold.items() if uris]


def nl_skill_sentences(by_label: dict[str, str]) -> list[tuple[str, set[str]]]:
    with NL_SENTENCES.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(row for row in file if not row.startswith("#")))
    return [(row["sentence_nl"], {by_label[label] for label in row["labels"].split("|")}) for row in rows]


def nl_occupations(ref: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, set[str]]]]:
    """The Dutch corpus as (uri, "nl", text) and the validation queries as (title, gold URIs)."""
    folder = ref / "esco-nl-occupations"

    def tsv(name: str) -> list[list[str]]:
        with (folder / name).open(encoding="utf-8") as file:
            return [line.rstrip("\n").split("\t") for line in file if line.strip()]

    uri_of = dict(tsv("nld_concept_mapping.tsv"))
    corpus = [(uri_of[element], "nl", text.strip()) for element, text in tsv("nld_corpus_elements.tsv")]
    titles = dict(tsv("nld_validation_queries.tsv"))
    gold: dict[str, set[str]] = {}
    for query, _zero, element, relevant in tsv("nld_validation_annotations.tsv"):
        if relevant == "1":
            gold.setdefault(query, set()).add(uri_of[element])
    return corpus, [(titles[query].strip(), uris) for query, uris in gold.items()]


# --- the index and the metrics -----------------------------------------------------------------------------------


def cache():
    from django.conf import settings

    from levenlang.skills.matching.encoder import VectorCache, encoder_name

    return VectorCache(Path(settings.VAR_DIR) / "encoder-cache" / encoder_name())


def build(forms: list[tuple[str, str, str]], vectors_cache, say=print):
    from levenlang.skills.matching.engine import Index

    texts = [text for _uri, _language, text in forms]
    missing = len(vectors_cache.missing(texts))
    if missing:
        say(f"encoding {missing:,} labels not in the cache yet (once) ...")
        started = time.perf_counter()
        vectors_cache.fill(texts, lambda done, total: say(f"  {done:,}/{total:,}") if done % 20_000 == 0 else None)
        say(f"encoded {missing:,} labels in {time.perf_counter() - started:.0f} s")
    return Index([f[0] for f in forms], [f[1] for f in forms], texts, vectors_cache.vectors(texts))


def ranks(index, queries, language: str, weights: dict, vectors_cache) -> list[np.ndarray]:
    """Per query the concepts' scores (the engine's fused score, one query = one sentence)."""
    from levenlang.skills.matching.engine import clean

    texts = [clean(text) for text, _gold in queries]  # as match_text cleans a sentence
    vectors_cache.fill(texts)
    vectors = vectors_cache.vectors(texts)
    scores = []
    for start in range(0, len(texts), 32):
        block = index.fused(texts[start : start + 32], vectors[start : start + 32], language, weights)
        scores += [block[:, column] for column in range(block.shape[1])]
    return scores


def quality(index, queries, scores: list[np.ndarray]) -> dict[str, float]:
    """RP@5, MRR and accuracy@10 (in %, MRR as a fraction) of the gold concepts."""
    position = {uri: n for n, uri in enumerate(index.concepts)}
    rp5, rr, hit10 = [], [], []
    for (_text, gold), score in zip(queries, scores, strict=True):
        gold_rows = [position[uri] for uri in gold if uri in position]
        top5 = set(np.argsort(-score, kind="stable")[:5].tolist())
        rp5.append(len(top5 & set(gold_rows)) / min(5, len(gold)))
        best = min(int((score > score[row]).sum()) + 1 for row in gold_rows) if gold_rows else 10**9
        rr.append(1 / best)
        hit10.append(best <= 10)
    return {"rp5": 100 * statistics.mean(rp5), "mrr": statistics.mean(rr), "acc10": 100 * statistics.mean(hit10)}


LEXICAL_ONLY = {"same": (1.0, 0.0), "cross": (1.0, 0.0)}
SEMANTIC_ONLY = {"same": (0.0, 1.0), "cross": (0.0, 1.0)}


# --- the run -----------------------------------------------------------------------------------------------------


def _load() -> str:
    with open("/proc/loadavg") as file:
        return "load " + " ".join(file.read().split()[:3])


def _compare(report, name: str, index, queries, language: str, vectors_cache, target: str = "") -> dict:
    from levenlang.skills.matching.engine import WEIGHTS

    fused = quality(index, queries, ranks(index, queries, language, WEIGHTS, vectors_cache))
    lexical = quality(index, queries, ranks(index, queries, language, LEXICAL_ONLY, vectors_cache))
    semantic = quality(index, queries, ranks(index, queries, language, SEMANTIC_ONLY, vectors_cache))
    print(f"{name}: {len(queries)} queries; encoder alone {semantic}; {_load()}", flush=True)
    for key, unit in (("rp5", "% RP@5"), ("mrr", "MRR"), ("acc10", "% acc@10")):
        report(
            f"{name} {key}",
            fused[key],
            unit,
            ceiling_name="char TF-IDF alone",
            ceiling=lexical[key],
            target=target if target and key == target.split()[0].lower() else "",
            higher_is_better=True,
        )
    return {"fused": fused, "lexical": lexical}


def _skills_part(report, ref: Path, sample: bool, vectors_cache):
    from levenlang.skills.matching.store import SKILL_ALTERNATIVES

    skills = esco_concepts(ref, "skills_en.csv")
    by_label = {row["preferredLabel"].strip(): row["conceptUri"] for row in skills}
    splits = {split: skill_sentences(ref, split, by_label) for split in ("tech", "house")}
    dutch = nl_skill_sentences(by_label)
    cap = os.environ.get("LEVENLANG_BENCH_SKILL_ALTERNATIVES", "")
    alternatives = int(cap) if cap else SKILL_ALTERNATIVES
    if sample:
        splits = {split: queries[:20] for split, queries in splits.items()}
        dutch = dutch[:10]
        keep = {uri for queries in [*splits.values(), dutch] for _text, gold in queries for uri in gold}
        skills = [row for row in skills if row["conceptUri"] in keep] + [
            row for row in skills if row["conceptUri"] not in keep
        ][:300]
        alternatives = 0
    started = time.perf_counter()
    index = build(_shortest_alternatives(skill_forms(skills, None), alternatives), vectors_cache)
    kept = "all" if alternatives is None else f"at most {alternatives}"
    seconds = time.perf_counter() - started
    print(
        f"skills index: {len(index.concepts):,} skills, {len(index):,} labels (preferred + {kept} alternatives),"
        f" built in {seconds:.1f} s; {_load()}",
        flush=True,
    )
    results = {
        split: _compare(report, f"skills {split}", index, queries, "en", vectors_cache)
        for split, queries in splits.items()
    }
    for key, unit in (("rp5", "% RP@5"), ("mrr", "MRR")):
        fused = statistics.mean(result["fused"][key] for result in results.values())
        lexical = statistics.mean(result["lexical"][key] for result in results.values())
        report(
            f"skills macro {key}",
            fused,
            unit,
            ceiling_name="char TF-IDF alone",
            ceiling=lexical,
            target=TARGETS["skills"] if key == "rp5" else "",
            higher_is_better=True,
        )
    _compare(report, "dutch text -> english skills", index, dutch, "nl", vectors_cache)
    return index


def _shortest_alternatives(forms, alternatives: int | None):
    """As the store does: each skill's preferred label and its `alternatives` shortest alternative labels."""
    by_uri: dict[str, list] = {}
    for uri, language, text in forms:
        by_uri.setdefault(uri, []).append((uri, language, text))
    kept = []
    for labels in by_uri.values():
        kept.append(labels[0])
        kept += sorted(labels[1:], key=lambda form: (len(form[2]), form[2]))[:alternatives]
    return kept


def _occupations_part(report, ref: Path, sample: bool, vectors_cache):
    corpus, queries = nl_occupations(ref)
    if sample:
        queries = queries[:50]
        keep = {uri for _text, gold in queries for uri in gold}
        corpus = [form for form in corpus if form[0] in keep] + [form for form in corpus if form[0] not in keep][:500]
    index = build(corpus, vectors_cache)
    print(f"Dutch occupation corpus: {len(index.concepts):,} concepts, {len(index):,} Dutch labels", flush=True)
    _compare(report, "dutch job titles -> occupations", index, queries, "nl", vectors_cache, TARGETS["occupations"])
    if sample:
        return index
    # What the web process holds: every occupation's English labels and the Dutch labels of those in v1.1.1.
    occupations = esco_concepts(ref, "occupations_en.csv")
    known = {row["conceptUri"] for row in occupations}
    forms = [(row["conceptUri"], "en", row["preferredLabel"].strip()) for row in occupations]
    forms += [(row["conceptUri"], "en", alt) for row in occupations for alt in _lines(row["altLabels"])]
    forms += [form for form in corpus if form[0] in known]
    return build(forms, vectors_cache)


_MEASURE_MEMORY = """
import pickle, sys
import numpy, scipy.sparse, sklearn.feature_extraction.text  # what a web process has loaded anyway
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS:")).split()[1]) / 1024
before = rss()
indexes = [pickle.load(open(path, "rb")) for path in sys.argv[1:]]
print(before, rss())
"""


def _memory(report, *indexes) -> None:
    """A fresh process loads the indexes as a web process does (the pickled files under var/matcher/)."""
    import pickle
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, index in enumerate(indexes):
            paths.append(f"{folder}/{number}.pickle")
            with open(paths[-1], "wb") as file:
                pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", _MEASURE_MEMORY, *paths],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        seconds = time.perf_counter() - started
    before, after = (float(value) for value in out.stdout.split())
    print(f"a fresh process loaded both indexes in {seconds:.1f} s (with Python's start); {_load()}", flush=True)
    report(
        "resident memory of a process with both indexes loaded",
        after,
        "MiB",
        ceiling_name="the same process before loading them",
        ceiling=before,
    )


def _speed(report, skills_index, occupations_index) -> None:
    from levenlang.skills.matching import encoder, engine

    for name, text in (("english", DESCRIPTION_EN), ("dutch", DESCRIPTION_NL)):
        parts = engine.sentences(text)
        language = engine.language_of(text)
        for kind, index in (("skills", skills_index), ("occupations", occupations_index)):
            index.match(parts, encoder.encode(parts), language, top=20)  # warm-up
            whole, encoding = [], []
            for _round in range(ROUNDS):
                started = time.perf_counter()
                vectors = encoder.encode(parts)
                encoded = time.perf_counter()
                index.match(parts, vectors, language, top=20)
                whole.append((time.perf_counter() - started) * 1000)
                encoding.append((encoded - started) * 1000)
            print(f"{name} -> {kind}: median {statistics.median(whole):.0f} ms; {_load()}", flush=True)
            report(
                f"match a {len(parts)}-sentence {name} description to {kind} ({len(index):,} labels) p95",
                statistics.quantiles(whole, n=20)[-1],
                "ms",
                ceiling_name="encoding its sentences alone",
                ceiling=statistics.quantiles(encoding, n=20)[-1],
                target="≤ 500 ms",
            )
        print(_load(), flush=True)


def run(n: int, report) -> None:
    ref = reference()
    if ref is None:
        print("skipped: the ESCO download and the validation sets (../shared/reference/) are not beside this checkout")
        return
    sample = n < 10_000
    vectors_cache = cache()
    print(
        f"{'a small sample (n < 10,000)' if sample else 'the full ESCO'}; encoder cache: {len(vectors_cache):,}"
        f" texts; {_load()}",
        flush=True,
    )
    skills_index = _skills_part(report, ref, sample, vectors_cache)
    occupations_index = _occupations_part(report, ref, sample, vectors_cache)
    _memory(report, skills_index, occupations_index)
    _speed(report, skills_index, occupations_index)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "levenlang.conf.settings.dev")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django

    django.setup()
    from run import Report  # bench/run.py

    run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000, Report())
