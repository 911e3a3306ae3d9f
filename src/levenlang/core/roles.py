from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Role",
]


class Role(models.TextChoices):
    """The roles of docs/security.md. A user has exactly one."""

    RESIDENT = "resident", _("Resident")
    EMPLOYER_STAFF = "employer_staff", _("Employer staff")
    SECTOR_FUND_STAFF = "sector_fund_staff", _("Sector fund staff")
    PROVIDER_STAFF = "provider_staff", _("Training provider staff")
    ADVISER = "adviser", _("Learning desk adviser")
    MINISTRY_ANALYST = "ministry_analyst", _("Ministry analyst")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ADMINISTRATOR = "administrator", _("Administrator")
