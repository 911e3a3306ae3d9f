"""Background work of the ledger, run by the procrastinate worker."""

from procrastinate.contrib.django import app

from levenlang.core.tasks import closes_connection
from levenlang.ledger import services


@app.periodic(cron="7 1 * * *", periodic_id="sweep_expired_money")
@app.task(queue="ledger", queueing_lock="sweep_expired_money")
@closes_connection
def sweep_expired_money(timestamp: int | None = None) -> dict:
    """Every night: end reservations past their deadline and return what is left in expired pots to their source."""
    return services.expire()
