"""Errors of the enrolment life cycle. They are ledger errors (same base class), so that the API turns them into
problem details the same way and a refused step rolls back everything it did, the ledger's part too."""

from levenlang.ledger.errors import LedgerError


class EnrolmentError(LedgerError):
    code = "enrolment_error"
    status = 400


class IllegalTransition(EnrolmentError):
    code = "illegal_transition"
    status = 409


class NotPermitted(EnrolmentError):
    code = "not_permitted"
    status = 403


class NotBookable(EnrolmentError):
    code = "not_bookable"
    status = 422


class NoFundedPlaceLeft(EnrolmentError):
    code = "no_funded_place_left"
    status = 409


class FundingChanged(EnrolmentError):
    code = "funding_changed"
    status = 409


class StrongLoginRequired(EnrolmentError):
    code = "strong_login_required"
    status = 403
