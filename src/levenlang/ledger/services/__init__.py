"""Where money moves: the ledger's one door. Every change to a Leerrekening goes through a function here
(docs/ledger.md); other apps import this package (`from levenlang.ledger import services as ledger`) and the
ledger's errors, nothing else of the ledger.

Rules that hold for every mutating function:
- Amounts are integer cents; anything else is refused before anything changes.
- It takes an idempotency `key`: the same key with the same request returns the first result, the same key with
  another request raises IdempotencyConflict (HTTP 409). A retry after a crash never doubles money.
- It locks the person's Leerrekening row (FOR NO KEY UPDATE) and touches only that person's rows and the
  legs of system accounts; system accounts have no cached balance, so there is no global hot row.
- Deadlocks and serialization failures are retried with the same key.
- The database checks the invariants again (migration 0002); an error here means nothing was written.

The modules behind the door, by job: `idempotency` (commands run once per key), `previews` (the waterfall:
which pot pays, and the preview's REST schema component), `commands` (deposit, reserve, post, void, reverse,
expire, own money), `organisations` (deposits by employers and sector funds), `allocation` (the yearly bulk
credit), `reads` (what other apps read of the ledger), `common` (what they share: amounts in cents, the
person's lock, journals, the audit, system accounts). The statements (history, balances per date) are in
ledger/statements.py, read by the ledger's own pages.
"""

from levenlang.core.categories import ALL_CATEGORIES, Category, categories_in, earmark_of
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock, FixedClock
from levenlang.ledger.models import Journal, PotKind, Reservation, SystemAccount
from levenlang.ledger.payments import DemoPaymentProvider
from levenlang.ledger.payments import get_provider as payment_provider
from levenlang.ledger.reconcile import register_check as register_reconcile_check
from levenlang.ledger.services.allocation import AllocationRow, allocate, allocate_arrays
from levenlang.ledger.services.commands import (
    OWN_POT_LOT,
    deposit,
    expire,
    own_money_account,
    post,
    reserve,
    reverse_payout,
    settle_own_payment,
    start_own_deposit,
    void,
)
from levenlang.ledger.services.common import forfeited_account, system_account
from levenlang.ledger.services.idempotency import (
    CommandRun,
    Stored,
    command_insert_sql,
    idempotent,
    prepared_cursor,
)
from levenlang.ledger.services.organisations import deposit_for_employee
from levenlang.ledger.services.previews import (
    Draw,
    Preview,
    PreviewResponse,
    preview,
    preview_from,
    usable_pots,
    waterfall,
)
from levenlang.ledger.services.reads import (
    MoneyOverview,
    available_cents,
    cap_amounts,
    command_exists,
    deposits_in_year,
    deposits_made,
    describe_draws,
    money_overview,
    payees_sql,
    provider_payable_sql,
    provider_payout_legs,
    reservation_id_sql,
)

__all__ = [
    # vocabulary other apps name (the spending categories are core's, shown here as the ledger speaks them)
    "ALL_CATEGORIES",
    # commands that move money
    "OWN_POT_LOT",
    "SYSTEM_CLOCK",
    "AllocationRow",
    "Category",
    "Clock",
    # idempotency, for other apps' steps that must run once per key
    "CommandRun",
    # payments of own money
    "DemoPaymentProvider",
    # the waterfall (reads only)
    "Draw",
    "FixedClock",
    "Journal",
    "MoneyOverview",
    "PotKind",
    "Preview",
    "PreviewResponse",  # its schema in the REST API
    "Reservation",
    "Stored",
    "SystemAccount",
    "allocate",
    "allocate_arrays",
    # reads for other apps
    "available_cents",
    "cap_amounts",
    "categories_in",
    "command_exists",
    "command_insert_sql",
    "deposit",
    "deposit_for_employee",
    "deposits_in_year",
    "deposits_made",
    "describe_draws",
    "earmark_of",
    "expire",
    "forfeited_account",
    "idempotent",
    "money_overview",
    "own_money_account",
    "payees_sql",
    "payment_provider",
    "post",
    "prepared_cursor",
    "preview",
    "preview_from",
    "provider_payable_sql",
    "provider_payout_legs",
    # checks of higher apps that `manage.py reconcile` runs too
    "register_reconcile_check",
    "reservation_id_sql",
    "reserve",
    "reverse_payout",
    "settle_own_payment",
    "start_own_deposit",
    "system_account",
    "usable_pots",
    "void",
    "waterfall",
]
