"""Own money arrives through a payment step. The ledger talks to a PaymentProvider; the demo provider is a
page of our own where the person clicks "pay" or "cancel". A real provider (iDEAL through a payment service)
implements the same two methods and calls `services.settle_own_payment` from its webhook after it has asked
the provider for the payment's real status."""

from typing import Protocol

from django.urls import reverse

from levenlang.ledger.models import OwnPayment


class PaymentProvider(Protocol):
    name: str

    def checkout_url(self, payment: OwnPayment) -> str:
        """Where to send the person to pay."""
        ...

    def is_paid(self, payment: OwnPayment, reported_reference: str) -> bool:
        """Ask the provider whether this payment was really paid (never trust the browser's word)."""
        ...


class DemoPaymentProvider:
    """Stands in for a payment service in demo mode: the checkout is our own page, and every payment that
    the person confirms there counts as paid."""

    name = "demo"

    def checkout_url(self, payment: OwnPayment) -> str:
        return reverse("payments:demo-checkout", kwargs={"uuid": payment.uuid})

    def is_paid(self, payment: OwnPayment, reported_reference: str) -> bool:
        return reported_reference == f"demo-{payment.uuid}"


def get_provider() -> PaymentProvider:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEMO_MODE:
        return DemoPaymentProvider()
    raise ImproperlyConfigured("No payment provider is configured for own deposits outside demo mode.")
