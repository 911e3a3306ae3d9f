from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "levenlang.ledger"
    label = "ledger"
    verbose_name = "Leerrekening (ledger)"
