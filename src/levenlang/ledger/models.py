"""The Leerrekening: a double-entry ledger in integer euro cents (docs/ledger.md).

Person side: one `Leerrekening` per resident, made of `Pot`s (one per funding source and lot). Other side:
`SystemAccount`s (a budget per scheme and year, each employer, sector fund and provider payable, own-money
clearing, forfeited money). A `Journal` moves money with two or more `Leg`s that sum to zero.

The invariants live in the database (migration 0002): legs sum to zero per journal, journals and legs are
append-only, a pot's cached `posted_cents`/`pending_cents` change only through legs and reservations, a pot
never goes below zero counting reservations, and a reservation resolves at most once. Money moves only in
ledger/services/.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from levenlang.core.categories import ALL_CATEGORIES, Category, categories_in, earmark_of  # noqa: F401 -- named here too
from levenlang.core.money import MAX_CENTS, format_cents


def _within_max(field: str, name: str, *, negative: bool = False) -> models.CheckConstraint:
    """CHECK: the amount stays within ±MAX_CENTS (core.money), so that no amount a browser would round can exist."""
    bound = models.Q(**{f"{field}__lte": MAX_CENTS})
    if negative:
        bound &= models.Q(**{f"{field}__gte": -MAX_CENTS})
    return models.CheckConstraint(condition=bound, name=name)


class PotKind(models.TextChoices):
    RIGHTS = "rights", _("Learning rights")
    EMPLOYER = "employer", _("From your employer")
    SECTOR_FUND = "sector_fund", _("From your sector fund")
    REGION = "region", _("From your region")
    OWN = "own", _("Own money")


class SystemAccount(models.Model):
    """An account on the other side of the person's pots. Its balance is the sum of its legs, computed when
    asked: system accounts have no cached balance, so that no transfer ever waits on one hot row."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget of a scheme and year")
        EMPLOYER = "employer", _("Employer")
        SECTOR_FUND = "sector_fund", _("Sector fund")
        PROVIDER_PAYABLE = "provider_payable", _("Payable to a training provider")
        OWN_MONEY = "own_money", _("Own money received (payment clearing)")
        FORFEITED = "forfeited", _("Forfeited (expired) money")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    scheme = models.SlugField(max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    employer = models.ForeignKey("employers.Employer", null=True, blank=True, on_delete=models.PROTECT)
    sector_fund = models.ForeignKey("employers.SectorFund", null=True, blank=True, on_delete=models.PROTECT)
    provider = models.ForeignKey("catalog.Provider", null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey("core.Region", null=True, blank=True, on_delete=models.PROTECT)
    # A forfeited account belongs to the source whose expired money it holds.
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scheme", "year", "employer", "sector_fund", "provider", "region", "source"],
                name="system_account_natural_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.name


class Leerrekening(models.Model):
    """A resident's learning account. Its row is the lock that serialises every change to the person's pots."""

    resident = models.OneToOneField(
        "residents.Resident", primary_key=True, on_delete=models.PROTECT, related_name="leerrekening"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    opened_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return gettext("Leerrekening of %(name)s") % {"name": self.resident}


class Pot(models.Model):
    """Money of one source and lot in one Leerrekening, with what it may pay for and until when."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: the unique (leerrekening, source, lot) below starts with it.
    leerrekening = models.ForeignKey(Leerrekening, on_delete=models.PROTECT, related_name="pots", db_index=False)
    kind = models.CharField(max_length=20, choices=PotKind.choices)
    source = models.ForeignKey(SystemAccount, on_delete=models.PROTECT, related_name="pots")
    lot = models.CharField(max_length=60, help_text="Tells lots of one source apart: a year, a deposit.")
    earmark = models.PositiveSmallIntegerField(help_text="Bit mask of the spending categories it may pay for.")
    expires_on = models.DateField(null=True, blank=True, help_text="Last day the money can be used.")
    # Cached: posted = sum of this pot's legs; pending = sum of its open reservation parts (kept by triggers).
    posted_cents = models.BigIntegerField(default=0)
    pending_cents = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["leerrekening", "source", "lot"], name="pot_one_per_source_and_lot"),
            models.CheckConstraint(
                condition=models.Q(posted_cents__gte=models.F("pending_cents")), name="pot_never_below_zero"
            ),
            models.CheckConstraint(condition=models.Q(pending_cents__gte=0), name="pot_pending_not_negative"),
            models.CheckConstraint(
                condition=models.Q(earmark__gte=1, earmark__lte=ALL_CATEGORIES), name="pot_earmark_valid"
            ),
            _within_max("posted_cents", "pot_posted_within_max"),
        ]

    def __str__(self) -> str:
        from levenlang.ledger.services.reads import pot_label  # the services import the models

        return pot_label(self)

    @property
    def available_cents(self) -> int:
        return self.posted_cents - self.pending_cents

    @property
    def categories(self) -> list[Category]:
        return categories_in(self.earmark)


class Journal(models.Model):
    """One money movement. Its legs sum to zero; it is never changed: a correction is a reversing journal."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Learning rights allocated")
        DEPOSIT = "deposit", _("Deposit")
        PAYOUT = "payout", _("Paid to the training provider")
        REFUND = "refund", _("Refund")
        CLAWBACK = "clawback", _("Clawback")
        EXPIRY = "expiry", _("Expired")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200)
    effective_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals")
    reservation = models.ForeignKey(
        "Reservation", null=True, blank=True, on_delete=models.PROTECT, related_name="journals"
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description} ({date_format(self.effective_date, 'j F Y')})"


class Leg(models.Model):
    """One side of a journal: an amount in cents on a pot or on a system account (exactly one of them)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="legs")
    pot = models.ForeignKey(Pot, null=True, blank=True, on_delete=models.PROTECT, related_name="legs")
    system_account = models.ForeignKey(
        SystemAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="legs", db_index=False
    )
    amount_cents = models.BigIntegerField()

    class Meta:
        # Most legs are on pots: index the system-account legs only (one index entry less per pot leg).
        indexes = [
            models.Index(
                fields=["system_account"], name="leg_system_account", condition=models.Q(system_account__isnull=False)
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pot__isnull=False, system_account__isnull=True)
                | models.Q(pot__isnull=True, system_account__isnull=False),
                name="leg_one_account",
            ),
            models.CheckConstraint(condition=~models.Q(amount_cents=0), name="leg_not_zero"),
            _within_max("amount_cents", "leg_within_max", negative=True),
        ]

    def __str__(self) -> str:
        return format_cents(self.amount_cents)


class Reservation(models.Model):
    """Money held in the person's pots for one purchase until the learning is delivered (two-phase)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Reserved")
        POSTED = "posted", _("Paid out")
        VOIDED = "voided", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    leerrekening = models.ForeignKey(Leerrekening, on_delete=models.PROTECT, related_name="reservations")
    payee = models.ForeignKey(SystemAccount, on_delete=models.PROTECT, related_name="+")
    category = models.PositiveSmallIntegerField(choices=Category.choices)
    price_cents = models.BigIntegerField()
    reserved_cents = models.BigIntegerField(help_text="What the pots hold; price minus the own share.")
    posted_cents = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reference = models.CharField(max_length=100, blank=True, help_text="What it is for, e.g. an enrolment.")
    expires_at = models.DateTimeField(help_text="After this moment it can no longer be paid out.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["expires_at"], name="reservation_open_by_expiry", condition=models.Q(status="pending"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reserved_cents__gt=0, price_cents__gte=models.F("reserved_cents")),
                name="reservation_amounts_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(posted_cents__isnull=True)
                | models.Q(posted_cents__gt=0, posted_cents__lte=models.F("reserved_cents")),
                name="reservation_posted_within_reserved",
            ),
            _within_max("price_cents", "reservation_price_within_max"),
        ]

    def __str__(self) -> str:
        what = self.reference or self.get_category_display()
        return f"{what}: {format_cents(self.reserved_cents)} ({self.get_status_display()})"


class ReservationPart(models.Model):
    """How much of a reservation one pot holds, in waterfall order."""

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="parts")
    pot = models.ForeignKey(Pot, on_delete=models.PROTECT, related_name="reservation_parts")
    position = models.PositiveSmallIntegerField()
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["reservation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "position"], name="reservation_part_position"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="reservation_part_positive"),
            _within_max("amount_cents", "reservation_part_within_max"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {format_cents(self.amount_cents)}"


class Cap(models.Model):
    """A ceiling on a person's balance: per pot kind, or over the whole Leerrekening (pot_kind empty)."""

    pot_kind = models.CharField(max_length=20, choices=PotKind.choices, blank=True, unique=True)
    max_cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(max_cents__gt=0), name="cap_positive"),
            _within_max("max_cents", "cap_within_max"),
        ]

    def __str__(self) -> str:
        return f"{self.get_pot_kind_display() or 'Leerrekening'} ≤ {format_cents(self.max_cents)}"


class AmountCap(models.Model):
    """A ceiling on the money that comes in by deposit, read by `deposit` (docs/ledger.md, "Ceilings on deposits").
    The defaults and their reasons are rows written by migration 0005; change a row to change the rule. Reservations
    never read this table: the booking path stays as fast as it was."""

    class Rule(models.TextChoices):
        PER_DEPOSIT = "per_deposit", _("One deposit")
        PER_SOURCE_PER_YEAR = "per_source_per_year", _("All deposits of one source for one person in a calendar year")
        ACCOUNT_TOTAL = "account_total", _("The whole Leerrekening after a deposit")

    rule = models.CharField(max_length=30, choices=Rule.choices)
    pot_kind = models.CharField(
        max_length=20, choices=PotKind.choices, blank=True, help_text="Which deposits; empty for the account total."
    )
    max_cents = models.BigIntegerField()
    reason = models.TextField(help_text="Why this figure: where it comes from in the rules.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "pot_kind"], name="amount_cap_one_per_rule_and_kind"),
            models.CheckConstraint(condition=models.Q(max_cents__gt=0), name="amount_cap_positive"),
            _within_max("max_cents", "amount_cap_within_max"),
            models.CheckConstraint(
                condition=models.Q(rule="account_total", pot_kind="")
                | (~models.Q(rule="account_total") & ~models.Q(pot_kind="")),
                name="amount_cap_kind_fits_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} {self.get_pot_kind_display()} ≤ {format_cents(self.max_cents)}"


class Command(models.Model):
    """Idempotency: the first result of each mutating command, by the caller's key and a hash of the request."""

    key = models.CharField(max_length=120, primary_key=True)
    operation = models.CharField(max_length=40)
    request_hash = models.CharField(max_length=64)
    result = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class AllocationChunk(models.Model):
    """A chunk of a bulk allocation that has been posted: a rerun after a crash skips it."""

    run_key = models.CharField(max_length=120)
    number = models.PositiveIntegerField()
    journal = models.OneToOneField(Journal, null=True, blank=True, on_delete=models.PROTECT)
    residents = models.PositiveIntegerField()
    amount_cents = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run_key", "number"], name="allocation_chunk_once")]

    def __str__(self) -> str:
        return f"{self.run_key} #{self.number}"


class OwnPayment(models.Model):
    """A resident adds own money: it reaches the Leerrekening only after the payment provider confirms it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for payment")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    leerrekening = models.ForeignKey(Leerrekening, on_delete=models.PROTECT, related_name="own_payments")
    amount_cents = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    journal = models.OneToOneField(Journal, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="own_payment_positive"),
            _within_max("amount_cents", "own_payment_within_max"),
        ]

    def __str__(self) -> str:
        return f"{format_cents(self.amount_cents)} ({self.get_status_display()})"


class ChainLink(models.Model):
    """One link of the hash chain over the journals (ledger/chain.py): the journal at this position, and
    sha256(prev_hash || the journal's content). Appended after commit by a task, never by a booking; append-only."""

    journal = models.OneToOneField(Journal, primary_key=True, on_delete=models.PROTECT, related_name="+")
    position = models.BigIntegerField(unique=True)
    hash = models.BinaryField(max_length=32)
    prev_hash = models.BinaryField(max_length=32)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ledger_chain_link"
        constraints = [
            models.CheckConstraint(condition=models.Q(position__gte=1), name="chain_link_position_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {bytes(self.hash).hex()[:12]}"
