"""Compute and credit one year's learning rights for every resident: one vectorised simulation of the rules, then
the ledger's bulk allocation, with a progress bar (rate and ETA) on stderr. Running it again for the same year
credits nobody twice; a run that was killed finishes where it stopped."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.money import format_cents
from levenlang.ledger.errors import LedgerError
from levenlang.schemes import services


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="the year (default: this year)")
        parser.add_argument("--chunk-size", type=int, default=10_000)

    @as_system(SystemActor.YEARLY_ALLOCATION)
    def handle(self, *args, year, chunk_size, **options):
        year = year or timezone.localdate().year
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        self.stderr.write(f"Learning rights {year}: reading residents and running the rules…")
        bar = tqdm(total=0, unit=" residents", file=sys.stderr, smoothing=0.1, disable=None)

        def on_total(total: int) -> None:
            bar.reset(total=total)

        try:
            result = services.allocate_learning_rights(
                year, progress=bar.update, on_total=on_total, chunk_size=chunk_size
            )
        except LedgerError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        self.stdout.write(
            f"Learning rights {year}: {result['residents']} residents, {result['due']} with rights "
            f"({format_cents(result['due_cents'])}); {result['credited']} credited now "
            f"({format_cents(result['amount_cents'])}), {result['done_before']} in earlier runs, "
            f"{result['refused']} refused. Read {result['load_s']:.1f} s, rules {result['rules_s']:.1f} s, "
            f"ledger {result['ledger_s']:.1f} s."
        )
