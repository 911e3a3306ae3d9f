"""Write the whole journal of the ledger as a beancount file that `bean-check` accepts.

    manage.py export_beancount --output ledger.beancount
    bean-check ledger.beancount

The export streams: pots and legs are read through server-side cursors, so a ledger of millions of journals
does not need millions of objects in memory. `--output -` writes to standard output.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from levenlang.ledger.beancount_export import write_beancount


class Command(BaseCommand):
    help = "Write every account and journal of the ledger as a beancount file (check it with bean-check)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the file to write, or - for standard output")

    def handle(self, *args, **options):
        if options["output"] == "-":
            write_beancount(self.stdout)  # every line it writes ends with a newline
            return
        path = Path(options["output"])
        partial = path.with_name(path.name + ".partial")
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            result = write_beancount(out)
        partial.replace(path)  # a crash never leaves a half-written file under the real name
        self.stderr.write(
            self.style.SUCCESS(
                f"Wrote {result.accounts} accounts and {result.transactions} transactions "
                f"({result.postings} postings) to {path}."
            )
        )
