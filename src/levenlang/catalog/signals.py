"""Signals the catalogue sends to apps that build on it (enrolment), so that catalog never imports them."""

from django.dispatch import Signal

# Sent by catalog.services.suspend_provider inside its transaction, after the provider is marked suspended.
# Arguments: provider (the Provider), actor (the User who suspended it), reason (str). A receiver that raises
# rolls the suspension back, so receivers do their own work (flag open enrolments) in the same transaction.
provider_suspended = Signal()
