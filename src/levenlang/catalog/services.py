"""The catalogue's rules: registration and quality review of providers, who may publish, suspension, import and
search. Views, the API and other apps call these; nothing else changes catalogue data."""

import datetime
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from levenlang.catalog import importers
from levenlang.catalog.errors import CatalogError
from levenlang.catalog.models import (
    ImportRun,
    Module,
    Offering,
    Provider,
    ProviderRecognition,
    SkillTerm,
)
from levenlang.catalog.postcodes import (
    areas_within,
    distance_km,
    locate,
    nearest_region_code,
    normalise,
)
from levenlang.catalog.signals import provider_suspended
from levenlang.core.categories import Category
from levenlang.core.models import Region, User
from levenlang.core.roles import Role

logger = logging.getLogger(__name__)

__all__ = [
    "CACHE_COUNTS_FROM",
    "FACETS",
    "INLINE_IMPORT_BYTES",
    "MAX_IMPORT_BYTES",
    "MAX_PAGE",
    "PAGE_SIZE",
    "CatalogError",
    "Hit",
    "Module",
    "Offering",
    "Provider",
    "ProviderRecognition",
    "SearchParams",
    "SearchResult",
    "bookable_problem",
    "can_publish",
    "finish_import",
    "has_valid_recognition",
    "import_catalogue",
    "locate",
    "matching_words",
    "modules_of",
    "place_offering",
    "provider_suspended",
    "publish_module",
    "publish_problem",
    "register_provider",
    "reinstate_provider",
    "review_recognition",
    "search",
    "search_sql",
    "set_skill_terms",
    "skill_names",
    "start_import",
    "submit_recognition",
    "suspend_provider",
    "unpublish_module",
]

# --- providers -------------------------------------------------------------------------------------------------


@transaction.atomic
def register_provider(*, kvk_number: str, name: str, kind: str, region: Region, user: User | None = None) -> Provider:
    """Register a training provider by the KvK number eHerkenning vouched for. It starts as 'waiting for review':
    it may prepare modules but publishes nothing until an administrator has approved a quality recognition."""
    if Provider.objects.filter(kvk_number=kvk_number).exists():
        raise CatalogError(_("A training provider with this KvK number is already registered."), "already_registered")
    provider = Provider.objects.create(kvk_number=kvk_number, name=name, kind=kind, region=region)
    if user is None:
        user = User.objects.create(
            username=f"kvk-{kvk_number}-{Role.PROVIDER_STAFF}", first_name=name[:150], role=Role.PROVIDER_STAFF
        )
    provider.staff.add(user)
    return provider


def submit_recognition(
    provider: Provider, *, kind: str, reference: str, valid_until: datetime.date | None, actor: User
) -> ProviderRecognition:
    if provider.recognitions.filter(kind=kind).exclude(status=ProviderRecognition.Status.REJECTED).exists():
        raise CatalogError(_("You already sent this recognition. Wait for the review."), "recognition_exists")
    if valid_until is not None and valid_until < timezone.localdate():
        raise CatalogError(_("This recognition has already ended."), "recognition_expired")
    return ProviderRecognition.objects.create(
        provider=provider, kind=kind, reference=reference.strip(), valid_until=valid_until, submitted_by=actor
    )


@transaction.atomic
def review_recognition(recognition: ProviderRecognition, *, approve: bool, actor: User, note: str = "") -> None:
    """An administrator approves or rejects a recognition. The first approved recognition approves a provider
    that waits for review; it does not lift a suspension (that is `reinstate_provider`)."""
    recognition = ProviderRecognition.objects.select_for_update().get(pk=recognition.pk)
    if recognition.status != ProviderRecognition.Status.SUBMITTED:
        raise CatalogError(_("This recognition has already been reviewed."), "already_reviewed")
    if not approve and not note.strip():
        raise CatalogError(_("Say why you reject the recognition: the provider reads this."), "note_required")
    recognition.status = ProviderRecognition.Status.APPROVED if approve else ProviderRecognition.Status.REJECTED
    recognition.reviewed_by = actor
    recognition.reviewed_at = timezone.now()
    recognition.review_note = note.strip()[:300]
    recognition.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    if approve:
        Provider.objects.filter(pk=recognition.provider_id, status=Provider.Status.PENDING).update(
            status=Provider.Status.APPROVED
        )


@transaction.atomic
def suspend_provider(provider: Provider, actor, *, reason: str = "") -> Provider:
    """Suspend a provider: it takes no new enrolments, its modules leave the search, and it publishes nothing;
    open enrolments are flagged by the enrolment app, which listens to `provider_suspended` (sent inside this
    transaction, so a failing receiver undoes the suspension)."""
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status == Provider.Status.SUSPENDED:
        return provider
    provider.status = Provider.Status.SUSPENDED
    provider.suspended_at = timezone.now()
    provider.suspension_reason = reason[:300]
    provider.save(update_fields=["status", "suspended_at", "suspension_reason"])
    provider_suspended.send(sender=Provider, provider=provider, actor=actor, reason=reason)
    return provider


@transaction.atomic
def reinstate_provider(provider: Provider, actor) -> Provider:
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    if provider.status != Provider.Status.SUSPENDED:
        raise CatalogError(_("Only a suspended provider can be reinstated."), "not_suspended")
    provider.status = Provider.Status.APPROVED if has_valid_recognition(provider) else Provider.Status.PENDING
    provider.suspended_at = None
    provider.suspension_reason = ""
    provider.save(update_fields=["status", "suspended_at", "suspension_reason"])
    return provider


def has_valid_recognition(provider: Provider, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        provider.recognitions.filter(status=ProviderRecognition.Status.APPROVED).exclude(valid_until__lt=today).exists()
    )


def publish_problem(provider: Provider) -> str | None:
    """Why this provider may not publish, or None when it may: approved, and a recognition still valid."""
    if provider.status == Provider.Status.SUSPENDED:
        return _("Your organisation is suspended. You cannot publish modules.")
    if provider.status != Provider.Status.APPROVED:
        return _("Your organisation is waiting for review. You can publish after an approved quality recognition.")
    if not has_valid_recognition(provider):
        return _("Your organisation has no valid quality recognition. Add one and wait for the review.")
    return None


def can_publish(provider: Provider) -> bool:
    return publish_problem(provider) is None


@transaction.atomic
def publish_module(module: Module, actor=None) -> Module:
    problem = publish_problem(module.provider)
    if problem:
        raise CatalogError(problem, "may_not_publish", 403)
    if not module.offerings.exclude(state=Offering.State.CANCELLED).exists():
        raise CatalogError(_("Add at least one offering (a start date, or self-paced) before you publish."))
    module.status = Module.Status.PUBLISHED
    module.published_at = timezone.now()
    module.save(update_fields=["status", "published_at", "updated_at"])
    return module


def unpublish_module(module: Module, actor=None) -> Module:
    module.status = Module.Status.DRAFT
    module.save(update_fields=["status", "updated_at"])
    return module


def bookable_problem(offering: Offering, *, today: datetime.date | None = None) -> str | None:
    """Why a person cannot book this offering now, or None when they can. The enrolment app asks before it
    reserves money; capacity and the funded-place cap are its own to count."""
    today = today or timezone.localdate()
    module = offering.module
    if module.provider.status != Provider.Status.APPROVED:
        return _("This provider does not take new enrolments at the moment.")
    if module.status != Module.Status.PUBLISHED:
        return _("This module is not published.")
    if offering.state != Offering.State.ACTIVE:
        return _("This offering is not open for enrolment.")
    if offering.enrol_until is not None and offering.enrol_until < today:
        return _("Enrolment for this offering has closed.")
    if offering.start_date is not None and offering.start_date < today:
        return _("This offering has already started.")
    return None


def place_offering(offering: Offering) -> None:
    """Fill in where an offering is from its postcode: coordinates (postcode area) and the labour market region
    nearest to it; no postcode means online (no place, no region). Called before saving an offering from a form or
    an import."""
    if not offering.postcode:
        offering.latitude = offering.longitude = offering.region = None
        return
    offering.postcode = normalise(offering.postcode) or offering.postcode
    point = locate(offering.postcode)
    if point is None:
        return
    # Always the area's centre: the search's pre-filter on postcode areas relies on it. Precise coordinates (a PC6
    # table, an import's geolocation) would need that filter widened by postcodes.AREA_RADIUS_KM.
    offering.latitude, offering.longitude = (Decimal(f"{v:.5f}") for v in point)
    # The region follows the postcode (also when the postcode changes): the nearest region's centre.
    offering.region = Region.objects.get(code=nearest_region_code(point))


def modules_of(user: User):
    """The modules a provider's staff member may see and change: those of their own providers only."""
    return Module.objects.filter(provider__staff=user).defer("search_document")


# --- import ------------------------------------------------------------------------------------------------------

# Files larger than this wait for the task queue instead of being imported while the provider waits.
INLINE_IMPORT_BYTES = 2 * 1024 * 1024
# Larger uploads are refused (the file is kept in the database until its import has run).
MAX_IMPORT_BYTES = 50 * 1024 * 1024


class _ImportFailed(Exception):
    """Raised inside the import transaction to undo everything when a problem appears while writing."""

    def __init__(self, problems: list[importers.Problem]):
        self.problems = problems


def start_import(
    provider: Provider,
    *,
    filename: str,
    data: bytes,
    fmt: str,
    default_category: int | None,
    publish: bool,
    actor: User,
) -> ImportRun:
    """Record an upload and import it now, or (a large file) queue it for the worker."""
    run = ImportRun.objects.create(
        provider=provider,
        created_by=actor,
        filename=importers.storable_text(filename, 200),
        format=fmt,
        default_category=default_category,
        publish=publish,
        content=data,
    )
    if len(data) > INLINE_IMPORT_BYTES:
        transaction.on_commit(lambda: _queue_import(run))
        return run
    return finish_import(run)


def _queue_import(run: ImportRun) -> None:
    from levenlang.catalog.tasks import run_catalogue_import

    try:
        run_catalogue_import.defer(run_id=run.pk)
    except Exception as error:  # without a job, the run would wait in the queue forever
        logger.exception("Catalogue import %s could not be queued", run.pk)
        _mark_failed(run, _("The import could not be put in the queue: %(error)s") % {"error": _brief(error)})


def finish_import(run: ImportRun) -> ImportRun:
    """Import the run's file and store the outcome on the run. Whatever goes wrong, the run ends (imported, or
    failed with the reasons): an exception nobody foresaw is reported as the run's problem, never left waiting."""
    try:
        report = import_catalogue(
            run.provider,
            bytes(run.content or b""),
            fmt=run.format,
            default_category=run.default_category,
            publish=run.publish,
        )
    except Exception as error:  # see the docstring; the traceback goes to the log
        logger.exception("Catalogue import %s stopped on an unexpected error", run.pk)
        return _mark_failed(
            run,
            _("The import stopped on an unexpected error; nothing was imported. %(error)s") % {"error": _brief(error)},
        )
    run.report = report
    run.status = ImportRun.Status.FAILED if report["problems"] else ImportRun.Status.SUCCEEDED
    run.content = None
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "status", "content", "finished_at"])
    return run


def _brief(error: Exception) -> str:
    """An exception in one line for a report: its kind and first line, without NUL and not too long."""
    first = str(error).splitlines()[0] if str(error) else ""
    return importers.storable_text(f"{type(error).__name__}: {first}" if first else type(error).__name__, 300)


def _mark_failed(run: ImportRun, reason: str) -> ImportRun:
    counts = dict.fromkeys(("created_modules", "updated_modules", "created_offerings", "updated_offerings"), 0)
    run.report = {**counts, "problems": [importers.Problem(_("the whole file"), reason).as_dict()]}
    run.status = ImportRun.Status.FAILED
    run.content = None
    run.finished_at = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        report=run.report, status=run.status, content=None, finished_at=run.finished_at
    )
    return run


def import_catalogue(
    provider: Provider, data: bytes, *, fmt: str, default_category: int | None = None, publish: bool = False
) -> dict:
    """Import a provider's catalogue file, all or nothing: every module and offering in it is created or updated,
    or (when any row is bad) nothing changes and the report lists every bad row with where and why. Modules are
    matched on their Open Education API id (our uuid) or the provider's code; new ones are drafts unless
    `publish`. JSON files may be OOAPI v5 or OEAPI v6 (importers.detect_version)."""
    reader = importers.read_oeapi_json if fmt == ImportRun.Format.OEAPI else importers.read_csv
    parsed = reader(data, default_category=default_category)
    counts = {"created_modules": 0, "updated_modules": 0, "created_offerings": 0, "updated_offerings": 0}
    problems = list(parsed.problems)
    if publish and not problems:
        problem = publish_problem(provider)
        if problem:
            problems.append(importers.Problem("/", problem))
    if not problems:
        try:
            with transaction.atomic():
                _write_import(provider, parsed, counts, publish)
        except _ImportFailed as failed:
            problems = failed.problems
            counts = dict.fromkeys(counts, 0)
    return {**counts, "problems": [p.as_dict() for p in problems]}


def _validation_problems(where: str, error: ValidationError) -> list[importers.Problem]:
    if hasattr(error, "error_dict"):
        return [
            importers.Problem(f"{where} ({name})" if name != "__all__" else where, " ".join(messages))
            for name, messages in error.message_dict.items()
        ]
    return [importers.Problem(where, " ".join(error.messages))]


# A module to save: the module, whether it existed, its offerings (offering, whether it existed, where in the
# file) and where in the file it is.
_PlannedOffering = tuple[Offering, bool, str]
_PlannedModule = tuple[Module, bool, list[_PlannedOffering], str]


def _write_import(provider: Provider, parsed: importers.Parsed, counts: dict, publish: bool) -> None:
    """Check every module and offering against the models' rules, then save all. Raises _ImportFailed with every
    problem found; the caller's transaction then undoes what was written."""
    problems: list[importers.Problem] = []
    plan = _plan_modules(provider, parsed, problems)
    loose = _plan_loose_offerings(provider, parsed, problems)
    if problems:
        raise _ImportFailed(problems)
    for module, existed, offerings, where in plan:
        module.provider = provider
        _save_or_fail(module, where)
        counts["updated_modules" if existed else "created_modules"] += 1
        for offering, offering_existed, offering_where in offerings:
            offering.module = module
            _save_offering(offering, offering_existed, offering_where, counts, problems)
    for offering, offering_existed, offering_where in loose:
        _save_offering(offering, offering_existed, offering_where, counts, problems)
    if publish:
        for module, _existed, _offerings, where in plan:
            try:
                publish_module(module)
            except CatalogError as error:
                problems.append(importers.Problem(where, error.message))
    if problems:
        raise _ImportFailed(problems)


def _plan_modules(
    provider: Provider, parsed: importers.Parsed, problems: list[importers.Problem]
) -> list[_PlannedModule]:
    """The file's modules with their offerings, changed in memory and checked, not yet saved."""
    plan: list[_PlannedModule] = []
    seen_codes: set[str] = set()
    for item in parsed.modules:
        module, existed = _module_for(provider, item, problems)
        if module is None:
            continue
        if module.code and module.code in seen_codes:
            problems.append(importers.Problem(item.where, _("This code appears twice in the file.")))
            continue
        seen_codes.add(module.code)
        for name, value in item.values.items():
            setattr(module, name, value)
        prices = [o.values["price_cents"] for o in item.offerings if o.values.get("price_cents") is not None]
        if not item.price_given:
            if prices:
                module.price_cents = min(prices)
            elif module.price_cents is None:
                problems.append(importers.Problem(item.where, _("No price: give an offering with a price.")))
                continue
        if "self_paced" not in item.values and item.offerings:
            module.self_paced = all(o.values.get("start_date") is None for o in item.offerings)
        try:
            module.full_clean(exclude=["provider"] if not existed else None, validate_unique=existed)
        except ValidationError as error:
            problems.extend(_validation_problems(item.where, error))
            continue
        offerings = []
        for parsed_offering in item.offerings:
            offering = _offering_for(module if existed else None, parsed_offering, problems)
            if offering is not None:
                offerings.append((offering, offering.pk is not None, parsed_offering.where))
        plan.append((module, existed, offerings, item.where))
    return plan


def _plan_loose_offerings(
    provider: Provider, parsed: importers.Parsed, problems: list[importers.Problem]
) -> list[_PlannedOffering]:
    """Offerings in the file for modules of this provider that the file itself does not describe."""
    loose: list[_PlannedOffering] = []
    for module_uuid, parsed_offering in parsed.loose_offerings:
        module = Module.objects.filter(uuid=module_uuid, provider=provider).first()
        if module is None:
            problems.append(
                importers.Problem(
                    parsed_offering.where, _("The course or programme of this offering is not in the file or yours.")
                )
            )
            continue
        offering = _offering_for(module, parsed_offering, problems)
        if offering is not None:
            offering.module = module
            loose.append((offering, offering.pk is not None, parsed_offering.where))
    return loose


def _save_or_fail(obj: Module | Offering, where: str) -> None:
    """Save, or (a rule the checks before missed: two rows racing for one code, a value the column cannot hold)
    report the row and write nothing."""
    try:
        with transaction.atomic():
            obj.save()
    except DatabaseError as error:
        raise _ImportFailed(
            [importers.Problem(where, _("The database refused this row: %(error)s") % {"error": _brief(error)})]
        ) from error


def _module_for(provider: Provider, item: importers.ParsedModule, problems) -> tuple[Module | None, bool]:
    module = None
    if item.uuid is not None:
        module = Module.objects.filter(uuid=item.uuid).first()
        if module is not None and module.provider_id != provider.pk:
            problems.append(importers.Problem(item.where, _("This id belongs to a module of another provider.")))
            return None, False
    if module is None and item.values.get("code"):
        module = Module.objects.filter(provider=provider, code=item.values["code"]).first()
    if module is not None:
        return module, True
    module = Module(provider=provider, price_cents=None)
    if item.uuid is not None:
        module.uuid = item.uuid
    return module, False


def _offering_for(module: Module | None, item: importers.ParsedOffering, problems) -> Offering | None:
    offering = None
    if item.uuid is not None:
        offering = Offering.objects.filter(uuid=item.uuid).select_related("module").first()
        if offering is not None and (module is None or offering.module_id != module.pk):
            problems.append(importers.Problem(item.where, _("This offering id belongs to another module.")))
            return None
    if offering is None and module is not None and item.values.get("code"):
        offering = Offering.objects.filter(module=module, code=item.values["code"]).first()
    if offering is None:
        offering = Offering()
        if item.uuid is not None:
            offering.uuid = item.uuid
    for name, value in item.values.items():
        if name == "price_cents" and value is None:
            continue
        setattr(offering, name, value)
    if offering.price_cents is None and module is not None:
        offering.price_cents = module.price_cents
    return offering


def _save_offering(offering: Offering, existed: bool, where: str, counts: dict, problems: list) -> None:
    if offering.price_cents is None:
        offering.price_cents = offering.module.price_cents
    place_offering(offering)
    try:
        offering.full_clean()
    except ValidationError as error:
        problems.extend(_validation_problems(where, error))
        return
    _save_or_fail(offering, where)
    counts["updated_offerings" if existed else "created_offerings"] += 1


# --- search ------------------------------------------------------------------------------------------------------

PAGE_SIZE = 20
MAX_PAGE = 50  # deeper pages are not useful to people and expensive to rank


@dataclass
class SearchParams:
    q: str = ""
    categories: list[int] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    region: str = ""  # region code
    postcode: str = ""
    distance_km: int | None = None
    start_from: datetime.date | None = None
    start_until: datetime.date | None = None
    self_paced: bool | None = None
    max_own_share_cents: int | None = None  # price after the person's funding (list price when not a resident)
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass
class Hit:
    module: Module
    rank: float
    offering: Offering | None  # the first offering that fits the filters (soonest start)
    distance_km: float | None = None
    reasons: list[str] = field(default_factory=list)
    own_share_cents: int | None = None
    covered_cents: int | None = None


@dataclass
class SearchResult:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, dict]  # facet name -> {value: count}
    funded: bool = False  # whether the prices shown are after the person's funding

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.params.page_size)))


_WORD_RE = re.compile(r"[\w-]+", re.UNICODE)

# Search both languages: each tsquery ANDs the words as stemmed in its language; either may match.
_TSQUERY = "(websearch_to_tsquery('dutch', %(q)s) || websearch_to_tsquery('english', %(q)s))"


def _coverage_by_category(pots: list[tuple]) -> dict[int, int]:
    """What the person's pots could pay for one module of each category today (sum of eligible pots)."""
    from levenlang.ledger import services as ledger

    huge = 10**11  # more than any module costs: the preview then shows all that is available
    return {int(c): ledger.preview_from(pots, category=c, price_cents=huge).covered_cents for c in Category}


def _where(params: SearchParams, coverage: dict[int, int] | None, today: datetime.date):
    """The WHERE clause over modules `m` and the condition on an offering `o`, with their parameters."""
    where = ["m.status = 'published'", "p.status = 'approved'"]
    args: dict = {"today": today}
    if params.q.strip():
        where.append(f"m.search_document @@ {_TSQUERY}")
        args["q"] = params.q.strip()
    if params.categories:
        where.append("m.category = ANY(%(categories)s)")
        args["categories"] = [int(c) for c in params.categories]
    if params.modes:
        where.append("m.mode_of_delivery = ANY(%(modes)s)")
        args["modes"] = list(params.modes)
    if params.levels:
        where.append("m.level = ANY(%(levels)s)")
        args["levels"] = list(params.levels)
    if params.self_paced is not None:
        where.append("m.self_paced = %(self_paced)s")
        args["self_paced"] = params.self_paced
    if params.max_own_share_cents is not None:
        if coverage:
            cases = " ".join(f"WHEN {int(c)} THEN {int(v)}" for c, v in coverage.items())
            where.append(f"GREATEST(m.price_cents - (CASE m.category {cases} ELSE 0 END), 0) <= %(max_own)s")
        else:
            where.append("m.price_cents <= %(max_own)s")
        args["max_own"] = params.max_own_share_cents

    # Conditions on an offering: open, and where/when the person asked for. Each facet on offerings first gets a
    # conservative pre-filter on the module row (the offering_* columns, kept by triggers: migration 0006), so that
    # the exact EXISTS below runs only on the few modules left, not on every module that has the words.
    offering = ["o.module_id = m.id", "o.state = 'active'", "(o.start_date IS NULL OR o.start_date >= %(today)s)"]
    located = False
    if params.region:
        offering.append("o.region_id = (SELECT id FROM core_region WHERE code = %(region)s)")
        where.append("m.offering_regions @> ARRAY[(SELECT id FROM core_region WHERE code = %(region)s)]")
        args["region"] = params.region
        located = True
    point = locate(params.postcode) if params.postcode and params.distance_km else None
    if point:
        # An offering's coordinates are its postcode area's centre (place_offering), so "its area's centre is
        # within the distance" is the same test as the exact one below, on the module row.
        where.append("m.offering_areas && %(areas)s::smallint[]")
        args["areas"] = areas_within(point, params.distance_km)
        # An equirectangular distance is exact enough at this scale (error < 0.5% within 100 km).
        offering.append(
            "o.latitude IS NOT NULL AND "
            "((o.latitude - %(lat)s) * 110.57) ^ 2 + ((o.longitude - %(lon)s) * %(kmlon)s) ^ 2 <= %(km2)s"
        )
        args.update(lat=point[0], lon=point[1], kmlon=111.32 * _cos_deg(point[0]), km2=float(params.distance_km) ** 2)
        located = True
    dated = ["d >= %(today)s"]
    if params.start_from:
        offering.append("(o.start_date IS NULL OR o.start_date >= %(start_from)s)")
        dated.append("d >= %(start_from)s")
        args["start_from"] = params.start_from
    if params.start_until:
        offering.append("(o.start_date IS NULL OR o.start_date <= %(start_until)s)")
        dated.append("d <= %(start_until)s")
        args["start_until"] = params.start_until
    if len(dated) > 1:
        # Exact on the module row: a self-paced run, or an open offering's start date in the window.
        where.append(
            f"(m.offering_anytime OR EXISTS (SELECT 1 FROM unnest(m.offering_starts) d WHERE {' AND '.join(dated)}))"  # noqa: S608
        )
    offering_sql = " AND ".join(offering)
    if located:
        # A place was asked for: the same open offering must fit the place (and the window); checked exactly.
        where.append(f"EXISTS (SELECT 1 FROM catalog_offering o WHERE {offering_sql})")  # noqa: S608
    return " AND ".join(where), args, offering_sql, point


def _cos_deg(degrees: float) -> float:
    return math.cos(math.radians(degrees))


def search_sql(params: SearchParams, *, today: datetime.date, coverage: dict[int, int] | None = None):
    """The SQL of one results page (ids and rank only) and its parameters: what the benchmark runs bare."""
    where, args, _offering_sql, _point = _where(params, coverage, today)
    rank = f"ts_rank(m.search_document, {_TSQUERY})" if "q" in args else "0"
    order = "rank DESC, m.id" if "q" in args else "m.id DESC"
    page = max(1, min(params.page, MAX_PAGE))
    args.update(limit=params.page_size, offset=(page - 1) * params.page_size)
    # Only our own SQL fragments are pasted in; every value travels as a parameter.
    sql = (
        f"SELECT m.id, {rank} AS rank FROM catalog_module m JOIN catalog_provider p ON p.id = m.provider_id "  # noqa: S608
        f"WHERE {where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s"
    )
    return sql, args


FACETS = ("category", "mode_of_delivery", "level", "self_paced")
_ALL_FACETS_KEY = "catalog:search:facets-of-everything"
CACHE_COUNTS_FROM = 20_000  # published modules
# Counts per facet value over the whole result set, and the total, in one pass. {where} is built by _where.
_FACETS_SQL = """
SELECT m.category, m.mode_of_delivery, m.level, m.self_paced,
       GROUPING(m.category, m.mode_of_delivery, m.level, m.self_paced), count(*)
  FROM catalog_module m JOIN catalog_provider p ON p.id = m.provider_id
 WHERE {where}
 GROUP BY GROUPING SETS ((m.category), (m.mode_of_delivery), (m.level), (m.self_paced), ())
"""
# With words: the matches are found and ranked once; from them come, in one statement, the page (with the offering
# that fits the filters best for each shown module), the counts per facet value with the total, and which query
# words each shown module contains in which weight (A title, B skills, C description). {where}, {rank} and
# {offering} are built by _where from our own fragments; values travel as parameters.
_RANKED_SQL = """
WITH matches AS MATERIALIZED (
    SELECT m.id, m.category, m.mode_of_delivery, m.level, m.self_paced, {rank} AS rank
      FROM catalog_module m JOIN catalog_provider p ON p.id = m.provider_id
     WHERE {where}
), page AS (
    SELECT id, rank FROM matches ORDER BY rank DESC, id LIMIT %(limit)s OFFSET %(offset)s
), words AS (
    SELECT word, unnest(tsvector_to_array(to_tsvector('dutch', word))
                        || tsvector_to_array(to_tsvector('english', word))) AS lexeme
      FROM unnest(%(words)s::text[]) word
)
SELECT 'page', m.id, m.rank::real,
       (SELECT o.id FROM catalog_offering o WHERE {offering} ORDER BY o.start_date NULLS FIRST, o.id LIMIT 1),
       NULL::smallint, NULL::varchar, NULL::varchar, NULL::boolean, NULL::integer, NULL::bigint,
       NULL::text, NULL::text[]
  FROM page m
UNION ALL
SELECT 'facet', NULL, NULL, NULL, category, mode_of_delivery, level, self_paced,
       GROUPING(category, mode_of_delivery, level, self_paced), count(*), NULL, NULL
  FROM matches
 GROUP BY GROUPING SETS ((category), (mode_of_delivery), (level), (self_paced), ())
UNION ALL
SELECT 'why', m.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, w.word, d.weights
  FROM page JOIN catalog_module m ON m.id = page.id
 CROSS JOIN LATERAL unnest(m.search_document) d
  JOIN words w ON w.lexeme = d.lexeme
"""
_BEST_OFFERING_SQL = """
SELECT m.id, (SELECT o.id FROM catalog_offering o WHERE {offering} ORDER BY o.start_date NULLS FIRST, o.id LIMIT 1)
  FROM catalog_module m WHERE m.id = ANY(%(ids)s)
"""


# What a result shows, read in one plain statement (model instances built from the rows, the other columns deferred):
# the ORM's two loads of the same rows cost more CPU than the search statement itself.
SHOWN_MODULE_FIELDS = ("id", "uuid", "title_nl", "title_en", "category", "mode_of_delivery", "level", "price_cents")
SHOWN_OFFERING_FIELDS = ("id", "uuid", "start_date", "location_name", "price_cents", "latitude", "longitude")
_SHOWN_SQL = """
SELECT {module_columns}, p.id, p.name, {offering_columns}, r.id, r.name
  FROM unnest(%(ids)s::bigint[], %(offerings)s::bigint[]) AS shown(module_id, offering_id)
  JOIN catalog_module m ON m.id = shown.module_id
  JOIN catalog_provider p ON p.id = m.provider_id
  LEFT JOIN catalog_offering o ON o.id = shown.offering_id
  LEFT JOIN core_region r ON r.id = o.region_id
""".format(  # column names of our own
    module_columns=", ".join(f"m.{name}" for name in SHOWN_MODULE_FIELDS),
    offering_columns=", ".join(f"o.{name}" for name in SHOWN_OFFERING_FIELDS),
)


def _instance(model, names: tuple[str, ...], values) -> models.Model:
    """A model instance from a row of some of its columns (in `names` order); the others are deferred."""
    by_name = dict(zip(names, values, strict=True))
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in by_name]
    return model.from_db(connection.alias, fields, [by_name[name] for name in fields])


def _shown(cursor, ids: list[int], best: dict[int, int]) -> tuple[dict[int, Module], dict[int, Offering]]:
    """The shown modules (with their provider's name) and their best offerings (with the region's name)."""
    cursor.execute(_SHOWN_SQL, {"ids": ids, "offerings": [best.get(module_id) for module_id in ids]})
    modules: dict[int, Module] = {}
    offerings: dict[int, Offering] = {}
    n_module, n_offering = len(SHOWN_MODULE_FIELDS), len(SHOWN_OFFERING_FIELDS)
    for row in cursor.fetchall():
        module = _instance(Module, SHOWN_MODULE_FIELDS, row[:n_module])
        module.provider = _instance(Provider, ("id", "name"), row[n_module : n_module + 2])
        modules[module.pk] = module
        offering_row = row[n_module + 2 : n_module + 2 + n_offering]
        if offering_row[0] is not None:
            offering = _instance(Offering, SHOWN_OFFERING_FIELDS, offering_row)
            offering.module = module
            region_id, region_name = row[-2:]
            offering.region = _instance(Region, ("id", "name"), (region_id, region_name)) if region_id else None
            offerings[offering.pk] = offering
    return modules, offerings


def search(params: SearchParams, *, resident=None, today: datetime.date | None = None) -> SearchResult:
    """Published modules of approved providers that match the words and the facets, best match first, with
    counts per facet value over all results and, for the shown page only, why each result matches and (for a
    logged-in resident) what it costs them after their funding."""
    today = today or timezone.localdate()
    # What the pots could pay per category is needed only for the facet on the price after funding.
    pots = _usable_pots(resident)
    wants_coverage = resident is not None and params.max_own_share_cents is not None
    coverage = _coverage_by_category(pots) if wants_coverage else None
    where, args, offering_sql, point = _where(params, coverage, today)
    with connection.cursor() as cursor:
        if "q" in args:
            ranked, best, facet_rows, found = _ranked_page(cursor, params, where, args, offering_sql)
        else:
            ranked, best, facet_rows = _filtered_page(cursor, params, where, args, offering_sql, today, coverage)
            found = {}
        ids = [row[0] for row in ranked]
        modules, offerings = _shown(cursor, ids, best) if ids else ({}, {})
    total, facets = _facet_counts(facet_rows)
    hits = []
    for module_id, rank in ranked:
        offering = offerings.get(best.get(module_id))
        hit = Hit(module=modules[module_id], rank=float(rank), offering=offering)
        if point and offering is not None and offering.latitude is not None:
            hit.distance_km = round(distance_km(point, (float(offering.latitude), float(offering.longitude))), 1)
        hits.append(hit)
    _explain(hits, params, found)
    if resident is not None:
        _price_after_funding(hits, pots)
    return SearchResult(params=params, total=total, hits=hits, facets=facets, funded=resident is not None)


def _ranked_page(cursor, params: SearchParams, where: str, args: dict, offering_sql: str):
    """A search with words, in one query: the page ranked by relevance, the best offering of each shown module,
    the facet counts, and which query word matched where (shown module -> query word -> weights)."""
    page = max(1, min(params.page, MAX_PAGE))
    rank = f"ts_rank(m.search_document, {_TSQUERY})"
    words = list(dict.fromkeys(w.lower() for w in _WORD_RE.findall(params.q)))[:10]
    cursor.execute(
        _RANKED_SQL.format(where=where, rank=rank, offering=offering_sql),
        {**args, "limit": params.page_size, "offset": (page - 1) * params.page_size, "words": words},
    )
    rows = cursor.fetchall()
    page_rows = [row for row in rows if row[0] == "page"]
    ranked = sorted(((row[1], row[2]) for row in page_rows), key=lambda r: (-r[1], r[0]))
    best = {row[1]: row[3] for row in page_rows if row[3] is not None}
    facet_rows = [row[4:10] for row in rows if row[0] == "facet"]
    found: dict[int, dict[str, set]] = {}
    for row in rows:
        if row[0] == "why":
            found.setdefault(row[1], {}).setdefault(row[10], set()).update(row[11])
    return ranked, best, facet_rows, found


def _filtered_page(
    cursor, params: SearchParams, where: str, args: dict, offering_sql: str, today: datetime.date, coverage
):
    """A search without words: the page in the catalogue's order, the facet counts and the best offering of each
    shown module (the soonest start that fits the filters)."""
    page_sql, page_args = search_sql(params, today=today, coverage=coverage)
    cursor.execute(page_sql, page_args)
    ranked = cursor.fetchall()
    # The counts of the whole catalogue (the search page before any choice) cost a pass over every
    # published module (150 ms at 100,000). In a large catalogue they are kept for a minute, a delay
    # nobody notices in counts of tens of thousands; a small one is counted afresh every time.
    unfiltered = where == _where(SearchParams(), None, today)[0]
    facet_rows = cache.get(_ALL_FACETS_KEY) if unfiltered else None
    if facet_rows is None:
        cursor.execute(_FACETS_SQL.format(where=where), args)
        facet_rows = cursor.fetchall()
        everything = next((row[5] for row in facet_rows if row[4] == 0b1111), 0)
        if unfiltered and everything >= CACHE_COUNTS_FROM:
            cache.set(_ALL_FACETS_KEY, facet_rows, 60)
    best: dict[int, int] = {}
    if ranked:
        cursor.execute(_BEST_OFFERING_SQL.format(offering=offering_sql), {**args, "ids": [row[0] for row in ranked]})
        best = {module_id: offering_id for module_id, offering_id in cursor.fetchall() if offering_id}
    return ranked, best, facet_rows


def _facet_counts(facet_rows) -> tuple[int, dict[str, dict]]:
    """The number of all results, and per facet the count of each value (rows of GROUPING SETS: the grouping
    bits say which column the row counts)."""
    facets: dict[str, dict] = {name: {} for name in FACETS}
    total = 0
    for category, mode, level, self_paced, grouping, count in facet_rows:
        if grouping == 0b1111:
            total = count
        elif grouping == 0b0111:
            facets["category"][category] = count
        elif grouping == 0b1011:
            facets["mode_of_delivery"][mode] = count
        elif grouping == 0b1101:
            facets["level"][level] = count
        elif grouping == 0b1110:
            facets["self_paced"][self_paced] = count
    return total, facets


_FIELD_BY_WEIGHT = {"A": gettext_lazy("title"), "B": gettext_lazy("skills"), "C": gettext_lazy("description")}


def _explain(hits: list[Hit], params: SearchParams, found: dict[int, dict[str, set]]) -> None:
    """Why each shown result matches: the words found (and where: `found`, from the search statement), then each
    facet it satisfies."""
    for hit in hits:
        reasons = []
        for word, weights in found.get(hit.module.pk, {}).items():
            places = ", ".join(str(_FIELD_BY_WEIGHT[w]) for w in sorted(weights))
            reasons.append(_("“%(word)s” in the %(places)s") % {"word": word, "places": places})
        module = hit.module
        if params.categories:
            reasons.append(_("category: %(value)s") % {"value": module.get_category_display()})
        if params.modes:
            reasons.append(_("mode: %(value)s") % {"value": module.get_mode_of_delivery_display()})
        if params.levels:
            reasons.append(_("level: %(value)s") % {"value": module.get_level_display()})
        if params.self_paced is True:
            reasons.append(_("self-paced: start any time"))
        offering = hit.offering
        if params.region and offering is not None and offering.region is not None:
            reasons.append(_("in the region %(region)s") % {"region": offering.region.name})
        if hit.distance_km is not None:
            reasons.append(_("%(km)s km from your postcode") % {"km": number_format(hit.distance_km, 1)})
        if (params.start_from or params.start_until) and offering is not None:
            if offering.start_date:
                reasons.append(_("starts on %(date)s") % {"date": offering.start_date.strftime("%d-%m-%Y")})
            else:
                reasons.append(_("start any time"))
        hit.reasons = reasons


def _usable_pots(resident) -> list[tuple] | None:
    """The resident's pots, read once for the whole page (facet coverage and each result's own share)."""
    from levenlang.ledger import services as ledger

    return ledger.usable_pots(resident_id=resident.pk) if resident is not None else None


def _price_after_funding(hits: list[Hit], pots: list[tuple]) -> None:
    """The person's own share for each shown result, by the ledger's waterfall over the pots read once."""
    from levenlang.ledger import services as ledger

    for hit in hits:
        price = hit.offering.price_cents if hit.offering is not None else hit.module.price_cents
        if price <= 0:
            hit.own_share_cents, hit.covered_cents = 0, 0
            continue
        preview = ledger.preview_from(pots, category=Category(hit.module.category), price_cents=price)
        hit.own_share_cents, hit.covered_cents = preview.own_share_cents, preview.covered_cents


def matching_words(queryset, q: str):
    """Modules of `queryset` whose search document matches the words `q`, in Dutch or in English."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    tsquery = _TSQUERY.replace("%(q)s", "%s")
    # Our own SQL text; the words travel as parameters.
    matches = RawSQL(f"catalog_module.search_document @@ {tsquery}", [q, q], output_field=BooleanField())  # noqa: S611
    return queryset.annotate(matches_words=matches).filter(matches_words=True)


# --- skills: the catalogue keeps skill URIs on its modules; the skills app provides their labels -----------------

# Modules whose skills must be written again (so that the trigger catalog_module_skill_terms links and indexes
# them) after the terms changed: those linked to a changed skill, and those with a free label that now names one.
_RELINK = """
UPDATE catalog_module m SET skills = m.skills
 WHERE m.skills && %(uris)s::varchar[]
    OR EXISTS (SELECT 1 FROM unnest(m.skills) AS s JOIN s_skill_label c ON c.label = lower(btrim(s))
                WHERE s !~ '^https?://')
"""


def set_skill_terms(terms: Iterable[tuple[str, str, str, list[str]]]) -> int:
    """Store (uri, Dutch label, English label, all labels) of the taxonomy's skills, as the skills app sends them after
    an import, and bring the modules' links and search text up to date. A skill that is the same as before is not
    touched, so a second call with the same terms changes nothing. Returns how many skills changed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS s_skill_term, s_skill_label;"
            " CREATE TEMP TABLE s_skill_term (uri text, label_nl text, label_en text, labels text[]) ON COMMIT DROP;"
            " CREATE TEMP TABLE s_skill_label (label text PRIMARY KEY) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY s_skill_term (uri, label_nl, label_en, labels) FROM STDIN") as copy:
            for uri, label_nl, label_en, labels in terms:
                copy.write_row((uri, label_nl, label_en, sorted({label.lower() for label in labels})))
        cursor.execute(
            """INSERT INTO catalog_skillterm (uri, label_nl, label_en, labels)
               SELECT uri, label_nl, label_en, labels FROM s_skill_term
               ON CONFLICT (uri) DO UPDATE SET label_nl = excluded.label_nl, label_en = excluded.label_en,
                                               labels = excluded.labels
               WHERE (catalog_skillterm.label_nl, catalog_skillterm.label_en, catalog_skillterm.labels)
                     IS DISTINCT FROM (excluded.label_nl, excluded.label_en, excluded.labels)
               RETURNING uri, labels"""
        )
        changed = cursor.fetchall()
        if changed:
            cursor.execute(
                "INSERT INTO s_skill_label SELECT DISTINCT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                [[label for _uri, labels in changed for label in labels]],
            )
            cursor.execute(_RELINK, {"uris": [uri for uri, _labels in changed]})
        return len(changed)


def skill_names(module: Module, language: str | None = None) -> list[str]:
    """The module's skills as a person reads them: a linked skill by its label in `language` (the active one by
    default, falling back to the other), a free label as it is."""
    language = (language or get_language() or "nl")[:2]
    terms = {term.uri: term for term in SkillTerm.objects.filter(uri__in=module.skills)}
    names = []
    for value in module.skills:
        term = terms.get(value)
        if term is None:
            names.append(value)
        else:
            first, second = (term.label_en, term.label_nl) if language == "en" else (term.label_nl, term.label_en)
            names.append(first or second or value)
    return names
