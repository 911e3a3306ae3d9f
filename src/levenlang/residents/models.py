import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from levenlang.core.identifiers import mask_bsn, validate_bsn
from levenlang.core.models import Region


class NLQFLevel(models.IntegerChoices):
    """Highest level of initial education reached, on the Dutch qualifications framework (NLQF = EQF 1–8)."""

    ENTRY = 0, _("Entry level (below NLQF 1)")
    LEVEL_1 = 1, _("NLQF 1 (e.g. MBO 1)")
    LEVEL_2 = 2, _("NLQF 2 (e.g. MBO 2, VMBO)")
    LEVEL_3 = 3, _("NLQF 3 (e.g. MBO 3)")
    LEVEL_4 = 4, _("NLQF 4 (e.g. MBO 4, HAVO, VWO)")
    LEVEL_5 = 5, _("NLQF 5 (associate degree)")
    LEVEL_6 = 6, _("NLQF 6 (bachelor)")
    LEVEL_7 = 7, _("NLQF 7 (master)")
    LEVEL_8 = 8, _("NLQF 8 (doctorate)")


class Situation(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    JOB_SEEKING = "job_seeking", _("Looking for work")
    STUDENT = "student", _("In initial education")
    RETIRED = "retired", _("Retired")
    OTHER = "other", _("Other")


class Resident(models.Model):
    """A resident of the Netherlands. Personal data: see core.permissions for who may see it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    bsn = models.CharField("BSN", max_length=9, unique=True, validators=[validate_bsn])
    given_name = models.CharField(_("given name"), max_length=80)
    family_name = models.CharField(_("family name"), max_length=120)
    birth_date = models.DateField(_("date of birth"))
    nlqf_level = models.PositiveSmallIntegerField(_("initial education"), choices=NLQFLevel.choices)
    situation = models.CharField(_("situation"), max_length=20, choices=Situation.choices)
    postcode = models.CharField(_("postcode"), max_length=7)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="resident"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("resident")
        indexes = [models.Index(fields=["region", "birth_date"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(bsn__regex=r"^\d{9}$"), name="resident_bsn_nine_digits"),
            models.CheckConstraint(condition=models.Q(nlqf_level__lte=8), name="resident_nlqf_level_0_8"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def masked_bsn(self) -> str:
        return mask_bsn(self.bsn)

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday
