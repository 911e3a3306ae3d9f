from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from levenlang.accounts.forms import MockDigiDForm, MockEHerkenningForm
from levenlang.accounts.services import UnknownIdentity, demo_bsn, user_for_bsn, user_for_kvk
from levenlang.core.models import User

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _personas() -> list:
    """The demo personas to log in as, from the setting LEVENLANG_PERSONAS (a dotted path; demo mode only): the
    login code does not know the demo app."""
    if not settings.DEMO_MODE or not getattr(settings, "LEVENLANG_PERSONAS", ""):
        return []
    return list(import_string(settings.LEVENLANG_PERSONAS))


def _demo_only() -> None:
    # The URLs are not even routed outside demo mode; this is a second lock on the same door.
    if not settings.DEMO_MODE:
        raise Http404


def login_page(request):
    if not settings.DEMO_MODE:
        return redirect("oidc_authentication_init")
    personas = _personas()
    users = User.objects.in_bulk([p.username for p in personas], field_name="username")
    personas = [(persona, users[persona.username]) for persona in personas if persona.username in users]
    return render(request, "accounts/login.html", {"personas": personas})


@require_POST
def persona_login(request):
    _demo_only()
    username = request.POST.get("username", "")
    if username not in {p.username for p in _personas()}:
        raise Http404
    user = User.objects.filter(username=username).first()
    if user is None:
        messages.error(request, _("This persona is not in the database yet: load the demo data with 'make demo'."))
        return redirect("accounts:login")
    login(request, user, backend=BACKEND)
    return redirect("portal:home")


def _mock_login(request, form_class, template, find_user, field, context=None):
    _demo_only()
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = find_user(form.cleaned_data[field])
        except UnknownIdentity as exc:
            form.add_error(field, exc.args[0])
        else:
            login(request, user, backend=BACKEND)
            return redirect("portal:home")
    return render(request, template, {"form": form, **(context or {})}, status=400 if form.errors else 200)


def mock_digid(request):
    # A made-up resident's BSN to try it with (the first resident persona's), so nobody has to look one up.
    hint = demo_bsn([p.username for p in _personas()])
    return _mock_login(request, MockDigiDForm, "accounts/mock_digid.html", user_for_bsn, "bsn", {"hint": hint})


def mock_eherkenning(request):
    return _mock_login(request, MockEHerkenningForm, "accounts/mock_eherkenning.html", user_for_kvk, "kvk_number")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:home")
