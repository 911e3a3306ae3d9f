from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "levenlang.portal"
    label = "portal"
