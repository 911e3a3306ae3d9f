from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "levenlang.accounts"
    label = "accounts"
