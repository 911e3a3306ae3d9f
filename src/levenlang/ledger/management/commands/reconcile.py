from django.core.management.base import BaseCommand, CommandError

from levenlang.ledger.reconcile import CHECKS, reconcile


class Command(BaseCommand):
    help = "Prove the ledger's invariants over the whole database; print every difference (exit 1 if any)."

    def handle(self, *args, **options):
        differences = reconcile()
        for line in differences:
            self.stdout.write(line)
        if differences:
            raise CommandError(f"{len(differences)} differences found: the books do not balance.")
        self.stdout.write(self.style.SUCCESS(f"All {len(CHECKS)} ledger checks passed: the books balance."))
