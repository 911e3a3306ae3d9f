"""The demo payment page: stands in for the payment service's checkout (demo mode only)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from levenlang.core.money import format_cents
from levenlang.ledger import services
from levenlang.ledger.errors import LedgerError
from levenlang.ledger.models import OwnPayment
from levenlang.ledger.payments import DemoPaymentProvider


@login_required
def demo_checkout(request, uuid):
    if not settings.DEMO_MODE:
        raise Http404
    payment = OwnPayment.objects.filter(
        uuid=uuid, leerrekening__resident__user=request.user, status=OwnPayment.Status.OPEN
    ).first()
    if payment is None:
        raise Http404
    if request.method == "POST":
        paid = request.POST.get("action") == "pay"
        try:
            services.settle_own_payment(
                payment_uuid=payment.uuid,
                paid=paid,
                reference=f"demo-{payment.uuid}",
                provider=DemoPaymentProvider(),
                actor=request.user,
            )
        except LedgerError as exc:
            messages.error(request, exc.message)
        else:
            if paid:
                messages.success(request, _("Thank you. The money is now in your Leerrekening."))
            else:
                messages.info(request, _("You cancelled the payment. No money was taken."))
        return redirect("portal:home")
    return render(
        request, "ledger/demo_checkout.html", {"payment": payment, "amount": format_cents(payment.amount_cents)}
    )
