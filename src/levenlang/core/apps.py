from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "levenlang.core"
    label = "core"
    verbose_name = "Levenlang core"
