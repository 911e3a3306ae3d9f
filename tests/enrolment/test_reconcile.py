"""`manage.py reconcile` also proves what only the enrolments know: an enrolment's money goes to its own provider.
The ledger runs this check without importing enrolment (EnrolmentConfig.ready registers it)."""

from django.db import connection

from levenlang.enrolment.models import Status
from levenlang.enrolment.services import provider_payable
from levenlang.ledger.models import Journal
from levenlang.ledger.reconcile import reconcile
from tests.conftest import disable_triggers
from tests.factories import ProviderFactory


def test_a_payout_posted_to_another_provider_than_the_enrolments_is_found(owner_db, walk):
    enrolment = walk(Status.PAID_OUT)
    assert reconcile() == []
    elsewhere = provider_payable(ProviderFactory())
    payout = Journal.objects.get(reservation=enrolment.reservation, kind=Journal.Kind.PAYOUT)
    with connection.cursor() as cursor:
        disable_triggers(cursor, ["ledger_reservation", "ledger_leg"])
        # payee and payout leg moved together, so the ledger's own checks still agree with each other
        cursor.execute(
            "UPDATE ledger_reservation SET payee_id = %s WHERE id = %s", [elsewhere.id, enrolment.reservation_id]
        )
        cursor.execute(
            "UPDATE ledger_leg SET system_account_id = %s WHERE journal_id = %s AND system_account_id IS NOT NULL",
            [elsewhere.id, payout.id],
        )
    differences = reconcile()
    assert len(differences) == 2
    assert all(
        line.startswith(
            "an enrolment's money is reserved for, paid to or returned from another provider than its own: "
            f"{enrolment.uuid}, "
        )
        for line in differences
    )
    assert any(f"payout {payout.uuid}" in line for line in differences)
