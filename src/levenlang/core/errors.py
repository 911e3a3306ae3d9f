"""The one family of domain errors. Every app's refusals derive from DomainError, so that the API turns each into
problem details (RFC 9457) the same way, pages show `message`, and a refused step rolls back what it did.

An error carries an HTTP status, a stable machine `code` (also the last part of its problem `type`), a short
`title` for its kind and a message that says, in plain words, what is wrong and what to do. Messages are English
msgids translated through gettext, so one error reads in Dutch or English, whichever language is active (or
`message_in`). Nothing has changed when one of these is raised."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

__all__ = ["PROBLEM_TYPE_PREFIX", "DomainError"]

# The problem `type` of a domain error is this prefix and its code (RFC 9457 asks for a URI; a URN names the kind
# of problem without promising a page behind it).
PROBLEM_TYPE_PREFIX = "urn:levenlang:"


class DomainError(Exception):
    """A rule refused the action. `message` (a msgid, lazy or already translated) may hold %(name)s placeholders
    filled from `params`."""

    status: int = 400
    code: str = "domain_error"
    title = _("The request was refused")

    def __init__(self, message, **params):
        self.params = params
        super().__init__(message)

    @property
    def message(self) -> str:
        """The message in the active language, with its values filled in."""
        text = str(self.args[0])
        return text % self.params if self.params else text

    def message_in(self, language: str) -> str:
        """The message in `language` ("nl" or "en"), whatever language is active now."""
        with translation.override(language):
            return self.message

    @property
    def problem_type(self) -> str:
        return f"{PROBLEM_TYPE_PREFIX}{self.code}"

    def __str__(self) -> str:
        return self.message
