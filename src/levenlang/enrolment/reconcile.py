"""What `manage.py reconcile` checks of the enrolments: only this app knows which provider an enrolment's money is
for, so it registers the check with the ledger (EnrolmentConfig.ready); the ledger never imports enrolment."""

from levenlang.ledger import services as ledger

MISDIRECTED_PAYOUT = "an enrolment's money is reserved for, paid to or returned from another provider than its own"


def misdirected_payout_sql() -> str:
    """Rows (enrolment, what, the account's provider, the enrolment's provider) where a reservation's payee or a leg
    of its payouts, refunds and clawbacks is not the payable account of the enrolment's provider."""
    return f"""SELECT e.uuid::text, p.what, p.provider_id, e.provider_id
                 FROM enrolment_enrolment e
                 JOIN ({ledger.payees_sql()}) p ON p.reservation_id = e.reservation_id
                WHERE p.account_kind <> 'provider_payable' OR p.provider_id IS DISTINCT FROM e.provider_id"""  # noqa: S608 -- SQL from our code only


def register() -> None:
    ledger.register_reconcile_check(MISDIRECTED_PAYOUT, misdirected_payout_sql())
