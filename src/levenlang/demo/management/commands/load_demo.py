"""Load the synthetic demo population: `manage.py load_demo [--residents N] [--seed S] [--if-empty]`."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from levenlang.core.audit import SystemActor, as_system
from levenlang.core.dbroles import as_owner
from levenlang.demo.catalogue import demo_catalogue_present, load_demo_catalogue
from levenlang.demo.enrolment import demo_enrolments_present, load_demo_enrolments
from levenlang.demo.ledger import demo_ledger_present, load_demo_ledger
from levenlang.demo.population import (
    DEFAULT_RESIDENTS,
    DEFAULT_SEED,
    DemoDataExists,
    demo_data_present,
    timed_load,
)
from levenlang.skills import services as skills


class Command(BaseCommand):
    help = "Load a synthetic, reproducible Dutch population with the demo personas (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents",
            type=int,
            default=DEFAULT_RESIDENTS,
            help=f"number of generated residents besides the personas (default {DEFAULT_RESIDENTS:,})",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same population (same day)"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (and succeed) when the demo data is already there"
        )

    @as_system(SystemActor.DEMO_DATA)
    def handle(self, *args, **options):
        # As the owner role: the bulk load drops and re-adds foreign keys and analyses the tables it filled.
        with as_owner(in_transaction="stay"):
            self._handle(**options)

    def _handle(self, *, residents: int, seed: int, if_empty: bool, **options):
        if residents < 0:
            raise CommandError(f"--residents must be 0 or more, got {residents}.")
        # A quick look first: this is what a second `make demo` runs, so it must not build anything.
        if (
            if_empty
            and demo_data_present()
            and demo_ledger_present()
            and demo_enrolments_present()
            and demo_catalogue_present()
            and not skills.taxonomy_is_empty()
        ):
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        if not (if_empty and demo_data_present()):
            self._load(residents, seed, if_empty, progress=options["verbosity"] >= 1 and sys.stderr.isatty())
        # The money comes second; it is idempotent, so an interrupted load finishes here.
        started = time.perf_counter()
        allocated = load_demo_ledger()
        self.stdout.write(
            f"Learning rights: {allocated['credited']:,} residents credited in {time.perf_counter() - started:.1f} s."
        )
        # The catalogue after the providers; it is recognised by its codes, so a second run adds nothing.
        started = time.perf_counter()
        catalogue = load_demo_catalogue(seed=seed)
        self.stdout.write(
            f"Catalogue: {catalogue['modules']:,} modules, {catalogue['offerings']:,} offerings added"
            f" in {time.perf_counter() - started:.1f} s."
        )
        load_demo_enrolments()  # idempotent too: the personas' bookings in several states
        self._load_taxonomy()

    def _load_taxonomy(self) -> None:
        """The demo subset of ESCO, when the taxonomy is empty (`import_esco` loads the full ESCO instead), and the
        matcher's vectors of its labels (encoded once; the encoder's cache under var/ makes a rerun quick)."""
        if skills.taxonomy_is_empty():
            started = time.perf_counter()
            counts = skills.import_demo_subset()
            self.stdout.write(
                f"Skills taxonomy (ESCO demo subset): {counts['concepts_added']:,} concepts,"
                f" {counts['labels_added']:,} labels in {time.perf_counter() - started:.1f} s."
            )
        started = time.perf_counter()
        encoded = skills.encode_taxonomy()
        if any(encoded.values()):
            self.stdout.write(
                f"Skills matcher: vectors for {sum(encoded.values()):,} labels"
                f" in {time.perf_counter() - started:.1f} s."
            )

    def _load(self, residents: int, seed: int, if_empty: bool, progress: bool) -> None:
        try:
            counts, seconds = timed_load(residents=residents, seed=seed, progress=progress)
        except DemoDataExists as exc:
            if not if_empty:
                raise CommandError(str(exc)) from exc
            self.stdout.write("Demo data was loaded by another process in the meantime.")
            return
        summary = ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded demo data (seed {seed}) in {seconds:.1f} s: {summary}."))
