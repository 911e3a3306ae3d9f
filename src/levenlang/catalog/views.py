"""Pages of the catalogue: search and module pages for everyone, the catalogue of a provider for its own staff,
and the review of providers for administrators. The rules live in catalog.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from levenlang.catalog import services
from levenlang.catalog.forms import (
    ImportForm,
    ModuleForm,
    OfferingForm,
    RecognitionForm,
    RegistrationForm,
    ReviewForm,
    SearchForm,
    SuspendForm,
)
from levenlang.catalog.importers import CSV_COLUMNS, MAX_PRICE_CENTS
from levenlang.catalog.models import (
    ImportRun,
    LevelOfQualification,
    ModeOfDelivery,
    Module,
    Offering,
    Provider,
    ProviderRecognition,
)
from levenlang.core.categories import Category
from levenlang.core.money import format_cents
from levenlang.core.permissions import CHANGE_MODULE, MANAGE_CATALOGUE, REVIEW_PROVIDERS, VIEW_MODULE
from levenlang.ledger import services as ledger
from levenlang.residents import services as residents
from levenlang.residents.services import Resident

# --- everyone: search and module page ------------------------------------------------------------------------------


def _resident(user) -> Resident | None:
    return residents.resident_of(user)


def _facet_options(name: str, choices, counts: dict, selected) -> list[dict]:
    return [
        {"value": value, "label": label, "count": counts.get(value, 0), "checked": value in selected, "name": name}
        for value, label in choices
    ]


def search(request):
    form = SearchForm(request.GET or None)
    resident = _resident(request.user)
    result = None
    if not form.is_bound or form.is_valid():
        params = form.params() if form.is_bound else services.SearchParams()
        result = services.search(params, resident=resident)
    selected = form.cleaned_data if form.is_bound and form.is_valid() else {}
    facets = []
    if result is not None:
        facets = [
            {
                "name": name,
                "legend": legend,
                "options": _facet_options(name, choices, result.facets[key], selected.get(name) or []),
                # With a value chosen, the counts are of the narrowed results; the other values stay on offer
                # (without a count) so that a second one can be added.
                "active": bool(selected.get(name)),
            }
            for name, key, legend, choices in (
                ("category", "category", _("Kind of learning"), Category.choices),
                ("mode", "mode_of_delivery", _("How it is taught"), ModeOfDelivery.choices),
                ("level", "level", _("Level"), LevelOfQualification.choices),
            )
        ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "result": result,
            "facets": facets,
            "self_paced_count": result.facets["self_paced"].get(True, 0) if result else 0,
            "resident": resident,
            "query": query.urlencode(),
        },
        status=200 if result is not None else 400,
    )


def _book_url(offering: Offering) -> str | None:
    """The enrolment app's booking page for this offering, when that app is installed."""
    try:
        return reverse("enrolment:book", args=[offering.uuid])
    except NoReverseMatch:
        return None


def module_detail(request, uuid):
    module = get_object_or_404(Module.objects.select_related("provider").defer("search_document"), uuid=uuid)
    if not request.user.has_perm(VIEW_MODULE, module):
        raise Http404
    today = timezone.localdate()
    offerings = list(
        module.offerings.filter(state=Offering.State.ACTIVE)
        .filter(Q(start_date__isnull=True) | Q(start_date__gte=today))
        .select_related("region")
    )
    resident = _resident(request.user)
    pots = ledger.usable_pots(resident_id=resident.pk) if resident is not None else None  # once for all offerings
    rows = []
    for offering in offerings:
        row = {"offering": offering, "problem": services.bookable_problem(offering, today=today)}
        row["book_url"] = _book_url(offering) if row["problem"] is None else None
        if pots is not None and offering.price_cents > 0:
            row["preview"] = ledger.preview_from(
                pots, category=Category(module.category), price_cents=offering.price_cents
            )
        rows.append(row)
    return render(
        request,
        "catalog/module.html",
        {
            "module": module,
            "skill_names": services.skill_names(module),
            "rows": rows,
            "resident": resident,
            "can_change": request.user.has_perm(CHANGE_MODULE, module),
        },
    )


# --- provider staff: their own catalogue ---------------------------------------------------------------------------


def _own_provider(request) -> Provider:
    """The provider the logged-in staff member works for; 403 for everyone else."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    provider = Provider.objects.filter(staff=request.user).order_by("name").first()
    if provider is None or not request.user.has_perm(MANAGE_CATALOGUE, provider):
        raise PermissionDenied
    return provider


def _own_module(request, uuid) -> Module:
    module = get_object_or_404(Module.objects.select_related("provider").defer("search_document"), uuid=uuid)
    if not request.user.has_perm(CHANGE_MODULE, module):
        raise Http404  # another provider's module: do not reveal that it exists
    return module


@login_required
def provider_modules(request):
    provider = _own_provider(request)
    modules = (
        services.modules_of(request.user)
        .filter(provider=provider)
        .annotate(offering_count=Count("offerings"))
        .order_by("-updated_at")
    )
    return render(
        request,
        "catalog/provider/modules.html",
        {"provider": provider, "modules": modules, "publish_problem": services.publish_problem(provider)},
    )


@login_required
def module_edit(request, uuid=None):
    provider = _own_provider(request)
    module = _own_module(request, uuid) if uuid else Module(provider=provider)
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        module = form.save()
        messages.success(request, _("The module is saved."))
        return redirect("catalog:provider-module", uuid=module.uuid)
    offerings = module.offerings.order_by("start_date") if module.pk else []
    return render(
        request,
        "catalog/provider/module_form.html",
        {"form": form, "module": module, "offerings": offerings, "provider": provider},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def module_publish(request, uuid):
    module = _own_module(request, uuid)
    try:
        if request.POST.get("action") == "unpublish":
            services.unpublish_module(module, request.user)
            messages.success(request, _("The module is no longer published."))
        else:
            services.publish_module(module, request.user)
            messages.success(request, _("The module is published. People can find it now."))
    except services.CatalogError as error:
        messages.error(request, error.message)
    return redirect("catalog:provider-module", uuid=module.uuid)


@login_required
def offering_edit(request, uuid, offering_uuid=None):
    module = _own_module(request, uuid)
    offering = get_object_or_404(module.offerings, uuid=offering_uuid) if offering_uuid else Offering(module=module)
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The offering is saved."))
        return redirect("catalog:provider-module", uuid=module.uuid)
    return render(
        request,
        "catalog/provider/offering_form.html",
        {"form": form, "module": module, "offering": offering},
        status=400 if form.errors else 200,
    )


@login_required
def import_page(request):
    provider = _own_provider(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.start_import(
            provider,
            filename=upload.name,
            data=upload.read(),
            fmt=form.cleaned_data["format"],
            default_category=form.cleaned_data["default_category"],
            publish=form.cleaned_data["publish"],
            actor=request.user,
        )
        return redirect("catalog:provider-import", uuid=run.uuid)
    return render(
        request,
        "catalog/provider/import.html",
        {
            "form": form,
            "provider": provider,
            "runs": provider.imports.defer("content", "report")[:20],
            "csv_columns": CSV_COLUMNS,
            "max_price": format_cents(MAX_PRICE_CENTS),
        },
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, uuid):
    provider = _own_provider(request)
    run = get_object_or_404(ImportRun, uuid=uuid, provider=provider)
    return render(request, "catalog/provider/import_detail.html", {"run": run, "provider": provider})


@login_required
def recognitions(request):
    provider = _own_provider(request)
    form = RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_recognition(provider, actor=request.user, **form.cleaned_data)
        except services.CatalogError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. An administrator will review your recognition."))
            return redirect("catalog:provider-recognitions")
    return render(
        request,
        "catalog/provider/recognitions.html",
        {"form": form, "provider": provider, "recognitions": provider.recognitions.all()},
        status=400 if form.errors else 200,
    )


def register(request):
    """Register a training provider. In production the KvK number comes from the eHerkenning login; in the demo
    this page stands in for the mock eHerkenning and the number is typed."""
    if not settings.DEMO_MODE:
        raise Http404
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = services.register_provider(**form.cleaned_data)
        login(request, provider.staff.get(), backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your organisation is registered. Add a quality recognition to get approved."))
        return redirect("catalog:provider-recognitions")
    return render(request, "catalog/provider/register.html", {"form": form}, status=400 if form.errors else 200)


# --- administrators: review providers ------------------------------------------------------------------------------


@login_required
def review_providers(request):
    if not request.user.has_perm(REVIEW_PROVIDERS):
        raise PermissionDenied
    providers = (
        Provider.objects.select_related("region")
        .prefetch_related(Prefetch("recognitions", queryset=ProviderRecognition.objects.order_by("-submitted_at")))
        .annotate(
            waiting=Count(
                "recognitions", filter=Q(recognitions__status=ProviderRecognition.Status.SUBMITTED), distinct=True
            ),
            module_count=Count("modules", distinct=True),
        )
        .order_by("-waiting", "name")
    )
    show = request.GET.get("show", "waiting")
    if show == "waiting":
        providers = providers.filter(Q(waiting__gt=0) | Q(status=Provider.Status.PENDING))
    return render(
        request,
        "catalog/admin/providers.html",
        {"providers": providers, "show": show},
    )


@login_required
@require_POST
def review_recognition(request, uuid):
    if not request.user.has_perm(REVIEW_PROVIDERS):
        raise PermissionDenied
    recognition = get_object_or_404(ProviderRecognition, uuid=uuid)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_recognition(
            recognition,
            approve=request.POST.get("decision") == "approve",
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
        )
        messages.success(request, _("Your decision is saved."))
    except services.CatalogError as error:
        messages.error(request, error.message)
    return redirect(reverse("catalog:review-providers") + f"?show={request.POST.get('show', 'waiting')}")


@login_required
@require_POST
def provider_status(request, uuid):
    if not request.user.has_perm(REVIEW_PROVIDERS):
        raise PermissionDenied
    provider = get_object_or_404(Provider, uuid=uuid)
    try:
        if request.POST.get("action") == "reinstate":
            services.reinstate_provider(provider, request.user)
            messages.success(request, _("The provider is reinstated."))
        else:
            form = SuspendForm(request.POST)
            if not form.is_valid():
                raise services.CatalogError(_("Say why you suspend this provider."))
            services.suspend_provider(provider, request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("The provider is suspended. It takes no new enrolments."))
    except services.CatalogError as error:
        messages.error(request, error.message)
    return redirect(reverse("catalog:review-providers") + "?show=all")
