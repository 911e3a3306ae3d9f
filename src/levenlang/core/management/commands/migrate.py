"""`migrate` runs as the owner role (DATABASE_OWNER_URL, or the embedded server's owner): the app role may not
change the schema. Afterwards the app role is granted what it needs (core/dbroles.py, post_migrate)."""

from django.core.management.commands import migrate

from levenlang.core.dbroles import as_owner


class Command(migrate.Command):
    def handle(self, *args, **options):
        with as_owner(options["database"], in_transaction="stay"):
            return super().handle(*args, **options)
