"""Errors of the ledger: domain errors (core.errors), so the API and the pages treat them like every other
refusal. Nothing has changed when one of these is raised."""

from django.utils.translation import gettext_lazy as _

from levenlang.core.errors import DomainError

__all__ = [
    "CapExceeded",
    "Forbidden",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidTransition",
    "LedgerError",
    "NotFound",
    "NothingToPayWith",
]


class LedgerError(DomainError):
    status = 400
    code = "ledger_error"
    title = _("The ledger refused the request")


class InvalidAmount(LedgerError):
    code = "invalid_amount"
    title = _("The amount is not valid")


class CapExceeded(LedgerError):
    code = "cap_exceeded"
    title = _("Above the ceiling")
    status = 422


class NothingToPayWith(LedgerError):
    code = "nothing_to_pay_with"
    title = _("No pot can pay for this")
    status = 422


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    title = _("Not enough money")
    status = 422


class InvalidTransition(LedgerError):
    code = "invalid_transition"
    title = _("Not possible in this state")
    status = 409


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    title = _("Idempotency key used before")
    status = 409

    def __init__(self, key: str):
        super().__init__(
            _("The key %(key)s was used before for a different request. Use a new key for a new request."),
            key=key,
        )


class NotFound(LedgerError):
    code = "not_found"
    title = _("Not found")
    status = 404


class Forbidden(LedgerError):
    code = "forbidden"
    title = _("Not allowed")
    status = 403
