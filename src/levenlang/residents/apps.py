from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "levenlang.residents"
    label = "residents"
    verbose_name = "Residents"

    def ready(self) -> None:
        from levenlang.core import audit
        from levenlang.residents.services import names_by_uuid

        audit.register_namer("residents.Resident", names_by_uuid)  # the audit log names the person
