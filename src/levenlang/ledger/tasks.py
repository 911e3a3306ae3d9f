"""Background work of the ledger, run by the procrastinate worker."""

import datetime
import json
import logging
from pathlib import Path

from django.conf import settings
from procrastinate.contrib.django import app

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.parsing import ParseError, load_json
from levenlang.core.tasks import closes_connection
from levenlang.ledger import chain, services
from levenlang.ledger.reconcile import report

# The operator's log keeps every nightly report as one JSON line: the anchor of the journal chain outside the database.
reconcile_log = logging.getLogger("levenlang.reconcile")


@app.periodic(cron="7 1 * * *", periodic_id="sweep_expired_money")
@app.task(queue="ledger", queueing_lock="sweep_expired_money")
@closes_connection
@as_system(SystemActor.EXPIRY_CHECK)
def sweep_expired_money(timestamp: int | None = None) -> dict:
    """Every night: end reservations past their deadline and return what is left in expired pots to their source."""
    return services.expire()


@app.periodic(cron="*/15 * * * *", periodic_id="link_journals")
@app.task(queue="ledger", queueing_lock="link_journals")
@closes_connection
def link_journals(timestamp: int | None = None) -> dict:
    """Every quarter of an hour: link the journals committed since the last run into the hash chain."""
    return chain.link_journals()


def reports_dir() -> Path:
    return Path(settings.VAR_DIR) / "reconcile"


def _latest_report(folder: Path) -> dict | None:
    for path in sorted(folder.glob("reconcile-*.json"), reverse=True):
        try:
            return load_json(path.read_bytes())
        except (OSError, ParseError) as exc:
            reconcile_log.warning("cannot read the earlier report %s: %s", path, exc)
    return None


@app.periodic(cron="7 2 * * *", periodic_id="reconcile_books")
@app.task(queue="ledger", queueing_lock="reconcile_books")
@closes_connection
def reconcile_books(timestamp: int | None = None) -> dict:
    """Every night, after the sweep: extend the chain, reconcile against the last report kept, and keep this
    report in the log (one JSON line) and in LEVENLANG_VAR_DIR/reconcile/reconcile-<date>.json."""
    chain.link_journals()
    folder = reports_dir()
    result = report(_latest_report(folder))
    line = json.dumps(result, sort_keys=True)
    reconcile_log.log(logging.ERROR if result["differences"] else logging.INFO, line)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"reconcile-{datetime.date.today().isoformat()}.json").write_text(line + "\n", encoding="utf-8")
    return result
