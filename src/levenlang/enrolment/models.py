"""Enrolments: the booking life cycle that joins the catalogue and the Leerrekening (docs/enrolment.md).

Every rule lives in enrolment/services.py; money moves only through ledger/services/. An enrolment's status
changes only there, and every change writes an `EnrolmentEvent` (append-only: a database trigger refuses UPDATE
and DELETE, migration 0002).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import Category
from levenlang.core.roles import Role


class Status(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted by the provider")
    RESERVED = "reserved", _("Money reserved")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed, waiting for the learner")
    DISPUTED = "disputed", _("Disputed by the learner")
    PAID_OUT = "paid_out", _("Paid out")
    REFUSED = "refused", _("Refused by the provider")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_STARTED = "not_started", _("Not started in time")


OPEN_STATUSES = (
    Status.REQUESTED,
    Status.ACCEPTED,
    Status.RESERVED,
    Status.STARTED,
    Status.COMPLETED,
    Status.DISPUTED,
)
# Statuses that hold (or held and used) a funded place: they count against the module's cap per quarter.
FUNDED_STATUSES = (Status.RESERVED, Status.STARTED, Status.COMPLETED, Status.DISPUTED, Status.PAID_OUT)


class Enrolment(models.Model):
    """One resident's booking of one offering of a module."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey("residents.Resident", on_delete=models.PROTECT, related_name="enrolments")
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="enrolments")
    # The module and provider of the offering, kept here so that the provider's list and the cap count are one
    # index scan each; they never change after the request.
    module = models.ForeignKey("catalog.Module", on_delete=models.PROTECT, related_name="enrolments")
    provider = models.ForeignKey("catalog.Provider", on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # Fixed at the request: the price the resident saw and agreed to, and what it may be paid from.
    price_cents = models.BigIntegerField()
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    reservation = models.OneToOneField(
        "ledger.Reservation", null=True, blank=True, on_delete=models.PROTECT, related_name="enrolment"
    )
    covered_cents = models.BigIntegerField(null=True, blank=True, help_text="What the pots hold for it.")
    own_share_cents = models.BigIntegerField(null=True, blank=True, help_text="What the resident pays the provider.")
    # First day of the calendar quarter in which the funded place was taken (for Module.funded_place_cap).
    funded_quarter = models.DateField(null=True, blank=True)
    start_deadline = models.DateField(null=True, blank=True, help_text="Voided when not started by then.")
    completed_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    paid_cents = models.BigIntegerField(null=True, blank=True)
    credential = models.JSONField(null=True, blank=True, help_text="The signed credential, issued once.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Not a column: the steps the viewer may take, set on each row of the provider's list by its view.
    steps: list[str]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrolment")
        indexes = [
            models.Index(fields=["provider", "status"], name="enrolment_provider_status"),
            models.Index(fields=["module", "funded_quarter"], name="enrolment_module_quarter"),
            models.Index(
                fields=["start_deadline"], name="enrolment_waiting_for_start", condition=models.Q(status="reserved")
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "offering"],
                condition=models.Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="enrolment_one_open_per_offering",
            ),
            models.CheckConstraint(condition=models.Q(price_cents__gt=0), name="enrolment_price_positive"),
            models.CheckConstraint(
                condition=models.Q(completed_percent__isnull=True)
                | models.Q(completed_percent__gte=1, completed_percent__lte=100),
                name="enrolment_completed_percent_1_100",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[s.value for s in FUNDED_STATUSES])
                | models.Q(reservation__isnull=False, funded_quarter__isnull=False),
                name="enrolment_funded_has_reservation",
            ),
        ]

    def __str__(self) -> str:
        from levenlang.enrolment.services import enrolment_label  # the services import the models

        return f"{enrolment_label(self)} · {self.resident} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_flagged(self) -> bool:
        """An open enrolment of a suspended provider: nothing is paid out until an administrator decides."""
        from levenlang.catalog.services import Provider

        return self.is_open and self.provider.status == Provider.Status.SUSPENDED


class EnrolmentEvent(models.Model):
    """One transition: who, when, from which status to which, and why. Append-only."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_role = models.CharField(max_length=32, choices=Role.choices, blank=True, help_text="Empty: the system.")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("enrolment event")

    def __str__(self) -> str:
        before = self.get_from_status_display() if self.from_status else "—"
        return f"{self.at:%Y-%m-%d %H:%M} {before} → {self.get_to_status_display()}"
