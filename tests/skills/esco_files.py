"""A small taxonomy written in the layout of ESCO's official CSV download (the same headers, one alternative label
per line in a cell), for the import tests: two ISCO groups, two occupations, a skill group and five skills."""

import csv
import zipfile
from pathlib import Path

ESCO = "http://data.europa.eu/esco"
ISCO_7 = f"{ESCO}/isco/C7"
ISCO_7212 = f"{ESCO}/isco/C7212"
WELDER = f"{ESCO}/occupation/welder"
PIPE_WELDER = f"{ESCO}/occupation/pipe-welder"
GROUP = f"{ESCO}/skill/group-metal"
WELD = f"{ESCO}/skill/weld"
CUT = f"{ESCO}/skill/cut-metal"
SAFETY = f"{ESCO}/skill/safety"
BLUEPRINTS = f"{ESCO}/skill/blueprints"
GAS = f"{ESCO}/skill/gas-welding"

SKILL_HEADER = [
    "conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels", "hiddenLabels",
    "status", "modifiedDate", "scopeNote", "definition", "inScheme", "description",
]  # fmt: skip
OCCUPATION_HEADER = [
    "conceptType", "conceptUri", "iscoGroup", "preferredLabel", "altLabels", "hiddenLabels", "status",
    "modifiedDate", "regulatedProfessionNote", "scopeNote", "definition", "inScheme", "description", "code",
]  # fmt: skip
ISCO_HEADER = ["conceptType", "conceptUri", "code", "preferredLabel", "status", "altLabels", "inScheme", "description"]
GROUP_HEADER = [
    "conceptType", "conceptUri", "preferredLabel", "altLabels", "hiddenLabels", "status", "modifiedDate",
    "scopeNote", "inScheme", "description", "code",
]  # fmt: skip


def skill(uri, label, alt="", *, kind="skill/competence", reuse="sector-specific", description=""):
    return ["KnowledgeSkillCompetence", uri, kind, reuse, label, alt, "", "released", "", "", "", "", description]


SKILLS = [
    skill(WELD, "weld metal", "welding\njoin metal by welding", description="Join metal parts by melting them."),
    skill(CUT, "cut metal", "metal cutting"),
    skill(SAFETY, "work safely", "", reuse="transversal"),
    skill(BLUEPRINTS, "read blueprints", "read technical drawings", kind="knowledge"),
    skill(GAS, "use gas welding equipment", "gas welding"),
]
OCCUPATIONS = [
    ["Occupation", WELDER, "7212", "welder", "metal welder\nwelding operator", "", "released", "", "", "", "", "",
     "Welders join metal.", "7212.1"],
    ["Occupation", PIPE_WELDER, "7212", "pipe welder", "", "", "released", "", "", "", "", "", "", "7212.2"],
]  # fmt: skip
ISCO_GROUPS = [
    ["ISCOGroup", ISCO_7, "7", "Craft and related trades workers", "released", "", "", ""],
    ["ISCOGroup", ISCO_7212, "7212", "Welders and flamecutters", "released", "", "", ""],
]
SKILL_GROUPS = [["SkillGroup", GROUP, "working with metal", "", "", "released", "", "", "", "", "S6.1"]]
OCCUPATION_SKILLS = [
    [WELDER, "essential", "skill/competence", WELD],
    [WELDER, "essential", "skill/competence", SAFETY],
    [WELDER, "optional", "skill/competence", CUT],
    [WELDER, "essential", "knowledge", BLUEPRINTS],
    [PIPE_WELDER, "essential", "skill/competence", WELD],
    [PIPE_WELDER, "essential", "skill/competence", GAS],
]
SKILL_SKILLS = [[GAS, "skill/competence", "optional", "skill/competence", WELD]]
SKILL_BROADER = [
    ["KnowledgeSkillCompetence", WELD, "SkillGroup", GROUP],
    ["KnowledgeSkillCompetence", CUT, "SkillGroup", GROUP],
    ["KnowledgeSkillCompetence", GAS, "KnowledgeSkillCompetence", WELD],
]
OCCUPATION_BROADER = [
    ["ISCOGroup", ISCO_7212, "ISCOGroup", ISCO_7],
    ["Occupation", WELDER, "ISCOGroup", ISCO_7212],
    ["Occupation", PIPE_WELDER, "Occupation", WELDER],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def write_classification(folder: Path, *, language: str = "en", skills=None, occupations=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / f"skills_{language}.csv", SKILL_HEADER, SKILLS if skills is None else skills)
    write_csv(
        folder / f"occupations_{language}.csv", OCCUPATION_HEADER, OCCUPATIONS if occupations is None else occupations
    )
    write_csv(folder / f"ISCOGroups_{language}.csv", ISCO_HEADER, ISCO_GROUPS)
    write_csv(folder / f"skillGroups_{language}.csv", GROUP_HEADER, SKILL_GROUPS)
    return folder


def write_relations(folder: Path, *, occupation_skills=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(
        folder / "occupationSkillRelations.csv",
        ["occupationUri", "relationType", "skillType", "skillUri"],
        OCCUPATION_SKILLS if occupation_skills is None else occupation_skills,
    )
    write_csv(
        folder / "skillSkillRelations.csv",
        ["originalSkillUri", "originalSkillType", "relationType", "relatedSkillType", "relatedSkillUri"],
        SKILL_SKILLS,
    )
    write_csv(
        folder / "broaderRelationsSkillPillar.csv",
        ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        SKILL_BROADER,
    )
    write_csv(
        folder / "broaderRelationsOccPillar.csv",
        ["conceptType", "conceptUri", "broaderType", "broaderUri"],
        OCCUPATION_BROADER,
    )
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return target
