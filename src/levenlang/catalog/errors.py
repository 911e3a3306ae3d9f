"""Errors of the catalogue: domain errors (core.errors). A catalogue refusal names its own code and status where
it is raised (`CatalogError(message, "may_not_publish", 403)`). Nothing has changed when one is raised."""

from django.utils.translation import gettext_lazy as _

from levenlang.core.errors import DomainError

__all__ = ["CatalogError"]


class CatalogError(DomainError):
    """A catalogue rule refused the action; the message says why in plain words."""

    code = "catalog_error"
    title = _("The catalogue refused the request")

    def __init__(self, message, code: str | None = None, status: int | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
