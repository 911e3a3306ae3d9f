"""Mijn Leerrekening: the statement page and its CSV and PDF downloads, for the resident themself and, for
support, for an administrator (every such look and download is written to the audit log); and "add money", where
the resident starts an own deposit (the payment step then books it)."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from levenlang.core.audit import record_view
from levenlang.core.permissions import VIEW_LEERREKENING
from levenlang.core.roles import Role
from levenlang.ledger import downloads, services, statements
from levenlang.ledger.errors import LedgerError
from levenlang.ledger.forms import AddMoneyForm

DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", downloads.statement_csv),
    "pdf": ("application/pdf", downloads.statement_pdf),
}


@never_cache
@login_required
def my_statement(request, fmt: str = "html"):
    resident = statements.resident_of(request.user)
    if resident is None:
        if request.user.role != Role.RESIDENT:
            raise PermissionDenied
        return render(request, "ledger/statement.html", {"own": True, "statement": None})
    if not request.user.has_perm(VIEW_LEERREKENING, resident):
        raise PermissionDenied
    return _respond(request, resident, fmt, own=True)


@never_cache
@login_required
def resident_statement(request, resident_uuid, fmt: str = "html"):
    resident = statements.find_resident(resident_uuid)
    # 404 both when there is no such resident and when the user may not see them: a refusal reveals nothing.
    if resident is None or not request.user.has_perm(VIEW_LEERREKENING, resident):
        raise Http404
    return _respond(request, resident, fmt, own=False)


def _respond(request, resident, fmt: str, *, own: bool):
    statement = statements.statement_for(resident)
    if fmt == "html":
        record_view(request.user, resident, reason="Leerrekening: statement", request=request)
        name, args = ("ledger:mine", []) if own else ("ledger:resident", [resident.uuid])
        context = {
            "own": own,
            "can_add_money": own and settings.DEMO_MODE,  # a real payment provider is not configured yet
            "statement": statement,
            "csv_url": reverse(f"{name}-csv", args=args),
            "pdf_url": reverse(f"{name}-pdf", args=args),
        }
        return render(request, "ledger/statement.html", context)
    content_type, make_file = DOWNLOADS[fmt]
    record_view(request.user, resident, reason=f"Leerrekening: {fmt.upper()} download", request=request, export=True)
    response = HttpResponse(make_file(statement), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="leerrekening-{statement.made_on.isoformat()}.{fmt}"'
    return response


@never_cache
@login_required
def add_money(request):
    """The resident adds own money: the amount, then the payment page; the money is booked once it is paid."""
    if not settings.DEMO_MODE:  # a real payment provider is not configured yet
        raise Http404
    resident = statements.resident_of(request.user)
    if resident is None:
        raise PermissionDenied
    form = AddMoneyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form_key = request.POST.get("key", "").strip()[:60] or uuid.uuid4().hex
        try:
            payment = services.start_own_deposit(
                key=f"page:{request.user.uuid}:{form_key}",
                resident_id=resident.pk,
                amount_cents=form.cleaned_data["amount"],
                provider=services.payment_provider(),
            )
        except LedgerError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(payment["checkout_url"])
    return render(request, "ledger/add_money.html", {"form": form, "form_key": uuid.uuid4().hex})
