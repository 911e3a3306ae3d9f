from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "levenlang.residents"
    label = "residents"
    verbose_name = "Residents"
