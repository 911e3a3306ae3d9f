"""Credit many residents at once from a CSV list (resident UUID, pot kind, amount in cents, scheme, year).

The file is checked whole before any money moves: one bad row and nothing happens, with a report of every bad
row. Then each (scheme, year, pot kind) group is allocated in chunks from that scheme's budget account, with a
progress bar (rate and ETA) on stderr. Killing the command and running it again with the same --run-key
finishes the work; nobody is credited twice.
"""

import csv
import sys
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.categories import ALL_CATEGORIES, categories_in
from levenlang.core.money import MAX_CENTS
from levenlang.ledger import services
from levenlang.ledger.models import AmountCap, PotKind, SystemAccount
from levenlang.residents.services import Resident

COLUMNS = ["resident", "pot_kind", "amount_cents", "scheme", "year"]


def largest_row_cents() -> int:
    """No row can credit more than a whole Leerrekening may hold (the `account_total` ceiling), nor MAX_CENTS."""
    total = AmountCap.objects.filter(rule=AmountCap.Rule.ACCOUNT_TOTAL).values_list("max_cents", flat=True).first()
    return min(total or MAX_CENTS, MAX_CENTS)


def read_rows(path: Path) -> tuple[dict, list[str]]:
    """Group the rows by (scheme, year, pot kind); return the groups and a list of every bad row."""
    ids = {str(uuid): pk for uuid, pk in Resident.objects.values_list("uuid", "id")}
    most = largest_row_cents()
    groups: dict[tuple, dict[int, int]] = defaultdict(dict)
    errors: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            return {}, [f"the header must be {','.join(COLUMNS)}, not {','.join(reader.fieldnames or [])}"]
        for line, row in enumerate(reader, start=2):
            problems = []
            resident_id = ids.get(row["resident"].strip())
            if resident_id is None:
                problems.append("unknown resident")
            if row["pot_kind"] not in PotKind.values:
                problems.append(f"pot_kind must be one of {', '.join(PotKind.values)}")
            amount = row["amount_cents"].strip()
            if not (amount.isascii() and amount.isdigit()) or int(amount) == 0:
                problems.append("amount_cents must be a whole number of cents above zero")
            elif int(amount) > most:
                problems.append(f"amount_cents must be at most {most}, what a whole Leerrekening may hold")
            if not row["scheme"].strip():
                problems.append("scheme is empty")
            if not row["year"].strip().isdigit():
                problems.append("year must be a number")
            key = (row["scheme"].strip(), row["year"].strip(), row["pot_kind"])
            if not problems and resident_id in groups[key]:
                problems.append("this resident is listed twice for the same scheme, year and pot kind")
            if problems or resident_id is None:  # an unknown resident is always among the problems
                errors.append(f"line {line}: {'; '.join(problems)}")
            else:
                groups[key][resident_id] = int(amount)
    return groups, errors


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, required=True)
        parser.add_argument("--run-key", required=True, help="the same key resumes an interrupted run")
        parser.add_argument("--lot", help="the lot of the pots (default: the year of each row)")
        parser.add_argument("--chunk-size", type=int, default=10_000)
        parser.add_argument("--expires-on", default=None, help="last day the money can be used (YYYY-MM-DD)")
        parser.add_argument("--workers", type=int, default=2, help="chunks written at once, each on its own connection")

    @as_system(SystemActor.YEARLY_ALLOCATION)
    def handle(self, *args, file, run_key, lot, chunk_size, expires_on, workers, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        groups, errors = read_rows(file)
        if errors:
            for error in errors:
                self.stderr.write(error)
            raise CommandError(f"{len(errors)} bad rows in {file}: nothing was allocated. Fix them and run again.")
        total = sum(len(group) for group in groups.values())
        with tqdm(total=total, unit=" residents", file=sys.stderr, smoothing=0.1) as bar:

            def advance(done: int) -> None:
                bar.update(done)

            for (scheme, year, pot_kind), amounts in sorted(groups.items()):
                source = services.system_account(
                    SystemAccount.Kind.BUDGET, f"{scheme} {year}", scheme=scheme, year=int(year)
                )
                rows = [services.AllocationRow(r, amounts[r]) for r in sorted(amounts)]
                result = services.allocate(
                    rows,
                    run_key=f"{run_key}:{scheme}:{year}:{pot_kind}",
                    source=source,
                    pot_kind=PotKind(pot_kind),
                    lot=lot or year,
                    categories=categories_in(ALL_CATEGORIES),
                    expires_on=expires_on,
                    chunk_size=chunk_size,
                    progress=advance,
                    workers=workers,
                )
                self.stdout.write(
                    f"{scheme} {year} {pot_kind}: {result['credited']} credited now, {result['done_before']} "
                    f"before this run, {result['refused']} refused; {result['amount_cents']} cents"
                )
