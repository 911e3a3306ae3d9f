from django.shortcuts import render

from levenlang.portal.services import HOME_BY_ROLE


def home(request):
    if not request.user.is_authenticated:
        return render(request, "portal/home_anonymous.html")
    template, context_for = HOME_BY_ROLE[request.user.role]
    return render(request, template, context_for(request.user))


def accessibility(request):
    return render(request, "portal/accessibility.html")
