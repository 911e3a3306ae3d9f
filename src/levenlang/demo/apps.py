from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "levenlang.demo"
    label = "demo"
