"""Give every label the matcher uses a stored sentence vector: `manage.py encode_taxonomy` (after `import_esco`).

Encodes only labels without a vector of the current encoder, and of those only texts the encoder's cache under
var/ does not have yet; a rerun does nothing. The full ESCO (about 170,000 labels of skills and occupations) takes
10–20 minutes on a busy 2-core machine the first time; the demo subset about 20 s (docs/skills-matching.md)."""

import time

from django.core.management.base import BaseCommand

from levenlang.core.dbroles import as_owner
from levenlang.skills import services


class Command(BaseCommand):
    help = "Compute the matcher's label vectors (only those missing); run after import_esco."

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {message}")

        with as_owner(in_transaction="stay"):
            counts = services.encode_taxonomy(progress)
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{kind} {count:,} labels" for kind, count in counts.items())
            + "."
        )
