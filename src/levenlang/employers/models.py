import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from levenlang.core.identifiers import validate_kvk_number
from levenlang.core.models import Region


class Sector(models.TextChoices):
    METAL_ELECTRICAL = "metal_electrical", _("Metal and electrical engineering")
    ICT = "ict", _("ICT")
    CARE = "care", _("Care and welfare")
    LOGISTICS = "logistics", _("Transport and logistics")
    RETAIL = "retail", _("Retail")
    CONSTRUCTION = "construction", _("Construction and installation")
    HOSPITALITY = "hospitality", _("Hospitality")
    PUBLIC = "public", _("Public administration")
    AGRIFOOD = "agrifood", _("Agriculture and food")


class SectorFund(models.Model):
    """An O&O fund (training and development fund) of a sector, financed by the sector's employers."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120, unique=True)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="sector_funds")

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector fund")

    def __str__(self) -> str:
        return self.name


class Employer(models.Model):
    class Size(models.TextChoices):
        MICRO = "micro", _("1–9 employees")
        SMALL = "small", _("10–49 employees")
        MEDIUM = "medium", _("50–249 employees")
        LARGE = "large", _("250 or more employees")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kvk_number = models.CharField(_("KvK number"), max_length=8, unique=True, validators=[validate_kvk_number])
    name = models.CharField(max_length=160)
    sector = models.CharField(max_length=32, choices=Sector.choices)
    size = models.CharField(max_length=10, choices=Size.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="employers")
    sector_fund = models.ForeignKey(SectorFund, null=True, blank=True, on_delete=models.PROTECT)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="employers")

    class Meta:
        ordering = ["name"]
        verbose_name = _("employer")
        constraints = [
            models.CheckConstraint(condition=models.Q(kvk_number__regex=r"^\d{8}$"), name="employer_kvk_8_digits")
        ]

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    """A resident works (or worked) for an employer."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey("residents.Resident", on_delete=models.CASCADE, related_name="employments")
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    job_title = models.CharField(_("job title"), max_length=120)
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("employment")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="employment_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(hours_per_week__lte=60), name="employment_hours_max_60"),
        ]

    def __str__(self) -> str:
        return f"{self.job_title} — {self.employer}"
