import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from levenlang.core.parsing import ParseError, load_json
from levenlang.ledger.reconcile import report


class Command(BaseCommand):
    help = (
        "Prove the ledger's invariants over the whole database and the journal chain; print every difference "
        "(exit 1 if any). With --expect, also prove that nothing was lost since an earlier report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--expect", type=Path, help="an earlier report (JSON): its chain head must still hold")
        parser.add_argument("--report", type=Path, help="write this run's report (JSON) to this file")

    def handle(self, *args, **options):
        expected = None
        if options["expect"]:
            try:
                expected = load_json(options["expect"].read_bytes(), field="--expect")
            except (OSError, ParseError) as exc:
                raise CommandError(f"Cannot read the earlier report {options['expect']}: {exc}") from exc
        result = report(expected)
        if options["report"]:
            options["report"].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        for line in result["differences"]:
            self.stdout.write(line)
        chain = result["chain"]
        self.stdout.write(
            f"Chain: {chain['position']} journals linked, head {chain['head'] or '-'}, "
            f"{chain['unlinked']} not linked yet."
        )
        if result["differences"]:
            raise CommandError(f"{len(result['differences'])} differences found: the books do not balance.")
        self.stdout.write(self.style.SUCCESS(f"All {result['checks']} ledger checks passed: the books balance."))
