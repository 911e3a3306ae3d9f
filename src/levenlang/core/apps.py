from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


def _audit_login(sender, request, user, **kwargs) -> None:
    from levenlang.core.audit import record_login

    record_login(user, request=request)


class CoreConfig(AppConfig):
    name = "levenlang.core"
    label = "core"
    verbose_name = "Levenlang core"

    def ready(self) -> None:
        from levenlang.core.dbroles import grant_after_migrate

        # Once per `migrate` (sender: this app), after every app's migrations: a new table is usable at once.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="levenlang.core.grant_after_migrate")
        user_logged_in.connect(_audit_login, dispatch_uid="levenlang.core.audit_login")
