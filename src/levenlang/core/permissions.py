"""Who may see and do what (docs/security.md), in one place. Views and API endpoints ask
`user.has_perm(PERM, obj)`; django-rules evaluates the predicates below. Deny by default: a permission
that is not listed here is refused to everyone. Superusers included: `User.has_perm` asks `user_has_perm` below,
so a superuser's powers are Django's model permissions (the Django admin), never a way around these rules.

Later apps add their rules here, next to the ones they resemble, so that one file answers
"who can see this?".
"""

import rules
from django.contrib.auth.models import PermissionsMixin

from levenlang.core.roles import Role

# The permissions others check; the rule predicates below are this module's own.
__all__ = [
    "ACT_AS_LEARNER",
    "ACT_AS_PROVIDER",
    "BOOK_ENROLMENT",
    "CHANGE_MODULE",
    "CHANGE_SKILLS_PROFILE",
    "DEPOSIT_FROM_EMPLOYER",
    "DEPOSIT_FROM_SECTOR_FUND",
    "MANAGE_CATALOGUE",
    "OVERRIDE_ENROLMENT",
    "REVIEW_PROVIDERS",
    "RUN_WHAT_IF",
    "VIEW_AUDIT_LOG",
    "VIEW_EMPLOYER",
    "VIEW_ENROLMENT",
    "VIEW_FUNDING_PREVIEW",
    "VIEW_LEERREKENING",
    "VIEW_MODULE",
    "VIEW_PRICE_MONITOR",
    "VIEW_PROVIDER",
    "VIEW_RESIDENT",
    "VIEW_SECTOR_FUND",
    "VIEW_SKILLS_PROFILE",
]


def has_role(*roles: Role):
    """A predicate that holds when the user has one of `roles`."""

    @rules.predicate(name=f"has_role({', '.join(roles)})")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.role in roles)

    return predicate


is_resident = has_role(Role.RESIDENT)
is_administrator = has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_the_resident(user, resident) -> bool:
    """The resident themself: a resident sees only their own data."""
    return resident is not None and user.is_authenticated and resident.user_id == user.pk


@rules.predicate
def is_staff_of_employer(user, employer) -> bool:
    return employer is not None and employer.staff.filter(pk=user.pk).exists()


@rules.predicate
def is_staff_of_provider(user, provider) -> bool:
    return provider is not None and provider.staff.filter(pk=user.pk).exists()


@rules.predicate
def is_staff_of_sector_fund(user, fund) -> bool:
    return fund is not None and fund.staff.filter(pk=user.pk).exists()


# Personal data of one resident. Advisers will be added with the consent model (loket); until then only
# the resident and administrators (for support, always audit-logged) may see it.
VIEW_RESIDENT = "residents.view_resident"
rules.add_perm(VIEW_RESIDENT, is_the_resident | is_administrator)

# A Leerrekening (balances, history, statements) is personal data of its resident: the same rule.
VIEW_LEERREKENING = "ledger.view_leerrekening"
rules.add_perm(VIEW_LEERREKENING, is_the_resident | is_administrator)

# A skills profile is personal data of its resident: the same rule (advisers come with the consent model). Only the
# resident changes it.
VIEW_SKILLS_PROFILE = "skills.view_profile"
rules.add_perm(VIEW_SKILLS_PROFILE, is_the_resident | is_administrator)

CHANGE_SKILLS_PROFILE = "skills.change_profile"
rules.add_perm(CHANGE_SKILLS_PROFILE, is_the_resident)

VIEW_EMPLOYER = "employers.view_employer"
rules.add_perm(VIEW_EMPLOYER, is_staff_of_employer | is_administrator)

VIEW_PROVIDER = "catalog.view_provider"
rules.add_perm(VIEW_PROVIDER, is_staff_of_provider | is_administrator)

VIEW_SECTOR_FUND = "employers.view_sectorfund"
rules.add_perm(VIEW_SECTOR_FUND, is_staff_of_sector_fund | is_administrator)

# Money into someone's Leerrekening: employer staff for their own employees, sector-fund staff for employees
# of affiliated employers (the API checks the employment as well).
DEPOSIT_FROM_EMPLOYER = "ledger.deposit_from_employer"
rules.add_perm(DEPOSIT_FROM_EMPLOYER, has_role(Role.EMPLOYER_STAFF) & is_staff_of_employer)

DEPOSIT_FROM_SECTOR_FUND = "ledger.deposit_from_sector_fund"
rules.add_perm(DEPOSIT_FROM_SECTOR_FUND, has_role(Role.SECTOR_FUND_STAFF) & is_staff_of_sector_fund)


# Enrolments (docs/security.md): a resident sees only their own; provider staff see only enrolments in their own
# provider's modules; administrators see all (support, audit-logged). The life cycle's steps are split by who takes
# them: the learner (book, reserve money, confirm completion, cancel), the provider (accept, refuse, declare start
# and completion, cancel) and an administrator (cancel any open enrolment, confirm on a learner's behalf).
@rules.predicate
def is_own_enrolment(user, enrolment) -> bool:
    return enrolment is not None and user.is_authenticated and enrolment.resident.user_id == user.pk


@rules.predicate
def is_staff_of_enrolment_provider(user, enrolment) -> bool:
    return enrolment is not None and enrolment.provider.staff.filter(pk=user.pk).exists()


is_provider_staff = has_role(Role.PROVIDER_STAFF)

VIEW_ENROLMENT = "enrolment.view_enrolment"
rules.add_perm(
    VIEW_ENROLMENT, is_own_enrolment | (is_provider_staff & is_staff_of_enrolment_provider) | is_administrator
)

BOOK_ENROLMENT = "enrolment.book"  # object: the Resident who books
rules.add_perm(BOOK_ENROLMENT, is_resident & is_the_resident)

ACT_AS_LEARNER = "enrolment.act_as_learner"
rules.add_perm(ACT_AS_LEARNER, is_resident & is_own_enrolment)

ACT_AS_PROVIDER = "enrolment.act_as_provider"
rules.add_perm(ACT_AS_PROVIDER, is_provider_staff & is_staff_of_enrolment_provider)

OVERRIDE_ENROLMENT = "enrolment.override"
rules.add_perm(OVERRIDE_ENROLMENT, is_administrator)

# Which pot would pay how much: the learner, and administrators for support (their look is audited).
VIEW_FUNDING_PREVIEW = "enrolment.view_funding_preview"
rules.add_perm(VIEW_FUNDING_PREVIEW, (is_resident & is_own_enrolment) | is_administrator)

# Price monitoring compares providers' list prices (no personal data): the ministry and administrators.
VIEW_PRICE_MONITOR = "enrolment.view_price_monitor"
rules.add_perm(VIEW_PRICE_MONITOR, is_administrator | has_role(Role.MINISTRY_ANALYST))

# What-if simulations price a policy change over the whole population and show aggregates only (no group under
# MIN_GROUP_SIZE): the ministry and administrators. A resident's own schemes (the navigator) follow VIEW_RESIDENT.
RUN_WHAT_IF = "schemes.run_what_if"
rules.add_perm(RUN_WHAT_IF, has_role(Role.MINISTRY_ANALYST) | is_administrator)

VIEW_AUDIT_LOG = "core.view_auditevent"
rules.add_perm(VIEW_AUDIT_LOG, is_administrator)

# --- catalogue ---------------------------------------------------------------------------------------------------


@rules.predicate
def is_staff_of_module_provider(user, module) -> bool:
    return module is not None and is_staff_of_provider(user, module.provider)


@rules.predicate
def is_published_module(user, module) -> bool:
    return module is not None and module.status == "published" and module.provider.status == "approved"


# A provider's staff manage their own catalogue (modules, offerings, imports, recognitions); nobody else does.
MANAGE_CATALOGUE = "catalog.manage_catalogue"
rules.add_perm(MANAGE_CATALOGUE, has_role(Role.PROVIDER_STAFF) & is_staff_of_provider)

CHANGE_MODULE = "catalog.change_module"
rules.add_perm(CHANGE_MODULE, has_role(Role.PROVIDER_STAFF) & is_staff_of_module_provider)

# A published module of an approved provider is public; a draft only for its own provider and administrators.
VIEW_MODULE = "catalog.view_module"
rules.add_perm(VIEW_MODULE, is_published_module | is_staff_of_module_provider | is_administrator)

# Approving quality recognitions and suspending providers.
REVIEW_PROVIDERS = "catalog.review_provider"
rules.add_perm(REVIEW_PROVIDERS, is_administrator)


# --- how these rules are asked, and the administrator's Django admin ---------------------------------------------


def user_has_perm(user, perm: str, obj=None) -> bool:
    """`User.has_perm`. A permission defined above is decided by its rule, for superusers too: Django's shortcut
    (a superuser has every permission) would let them read someone's data without the audit entry that the rule's
    view writes for an administrator. Only a question about a whole model (obj None, as the Django admin asks)
    may also be answered by the user's model permissions, and only for staff: the Django admin lets nobody else
    in, and asking the database for a resident's model permissions on every page (the menu asks about the audit
    log) cost two queries per page for nothing."""
    if not rules.perm_exists(perm):
        return PermissionsMixin.has_perm(user, perm, obj)  # Django's model permissions: the Django admin
    if not user.is_active:
        return False
    if rules.has_perm(perm, user, obj):
        return True
    return obj is None and (user.is_staff or user.is_superuser) and perm in user.get_all_permissions()


# The platform's administrators work in the Django admin as staff, not as superusers: they may read the tables
# they support people with and correct master data, but not delete anything, change modules (that is the
# provider's) or manage user accounts, roles and permissions (superusers only).
ADMINISTRATOR_MODEL_PERMISSIONS = frozenset(
    {
        "core.view_region",
        "core.view_auditevent",
        "core.view_user",
        "residents.view_resident",
        "residents.change_resident",
        "employers.view_employer",
        "employers.change_employer",
        "employers.view_sectorfund",
        "employers.change_sectorfund",
        "employers.view_employment",
        "employers.change_employment",
        "catalog.view_provider",
        "catalog.change_provider",
        "catalog.view_providerrecognition",
        "catalog.view_module",
        "catalog.view_offering",
        "catalog.view_importrun",
    }
)


class AdministratorAdminBackend:
    """Gives active staff with the administrator role ADMINISTRATOR_MODEL_PERMISSIONS: decided here in code, not
    by groups in the database, so that one file answers what an administrator may do. It logs nobody in and
    has no `get_user`, so that a session is never tied to it."""

    def authenticate(self, request, **credentials):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is None and user_obj.is_active and user_obj.is_staff and user_obj.role == Role.ADMINISTRATOR:
            return set(ADMINISTRATOR_MODEL_PERMISSIONS)
        return set()

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(perm.startswith(f"{app_label}.") for perm in self.get_all_permissions(user_obj))
