"""Who logs in as whom. In demo mode: personas and a mock DigiD / eHerkenning; in production the same
look-ups serve the OpenID Connect back-end (levenlang.accounts.oidc)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from levenlang.catalog.services import Provider
from levenlang.core.identifiers import clean_bsn
from levenlang.core.models import User
from levenlang.core.roles import Role
from levenlang.employers.services import Employer
from levenlang.residents.services import Resident

__all__ = [
    "STAFF_ROLES",
    "UnknownIdentity",
    "demo_bsn",
    "user_for_bsn",
    "user_for_claims",
    "user_for_kvk",
]


class UnknownIdentity(Exception):
    """The identity provider vouched for someone the platform does not know; the message says what to do."""


@transaction.atomic
def user_for_bsn(bsn: str) -> User:
    """The user of the resident with this BSN (DigiD). Creates the login on first use."""
    resident = Resident.objects.select_for_update().filter(bsn=clean_bsn(bsn)).first()
    if resident is None:
        raise UnknownIdentity(_("No resident with this BSN is known to Levenlang. Check the number and try again."))
    if resident.user is None:
        resident.user = User.objects.create(
            username=f"resident-{resident.uuid}",
            first_name=resident.given_name,
            last_name=resident.family_name,
            role=Role.RESIDENT,
        )
        resident.save(update_fields=["user"])
    return resident.user


@transaction.atomic
def user_for_kvk(kvk_number: str) -> User:
    """A staff user of the organisation with this KvK number (eHerkenning): an employer or a provider."""
    organisation = Employer.objects.filter(kvk_number=kvk_number).first()
    role = Role.EMPLOYER_STAFF
    if organisation is None:
        organisation = Provider.objects.filter(kvk_number=kvk_number).first()
        role = Role.PROVIDER_STAFF
    if organisation is None:
        raise UnknownIdentity(
            _("No employer or training provider with this KvK number is known to Levenlang. Check the number.")
        )
    user = organisation.staff.filter(role=role).order_by("pk").first()
    if user is None:
        user = User.objects.create(username=f"kvk-{kvk_number}-{role}", first_name=organisation.name[:150], role=role)
        organisation.staff.add(user)
    return user


def demo_bsn(usernames: list[str]) -> tuple[str, str] | None:
    """The name and BSN of the first of these (demo persona) users who is a resident, to try the mock DigiD with;
    None when the demo data is not loaded. Demo mode only: the residents and their BSNs are made up."""
    found = {
        r.user.username: r
        for r in Resident.objects.filter(user__username__in=usernames).select_related("user").only("bsn", "user")
    }
    for username in usernames:
        if username in found:
            return found[username].user.display_name, found[username].bsn
    return None


# Roles that only the staff identity provider may grant; residents and organisations come through DigiD and
# eHerkenning (a `bsn` or `kvk` claim) and never get a role from a claim.
STAFF_ROLES = {Role.SECTOR_FUND_STAFF, Role.ADVISER, Role.MINISTRY_ANALYST, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR}


def user_for_claims(claims: dict) -> User | None:
    """The user for the verified claims of an OpenID Connect login, or None when they identify nobody."""
    try:
        if claims.get("bsn"):
            return user_for_bsn(str(claims["bsn"]))
        if claims.get("kvk"):
            return user_for_kvk(str(claims["kvk"]))
    except (UnknownIdentity, ValidationError):
        return None
    email = (claims.get("email") or "").strip().lower()
    roles = [role for role in claims.get("roles", []) if role in STAFF_ROLES]
    if not email or len(roles) != 1:
        return None  # a staff login needs one e-mail address and exactly one known staff role
    user, _created = User.objects.update_or_create(
        username=f"staff-{email}",
        defaults={
            "email": email,
            "first_name": claims.get("given_name", "")[:150],
            "last_name": claims.get("family_name", "")[:150],
            "role": roles[0],
            "is_staff": roles[0] == Role.ADMINISTRATOR,
        },
    )
    return user
