"""`flush` empties every table, the ledger and the audit log too, which only the owner role may do on purpose
(core/sql/refuse_truncate.sql). Django's test cases call it after each transactional test."""

from django.core.management.commands import flush

from levenlang.core.dbroles import as_owner, truncate_allowed


class Command(flush.Command):
    def handle(self, **options):
        with as_owner(options["database"]), truncate_allowed(options["database"]):
            return super().handle(**options)
