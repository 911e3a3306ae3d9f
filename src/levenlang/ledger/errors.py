"""Errors of the ledger. Each message says, in plain words, what is wrong and what to do; API views turn
`status` into the HTTP status code. Nothing has changed when one of these is raised."""

from django.utils.translation import gettext_lazy as _


class LedgerError(Exception):
    status = 400
    code = "ledger_error"

    def __init__(self, message, **params):
        self.params = params
        super().__init__(message)

    @property
    def message(self) -> str:
        """The message in the active language, with its values filled in."""
        return str(self.args[0]) % self.params if self.params else str(self.args[0])

    def __str__(self) -> str:
        return self.message


class InvalidAmount(LedgerError):
    code = "invalid_amount"


class CapExceeded(LedgerError):
    code = "cap_exceeded"
    status = 422


class NothingToPayWith(LedgerError):
    code = "nothing_to_pay_with"
    status = 422


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    status = 422


class InvalidTransition(LedgerError):
    code = "invalid_transition"
    status = 409


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    status = 409

    def __init__(self, key: str):
        super().__init__(
            _("The key %(key)s was used before for a different request. Use a new key for a new request."),
            key=key,
        )


class NotFound(LedgerError):
    code = "not_found"
    status = 404
