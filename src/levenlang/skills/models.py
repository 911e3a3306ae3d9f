"""The ESCO taxonomy and the skills profile (docs/skills.md).

The taxonomy is four kinds of ESCO concept in one table (`Concept`: skills, skill groups, occupations, ISCO groups),
their labels per language (`Label`, one row per surface form: preferred, alternative or hidden), and the relations
between them (`Relation`: an occupation's essential and optional skills, skill–skill relations, and the broader
relations of both pillars). One table per kind of thing, not per ESCO file, keeps the import one generic upsert and
lets the matcher iterate all surface forms of one kind in one query. `Skill`, `Occupation` and `IscoGroup` are proxies
for reading. A concept is never deleted: one that a newer ESCO version no longer has is marked `disappeared`, so a
profile that points at it keeps working.

`SkillsProfileEntry` is personal data: one skill of one resident and where it came from."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxonomyVersion(models.Model):
    """One ESCO version that was imported (a version is imported once per language; each run updates this row)."""

    version = models.CharField(max_length=40, unique=True)
    imported_at = models.DateTimeField()
    languages = models.JSONField(default=list)  # the label languages imported for this version, e.g. ["en", "nl"]
    counts = models.JSONField(default=dict)  # the taxonomy's size after the last run of this version, per kind

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"ESCO {self.version}"


class Concept(models.Model):
    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill")
        SKILL_GROUP = "skill_group", _("Skill group")
        OCCUPATION = "occupation", _("Occupation")
        ISCO_GROUP = "isco_group", _("ISCO group")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In the taxonomy")
        DISAPPEARED = "disappeared", _("No longer in the taxonomy")

    uri = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # ISCO code (isco_group), occupation code ("2654.1.7"), skill group code ("S1.2"); often empty for skills.
    code = models.CharField(max_length=40, blank=True, default="")
    # Skills: "knowledge" or "skill/competence"; reuse level: transversal, cross-sector, sector- or occupation-specific.
    skill_type = models.CharField(max_length=20, blank=True, default="")
    reuse_level = models.CharField(max_length=24, blank=True, default="")
    # Occupations: their ISCO-08 unit group.
    isco_group = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="occupations")
    description = models.JSONField(default=dict, blank=True)  # {"en": "...", "nl": "..."}
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    added_in = models.CharField(max_length=40)  # the ESCO version that first brought it
    disappeared_in = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["kind", "status"], name="concept_kind_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["skill", "skill_group", "occupation", "isco_group"]),
                name="concept_known_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", disappeared_in="")
                | (models.Q(status="disappeared") & ~models.Q(disappeared_in="")),
                name="concept_disappeared_says_when",
            ),
        ]

    def __str__(self) -> str:
        return self.uri


class _KindManager(models.Manager):
    kind = ""

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class _SkillManager(_KindManager):
    kind = Concept.Kind.SKILL


class _OccupationManager(_KindManager):
    kind = Concept.Kind.OCCUPATION


class _IscoGroupManager(_KindManager):
    kind = Concept.Kind.ISCO_GROUP


class Skill(Concept):
    objects = _SkillManager()

    class Meta:
        proxy = True


class Occupation(Concept):
    objects = _OccupationManager()

    class Meta:
        proxy = True


class IscoGroup(Concept):
    objects = _IscoGroupManager()

    class Meta:
        proxy = True


class Label(models.Model):
    """One surface form of a concept in one language. The trigram index serves search as you type (`ILIKE`);
    `vector` holds the matcher's sentence vector of `text` (float16, little-endian) made by `vector_encoder`, computed
    once (after an import), never per request; a changed label is a new row, so its vector is computed again."""

    class Kind(models.TextChoices):
        PREFERRED = "preferred", _("Preferred label")
        ALTERNATIVE = "alternative", _("Alternative label")
        HIDDEN = "hidden", _("Hidden label")

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="labels")
    language = models.CharField(max_length=8)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=400)
    vector = models.BinaryField(null=True, blank=True)
    vector_encoder = models.CharField(
        max_length=60, blank=True, default="", db_default=""
    )  # which encoder made `vector`

    class Meta:
        indexes = [
            GinIndex(fields=["text"], opclasses=["gin_trgm_ops"], name="label_text_trgm"),
            models.Index(fields=["concept", "language", "kind"], name="label_concept_language"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["concept", "language", "kind", "text"], name="label_unique"),
            models.UniqueConstraint(
                fields=["concept", "language"], condition=models.Q(kind="preferred"), name="label_one_preferred"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.language})"


class Relation(models.Model):
    """A relation between two concepts. `family` says which ESCO file it came from, so that an import replaces
    exactly the relations of the files it read."""

    class Family(models.TextChoices):
        OCCUPATION_SKILL = "occupation_skill", _("Skill of an occupation")
        SKILL_SKILL = "skill_skill", _("Related skill")
        SKILL_BROADER = "skill_broader", _("Broader concept (skills pillar)")
        OCCUPATION_BROADER = "occupation_broader", _("Broader concept (occupations pillar)")

    class Kind(models.TextChoices):
        ESSENTIAL = "essential", _("Essential")
        OPTIONAL = "optional", _("Optional")
        BROADER = "broader", _("Broader")

    source = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="relations_in")
    family = models.CharField(max_length=20, choices=Family.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        indexes = [
            models.Index(fields=["source", "family", "kind"], name="relation_source"),
            models.Index(fields=["target", "family", "kind"], name="relation_target"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "family"], name="relation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.kind} {self.target}"


class SkillsProfileEntry(models.Model):
    """One skill in a resident's profile. Personal data: only the resident changes it; a look by anyone else is
    audited (skills.services)."""

    class Source(models.TextChoices):
        CHOSEN = "chosen", _("Chosen from the list")
        FROM_TEXT = "from_text", _("Found in your own words")
        COMPLETED_MODULE = "completed_module", _("From a module you completed")
        OCCUPATION_HELD = "occupation_held", _("Likely, from work you did")

    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="skills_profile")
    skill = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    # What it came from, for the resident: the module's title, the occupation's URI, the sentence of their text.
    source_detail = models.CharField(max_length=500, blank=True, default="")
    # False for a "likely" skill (from an occupation held) until the resident confirms it.
    confirmed = models.BooleanField(default=True)
    added_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "skill"], name="profile_skill_once"),
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.source})"
