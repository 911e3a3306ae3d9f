from django.conf import settings


def platform(request) -> dict:
    return {"DEMO_MODE": settings.DEMO_MODE}
