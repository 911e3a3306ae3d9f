"""Reading a provider's catalogue file: Open Education API JSON, version 5 (OOAPI v5, what most Dutch institutions
and DUO's register RIO publish) or version 6 (OEAPI v6), or our CSV.

Parsing only: each reader turns the file into `ParsedModule`s (with their offerings) and a list of problems, each
with where it is (a JSON pointer or a CSV row and column) and why, in plain words. Whether anything is written is
decided in catalog.services.import_catalogue: all or nothing per file.

The version of a JSON file follows from its shape (`detect_version`): v5 says `program`, `programId`,
`offeringId` with `offeringType`, `teachingLanguage`, `startDate`; v6 says `programme`, `programmeId`,
`courseOfferingId`/`programmeOfferingId`, `teachingLanguages`, `modesOfDelivery`, `startDateTime`. A file that
says both is refused as a whole; a file that says neither is read as v6 (a bare course with a `courseId` is the same
in both).

OEAPI v6 objects are recognised by their identifiers: `courseOfferingId` (a course offering, pointing at its course
with `courseId` or an expanded `course`), `programmeOfferingId` (likewise for a programme), else `courseId` (a
course) or `programmeId` (a programme). OOAPI v5 objects: `offeringId` (an offering whose `offeringType` says
course or program, pointing at it with `course` or `program`: an id or the expanded object), else `courseId` or
`programId`. A file may be one object, a list, a page (`{"items": [...]}`) or a bundle (v6: `{"courses": ...,
"programmes": ..., "courseOfferings": ..., "programmeOfferings": ...}`; v5: `{"courses": ..., "programs": ...,
"offerings": ...}`). What the standard does not carry (the spending category, skills, a minimum age, a cap on funded
places) may come in the object's `ext.levenlang`; a default category for the file covers the rest.

Numbers and amounts are read with levenlang.core.parsing only (ASCII digits, a range for every figure), JSON with
its depth limit; a text with a NUL character (which PostgreSQL cannot store) is a bad field like any other.
"""

import csv
import datetime
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from levenlang.catalog.models import LevelOfQualification, ModeOfDelivery, Module, Offering, StudyLoadUnit
from levenlang.core import parsing
from levenlang.core.categories import Category

CATEGORY_BY_NAME = {c.name.lower(): int(c) for c in Category}

# The highest figure a catalogue file may give. None of these is a rule of a scheme: they stop what can only be a
# mistake (cents typed as euros, a stray digit, a number meant for another column) before it reaches people's
# searches or the ledger. The dearest real courses and programmes (an MBA, a commercial pilot's licence) cost well
# under €200,000; a price above €1,000,000 is always an error.
MAX_PRICE_CENTS = 1_000_000_00
# Places in one offering, and funded places per quarter: more than the largest Dutch university enrols in a year.
MAX_PLACES = 100_000
# A minimum age above 100 excludes everyone.
MAX_MIN_AGE = 100
# In any unit: 10,000 hours is six years of full-time study, far more than a whole bachelor's programme in ECTS too.
MAX_STUDY_LOAD = 10_000
# The number of ratings behind a module's average: more than everyone in the Netherlands who learns in a year.
MAX_RATING_COUNT = 10_000_000
# The completion rate and the rating are only bounded by their columns here (999.99 and 9.99): the module's own
# rules then say in words what they mean (a percentage from 0 to 100, a rating from 1 to 5).
COMPLETION_RATE_COLUMN = Decimal("999.99")
RATING_COLUMN = Decimal("9.99")

# OEAPI v6 `level` (a course's level) -> `levelOfQualification`, where the specification says they correspond.
LEVEL_TO_QUALIFICATION = {
    "secondary_vocational_education_1": "eqf_1",
    "secondary_vocational_education_2": "eqf_2",
    "secondary_vocational_education_3": "eqf_3",
    "secondary_vocational_education_4": "eqf_4",
    "associate_degree": "eqf_5",
    "bachelor": "eqf_6",
    "master": "eqf_7",
    "doctoral": "eqf_8",
}
# ISO 639-2 codes that OEAPI's examples use beside ISO 639-1.
LANGUAGE_ALIASES = {"nld": "nl", "dut": "nl", "eng": "en"}


OFFERING_IDS = ("courseOfferingId", "programmeOfferingId")

# What tells the versions apart: names that only one of them uses, for an object and for a bundle's parts.
V5_KEYS = frozenset(
    {"programId", "offeringId", "offeringType", "program", "programType", "programOffering", "teachingLanguage"}
    | {"startDate", "endDate", "enrollStartDate", "enrollEndDate", "organization", "enrollment"}
)
V6_KEYS = frozenset(
    {"programmeId", "courseOfferingId", "programmeOfferingId", "programme", "programmeType", "teachingLanguages"}
    | {"modesOfDelivery", "startDateTime", "endDateTime", "programmeOfferingIds", "organisationId", "enrolment"}
)
V5_BUNDLE = ("courses", "programs", "courseOfferings", "programOfferings", "offerings")
V6_BUNDLE = ("courses", "programmes", "courseOfferings", "programmeOfferings")

# OOAPI v5 enumerations -> ours (the catalogue speaks v6).
V5_MODES = {
    "distance-learning": ModeOfDelivery.ONLINE,
    "on campus": ModeOfDelivery.PRESENTIAL,
    "online": ModeOfDelivery.ONLINE,
    "hybrid": ModeOfDelivery.HYBRID,
    "situated": ModeOfDelivery.PRESENTIAL,  # "op locatie": at a place other than the campus, still on site
}
V5_LEVELS = {
    "secondary vocational education": "",
    "secondary vocational education 1": "eqf_1",
    "secondary vocational education 2": "eqf_2",
    "secondary vocational education 3": "eqf_3",
    "secondary vocational education 4": "eqf_4",
    "associate degree": "eqf_5",
    "bachelor": "eqf_6",
    "master": "eqf_7",
    "doctoral": "eqf_8",
    "undefined": "",
    "undivided": "",
    "nt2-1": "",
    "nt2-2": "",
}
V5_QUALIFICATIONS = {**{str(n): f"eqf_{n}" for n in range(1, 9)}, "4+": "nlqf_4plus"}
V5_STUDY_LOAD_UNITS = {
    "contacttime": StudyLoadUnit.CONTACT_TIME,
    "ects": StudyLoadUnit.ECTS,
    "sbu": StudyLoadUnit.SBU,
    "sp": StudyLoadUnit.SP,
    "hour": StudyLoadUnit.HOUR,
}
V5_TOTAL_COSTS = "total costs"


@dataclass
class Problem:
    where: str  # a JSON pointer ("/courses/3/name") or "row 5, column price_eur"
    reason: str

    def __post_init__(self):
        # Reports are stored as jsonb, which holds no NUL; and a quoted cell must not make a report of megabytes.
        self.where = storable_text(self.where, 300)
        self.reason = storable_text(self.reason, 1000)

    def as_dict(self) -> dict:
        return {"where": self.where, "reason": self.reason}


def storable_text(text, limit: int) -> str:
    """`text` as PostgreSQL can store it (NUL shown as "�"), at most `limit` characters."""
    text = str(text).replace("\x00", "\N{REPLACEMENT CHARACTER}")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ParsedOffering:
    where: str
    uuid: uuid.UUID | None
    values: dict


@dataclass
class ParsedModule:
    where: str
    uuid: uuid.UUID | None
    values: dict
    offerings: list[ParsedOffering] = field(default_factory=list)
    price_given: bool = False


@dataclass
class Parsed:
    modules: list[ParsedModule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Offerings whose module is not in the file: (module uuid, offering)
    loose_offerings: list[tuple[uuid.UUID, ParsedOffering]] = field(default_factory=list)


def _number(parse, value, where: str, problems: list[Problem], **bounds):
    """`parse(value, **bounds)` from core.parsing, or None and a problem at `where`."""
    try:
        return parse(value, **bounds)
    except parsing.ParseError as error:
        problems.append(Problem(where, error.message))
        return None


def _price(value, where: str, problems: list[Problem], *, separators: str = ".,") -> int | None:
    return _number(parsing.parse_cents, value, where, problems, maximum=MAX_PRICE_CENTS, separators=separators)


def _json_count(value, where: str, problems: list[Problem], maximum: int) -> int | None:
    """A whole number that the standard gives as a JSON number (a text of digits is not one)."""
    if isinstance(value, str):
        problems.append(Problem(where, _("This must be a number, without quotes.")))
        return None
    return _number(parsing.parse_int, value, where, problems, minimum=0, maximum=maximum)


def _language(tag) -> str:
    primary = (tag if isinstance(tag, str) and tag else "nl").split("-")[0].lower()
    return LANGUAGE_ALIASES.get(primary, primary)[:12]


def _first_language(values, where: str, problems: list[Problem]) -> str | None:
    """The first of a list of language codes (v6 `teachingLanguages`), or None (and a problem) when it is no list
    of texts."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.append(Problem(where, _('This must be a list of language codes, like ["nld"].')))
        return None
    return _language(values[0]) if values else None


def _texts(values, where: str, problems: list[Problem], name: str) -> tuple[str, str]:
    """(Dutch, English) from a list of OEAPI LanguageTypedStrings; another language counts as English."""
    nl = en = ""
    if values is None:
        return nl, en
    if not isinstance(values, list):
        problems.append(Problem(where, _("%(name)s must be a list of texts with a language.") % {"name": name}))
        return nl, en
    for item in values:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            problems.append(Problem(where, _("%(name)s must be a list of texts with a language.") % {"name": name}))
            return nl, en
        if _language(item.get("language")) == "nl":
            nl = nl or item["value"].strip()
        else:
            en = en or item["value"].strip()
    return nl, en


def _uuid(value, where: str, problems: list[Problem], name: str) -> uuid.UUID | None:
    try:
        if not isinstance(value, str | uuid.UUID):
            raise ValueError
        return uuid.UUID(str(value))
    except ValueError:
        problems.append(Problem(where, _("%(name)s is not a valid UUID.") % {"name": name}))
        return None


def _date(value, where: str, problems: list[Problem]) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        return datetime.datetime.fromisoformat(value).date() if "T" in value else datetime.date.fromisoformat(value)
    except ValueError:
        problems.append(
            Problem(where, _("“%(value)s” is not a date (use 2027-01-31).") % {"value": parsing.excerpt(value)})
        )
        return None


def _choice(value, choices, where: str, problems: list[Problem], name: str) -> str:
    if isinstance(value, str) and value in choices:
        return value
    problems.append(
        Problem(
            where,
            _("%(name)s “%(value)s” is not known here. Use one of: %(allowed)s.")
            % {"name": name, "value": parsing.excerpt(value), "allowed": ", ".join(choices)},
        )
    )
    return ""


def _category(value, default: int | None, where: str, problems: list[Problem]) -> int | None:
    if value in (None, ""):
        if default is None:
            problems.append(Problem(where, _("The spending category is missing. Choose a category for the file.")))
        return default
    if str(value).lower() in CATEGORY_BY_NAME:
        return CATEGORY_BY_NAME[str(value).lower()]
    problems.append(
        Problem(
            where,
            _("Spending category “%(value)s” is not known. Use one of: %(allowed)s.")
            % {"value": parsing.excerpt(value), "allowed": ", ".join(CATEGORY_BY_NAME)},
        )
    )
    return None


def _code(obj: dict) -> str:
    primary = obj.get("primaryCode")
    code = primary.get("code", "") if isinstance(primary, dict) else ""
    return code if isinstance(code, str) else str(code)


# --- JSON: the file, its version, texts PostgreSQL cannot store --------------------------------------------------


def read_oeapi_json(data: bytes, *, default_category: int | None) -> Parsed:
    """Read an Open Education API file, version 5 or 6 (see the module's docstring)."""
    parsed = Parsed()
    try:
        document = parsing.load_json(data)
    except parsing.ParseError as error:
        parsed.problems.append(Problem("/", _("The file cannot be read: %(error)s") % {"error": error.message}))
        return parsed
    parsed.problems.extend(
        Problem(pointer, _("This text holds a NUL character (code 0), which cannot be stored. Remove it."))
        for pointer in nul_texts(document)
    )
    version, problem = detect_version(document)
    if problem is not None:
        parsed.problems.append(problem)
        return parsed
    objects = list(_objects(document, "", V5_BUNDLE if version == 5 else V6_BUNDLE))
    if not objects:
        parsed.problems.append(Problem("/", _("The file holds no courses, programmes or offerings.")))
    if version == 5:
        _read_objects(objects, parsed, default_category, _v5_kind, _v5_module, _v5_offering)
    else:
        _read_objects(objects, parsed, default_category, _v6_kind, _oeapi_module, _oeapi_offering)
    return parsed


def nul_texts(document, pointer: str = ""):
    """The JSON pointer of every text (value or name) in `document` that holds a NUL character. Iterative: the
    depth is bounded by the loader, but nothing here should depend on it."""
    stack = [(pointer, document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                yield where or "/"
        elif isinstance(value, list):
            stack.extend((f"{where}/{i}", item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                child = f"{where}/{key.replace('~', '~0').replace('/', '~1')}"
                if "\x00" in key:
                    yield child
                stack.append((child, item))


def _version_marks(document):
    """(JSON pointer, name, version) for every name in the file that only one version uses."""
    if isinstance(document, dict):
        for key in document:
            if key in V5_BUNDLE and key not in V6_BUNDLE:
                yield f"/{key}", key, 5
            elif key in V6_BUNDLE and key not in V5_BUNDLE:
                yield f"/{key}", key, 6
    for pointer, obj in _objects(document, "", tuple(dict.fromkeys(V5_BUNDLE + V6_BUNDLE))):
        if isinstance(obj, dict):
            for key in obj:
                if key in V5_KEYS:
                    yield f"{pointer}/{key}", key, 5
                elif key in V6_KEYS:
                    yield f"{pointer}/{key}", key, 6


def detect_version(document) -> tuple[int, Problem | None]:
    """5 or 6 from the names the file uses, or a problem when it uses names of both."""
    first: dict[int, tuple[str, str]] = {}
    for pointer, key, version in _version_marks(document):
        first.setdefault(version, (pointer, key))
        if len(first) == 2:
            (v5_at, v5_key), (v6_at, v6_key) = first[5], first[6]
            return 6, Problem(
                "/",
                _(
                    "This file mixes two versions of the Open Education API: “%(v5_key)s” at %(v5_at)s is OOAPI v5, "
                    "“%(v6_key)s” at %(v6_at)s is OEAPI v6. Export the whole file in one version."
                )
                % {"v5_key": v5_key, "v5_at": v5_at, "v6_key": v6_key, "v6_at": v6_at},
            )
    return (5 if 5 in first else 6), None


def _objects(document, pointer: str, bundle_keys):
    """(JSON pointer, object) for every course, programme or offering in the file's accepted shapes."""
    if isinstance(document, list):
        for i, item in enumerate(document):
            yield f"{pointer}/{i}", item
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        yield from _objects(document["items"], f"{pointer}/items", bundle_keys)
    elif isinstance(document, dict) and any(k in document for k in bundle_keys):
        for key in bundle_keys:
            if key in document:
                yield from _objects(document[key], f"{pointer}/{key}", bundle_keys)
    else:
        yield pointer or "/", document


def _read_objects(objects, parsed: Parsed, default_category, kind_of, read_module, read_offering) -> None:
    by_uuid: dict[uuid.UUID, ParsedModule] = {}
    offerings: list[tuple[str, dict]] = []
    for pointer, obj in objects:
        kind = kind_of(obj) if isinstance(obj, dict) else None
        if not isinstance(obj, dict):
            parsed.problems.append(Problem(pointer, _("Expected an object here.")))
        elif kind == "offering":
            offerings.append((pointer, obj))
        elif kind == "module":
            module = read_module(pointer, obj, default_category, parsed.problems)
            if module is None:
                continue
            if module.uuid in by_uuid:
                parsed.problems.append(Problem(pointer, _("This id appears twice in the file.")))
                continue
            by_uuid[module.uuid] = module
            parsed.modules.append(module)
        else:
            parsed.problems.append(
                Problem(
                    pointer,
                    _(
                        "This is not a course, programme or offering of the Open Education API (v6: no courseId, "
                        "programmeId, courseOfferingId or programmeOfferingId; v5: no courseId, programId or "
                        "offeringId)."
                    ),
                )
            )
    for pointer, obj in offerings:
        parent, offering = read_offering(pointer, obj, parsed.problems)
        if parent is None or offering is None:
            continue
        if parent in by_uuid:
            by_uuid[parent].offerings.append(offering)
        else:
            parsed.loose_offerings.append((parent, offering))


def _ext(obj: dict) -> dict:
    ext = obj.get("ext")
    ours = ext.get("levenlang") if isinstance(ext, dict) else None
    return ours if isinstance(ours, dict) else {}


def _ext_values(pointer: str, ext: dict, values: dict, problems: list[Problem]) -> None:
    """Our fields in `ext.levenlang` (the same in v5 and v6), each read within its range."""
    at = f"{pointer}/ext/levenlang"
    for key, name, maximum in (
        ("minAge", "min_age", MAX_MIN_AGE),
        ("fundedPlaceCap", "funded_place_cap", MAX_PLACES),
        ("ratingCount", "rating_count", MAX_RATING_COUNT),
    ):
        if ext.get(key) is not None:
            values[name] = _number(parsing.parse_int, ext[key], f"{at}/{key}", problems, minimum=0, maximum=maximum)
    for key, name, column in (
        ("completionRate", "completion_rate", COMPLETION_RATE_COLUMN),
        ("rating", "rating", RATING_COLUMN),
    ):
        if ext.get(key) is not None:
            values[name] = _number(
                parsing.parse_decimal, ext[key], f"{at}/{key}", problems, minimum=-column, maximum=column, places=2
            )
    if isinstance(ext.get("skills"), list):
        values["skills"] = [str(s) for s in ext["skills"]]
    if "selfPaced" in ext:
        values["self_paced"] = bool(ext["selfPaced"])


def _ext_price(pointer: str, ext: dict, module: ParsedModule, problems: list[Problem]) -> None:
    if ext.get("price") is not None:
        price = _price(ext["price"], f"{pointer}/ext/levenlang/price", problems, separators=".")
        if price is not None:
            module.values["price_cents"] = price
            module.price_given = True


def _study_load(value, where: str, problems: list[Problem]) -> Decimal | None:
    return _number(parsing.parse_decimal, value, where, problems, minimum=0, maximum=MAX_STUDY_LOAD, places=2)


def _address_values(addresses, where: str, problems: list[Problem], values: dict, postcode_key: str) -> None:
    if addresses is None:
        return
    if not isinstance(addresses, list):
        problems.append(Problem(where, _("This must be a list of addresses.")))
        return
    addresses = [a for a in addresses if isinstance(a, dict)]
    if addresses:
        address = addresses[0]
        values["postcode"] = str(address.get(postcode_key) or "")[:7]
        values["location_name"] = " ".join(
            str(address.get(k) or "") for k in ("street", "streetNumber", "city") if address.get(k)
        )[:160]


def _costs(prices, where: str, problems: list[Problem], values: dict, total: str) -> None:
    """The price of an offering from its `priceInformation`: the total cost (what a person pays), else the first
    amount given. Standard amounts have a decimal point only (their pattern is ^\\d+(?:\\.\\d+)?$)."""
    if prices is None:
        return
    if not isinstance(prices, list):
        problems.append(Problem(where, _("This must be a list of costs.")))
        return
    prices = [p for p in prices if isinstance(p, dict) and p.get("amount") is not None]
    price = next((p for p in prices if p.get("costType") == total), prices[0] if prices else None)
    if price is not None:
        if (price.get("currency") or "EUR") != "EUR":
            problems.append(Problem(where, _("Prices must be in euros (EUR).")))
        price_cents = _price(price["amount"], where, problems, separators=".")
        if price_cents is not None:
            values["price_cents"] = price_cents


# --- OEAPI v6 ----------------------------------------------------------------------------------------------------


def _v6_kind(obj: dict) -> str | None:
    if any(key in obj for key in OFFERING_IDS):
        return "offering"
    if "courseId" in obj or "programmeId" in obj:
        return "module"
    return None


def _module_head(pointer: str, obj: dict, programme_key: str, problems: list[Problem]) -> tuple:
    """What v5 and v6 describe alike: the id (courseId, or programmeId in v6 / programId in v5), kind, code, name
    and description. Returns the module's uuid and its first values."""
    kind = Module.Kind.COURSE if "courseId" in obj else Module.Kind.PROGRAMME
    id_key = "courseId" if kind == Module.Kind.COURSE else programme_key
    module_uuid = _uuid(obj.get(id_key), f"{pointer}/{id_key}", problems, id_key)
    code = _code(obj)
    if not code:
        problems.append(Problem(f"{pointer}/primaryCode", _("The primaryCode (with a code) is missing.")))
    title_nl, title_en = _texts(obj.get("name"), f"{pointer}/name", problems, "name")
    if not (title_nl or title_en):
        problems.append(Problem(f"{pointer}/name", _("The name is missing.")))
    description_nl, description_en = _texts(obj.get("description"), f"{pointer}/description", problems, "description")
    values = {"kind": kind, "code": code, "title_nl": title_nl, "title_en": title_en}
    return module_uuid, values | {"description_nl": description_nl, "description_en": description_en}


def _oeapi_module(pointer: str, obj: dict, default_category: int | None, problems: list[Problem]):
    before = len(problems)
    module_uuid, values = _module_head(pointer, obj, "programmeId", problems)
    ext = _ext(obj)
    languages = obj.get("teachingLanguages")
    values |= {
        "category": _category(ext.get("category"), default_category, f"{pointer}/ext/levenlang/category", problems),
        "language": (_first_language(languages, f"{pointer}/teachingLanguages", problems) if languages else None)
        or "nl",
    }
    modes = obj.get("modesOfDelivery") or obj.get("modeOfDelivery")
    if isinstance(modes, str):
        modes = [modes]
    if not modes:
        problems.append(Problem(f"{pointer}/modesOfDelivery", _("The mode of delivery is missing.")))
    elif not isinstance(modes, list):
        problems.append(Problem(f"{pointer}/modesOfDelivery", _("This must be a list of modes of delivery.")))
    else:
        values["mode_of_delivery"] = _choice(
            modes[0], ModeOfDelivery.values, f"{pointer}/modesOfDelivery/0", problems, "modeOfDelivery"
        )
    qualification = obj.get("levelOfQualification")
    if qualification:
        values["level"] = _choice(
            qualification, LevelOfQualification.values, f"{pointer}/levelOfQualification", problems, "level"
        )
    else:
        level = obj.get("level")
        values["level"] = LEVEL_TO_QUALIFICATION.get(level, "") if isinstance(level, str) else ""
    loads = obj.get("studyLoad")
    load = loads[0] if isinstance(loads, list) and loads else loads if isinstance(loads, dict) else None
    if load and not isinstance(load, dict):
        problems.append(Problem(f"{pointer}/studyLoad/0", _("The study load must be an object with a unit and value.")))
    elif load:
        values["study_load_value"] = _study_load(load.get("value"), f"{pointer}/studyLoad/0/value", problems)
        values["study_load_unit"] = _choice(
            load.get("studyLoadUnit"), StudyLoadUnit.values, f"{pointer}/studyLoad/0/studyLoadUnit", problems, "unit"
        )
    _ext_values(pointer, ext, values, problems)
    module = ParsedModule(pointer, module_uuid, values)
    _ext_price(pointer, ext, module, problems)
    return module if len(problems) == before else None


def _oeapi_offering(pointer: str, obj: dict, problems: list[Problem]):
    before = len(problems)
    id_key = next(key for key in OFFERING_IDS if key in obj)
    offering_uuid = _uuid(obj.get(id_key), f"{pointer}/{id_key}", problems, id_key)
    parent_id = obj.get("courseId") or obj.get("programmeId")
    for key in ("course", "programme"):
        if parent_id is None and isinstance(obj.get(key), dict):
            parent_id = obj[key].get(f"{key}Id")
    if parent_id is None:
        problems.append(Problem(pointer, _("The offering does not say which course or programme it belongs to.")))
        return None, None
    parent = _uuid(parent_id, f"{pointer}/courseId", problems, "courseId")
    values: dict = {"code": _code(obj)}
    state = obj.get("state") or Offering.State.ACTIVE
    values["state"] = _choice(state, Offering.State.values, f"{pointer}/state", problems, "state")
    values["start_date"] = _date(obj.get("startDateTime"), f"{pointer}/startDateTime", problems)
    values["end_date"] = _date(obj.get("endDateTime"), f"{pointer}/endDateTime", problems)
    if obj.get("maxNumberStudents") is not None:
        values["capacity"] = _json_count(obj["maxNumberStudents"], f"{pointer}/maxNumberStudents", problems, MAX_PLACES)
    if obj.get("teachingLanguages"):
        language = _first_language(obj["teachingLanguages"], f"{pointer}/teachingLanguages", problems)
        if language:
            values["language"] = language
    _costs(obj.get("priceInformation"), f"{pointer}/priceInformation", problems, values, "total_costs")
    _address_values(obj.get("addresses"), f"{pointer}/addresses", problems, values, "postCode")
    offering = ParsedOffering(pointer, offering_uuid, values)
    return (parent, offering) if len(problems) == before else (None, None)


# --- OOAPI v5 ----------------------------------------------------------------------------------------------------


def _v5_kind(obj: dict) -> str | None:
    if "offeringId" in obj or "offeringType" in obj:
        return "offering"
    if "courseId" in obj or "programId" in obj:
        return "module"
    return None


def _v5_mapped(value, mapping: dict, where: str, problems: list[Problem], name: str):
    """Our value for a v5 enumeration value, or None and a problem that lists the v5 values."""
    if isinstance(value, str) and value in mapping:
        return mapping[value]
    _choice(value, list(mapping), where, problems, name)
    return None


def _v5_module(pointer: str, obj: dict, default_category: int | None, problems: list[Problem]):
    before = len(problems)
    module_uuid, values = _module_head(pointer, obj, "programId", problems)
    ext = _ext(obj)
    language = obj.get("teachingLanguage")
    if language is not None and not isinstance(language, str):
        problems.append(Problem(f"{pointer}/teachingLanguage", _("This must be a language code, like “nld”.")))
    values |= {
        "category": _category(ext.get("category"), default_category, f"{pointer}/ext/levenlang/category", problems),
        "language": _language(language),
    }
    modes = obj.get("modeOfDelivery")
    if isinstance(modes, str):
        modes = [modes]
    if not modes:
        problems.append(Problem(f"{pointer}/modeOfDelivery", _("The mode of delivery is missing.")))
    elif not isinstance(modes, list):
        problems.append(Problem(f"{pointer}/modeOfDelivery", _("This must be a list of modes of delivery.")))
    else:
        values["mode_of_delivery"] = _v5_mapped(
            modes[0], V5_MODES, f"{pointer}/modeOfDelivery/0", problems, "modeOfDelivery"
        )
    level = ""
    if obj.get("level") is not None:
        level = _v5_mapped(obj["level"], V5_LEVELS, f"{pointer}/level", problems, "level") or ""
    if obj.get("levelOfQualification") is not None:
        level = (
            _v5_mapped(
                obj["levelOfQualification"],
                V5_QUALIFICATIONS,
                f"{pointer}/levelOfQualification",
                problems,
                "levelOfQualification",
            )
            or level
        )
    values["level"] = level
    load = obj.get("studyLoad")
    if load is not None and not isinstance(load, dict):
        problems.append(Problem(f"{pointer}/studyLoad", _("The study load must be an object with a unit and value.")))
    elif load:
        values["study_load_value"] = _study_load(load.get("value"), f"{pointer}/studyLoad/value", problems)
        values["study_load_unit"] = _v5_mapped(
            load.get("studyLoadUnit"), V5_STUDY_LOAD_UNITS, f"{pointer}/studyLoad/studyLoadUnit", problems, "unit"
        )
    if obj.get("modeOfStudy") == "self-paced":
        values["self_paced"] = True
    _ext_values(pointer, ext, values, problems)
    module = ParsedModule(pointer, module_uuid, values)
    _ext_price(pointer, ext, module, problems)
    return module if len(problems) == before else None


def _v5_parent(obj: dict, key: str):
    """The id of the course or program an offering belongs to: `course`/`program` (an id or the expanded object),
    or (not in the standard, but harmless) `courseId`/`programId` beside it."""
    value = obj.get(key)
    if isinstance(value, dict):
        return value.get(f"{key}Id")
    return value if value is not None else obj.get(f"{key}Id")


def _v5_offering(pointer: str, obj: dict, problems: list[Problem]):
    before = len(problems)
    offering_uuid = _uuid(obj.get("offeringId"), f"{pointer}/offeringId", problems, "offeringId")
    offering_type = obj.get("offeringType")
    if offering_type not in ("course", "program"):
        if offering_type == "component":
            reason = _("A component offering cannot be imported: import the course it is part of.")
        else:
            reason = _("offeringType must be “course” or “program”.")
        problems.append(Problem(f"{pointer}/offeringType", reason))
        return None, None
    parent_id = _v5_parent(obj, offering_type)
    if parent_id is None:
        problems.append(
            Problem(
                f"{pointer}/{offering_type}",
                _("The offering does not say which %(type)s it belongs to.") % {"type": offering_type},
            )
        )
        return None, None
    parent = _uuid(parent_id, f"{pointer}/{offering_type}", problems, f"{offering_type}Id")
    values: dict = {"code": _code(obj), "state": Offering.State.ACTIVE}
    values["start_date"] = _date(obj.get("startDate"), f"{pointer}/startDate", problems)
    values["end_date"] = _date(obj.get("endDate"), f"{pointer}/endDate", problems)
    if obj.get("enrollEndDate"):
        values["enrol_until"] = _date(obj["enrollEndDate"], f"{pointer}/enrollEndDate", problems)
    if obj.get("maxNumberStudents") is not None:
        values["capacity"] = _json_count(obj["maxNumberStudents"], f"{pointer}/maxNumberStudents", problems, MAX_PLACES)
    language = obj.get("teachingLanguage")
    if language is not None:
        if isinstance(language, str):
            values["language"] = _language(language)
        else:
            problems.append(Problem(f"{pointer}/teachingLanguage", _("This must be a language code, like “nld”.")))
    _costs(obj.get("priceInformation"), f"{pointer}/priceInformation", problems, values, V5_TOTAL_COSTS)
    _address_values(obj.get("addresses"), f"{pointer}/addresses", problems, values, "postalCode")
    offering = ParsedOffering(pointer, offering_uuid, values)
    return (parent, offering) if len(problems) == before else (None, None)


# --- CSV ---------------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "code",
    "title_nl",
    "title_en",
    "description_nl",
    "description_en",
    "category",
    "level",
    "mode_of_delivery",
    "self_paced",
    "study_load_value",
    "study_load_unit",
    "price_eur",
    "language",
    "min_age",
    "skills",
    "funded_place_cap",
    "offering_code",
    "start_date",
    "end_date",
    "capacity",
    "location_name",
    "postcode",
]
CSV_REQUIRED = ["code", "category", "mode_of_delivery", "price_eur"]
# The whole numbers of a CSV row and their highest value.
CSV_COUNTS = {"capacity": MAX_PLACES, "min_age": MAX_MIN_AGE, "funded_place_cap": MAX_PLACES}
_YES = {"ja", "yes", "true", "1", "j", "y"}
_NO = {"nee", "no", "false", "0", "n", ""}


def read_csv(data: bytes, *, default_category: int | None) -> Parsed:
    """One row per offering; rows with the same `code` are offerings of one module (its fields come from the first
    row). A row without a start date is a self-paced offering. Separator: comma or semicolon (Excel in Dutch).
    Amounts take a decimal point or comma ("120.50", "120,50"), without thousands separators."""
    parsed = Parsed()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(Problem(_("row 1"), _("The file is not UTF-8 text. Save it as 'CSV UTF-8'.")))
        return parsed
    first_line = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first_line.count(";") > first_line.count(",") else ",")
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        parsed.problems.append(Problem(_("row 1"), _("This row cannot be read: %(error)s") % {"error": error}))
        return parsed
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        if missing:
            parsed.problems.append(
                Problem(_("row 1"), _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
            )
        if unknown:
            parsed.problems.append(
                Problem(
                    _("row 1"),
                    _("Unknown columns: %(columns)s.") % {"columns": ", ".join(parsing.excerpt(c) for c in unknown)},
                )
            )
        return parsed
    by_code: dict[str, ParsedModule] = {}
    line = 1
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # A cell longer than the csv module allows (128 kB), say. The reader cannot go on after it.
            parsed.problems.append(
                Problem(_("row %(n)s") % {"n": line + 1}, _("This row cannot be read: %(error)s") % {"error": error})
            )
            break
        line += 1
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            parsed.problems.append(Problem(_("row %(n)s") % {"n": line}, _("This row has more cells than columns.")))
            continue
        if not any(row.values()):
            continue
        nul = [column for column, value in row.items() if "\x00" in value]
        if nul:
            parsed.problems.extend(
                Problem(
                    _("row %(n)s, column %(column)s") % {"n": line, "column": column},
                    _("This text holds a NUL character (code 0), which cannot be stored. Remove it."),
                )
                for column in nul
            )
            continue
        _csv_row(line, row, by_code, parsed, default_category)
    if not by_code and not parsed.problems:
        parsed.problems.append(Problem(_("row 2"), _("The file has no rows.")))
    return parsed


def _csv_row(line: int, row: dict, by_code: dict, parsed: Parsed, default_category: int | None) -> None:
    problems: list[Problem] = []

    def at(column: str) -> str:
        return _("row %(n)s, column %(column)s") % {"n": line, "column": column}

    code = row.get("code", "")
    if not code:
        problems.append(Problem(at("code"), _("The code is missing.")))
    offering_values = _csv_offering_values(row, at, problems)
    module = by_code.get(code)
    if module is None and code:
        # The first row of a code also describes the module; later rows of that code add offerings.
        values = _csv_module_values(row, at, problems, default_category)
        if problems:
            parsed.problems.extend(problems)
            return
        module = ParsedModule(_("row %(n)s") % {"n": line}, None, values)
        by_code[code] = module
        parsed.modules.append(module)
    elif module is not None:
        title = row.get("title_nl", "")
        if title and title != module.values["title_nl"]:
            problems.append(
                Problem(at("title_nl"), _("Same code as %(first)s, but another title.") % {"first": module.where})
            )
    if problems:
        parsed.problems.extend(problems)
        return
    if module is not None:
        module.offerings.append(ParsedOffering(_("row %(n)s") % {"n": line}, None, offering_values))


def _csv_offering_values(row: dict, at: Callable[[str], str], problems: list[Problem]) -> dict:
    price = _price(row.get("price_eur", ""), at("price_eur"), problems)
    offering_values: dict = {"code": row.get("offering_code", ""), "price_cents": price}
    offering_values["start_date"] = _date(row.get("start_date"), at("start_date"), problems)
    offering_values["end_date"] = _date(row.get("end_date"), at("end_date"), problems)
    if row.get("capacity"):
        offering_values["capacity"] = _number(
            parsing.parse_int, row["capacity"], at("capacity"), problems, minimum=0, maximum=CSV_COUNTS["capacity"]
        )
    offering_values["location_name"] = row.get("location_name", "")
    offering_values["postcode"] = row.get("postcode", "")
    if row.get("language"):
        offering_values["language"] = _language(row["language"])
    return offering_values


def _csv_module_values(
    row: dict, at: Callable[[str], str], problems: list[Problem], default_category: int | None
) -> dict:
    values: dict = {
        "kind": Module.Kind.COURSE,
        "code": row.get("code", ""),
        "title_nl": row.get("title_nl", ""),
        "title_en": row.get("title_en", ""),
        "description_nl": row.get("description_nl", ""),
        "description_en": row.get("description_en", ""),
        "category": _category(row.get("category"), default_category, at("category"), problems),
        "mode_of_delivery": _choice(
            row.get("mode_of_delivery"), ModeOfDelivery.values, at("mode_of_delivery"), problems, "mode"
        ),
        "level": _choice(row["level"], LevelOfQualification.values, at("level"), problems, "level")
        if row.get("level")
        else "",
        "language": _language(row.get("language") or "nl"),
        "skills": [s.strip() for s in row.get("skills", "").split(";") if s.strip()],
    }
    if not (values["title_nl"] or values["title_en"]):
        problems.append(Problem(at("title_nl"), _("The title is missing (Dutch or English).")))
    self_paced = row.get("self_paced", "").lower()
    if self_paced not in _YES | _NO:
        problems.append(Problem(at("self_paced"), _("Write ja or nee.")))
    values["self_paced"] = self_paced in _YES
    if row.get("study_load_value"):
        values["study_load_value"] = _study_load(row["study_load_value"], at("study_load_value"), problems)
        values["study_load_unit"] = _choice(
            row.get("study_load_unit"), StudyLoadUnit.values, at("study_load_unit"), problems, "unit"
        )
    for column in ("min_age", "funded_place_cap"):
        if row.get(column):
            values[column] = _number(
                parsing.parse_int, row[column], at(column), problems, minimum=0, maximum=CSV_COUNTS[column]
            )
    return values
