from django.apps import AppConfig


class EnrolmentConfig(AppConfig):
    name = "levenlang.enrolment"
    label = "enrolment"
    verbose_name = "Enrolments"

    def ready(self) -> None:
        from levenlang.catalog.services import provider_suspended
        from levenlang.enrolment import reconcile
        from levenlang.enrolment.services import flag_open_enrolments

        reconcile.register()  # `manage.py reconcile` also checks that payouts go to the enrolment's provider

        provider_suspended.connect(flag_open_enrolments, dispatch_uid="enrolment-flag-open-enrolments")
