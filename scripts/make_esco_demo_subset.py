#!/usr/bin/env python3
"""Rebuild the demo subset of ESCO shipped in src/levenlang/skills/data/esco-v1.1.1-demo/ from the full ESCO CSV
download (docs/skills.md, "The demo subset").

    python scripts/make_esco_demo_subset.py CLASSIFICATION.zip RELATIONS.zip --nl-occupations DIR [--out FOLDER]

The subset: the occupations of the demo population's technology (metal and electrical), ICT, care and logistics
jobs (the table below: the demo's Dutch job title and the ESCO occupation chosen for it, by its English preferred
label), all their essential skills, the skill groups and ISCO groups above them, and the relations among what is
kept (optional occupation–skill relations only where the skill is kept anyway). The files keep ESCO's layout and
headers, so `import_esco` reads them like the real download; columns the platform does not read are left empty to
keep the subset small. Dutch labels of occupations and ISCO groups go into occupations_nl.csv and ISCOGroups_nl.csv
(from the Dutch occupation labels' two TSV files). Only the standard library is used: the script runs anywhere."""

import argparse
import csv
import io
import zipfile
from pathlib import Path

csv.field_size_limit(4_000_000)

# The demo's job titles (levenlang.demo.population.JOB_TITLES, four sectors) -> ESCO occupation (English label).
DEMO_OCCUPATIONS = {
    # technology: metal and electrical
    "Productiemedewerker": "metal products assembler",
    "Operator": "metalworking lathe operator",
    "Lasser": "welder",
    "CNC-verspaner": "computer numerical control machine operator",
    "Elektromonteur": "electrician",
    "Onderhoudsmonteur": "maintenance and repair engineer",
    "Teamleider productie": "metal production supervisor",
    "Werkvoorbereider": "production engineer",
    "Kwaliteitsmedewerker": "metal product quality control inspector",
    "Constructeur": "mechanical engineer",
    "Engineer": "electrical engineer",
    # ICT
    "Servicedeskmedewerker": "ICT help desk agent",
    "Systeembeheerder": "ICT system administrator",
    "Netwerkbeheerder": "ICT network administrator",
    "Tester": "software tester",
    "Softwareontwikkelaar": "software developer",
    "Data-analist": "data analyst",
    "Informatiebeveiliger": "ICT security administrator",
    "Projectmanager ICT": "ICT project manager",
    # care
    "Medewerker huishouding": "domestic housekeeper",
    "Helpende": "healthcare assistant",
    "Verzorgende IG": "home care aide",
    "Begeleider gehandicaptenzorg": "disability support worker",
    "Doktersassistent": "doctors' surgery assistant",
    "Verpleegkundige": "nurse responsible for general care",
    "Teamleider zorg": "healthcare institution manager",
    "Fysiotherapeut": "physiotherapist",
    "Specialist ouderengeneeskunde": "specialised doctor",
    # logistics
    "Orderpicker": "warehouse order picker",
    "Magazijnmedewerker": "warehouse worker",
    "Chauffeur": "cargo vehicle driver",
    "Logistiek medewerker": "supply chain assistant",
    "Expediteur": "forwarding manager",
    "Planner": "transport planner",
    "Supply chain analist": "logistics analyst",
}

# Columns the platform does not read; emptied in the subset (the header stays ESCO's).
UNUSED = {"modifiedDate", "inScheme", "scopeNote", "definition", "regulatedProfessionNote", "hiddenLabels"}


def _read(archive: Path, suffix: str) -> tuple[list[str], list[dict[str, str]]]:
    with zipfile.ZipFile(archive) as z:
        [name] = [n for n in z.namelist() if n.endswith(suffix)]
        with z.open(name) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
            return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if k in UNUSED else row.get(k, "")) for k in header})


def _occupations(rows: list[dict[str, str]]) -> dict[str, str]:
    by_label = {row["preferredLabel"]: row["conceptUri"] for row in rows}
    missing = sorted(set(DEMO_OCCUPATIONS.values()) - set(by_label))
    if missing:
        raise SystemExit(f"not in this ESCO version: {', '.join(missing)}")
    return {by_label[label]: title for title, label in DEMO_OCCUPATIONS.items()}


def _upwards(start: set[str], broader: list[dict[str, str]]) -> set[str]:
    """`start` and every concept above it along the broader relations."""
    parents: dict[str, set[str]] = {}
    for row in broader:
        parents.setdefault(row["conceptUri"], set()).add(row["broaderUri"])
    found, todo = set(start), list(start)
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def _dutch(folder: Path, uris: set[str]) -> dict[str, list[str]]:
    """uri -> Dutch labels, the preferred one first."""
    texts = dict(
        line.rstrip("\n").split("\t", 1) for line in (folder / "nld_corpus_elements.tsv").open("r", encoding="utf-8")
    )
    labels: dict[str, list[str]] = {}
    for line in sorted((folder / "nld_concept_mapping.tsv").open(encoding="utf-8")):
        element, uri = line.rstrip("\n").split("\t", 1)
        if uri in uris and element in texts:
            labels.setdefault(uri, []).append(texts[element])  # sorted: the _000 element (preferred) first
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("classification", type=Path)
    parser.add_argument("relations", type=Path)
    parser.add_argument("--nl-occupations", type=Path, required=True)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parents[1] / "src/levenlang/skills/data/esco-v1.1.1-demo"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    occupation_header, occupations = _read(args.classification, "occupations_en.csv")
    chosen = _occupations(occupations)
    relation_header, relations = _read(args.relations, "occupationSkillRelations.csv")
    skills = {r["skillUri"] for r in relations if r["occupationUri"] in chosen and r["relationType"] == "essential"}
    _write_subset(args, chosen, skills, (occupation_header, occupations), (relation_header, relations))


def _write_subset(args, chosen: dict[str, str], skills: set[str], occupations, relations) -> None:
    skill_broader_header, skill_broader = _read(args.relations, "broaderRelationsSkillPillar.csv")
    occ_broader_header, occ_broader = _read(args.relations, "broaderRelationsOccPillar.csv")
    skill_pillar = _upwards(skills, skill_broader)
    occupation_pillar = _upwards(set(chosen), occ_broader)
    for stem, kept in (("skills", skill_pillar), ("skillGroups", skill_pillar), ("ISCOGroups", occupation_pillar)):
        header, rows = _read(args.classification, f"{stem}_en.csv")
        _write(args.out / f"{stem}_en.csv", header, [row for row in rows if row["conceptUri"] in kept])
    kept_occupations = [r for r in occupations[1] if r["conceptUri"] in occupation_pillar]  # with broader ones
    _write(args.out / "occupations_en.csv", occupations[0], kept_occupations)
    _write(
        args.out / "occupationSkillRelations.csv",
        relations[0],
        [r for r in relations[1] if r["occupationUri"] in chosen and r["skillUri"] in skills],
    )
    header, rows = _read(args.relations, "skillSkillRelations.csv")
    _write(
        args.out / "skillSkillRelations.csv",
        header,
        [r for r in rows if r["originalSkillUri"] in skills and r["relatedSkillUri"] in skills],
    )
    for name, header, rows, kept in (
        ("broaderRelationsSkillPillar.csv", skill_broader_header, skill_broader, skill_pillar),
        ("broaderRelationsOccPillar.csv", occ_broader_header, occ_broader, occupation_pillar),
    ):
        _write(args.out / name, header, [r for r in rows if r["conceptUri"] in kept and r["broaderUri"] in kept])
    _write_dutch(args, occupations, occupation_pillar)
    print(
        f"{len(chosen)} occupations, {len(skills)} skills, {len(skill_pillar) - len(skills)} skill groups → {args.out}"
    )


def _write_dutch(args, occupations, occupation_pillar: set[str]) -> None:
    """occupations_nl.csv and ISCOGroups_nl.csv: the Dutch labels, in ESCO's layout (preferred, then alternatives)."""
    dutch = _dutch(args.nl_occupations, occupation_pillar)
    isco_header, isco = _read(args.classification, "ISCOGroups_en.csv")
    for name, header, rows in (
        ("occupations_nl.csv", occupations[0], occupations[1]),
        ("ISCOGroups_nl.csv", isco_header, isco),
    ):
        kept = []
        for row in rows:
            labels = dutch.get(row["conceptUri"])
            if labels:
                kept.append({**row, "preferredLabel": labels[0], "altLabels": "\n".join(labels[1:]), "description": ""})
        _write(args.out / name, header, kept)


if __name__ == "__main__":
    main()
