import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import Category
from levenlang.core.choices import QuickChoiceLabels
from levenlang.core.identifiers import validate_kvk_number
from levenlang.core.models import Region


class Provider(models.Model):
    """A training provider, public or private. Only approved providers publish modules and get paid."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Publicly funded institution")
        PRIVATE = "private", _("Private provider")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        SUSPENDED = "suspended", _("Suspended")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kvk_number = models.CharField(_("KvK number"), max_length=8, unique=True, validators=[validate_kvk_number])
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="providers")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="providers")
    # Set by catalog.services.suspend_provider: a suspended provider takes no new enrolments. The database default
    # lets the demo loader COPY providers without naming these columns.
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(max_length=300, blank=True, default="", db_default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("training provider")
        constraints = [
            models.CheckConstraint(condition=models.Q(kvk_number__regex=r"^\d{8}$"), name="provider_kvk_8_digits")
        ]

    def __str__(self) -> str:
        return self.name


# --- OEAPI v6 enumerations (components/schemas in the Open Education API v6 specification) ----------------------


class LevelOfQualification(models.TextChoices):
    """OEAPI v6 `levelOfQualification`: EQF levels, extended with eqf_0 and the Dutch NLQF 4+ (VWO)."""

    EQF_0 = "eqf_0", _("Below level 1 (basic skills)")
    EQF_1 = "eqf_1", _("Level 1 (NLQF/EQF 1, e.g. MBO 1)")
    EQF_2 = "eqf_2", _("Level 2 (NLQF/EQF 2, e.g. MBO 2)")
    EQF_3 = "eqf_3", _("Level 3 (NLQF/EQF 3, e.g. MBO 3)")
    EQF_4 = "eqf_4", _("Level 4 (NLQF/EQF 4, e.g. MBO 4, HAVO)")
    NLQF_4PLUS = "nlqf_4plus", _("Level 4+ (NLQF 4+, VWO)")
    EQF_5 = "eqf_5", _("Level 5 (NLQF/EQF 5, associate degree)")
    EQF_6 = "eqf_6", _("Level 6 (NLQF/EQF 6, bachelor)")
    EQF_7 = "eqf_7", _("Level 7 (NLQF/EQF 7, master)")
    EQF_8 = "eqf_8", _("Level 8 (NLQF/EQF 8, doctorate)")


class ModeOfDelivery(models.TextChoices):
    """OEAPI v6 `modeOfDelivery` (after the EU learning-assessment vocabulary). "On site" is `presential`;
    dual learning is `work_based`."""

    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")
    BLENDED = "blended", _("Blended (online and on site)")
    PRESENTIAL = "presential", _("On site")
    WORK_BASED = "work_based", _("Work-based / dual")
    PROJECT_BASED = "project_based", _("Project-based")
    COIL = "coil", _("Online with other institutions (COIL)")
    JOINT_DELIVERY = "joint_delivery", _("Given by several institutions together")
    RESEARCH_LAB_BASED = "research_lab_based", _("In a research lab")


class StudyLoadUnit(models.TextChoices):
    """OEAPI v6 `studyloadUnit`."""

    CONTACT_TIME = "contact_time", _("contact hours")
    ECTS = "ects", _("ECTS credits")
    SBU = "sbu", _("study hours (SBU)")
    SP = "sp", _("study points")
    HOUR = "hour", _("hours")


class ProviderRecognition(models.Model):
    """A quality recognition a provider claims (with the register's reference) and an administrator checks.
    A provider may publish once at least one recognition is approved and the provider itself is approved."""

    class Kind(models.TextChoices):
        # The registers a Dutch training provider is usually known by.
        CRKBO = "crkbo", _("CRKBO (Centraal Register Kort Beroepsonderwijs)")
        NRTO = "nrto", _("NRTO quality mark")
        NVAO = "nvao", _("NVAO-accredited programme")
        PUBLIC_INSTITUTION = "public_institution", _("Publicly funded institution (RIO)")
        CEDEO = "cedeo", _("Cedeo recognition")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="recognitions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(_("registration number in the register"), max_length=60)
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("quality recognition")
        constraints = [
            # One open or approved claim per register; a rejected one may be submitted again.
            models.UniqueConstraint(
                fields=["provider", "kind"],
                condition=~models.Q(status="rejected"),
                name="recognition_one_live_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.get_kind_display()} ({self.get_status_display()})"


# The search document: title, description and skills, each stemmed both as Dutch and as English (a Dutch title
# like "lassen" and an English one like "welding" are both found; the weights rank titles above descriptions).
# The skills are the free labels (catalog_search_text: an IMMUTABLE wrapper, because array_to_string itself is only
# STABLE, that leaves the skill URIs out) and the labels of the linked skills (skill_terms, a database-only column
# kept by the trigger catalog_module_skill_terms from SkillTerm). It lives in the database as a generated column.
_SEARCH_DOCUMENT_SQL = (
    "setweight(to_tsvector('dutch'::regconfig, coalesce(title_nl, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(title_en, '')), 'A')"
    " || setweight(to_tsvector('dutch'::regconfig, catalog_search_text(skills)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, catalog_search_text(skills)), 'B')"
    " || setweight(to_tsvector('english'::regconfig, skill_terms), 'B')"
    " || setweight(to_tsvector('dutch'::regconfig, coalesce(description_nl, '')), 'C')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(description_en, '')), 'C')"
)


class Module(QuickChoiceLabels, models.Model):
    """A module of learning offered by a provider: an OEAPI course, or a programme (a larger whole).

    Dated cohorts and self-paced runs are both `Offering`s: an enrolment always books an offering. A self-paced
    module has `self_paced=True` and offerings without a start date ("start any time").

    `search_document` is generated by PostgreSQL (never written from Python; defer it in queries that do not search).
    The `offering_*` columns that summarise where and when its open offerings are exist in the database only
    (migration 0006, kept by triggers), so that the ORM never overwrites them; catalog.services reads them in SQL.

    `funded_place_cap`: how many enrolments paid (partly) from public pots this module may take per calendar
    quarter, counted by the enrolment app at booking time. Null means no cap. This is the STAP lesson: a cap per
    module keeps a few providers from taking the whole budget.
    """

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        PROGRAMME = "programme", _("Programme")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="modules")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COURSE)
    # The provider's own code (OEAPI primaryCode); an import with the same code updates the module.
    code = models.CharField(_("code"), max_length=80, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.PositiveSmallIntegerField(_("spending category"), choices=Category.choices)
    # The skills a module teaches: ESCO skill URIs (links to the taxonomy of the skills app) and free labels. A free
    # label that names exactly one skill of SkillTerm is turned into its URI by the database when it is written.
    skills = ArrayField(models.CharField(max_length=300), default=list, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=LevelOfQualification.choices, blank=True)
    mode_of_delivery = models.CharField(_("mode of delivery"), max_length=20, choices=ModeOfDelivery.choices)
    self_paced = models.BooleanField(_("self-paced"), default=False)
    study_load_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    study_load_unit = models.CharField(max_length=12, choices=StudyLoadUnit.choices, blank=True)
    # The list price in cents (what an offering costs unless it says otherwise).
    price_cents = models.BigIntegerField(_("price in cents"))
    language = models.CharField(_("teaching language"), max_length=12, default="nl")
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    # Outcome figures, when known: share of learners who completed (percent) and their mean rating (1–5).
    completion_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(null=True, blank=True)
    funded_place_cap = models.PositiveIntegerField(_("funded places per quarter"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search_document = models.GeneratedField(
        # A constant SQL text, no user input.
        expression=RawSQL(_SEARCH_DOCUMENT_SQL, []),  # noqa: S611
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["title_nl", "id"]
        verbose_name = _("module")
        indexes = [
            GinIndex(fields=["search_document"], name="module_search_gin"),
            models.Index(fields=["status", "category"], name="module_status_category"),
            models.Index(fields=["provider", "status"], name="module_provider_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_nl="") | ~models.Q(title_en=""),
                name="module_has_a_title",
                violation_error_message=_("Give a title in Dutch or English."),
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=Category.values),
                name="module_one_category",
                violation_error_message=_("Choose one spending category."),
            ),
            models.CheckConstraint(
                condition=models.Q(price_cents__gte=0),
                name="module_price_not_negative",
                violation_error_message=_("The price cannot be below zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(completion_rate__gte=0, completion_rate__lte=100)
                | models.Q(completion_rate__isnull=True),
                name="module_completion_rate_percent",
                violation_error_message=_("The completion rate is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5) | models.Q(rating__isnull=True),
                name="module_rating_1_to_5",
                violation_error_message=_("The rating is a number from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=models.Q(study_load_value__isnull=True) | ~models.Q(study_load_unit=""),
                name="module_study_load_has_unit",
                violation_error_message=_("Give the unit of the study load."),
            ),
            models.UniqueConstraint(
                fields=["provider", "code"],
                condition=~models.Q(code=""),
                name="module_code_unique_per_provider",
                violation_error_message=_("Another module of yours already has this code."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language, falling back to the other one."""
        if get_language() == "en":
            return self.title_en or self.title_nl
        return self.title_nl or self.title_en

    @property
    def description(self) -> str:
        if get_language() == "en":
            return self.description_en or self.description_nl
        return self.description_nl or self.description_en

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class SkillTerm(models.Model):
    """What the catalogue knows of one skill of the taxonomy: its preferred labels (to show a linked skill by name)
    and all its labels in lower case (to link a free label, and to search a module by its skills' names). The skills
    app, which builds on the catalogue, fills it after every taxonomy import (services.set_skill_terms): the catalogue
    keeps the URIs, the skills app provides the labels."""

    uri = models.CharField(max_length=200, primary_key=True)
    label_nl = models.CharField(max_length=400, blank=True, default="")
    label_en = models.CharField(max_length=400, blank=True, default="")
    labels = ArrayField(models.CharField(max_length=400), default=list)

    class Meta:
        indexes = [GinIndex(fields=["labels"], name="skillterm_labels_gin")]

    def __str__(self) -> str:
        return self.label_en or self.label_nl or self.uri


class Offering(QuickChoiceLabels, models.Model):
    """One run of a module that a person can book: a dated cohort, or (self-paced) a run without a start date.
    OEAPI v6 CourseOffering / ProgrammeOffering."""

    class State(models.TextChoices):
        # OEAPI v6 `offeringState`
        CONCEPT = "concept", _("Concept")
        ACTIVE = "active", _("Open")
        INACTIVE = "inactive", _("Not open now")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="offerings")
    code = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    # Null start date: self-paced, start any time (OEAPI's flexible entry period).
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    enrol_until = models.DateField(_("enrol until"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)  # null: no limit
    price_cents = models.BigIntegerField(_("price in cents"))
    language = models.CharField(_("teaching language"), max_length=12, default="nl")
    # Where it takes place; empty for online offerings. Latitude/longitude come from the postcode (PC4 table).
    location_name = models.CharField(_("location"), max_length=160, blank=True)
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="offerings")
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [models.F("start_date").asc(nulls_first=True), "id"]
        verbose_name = _("offering")
        indexes = [
            models.Index(fields=["module", "start_date"], name="offering_module_start"),
            models.Index(fields=["region", "start_date"], name="offering_region_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_cents__gte=0),
                name="offering_price_not_negative",
                violation_error_message=_("The price cannot be below zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="offering_ends_after_start",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.UniqueConstraint(
                fields=["module", "code"],
                condition=~models.Q(code=""),
                name="offering_code_unique_per_module",
                violation_error_message=_("Another offering of this module already has this code."),
            ),
        ]

    def __str__(self) -> str:
        when = self.start_date.isoformat() if self.start_date else "self-paced"
        return f"{self.module} · {when}"


class ImportRun(models.Model):
    """One uploaded catalogue file and what became of it: all of it imported, or nothing and a report of every
    bad row. Large files wait in the task queue; `content` is kept only until the run ends."""

    class Format(models.TextChoices):
        OEAPI = "oeapi", _("OEAPI v6 JSON")
        CSV = "csv", _("CSV")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting in the queue")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Not imported: see the problems")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=200)
    format = models.CharField(max_length=10, choices=Format.choices)
    default_category = models.PositiveSmallIntegerField(choices=Category.choices, null=True, blank=True)
    publish = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    content = models.BinaryField(null=True, blank=True)
    # {"created_modules": n, "updated_modules": n, "created_offerings": n, "updated_offerings": n,
    #  "problems": [{"where": ..., "reason": ...}]}
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("catalogue import")

    def __str__(self) -> str:
        return f"{self.provider} · {self.filename} ({self.get_status_display()})"
