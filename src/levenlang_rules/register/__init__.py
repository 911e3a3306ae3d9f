"""The register of schemes (regelingen): one YAML file per scheme in this folder, read once and checked.
See learning_rights.yaml for the fields."""

import datetime
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
KINDS = {"grant", "loan", "advice", "tax", "deposit"}
OWNERS_HINT = "OCW, SZW, UWV, DUO, a sector fund's name or a region's name"


class RegisterError(ValueError):
    pass


@dataclass(frozen=True)
class Text:
    nl: str
    en: str

    def __call__(self, language: str) -> str:
        return self.nl if language.startswith("nl") else self.en


@dataclass(frozen=True)
class Condition:
    variable: str
    met: Text
    not_met: Text
    optional: bool = False


@dataclass(frozen=True)
class Part:
    variable: str
    label: Text


@dataclass(frozen=True)
class Scheme:
    key: str
    name: Text
    summary: Text
    owner: str
    kind: str
    applies_to: str
    start: datetime.date
    end: datetime.date | None
    budget_eur: int | None
    budget_note: Text | None
    how_to_apply: Text
    reference_title: str
    reference_href: str
    plausible: bool
    eligible: str
    amount: str | None
    conditions: tuple[Condition, ...]
    parts: tuple[Part, ...] = field(default=())

    def runs_in(self, year: int) -> bool:
        return self.start.year <= year and (self.end is None or self.end.year >= year)

    def described(self, language: str) -> dict:
        """The register entry in one language: what the register page, the navigator and the API show."""
        return {
            "key": self.key,
            "name": self.name(language),
            "summary": self.summary(language),
            "owner": self.owner,
            "kind": self.kind,
            "applies_to": self.applies_to,
            "for_employer": self.applies_to == "employer",
            "start": self.start,
            "end": self.end,
            "budget_eur": self.budget_eur,
            "budget_note": self.budget_note(language) if self.budget_note else "",
            "how_to_apply": self.how_to_apply(language),
            "reference_title": self.reference_title,
            "reference_href": self.reference_href,
            "plausible": self.plausible,
        }

    @property
    def variables(self) -> list[str]:
        names = [self.eligible, *(c.variable for c in self.conditions), *(p.variable for p in self.parts)]
        return names + ([self.amount] if self.amount else [])


def _text(entry: dict, key: str, where: str) -> Text:
    value = entry.get(key)
    if not isinstance(value, dict) or not value.get("nl") or not value.get("en"):
        raise RegisterError(f"{where}: '{key}' needs a Dutch (nl) and an English (en) text")
    return Text(nl=str(value["nl"]).strip(), en=str(value["en"]).strip())


def _scheme(path: Path) -> Scheme:
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))
    where = path.name
    for required in ("key", "owner", "kind", "applies_to", "period", "reference", "eligible", "conditions"):
        if required not in entry:
            raise RegisterError(f"{where}: '{required}' is missing")
    if entry["kind"] not in KINDS:
        raise RegisterError(f"{where}: kind must be one of {sorted(KINDS)}")
    if entry["key"] != path.stem:
        raise RegisterError(f"{where}: key '{entry['key']}' must equal the file name")
    period = entry["period"]
    return Scheme(
        key=entry["key"],
        name=_text(entry, "name", where),
        summary=_text(entry, "summary", where),
        owner=entry["owner"],
        kind=entry["kind"],
        applies_to=entry["applies_to"],
        start=period["start"],
        end=period.get("end"),
        budget_eur=entry.get("budget_eur"),
        budget_note=_text(entry, "budget_note", where) if entry.get("budget_note") else None,
        how_to_apply=_text(entry, "how_to_apply", where),
        reference_title=entry["reference"]["title"],
        reference_href=entry["reference"].get("href", ""),
        plausible=bool(entry.get("plausible", False)),
        eligible=entry["eligible"],
        amount=entry.get("amount"),
        conditions=tuple(
            Condition(
                variable=c["variable"],
                met=_text(c, "met", where),
                not_met=_text(c, "not_met", where),
                optional=bool(c.get("optional", False)),
            )
            for c in entry["conditions"]
        ),
        parts=tuple(Part(variable=p["variable"], label=_text(p, "label", where)) for p in entry.get("parts", [])),
    )


@functools.cache
def schemes() -> tuple[Scheme, ...]:
    """Every scheme in the register, in a stable order (learning rights first, then by name)."""
    loaded = [_scheme(path) for path in sorted(HERE.glob("*.yaml"))]
    return tuple(sorted(loaded, key=lambda s: (s.key != "learning_rights", s.name.nl)))


def scheme(key: str) -> Scheme:
    for found in schemes():
        if found.key == key:
            return found
    raise KeyError(key)
