"""Import the ESCO taxonomy: `manage.py import_esco SOURCE... [--esco-version v1.2.0] [--nl-occupations DIR]`.

A SOURCE is a zip or a folder of ESCO's official CSV download (skills_en.csv, occupations_en.csv, ISCOGroups_en.csv,
skillGroups_en.csv, the relation files; any language suffix: skills_nl.csv brings Dutch labels). All or nothing:
a malformed file is refused with its file, row and reason, and the taxonomy stays as it was (exit 1). A rerun
changes nothing; concepts a new version no longer has are marked as disappeared, never deleted."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from levenlang.core.dbroles import as_owner
from levenlang.skills import services
from levenlang.skills.errors import ImportRefused


class Command(BaseCommand):
    help = "Import ESCO's CSV download (zips or folders) and Dutch occupation labels into the skills taxonomy."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", type=Path, help="zips or folders of ESCO's CSV download")
        parser.add_argument(
            "--esco-version", help="the ESCO version, e.g. v1.2.0 (default: from the zip or folder name)"
        )
        parser.add_argument(
            "--nl-occupations",
            type=Path,
            help="a folder with nld_corpus_elements.tsv and nld_concept_mapping.tsv: Dutch occupation labels",
        )

    def handle(self, *args, sources: list[Path], esco_version: str | None, nl_occupations: Path | None, **options):
        if not sources and nl_occupations is None:
            raise CommandError("Name at least one ESCO zip or folder, or --nl-occupations.")
        started = time.perf_counter()

        def progress(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {message}")

        try:
            # As the owner role, like the other bulk loads: one transaction, temporary tables, COPY.
            with as_owner(in_transaction="stay"):
                counts = services.import_taxonomy(
                    sources, version=esco_version, nl_occupations=nl_occupations, progress=progress
                )
        except ImportRefused as refused:
            for file, row, reason in refused.problems:
                self.stderr.write(f"{file}, row {row}: {reason}")
            raise CommandError("Nothing was imported: the taxonomy is as it was.") from refused
        changed = sum(value for key, value in counts.items() if key != "labels_of_unknown_concepts")
        self.stdout.write(
            f"Done in {time.perf_counter() - started:.1f} s: "
            + (
                ", ".join(f"{key} {value:,}" for key, value in counts.items() if value)
                if changed
                else "nothing changed"
            )
            + "."
        )
