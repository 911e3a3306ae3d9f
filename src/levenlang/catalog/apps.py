from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "levenlang.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
