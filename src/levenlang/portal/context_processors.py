from django.conf import settings

from levenlang.portal.navigation import Navigation


def platform(request) -> dict:
    return {"DEMO_MODE": settings.DEMO_MODE}


def navigation(request) -> dict:
    """`nav`: the site menu of the person's role with "you are here", and the section to go back to
    (portal/navigation.py). Lazy: a response that shows no menu computes nothing."""
    return {"nav": Navigation(request)}
