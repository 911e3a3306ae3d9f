"""Errors of the enrolment life cycle: domain errors (core.errors), like the ledger's, so that the API turns them
into problem details the same way and a refused step rolls back everything it did, the ledger's part too."""

from django.utils.translation import gettext_lazy as _

from levenlang.core.errors import DomainError

__all__ = [
    "EnrolmentError",
    "FundingChanged",
    "IllegalTransition",
    "NoFundedPlaceLeft",
    "NotBookable",
    "NotPermitted",
    "StrongLoginRequired",
]


class EnrolmentError(DomainError):
    code = "enrolment_error"
    status = 400
    title = _("The enrolment step was refused")


class IllegalTransition(EnrolmentError):
    code = "illegal_transition"
    title = _("Not possible in this state")
    status = 409


class NotPermitted(EnrolmentError):
    code = "not_permitted"
    title = _("Not allowed")
    status = 403


class NotBookable(EnrolmentError):
    code = "not_bookable"
    title = _("Cannot be booked")
    status = 422


class NoFundedPlaceLeft(EnrolmentError):
    code = "no_funded_place_left"
    title = _("No place left")
    status = 409


class FundingChanged(EnrolmentError):
    code = "funding_changed"
    title = _("The funding changed")
    status = 409


class StrongLoginRequired(EnrolmentError):
    code = "strong_login_required"
    title = _("Log in again")
    status = 403
