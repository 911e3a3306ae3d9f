from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchemesConfig(AppConfig):
    """Schemes (regelingen): the register, the navigator, the yearly allocation of learning rights and what-if runs.

    The rules themselves live in the OpenFisca package `levenlang_rules`; this app calls them."""

    name = "levenlang.schemes"
    label = "schemes"
    verbose_name = _("Schemes")
