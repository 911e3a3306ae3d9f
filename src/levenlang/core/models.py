import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from levenlang.core.roles import Role


class Region(models.Model):
    """One of the 35 arbeidsmarktregio's; loaded by a data migration, not by the demo."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    centre = models.CharField(_("central municipality"), max_length=80)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["name"]
        verbose_name = _("labour market region")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. The role decides which home page and which data they get (core.permissions)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.RESIDENT)
    # Advisers work at the desk of one region; programme managers may be tied to one region's technohub.
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")

    class Meta:
        indexes = [models.Index(fields=["role"])]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def has_perm(self, perm, obj=None) -> bool:
        from levenlang.core.permissions import user_has_perm  # the rules import the roles, not the models

        return user_has_perm(self, perm, obj)


class AuditEvent(models.Model):
    """Who looked at whose personal data, or moved which money, when and why. Append-only."""

    class Action(models.TextChoices):
        VIEW_PERSONAL_DATA = "view_personal_data", _("Viewed personal data")
        EXPORT_PERSONAL_DATA = "export_personal_data", _("Exported personal data")
        CHANGE_PERSONAL_DATA = "change_personal_data", _("Changed personal data")
        MONEY_MOVEMENT = "money_movement", _("Money movement")
        LOGIN = "login", _("Logged in")

    class SystemActor(models.TextChoices):
        """What acted when no person did: the background jobs and commands (core.audit.acting_as)."""

        YEARLY_ALLOCATION = "yearly_allocation", _("The yearly allocation of learning rights")
        EXPIRY_CHECK = "expiry_check", _("The expiry check")
        NIGHTLY_CHECK = "nightly_check", _("The nightly check of enrolments")
        CATALOGUE_IMPORT = "catalogue_import", _("The catalogue import")
        DEMO_DATA = "demo_data", _("Loading the demo data")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # Set when no person acted: which job or command did (empty for an older entry or an unnamed job).
    system_actor = models.CharField(max_length=32, choices=SystemActor.choices, blank=True, default="")
    actor_role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    # The person whose data was seen (a resident's UUID); never a BSN.
    subject_person = models.UUIDField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    amount_cents = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        who = self.actor.display_name if self.actor is not None else (self.get_system_actor_display() or "Levenlang")
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()}"
