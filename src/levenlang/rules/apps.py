from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "levenlang.rules"
    label = "schemes"  # "rules" is taken by django-rules
    verbose_name = _("Rules and schemes")
