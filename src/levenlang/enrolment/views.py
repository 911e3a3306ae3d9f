"""Pages of the enrolment life cycle. Thin: every rule is in enrolment/services.py.

Resident: booking with the funding preview, my enrolments, the confirmation with the strong-login step, confirm
completion, cancel, download the credential. Provider staff: enrolments in their own modules, each step one by one
or declarations in bulk (CSV), payouts. Anyone: check a credential. Ministry and administrators: price monitoring.

Every form carries a fresh idempotency key (a hidden field), so a double click or a resent form does the step once.
"""

import datetime
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from levenlang.catalog.services import Offering, Provider
from levenlang.core.api_input import BIGINT_MAX
from levenlang.core.audit import record_view, record_views
from levenlang.core.errors import DomainError
from levenlang.core.parsing import ParseError, parse_int
from levenlang.core.permissions import OVERRIDE_ENROLMENT, VIEW_ENROLMENT, VIEW_PRICE_MONITOR
from levenlang.core.roles import Role
from levenlang.enrolment import credentials, monitoring, services
from levenlang.enrolment.errors import StrongLoginRequired
from levenlang.enrolment.models import OPEN_STATUSES, Enrolment, Status
from levenlang.residents import services as residents
from levenlang.residents.services import Resident

STRONG_LOGIN_SESSION_KEY = "enrolment_strong_login_at"


def _key(request) -> str:
    """The form's idempotency key, scoped to the user (two users never share one)."""
    form_key = request.POST.get("key", "").strip()[:60] or uuid.uuid4().hex
    return f"page:{request.user.uuid}:{form_key}"


def _own_resident(request) -> Resident:
    resident = residents.resident_of(request.user)
    if resident is None:
        raise PermissionDenied
    return resident


def _visible(request, enrolment_uuid) -> Enrolment:
    """The enrolment, or 404 both when it does not exist and when this user may not see it."""
    enrolment = (
        Enrolment.objects.select_related("resident", "module", "offering", "provider")
        .filter(uuid=enrolment_uuid)
        .first()
    )
    if enrolment is None or not request.user.has_perm(VIEW_ENROLMENT, enrolment):
        raise Http404
    return enrolment


def strong_login_at(request) -> datetime.datetime | None:
    value = request.session.get(STRONG_LOGIN_SESSION_KEY)
    try:
        return datetime.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def strong_login_valid_until(request) -> datetime.datetime | None:
    at = strong_login_at(request)
    if at is None:
        return None
    until = at + datetime.timedelta(minutes=services.strong_login_minutes())
    return until if until > timezone.now() else None


# --- resident --------------------------------------------------------------------------------------------------------


@never_cache
@login_required
def book(request, offering_uuid):
    """Booking: the offering, what the pots would pay and the own share; sending the request reserves nothing yet."""
    resident = _own_resident(request)
    offering = Offering.objects.select_related("module__provider").filter(uuid=offering_uuid).first()
    if offering is None:
        raise Http404
    problem = services.bookable_problem(offering, timezone.localdate())
    if request.method == "POST" and problem is None:
        try:
            result = services.request_enrolment(
                offering_uuid=offering.uuid, resident=resident, actor=request.user, key=_key(request)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Your request has been sent. The provider will let you know whether there is a place.")
            )
            return redirect("enrolment:detail", enrolment_uuid=result["enrolment"])
    preview = services.offering_preview(offering, resident) if offering.price_cents > 0 else None
    return render(
        request,
        "enrolment/book.html",
        {
            "offering": offering,
            "module": offering.module,
            "problem": problem,
            "preview": preview,
            "draws": services.funding_rows(preview) if preview else [],
            "form_key": uuid.uuid4().hex,
        },
    )


@never_cache
@login_required
def mine(request):
    resident = _own_resident(request)
    enrolments = (
        Enrolment.objects.filter(resident=resident).select_related("module", "offering", "provider").order_by("-id")
    )
    return render(request, "enrolment/mine.html", {"enrolments": enrolments})


@never_cache
@login_required
def detail(request, enrolment_uuid):
    enrolment = _visible(request, enrolment_uuid)
    record_view(request.user, enrolment.resident, reason="Inschrijving: details", request=request)
    steps = services.allowed_steps(enrolment, request.user)
    return render(
        request,
        "enrolment/detail.html",
        {
            "enrolment": enrolment,
            "events": enrolment.events.select_related("actor"),
            "steps": [s for s in steps if s != "reserve"],
            "can_reserve": "reserve" in steps,
            "form_key": uuid.uuid4().hex,
            "percentages": [100, 90, 75, 50, 25, 10],
        },
    )


STEP_CALLS = {
    "accept": lambda e, request, key, note: services.accept(e, actor=request.user, key=key, note=note),
    "refuse": lambda e, request, key, note: services.refuse(e, actor=request.user, key=key, note=note),
    "start": lambda e, request, key, note: services.declare_start(e, actor=request.user, key=key, note=note),
    "complete": lambda e, request, key, note: services.declare_completion(
        e, actor=request.user, key=key, note=note, percent=_percent(request)
    ),
    "confirm": lambda e, request, key, note: services.confirm_completion(e, actor=request.user, key=key, note=note),
    "dispute": lambda e, request, key, note: services.dispute_completion(e, actor=request.user, key=key, note=note),
    "cancel": lambda e, request, key, note: services.cancel(e, actor=request.user, key=key, note=note),
}


def _percent(request) -> int:
    # -1 (refused by the service with its own message) for anything but ASCII digits: "²" passes isdigit().
    try:
        return parse_int(request.POST.get("percent", "100"), minimum=0, maximum=100)
    except ParseError:
        return -1


@require_POST
@login_required
def step(request, enrolment_uuid):
    enrolment = _visible(request, enrolment_uuid)
    name = request.POST.get("step", "")
    if name not in STEP_CALLS:
        raise Http404
    try:
        result = STEP_CALLS[name](enrolment.uuid, request, _key(request), request.POST.get("note", "").strip()[:300])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Done: the enrolment is now “%(status)s”.") % {"status": Status(result["status"]).label},
        )
    return redirect(request.POST.get("next") if _safe(request, request.POST.get("next")) else enrolment_url(enrolment))


def enrolment_url(enrolment) -> str:
    return reverse("enrolment:detail", kwargs={"enrolment_uuid": enrolment.uuid})


def _safe(request, url: str | None) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})


def _expected_cents(text: str) -> int | None:
    try:
        return parse_int(text, minimum=0, maximum=BIGINT_MAX)
    except ParseError:
        return None


@never_cache
@login_required
def reserve(request, enrolment_uuid):
    """The learner confirms the booking: the preview once more, the strong login, then the money is reserved."""
    enrolment = _visible(request, enrolment_uuid)
    if "reserve" not in services.allowed_steps(enrolment, request.user):
        messages.error(request, _("This enrolment cannot be confirmed now."))
        return redirect(enrolment_url(enrolment))
    preview = services.funding_preview(enrolment)
    if request.method == "POST" and request.POST.get("action") == "top_up" and preview.own_share_cents > 0:
        # Pay the own share into the Leerrekening first (the own-money payment step); the waterfall then takes it
        # from the own-money pot and nothing is left to pay the provider directly.
        try:
            payment = services.top_up_own_share(enrolment, preview, key=_key(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(payment["checkout_url"])
    elif request.method == "POST":
        own_share_agreed = preview.own_share_cents == 0 or request.POST.get("own_share_agreed") == "yes"
        expected = request.POST.get("expected_own_share_cents", "")
        if not own_share_agreed:
            messages.error(request, _("Tick the box to say that you will pay your own share to the provider."))
        elif (expected_cents := _expected_cents(expected)) is None:
            messages.error(request, _("Something went wrong with the form. Please try again."))
        else:
            try:
                services.reserve(
                    enrolment.uuid,
                    actor=request.user,
                    key=_key(request),
                    strong_login_at=strong_login_at(request),
                    expected_own_share_cents=expected_cents,
                )
            except StrongLoginRequired:
                return redirect(f"{reverse('enrolment:strong-login')}?next={request.path}")
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Confirmed. The money is reserved; the provider is paid after the course."))
                return redirect(enrolment_url(enrolment))
    return render(
        request,
        "enrolment/reserve.html",
        {
            "enrolment": enrolment,
            "preview": preview,
            "draws": services.funding_rows(preview),
            "strong_login_until": strong_login_valid_until(request),
            "strong_login_minutes": services.strong_login_minutes(),
            "form_key": uuid.uuid4().hex,
            "can_top_up": settings.DEMO_MODE,  # a real payment provider is not configured yet
        },
    )


@never_cache
@login_required
def strong_login(request):
    """Demo stand-in for a DigiD login at level "substantieel" (the DigiD app) just before a payment. In
    production this is a new OpenID Connect login that asks the broker for that level (acr_values)."""
    if not settings.DEMO_MODE:
        raise Http404
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("enrolment:mine")
    if not _safe(request, next_url):
        next_url = reverse("enrolment:mine")
    if request.method == "POST":
        request.session[STRONG_LOGIN_SESSION_KEY] = timezone.now().isoformat()
        return redirect(next_url)
    return render(
        request, "enrolment/strong_login.html", {"next": next_url, "minutes": services.strong_login_minutes()}
    )


@login_required
def credential(request, enrolment_uuid):
    enrolment = _visible(request, enrolment_uuid)
    if enrolment.credential is None:
        raise Http404
    record_view(
        request.user, enrolment.resident, reason="Inschrijving: bewijs gedownload", request=request, export=True
    )
    response = HttpResponse(
        json.dumps(enrolment.credential, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="bewijs-{enrolment.uuid}.json"'
    return response


# --- provider --------------------------------------------------------------------------------------------------------


def _providers(request):
    if request.user.role != Role.PROVIDER_STAFF:
        raise PermissionDenied
    return list(Provider.objects.filter(staff=request.user))


@never_cache
@login_required
def provider_list(request):
    providers = _providers(request)
    status = request.GET.get("status", "open")
    enrolments = Enrolment.objects.filter(provider__in=providers).select_related(
        "resident", "module", "offering", "provider"
    )
    if status == "open":
        enrolments = enrolments.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        enrolments = enrolments.filter(status=status)
    page = Paginator(enrolments.order_by("-id"), 50).get_page(request.GET.get("page"))
    record_views(request.user, [e.resident for e in page], reason="Opleider: lijst van inschrijvingen", request=request)
    for enrolment in page:
        enrolment.steps = [s for s in services.allowed_steps(enrolment, request.user) if s != "cancel"]
    return render(
        request,
        "enrolment/provider_list.html",
        {
            "providers": providers,
            "page": page,
            "status": status,
            "statuses": [("open", _("Open")), *Status.choices],
            "form_key": uuid.uuid4().hex,
        },
    )


@never_cache
@login_required
def provider_bulk(request):
    _providers(request)
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file to upload."))
        elif upload.size > 2_000_000:
            messages.error(request, _("The file is too large: at most 2 MB."))
        else:
            report = services.declare_in_bulk(upload.read(), actor=request.user)
            if report.ok:
                messages.success(request, _("All %(n)s declarations are saved.") % {"n": report.applied})
    return render(request, "enrolment/provider_bulk.html", {"report": report, "columns": services.CSV_COLUMNS})


@never_cache
@login_required
def provider_payouts(request):
    providers = _providers(request)
    legs, total_cents = services.payouts(providers)
    page = Paginator(legs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "enrolment/provider_payouts.html",
        {"providers": providers, "page": page, "total_cents": total_cents},
    )


@never_cache
@login_required
def admin_list(request):
    """Administrators: every enrolment, or only those that wait for a decision (open enrolments of a suspended
    provider, and completions the learner disputes): confirm (the provider is paid) or cancel (the money goes
    back)."""
    if not request.user.has_perm(OVERRIDE_ENROLMENT):
        raise PermissionDenied
    flagged = request.GET.get("flagged", "1") == "1"
    enrolments = Enrolment.objects.select_related("resident", "module", "offering", "provider").order_by("-id")
    if flagged:
        enrolments = enrolments.filter(services.waiting_for_decision())
    page = Paginator(enrolments, 50).get_page(request.GET.get("page"))
    record_views(request.user, [e.resident for e in page], reason="Beheer: lijst van inschrijvingen", request=request)
    return render(request, "enrolment/admin_list.html", {"page": page, "flagged": flagged})


# --- anyone ----------------------------------------------------------------------------------------------------------


def verify(request):
    """Public: paste or upload a credential; the page says whether it is valid and why."""
    result, text = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None and upload.size <= 200_000:
            text = upload.read().decode("utf-8", errors="replace")
        else:
            text = request.POST.get("credential", "")[:200_000]
        result = credentials.verify(text) if text.strip() else None
        if result is None:
            messages.error(request, _("Paste a credential or choose a file."))
    return render(request, "enrolment/verify.html", {"result": result, "text": text}, status=200)


@never_cache
@login_required
def price_monitor(request):
    if not request.user.has_perm(VIEW_PRICE_MONITOR):
        raise PermissionDenied
    rows = monitoring.price_bunching()
    return render(
        request,
        "enrolment/price_monitor.html",
        {
            "rows": rows,
            "ceilings": monitoring.ceilings(),
            "flagged": [r for r in rows if r.flagged],
            "margin": 2,
            "share": monitoring.FLAG_SHARE_PERCENT,
            "min_modules": monitoring.FLAG_MIN_MODULES,
            "suspended_open": Enrolment.objects.filter(
                provider__status=Provider.Status.SUSPENDED, status__in=OPEN_STATUSES
            ).count(),
        },
    )
