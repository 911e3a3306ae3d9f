"""Reading a provider's catalogue file: OEAPI v6 JSON (courses, programmes and their offerings) or our CSV.

Parsing only: each reader turns the file into `ParsedModule`s (with their offerings) and a list of problems, each
with where it is (a JSON pointer or a CSV row and column) and why, in plain words. Whether anything is written is
decided in catalog.services.import_catalogue: all or nothing per file.

OEAPI v6 objects are recognised by their identifiers: `courseOfferingId` (a course offering, pointing at its course
with `courseId` or an expanded `course`), `programmeOfferingId` (likewise for a programme), else `courseId` (a
course) or `programmeId` (a programme). A file
may be one object, a list, an OEAPI page (`{"items": [...]}`) or a bundle `{"courses": ..., "programmes": ...,
"courseOfferings": ..., "programmeOfferings": ...}`. What OEAPI does not carry (the spending category, skills, a
minimum age, a cap on funded places) may come in the object's `ext.levenlang`; a default category for the file
covers the rest.
"""

import csv
import datetime
import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from levenlang.catalog.models import LevelOfQualification, ModeOfDelivery, Module, Offering, StudyLoadUnit
from levenlang.ledger.models import Category

CATEGORY_BY_NAME = {c.name.lower(): int(c) for c in Category}

# OEAPI `level` (a course's level) -> `levelOfQualification`, where the specification says they correspond.
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


@dataclass
class Problem:
    where: str  # a JSON pointer ("/courses/3/name") or "row 5, column price_eur"
    reason: str

    def as_dict(self) -> dict:
        return {"where": self.where, "reason": self.reason}


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


def euros_to_cents(text, *, comma: bool = True) -> int:
    """'340.84' (or, with `comma`, '340,84') or 340 -> 34084. Refuses fractions of a cent and negative amounts.
    OEAPI amounts use a dot only (its pattern ^\\d+(?:\\.\\d+)?$); a CSV from Dutch Excel has a comma."""
    text = str(text).strip()
    if not comma and "," in text:
        raise InvalidOperation
    amount = Decimal(text.replace(",", "."))
    cents = amount * 100
    if amount < 0 or cents != cents.to_integral_value():
        raise InvalidOperation
    return int(cents)


def _language(tag: str | None) -> str:
    primary = (tag or "nl").split("-")[0].lower()
    return LANGUAGE_ALIASES.get(primary, primary)[:12]


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
        return uuid.UUID(str(value))
    except ValueError:
        problems.append(Problem(where, _("%(name)s is not a valid UUID.") % {"name": name}))
        return None


def _date(value, where: str, problems: list[Problem]) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        text = str(value)
        return datetime.datetime.fromisoformat(text).date() if "T" in text else datetime.date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(where, _("“%(value)s” is not a date (use 2027-01-31).") % {"value": value}))
        return None


def _choice(value, choices, where: str, problems: list[Problem], name: str) -> str:
    if value in choices:
        return value
    problems.append(
        Problem(
            where,
            _("%(name)s “%(value)s” is not known here. Use one of: %(allowed)s.")
            % {"name": name, "value": value, "allowed": ", ".join(choices)},
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
            % {"value": value, "allowed": ", ".join(CATEGORY_BY_NAME)},
        )
    )
    return None


# --- OEAPI v6 JSON -------------------------------------------------------------------------------------------


def read_oeapi_json(data: bytes, *, default_category: int | None) -> Parsed:
    parsed = Parsed()
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        parsed.problems.append(Problem("/", _("The file is not valid JSON: %(error)s") % {"error": exc}))
        return parsed
    objects = list(_objects(document, ""))
    if not objects:
        parsed.problems.append(Problem("/", _("The file holds no OEAPI courses, programmes or offerings.")))
    by_uuid: dict[uuid.UUID, ParsedModule] = {}
    offerings: list[tuple[str, dict]] = []
    for pointer, obj in objects:
        if not isinstance(obj, dict):
            parsed.problems.append(Problem(pointer, _("Expected an object here.")))
        elif any(key in obj for key in OFFERING_IDS):
            offerings.append((pointer, obj))
        elif "courseId" in obj or "programmeId" in obj:
            module = _oeapi_module(pointer, obj, default_category, parsed.problems)
            if module is None:
                continue
            if module.uuid in by_uuid:
                parsed.problems.append(Problem(pointer, _("This id appears twice in the file.")))
                continue
            by_uuid[module.uuid] = module
            parsed.modules.append(module)
        else:
            parsed.problems.append(
                Problem(pointer, _("This is not an OEAPI course, programme or offering (no courseId or programmeId)."))
            )
    for pointer, obj in offerings:
        parent, offering = _oeapi_offering(pointer, obj, parsed.problems)
        if parent is None or offering is None:
            continue
        if parent in by_uuid:
            by_uuid[parent].offerings.append(offering)
        else:
            parsed.loose_offerings.append((parent, offering))
    return parsed


def _objects(document, pointer: str):
    """(JSON pointer, object) for every course, programme or offering in the file's accepted shapes."""
    if isinstance(document, list):
        for i, item in enumerate(document):
            yield f"{pointer}/{i}", item
    elif isinstance(document, dict) and isinstance(document.get("items"), list):
        yield from _objects(document["items"], f"{pointer}/items")
    elif isinstance(document, dict) and any(
        k in document for k in ("courses", "programmes", "courseOfferings", "programmeOfferings")
    ):
        for key in ("courses", "programmes", "courseOfferings", "programmeOfferings"):
            if key in document:
                yield from _objects(document[key], f"{pointer}/{key}")
    else:
        yield pointer or "/", document


def _ext(obj: dict) -> dict:
    ext = obj.get("ext")
    ours = ext.get("levenlang") if isinstance(ext, dict) else None
    return ours if isinstance(ours, dict) else {}


def _oeapi_module(pointer: str, obj: dict, default_category: int | None, problems: list[Problem]):
    kind = Module.Kind.COURSE if "courseId" in obj else Module.Kind.PROGRAMME
    id_key = "courseId" if kind == Module.Kind.COURSE else "programmeId"
    before = len(problems)
    module_uuid = _uuid(obj.get(id_key), f"{pointer}/{id_key}", problems, id_key)
    code = obj.get("primaryCode", {}).get("code", "") if isinstance(obj.get("primaryCode"), dict) else ""
    if not code:
        problems.append(Problem(f"{pointer}/primaryCode", _("The primaryCode (with a code) is missing.")))
    title_nl, title_en = _texts(obj.get("name"), f"{pointer}/name", problems, "name")
    if not (title_nl or title_en):
        problems.append(Problem(f"{pointer}/name", _("The name is missing.")))
    description_nl, description_en = _texts(obj.get("description"), f"{pointer}/description", problems, "description")
    ext = _ext(obj)
    values = {
        "kind": kind,
        "code": str(code),
        "title_nl": title_nl,
        "title_en": title_en,
        "description_nl": description_nl,
        "description_en": description_en,
        "category": _category(ext.get("category"), default_category, f"{pointer}/ext/levenlang/category", problems),
        "language": _language((obj.get("teachingLanguages") or ["nl"])[0]),
    }
    modes = obj.get("modesOfDelivery") or obj.get("modeOfDelivery")
    if isinstance(modes, str):
        modes = [modes]
    if not modes:
        problems.append(Problem(f"{pointer}/modesOfDelivery", _("The mode of delivery is missing.")))
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
        values["level"] = LEVEL_TO_QUALIFICATION.get(obj.get("level") or "", "")
    loads = obj.get("studyLoad")
    load = loads[0] if isinstance(loads, list) and loads else loads if isinstance(loads, dict) else None
    if load:
        try:
            values["study_load_value"] = Decimal(str(load.get("value")))
        except InvalidOperation:
            problems.append(Problem(f"{pointer}/studyLoad/0/value", _("The study load must be a number.")))
        values["study_load_unit"] = _choice(
            load.get("studyLoadUnit"), StudyLoadUnit.values, f"{pointer}/studyLoad/0/studyLoadUnit", problems, "unit"
        )
    for key, name in (("minAge", "min_age"), ("fundedPlaceCap", "funded_place_cap"), ("ratingCount", "rating_count")):
        if ext.get(key) is not None:
            values[name] = ext[key]
    for key, name in (("completionRate", "completion_rate"), ("rating", "rating")):
        if ext.get(key) is not None:
            values[name] = Decimal(str(ext[key]))
    if isinstance(ext.get("skills"), list):
        values["skills"] = [str(s) for s in ext["skills"]]
    if "selfPaced" in ext:
        values["self_paced"] = bool(ext["selfPaced"])
    module = ParsedModule(pointer, module_uuid, values)
    if ext.get("price") is not None:
        try:
            values["price_cents"] = euros_to_cents(ext["price"])
            module.price_given = True
        except InvalidOperation:
            problems.append(Problem(f"{pointer}/ext/levenlang/price", _("The price must be an amount like 340.84.")))
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
    code = obj.get("primaryCode", {}).get("code", "") if isinstance(obj.get("primaryCode"), dict) else ""
    values: dict = {"code": str(code)}
    state = obj.get("state") or Offering.State.ACTIVE
    values["state"] = _choice(state, Offering.State.values, f"{pointer}/state", problems, "state")
    values["start_date"] = _date(obj.get("startDateTime"), f"{pointer}/startDateTime", problems)
    values["end_date"] = _date(obj.get("endDateTime"), f"{pointer}/endDateTime", problems)
    if obj.get("maxNumberStudents") is not None:
        capacity = obj["maxNumberStudents"]
        if isinstance(capacity, int | float) and capacity >= 0 and int(capacity) == capacity:
            values["capacity"] = int(capacity)
        else:
            problems.append(Problem(f"{pointer}/maxNumberStudents", _("The number of places must be a whole number.")))
    if obj.get("teachingLanguages"):
        values["language"] = _language(obj["teachingLanguages"][0])
    prices = [p for p in (obj.get("priceInformation") or []) if isinstance(p, dict) and p.get("amount") is not None]
    # The total cost is what a person pays; otherwise the first amount given.
    price = next((p for p in prices if p.get("costType") == "total_costs"), prices[0] if prices else None)
    if price is not None:
        if (price.get("currency") or "EUR") != "EUR":
            problems.append(Problem(f"{pointer}/priceInformation", _("Prices must be in euros (EUR).")))
        try:
            values["price_cents"] = euros_to_cents(price["amount"], comma=False)
        except InvalidOperation:
            problems.append(Problem(f"{pointer}/priceInformation", _("The price must be an amount like 340.84.")))
    addresses = [a for a in (obj.get("addresses") or []) if isinstance(a, dict)]
    if addresses:
        address = addresses[0]
        values["postcode"] = str(address.get("postCode") or "")[:7]
        values["location_name"] = " ".join(
            str(address.get(k) or "") for k in ("street", "streetNumber", "city") if address.get(k)
        )[:160]
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
_YES = {"ja", "yes", "true", "1", "j", "y"}
_NO = {"nee", "no", "false", "0", "n", ""}


def read_csv(data: bytes, *, default_category: int | None) -> Parsed:
    """One row per offering; rows with the same `code` are offerings of one module (its fields come from the first
    row). A row without a start date is a self-paced offering. Separator: comma or semicolon (Excel in Dutch)."""
    parsed = Parsed()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.problems.append(Problem(_("row 1"), _("The file is not UTF-8 text. Save it as 'CSV UTF-8'.")))
        return parsed
    first_line = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first_line.count(";") > first_line.count(",") else ",")
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        if missing:
            parsed.problems.append(
                Problem(_("row 1"), _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
            )
        if unknown:
            parsed.problems.append(
                Problem(_("row 1"), _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
            )
        return parsed
    by_code: dict[str, ParsedModule] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            parsed.problems.append(Problem(_("row %(n)s") % {"n": line}, _("This row has more cells than columns.")))
            continue
        if not any(row.values()):
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
    price = None
    try:
        price = euros_to_cents(row.get("price_eur", ""))
    except InvalidOperation:
        problems.append(Problem(at("price_eur"), _("The price must be an amount like 340.84.")))
    offering_values: dict = {"code": row.get("offering_code", ""), "price_cents": price}
    offering_values["start_date"] = _date(row.get("start_date"), at("start_date"), problems)
    offering_values["end_date"] = _date(row.get("end_date"), at("end_date"), problems)
    for column in ("capacity",):
        if row.get(column):
            if row[column].isdigit():
                offering_values[column] = int(row[column])
            else:
                problems.append(Problem(at(column), _("This must be a whole number.")))
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
        try:
            values["study_load_value"] = Decimal(row["study_load_value"].replace(",", "."))
        except InvalidOperation:
            problems.append(Problem(at("study_load_value"), _("The study load must be a number.")))
        values["study_load_unit"] = _choice(
            row.get("study_load_unit"), StudyLoadUnit.values, at("study_load_unit"), problems, "unit"
        )
    for column in ("min_age", "funded_place_cap"):
        if row.get(column):
            if row[column].isdigit():
                values[column] = int(row[column])
            else:
                problems.append(Problem(at(column), _("This must be a whole number.")))
    return values
