from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "levenlang.ledger"
    label = "ledger"
    verbose_name = "Leerrekening (ledger)"

    def ready(self) -> None:
        from levenlang.core import audit
        from levenlang.ledger.services import journal_names

        audit.register_namer("ledger.Journal", journal_names)  # the audit log names each money movement
