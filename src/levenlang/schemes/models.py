import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulationRun(models.Model):
    """A what-if simulation started by the ministry: a reform priced over the whole population by the worker.
    The page polls `stage` and `progress` while it runs; `result` holds aggregates only (WhatIf.as_dict)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    reform_name = models.CharField(max_length=200)
    # {"named": "<key of levenlang_rules.reforms.NAMED>"} or {"changes": {"<parameter path>": value}}
    reform = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    STAGE_LABELS = {
        "population": _("reading the residents"),
        "baseline": _("the rules of today"),
        "reform": _("the rules with the change"),
        "aggregate": _("adding up"),
    }

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        from levenlang.schemes.services import what_if_title  # the services import this module

        return f"{what_if_title(self)} ({self.year})"

    @property
    def stage_label(self) -> str:
        return self.STAGE_LABELS.get(self.stage, "")
