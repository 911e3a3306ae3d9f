from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "levenlang.skills"
    label = "skills"
    verbose_name = "Skills"
