from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "levenlang.employers"
    label = "employers"
    verbose_name = "Employers and sector funds"
