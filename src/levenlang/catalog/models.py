import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        ordering = ["name"]
        verbose_name = _("training provider")
        constraints = [
            models.CheckConstraint(condition=models.Q(kvk_number__regex=r"^\d{8}$"), name="provider_kvk_8_digits")
        ]

    def __str__(self) -> str:
        return self.name
