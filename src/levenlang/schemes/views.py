"""Pages of the schemes app: the navigator for a resident, the public register of schemes, and the ministry's what-if
simulation (start, progress, result)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from levenlang.core.permissions import RUN_WHAT_IF, VIEW_RESIDENT
from levenlang.core.roles import Role
from levenlang.residents.services import Resident
from levenlang.schemes import services
from levenlang.schemes.forms import DepositEffectForm, WhatIfForm
from levenlang.schemes.models import SimulationRun
from levenlang_rules import register


def _present(results, language: str) -> dict:
    """The navigator's results as the template shows them: in the page's language, eligible schemes first."""
    shown = [
        {
            **r.scheme.described(language),
            "eligible": r.eligible,
            "amount_cents": r.amount_cents,
            "reasons": [(c.held, c.text(language)) for c in r.reasons],
            "parts": [(p.label(language), cents) for p, cents in r.parts if cents],
        }
        for r in sorted(results, key=lambda r: not r.eligible)
    ]
    return {
        "for_person": [x for x in shown if not x["for_employer"]],
        "for_employer": [x for x in shown if x["for_employer"]],
    }


@never_cache
@login_required
def my_schemes(request):
    resident = Resident.objects.filter(user=request.user).first()
    if resident is None:
        if request.user.role != Role.RESIDENT:
            raise PermissionDenied
        return render(request, "schemes/navigator.html", {"own": True, "resident": None})
    results = services.navigate(resident, viewer=request.user, request=request)
    return render(
        request, "schemes/navigator.html", {"own": True, "resident": resident, **_present(results, get_language())}
    )


@never_cache
@login_required
def resident_schemes(request, resident_uuid):
    resident = Resident.objects.filter(uuid=resident_uuid).first()
    # 404 both when there is no such resident and when the user may not see them: a refusal reveals nothing.
    if resident is None or not request.user.has_perm(VIEW_RESIDENT, resident):
        raise Http404
    results = services.navigate(resident, viewer=request.user, request=request)
    context = {"own": False, "resident": resident, **_present(results, get_language())}
    return render(request, "schemes/navigator.html", context)


def scheme_register(request):
    """Public: every scheme, who owns it, its period and budget, who applies and where."""
    rows = [s.described(get_language()) for s in register.schemes()]
    return render(request, "schemes/register.html", {"rows": rows})


def deposit_effect(request):
    """Public: gross, tax effect and net cost of a deposit, for the employer and the employee or for oneself."""
    # A link may preselect the kind (?kind=employer); the form is checked only once an amount is sent.
    bound = request.GET if "amount" in request.GET else None
    form = DepositEffectForm(bound, initial={"kind": request.GET.get("kind", "employer")})
    effect = services.deposit_effect(**form.effect_arguments()) if form.is_valid() else None
    return render(request, "schemes/deposit_effect.html", {"form": form, "effect": effect})


def _may_run(user) -> None:
    if not user.has_perm(RUN_WHAT_IF):
        raise PermissionDenied


@never_cache
@login_required
def what_if(request):
    _may_run(request.user)
    form = WhatIfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = services.start_what_if(request.user, year=form.cleaned_data["year"], spec=form.spec())
        return redirect("schemes:what-if-run", run_uuid=run.uuid)
    runs = [(run, services.what_if_title(run)) for run in SimulationRun.objects.filter(created_by=request.user)[:10]]
    return render(request, "schemes/what_if.html", {"form": form, "runs": runs})


@never_cache
@login_required
def what_if_run(request, run_uuid):
    _may_run(request.user)
    run = get_object_or_404(SimulationRun, uuid=run_uuid)
    template = "schemes/_what_if_progress.html" if request.headers.get("HX-Request") else "schemes/what_if_run.html"
    return render(
        request, template, {"run": run, "title": services.what_if_title(run), "result": services.what_if_result(run)}
    )
