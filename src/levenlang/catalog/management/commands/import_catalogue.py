"""Import a provider's catalogue file: `manage.py import_catalogue --provider KVK FILE [--format oeapi|csv]
[--category job_oriented] [--publish]`. `oeapi` is Open Education API JSON, OOAPI v5 or OEAPI v6 (told apart by the
file's shape). All or nothing; every bad row is printed with where and why; exit 1."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from levenlang.catalog import services
from levenlang.catalog.importers import CATEGORY_BY_NAME
from levenlang.catalog.models import ImportRun, Provider
from levenlang.core.audit import SystemActor, as_system


class Command(BaseCommand):
    help = "Import modules and offerings of one provider from OOAPI v5 or OEAPI v6 JSON, or CSV (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--provider", required=True, help="the provider's KvK number")
        parser.add_argument(
            "--format", choices=ImportRun.Format.values, help="oeapi or csv (default: from the file's extension)"
        )
        parser.add_argument(
            "--category", choices=sorted(CATEGORY_BY_NAME), help="spending category for modules that do not say"
        )
        parser.add_argument("--publish", action="store_true", help="publish the imported modules at once")

    @as_system(SystemActor.CATALOGUE_IMPORT)
    def handle(self, *args, file: Path, provider: str, format: str | None, category: str | None, publish: bool, **o):
        organisation = Provider.objects.filter(kvk_number=provider).first()
        if organisation is None:
            raise CommandError(f"No training provider with KvK number {provider}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        fmt = format or (ImportRun.Format.CSV if file.suffix.lower() == ".csv" else ImportRun.Format.OEAPI)
        run = ImportRun.objects.create(
            provider=organisation,
            filename=file.name[:200],
            format=fmt,
            default_category=CATEGORY_BY_NAME[category] if category else None,
            publish=publish,
            content=file.read_bytes(),
        )
        run = services.finish_import(run)
        report = run.report
        if run.status == ImportRun.Status.FAILED:
            for problem in report["problems"]:
                self.stderr.write(f"{problem['where']}: {problem['reason']}")
            raise CommandError(f"Nothing was imported: {len(report['problems'])} problem(s) in {file.name}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name} for {organisation.name}: {report['created_modules']} new and "
                f"{report['updated_modules']} changed modules, {report['created_offerings']} new and "
                f"{report['updated_offerings']} changed offerings."
            )
        )
