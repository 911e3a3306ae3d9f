"""Errors of the skills app: domain errors (core.errors). Nothing has changed when one is raised."""

from django.utils.translation import gettext_lazy as _

from levenlang.core.errors import DomainError

__all__ = ["ImportRefused", "NotYourProfile", "SkillsError", "UnknownConcept"]


class SkillsError(DomainError):
    code = "skills_error"
    title = _("The skills request was refused")


class UnknownConcept(SkillsError):
    status = 404
    code = "unknown_concept"
    title = _("Not in the skills taxonomy")


class NotYourProfile(SkillsError):
    status = 403
    code = "not_your_profile"
    title = _("Not your skills profile")


class ImportRefused(SkillsError):
    """A taxonomy file is malformed: `problems` lists (file, row, reason); the taxonomy is as it was."""

    status = 400
    code = "esco_import_refused"
    title = _("The taxonomy import was refused")

    def __init__(self, problems: list[tuple[str, int, str]]):
        self.problems = problems
        lines = "\n".join(f"{file}, row {row}: {reason}" for file, row, reason in problems)
        super().__init__("%(lines)s", lines=lines)
