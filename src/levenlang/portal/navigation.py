"""The site menu of each role, the section every page belongs to, and the breadcrumbs' first steps: in one place.

A menu item is (label, url name, section). A page belongs to one or more sections (`PAGE_SECTIONS`; a menu item's
own page belongs to its section): the menu marks the item of the current section ("you are here"), the breadcrumbs
of a deeper page start with that item, an error page offers it as the way back, and the 403 page names the roles
whose menu has the section. A new page gets its entry here (docs/components.md, "Navigation"). Nothing here reads
the database: the error pages use it too.
"""

from dataclasses import dataclass
from functools import cached_property

from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from levenlang.core.roles import Role

__all__ = [
    "MENUS",
    "PAGE_SECTIONS",
    "Item",
    "Navigation",
    "menu_for",
    "roles_for_page",
    "section_link",
    "sections_of_page",
    "url_name_of_path",
]


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    section: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


HOME = Item(_("Home"), "portal:home", "home")
FIND_A_COURSE = Item(_("Find a course"), "catalog:search", "catalogue")
SCHEMES = Item(_("Schemes"), "schemes:register", "schemes")
CALCULATOR = Item(_("Deposit calculator"), "schemes:deposit-effect", "calculator")
PRICE_MONITOR = Item(_("Price monitoring"), "enrolment:price-monitor", "price-monitor")
WHAT_IF = Item(_("What-if simulation"), "schemes:what-if", "what-if")

# Only pages the role may open: each view's permission check decides (tests/test_navigation.py walks every item).
MENUS: dict[str | None, tuple[Item, ...]] = {
    None: (HOME, FIND_A_COURSE, SCHEMES, Item(_("Log in"), "accounts:login", "login")),
    Role.RESIDENT: (
        HOME,
        Item(_("My Leerrekening"), "ledger:mine", "leerrekening"),
        FIND_A_COURSE,
        Item(_("My enrolments"), "enrolment:mine", "my-enrolments"),
        Item(_("Schemes for you"), "schemes:mine", "schemes"),
        CALCULATOR,
    ),
    Role.EMPLOYER_STAFF: (HOME, CALCULATOR, SCHEMES, FIND_A_COURSE),
    Role.SECTOR_FUND_STAFF: (HOME, CALCULATOR, SCHEMES, FIND_A_COURSE),
    Role.PROVIDER_STAFF: (
        HOME,
        Item(_("Enrolments"), "enrolment:provider-list", "provider-enrolments"),
        Item(_("Payouts"), "enrolment:provider-payouts", "payouts"),
        Item(_("Your modules"), "catalog:provider-modules", "modules"),
        Item(_("Import modules"), "catalog:provider-import-new", "import"),
        Item(_("Quality recognitions"), "catalog:provider-recognitions", "recognitions"),
    ),
    Role.ADVISER: (HOME, FIND_A_COURSE, SCHEMES, CALCULATOR),
    Role.MINISTRY_ANALYST: (HOME, WHAT_IF, PRICE_MONITOR, SCHEMES),
    Role.PROGRAMME_MANAGER: (HOME, FIND_A_COURSE, SCHEMES),
    Role.ADMINISTRATOR: (
        HOME,
        Item(_("Review training providers"), "catalog:review-providers", "reviews"),
        Item(_("Enrolments"), "enrolment:admin-list", "all-enrolments"),
        PRICE_MONITOR,
        WHAT_IF,
        Item(_("Audit log"), "core:audit-log", "audit"),
        Item(_("Django admin"), "admin:index", "django-admin"),
    ),
}

# Pages that are not themselves in a menu, and their sections (the first one in the person's menu counts).
PAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    "catalog:module": ("catalogue", "modules"),
    "enrolment:book": ("catalogue",),
    "enrolment:detail": ("my-enrolments", "provider-enrolments", "all-enrolments"),
    "enrolment:reserve": ("my-enrolments",),
    "enrolment:strong-login": ("my-enrolments",),
    "enrolment:provider-bulk": ("provider-enrolments",),
    "payments:demo-checkout": ("leerrekening",),
    "ledger:add-money": ("leerrekening",),
    "catalog:provider-module-new": ("modules",),
    "catalog:provider-module": ("modules",),
    "catalog:provider-offering-new": ("modules",),
    "catalog:provider-offering": ("modules",),
    "catalog:provider-import": ("import",),
    "catalog:register": ("recognitions", "login"),
    "schemes:mine": ("schemes",),
    "schemes:what-if-run": ("what-if",),
    "schemes:resident": ("all-enrolments",),
    "ledger:resident": ("all-enrolments",),
    "accounts:mock-digid": ("login",),
    "accounts:mock-eherkenning": ("login",),
}


def _menu_sections() -> dict[str, tuple[str, ...]]:
    own: dict[str, list[str]] = {}
    for items in MENUS.values():
        for item in items:
            own.setdefault(item.url_name, [])
            if item.section not in own[item.url_name]:
                own[item.url_name].append(item.section)
    return {name: tuple(sections) for name, sections in own.items()}


_SECTIONS_OF = {**_menu_sections(), **PAGE_SECTIONS}


def menu_for(user) -> tuple[Item, ...]:
    """The menu of the logged-in person's role; the public menu for a visitor (or a request without a user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return MENUS[None]
    return MENUS.get(user.role, (HOME,))


def sections_of_page(url_name: str | None) -> tuple[str, ...]:
    return _SECTIONS_OF.get(url_name or "", ())


def roles_for_page(url_name: str | None) -> list[Role]:
    """The roles whose menu leads to this page's section: who can use it (the 403 page names them)."""
    sections = set(sections_of_page(url_name))
    return [role for role in Role if any(item.section in sections for item in MENUS[role])]


def url_name_of_path(path: str) -> str | None:
    """The url name of a path, or of the nearest address above it that exists (a 404's way back)."""
    while path:
        try:
            return resolve(path).view_name
        except Resolver404:
            path = path.rstrip("/").rpartition("/")[0] + "/" if path.strip("/") else ""
    return None


def section_link(url_name: str | None, menu: tuple[Item, ...] | None = None) -> dict | None:
    """The link to the section of a page (label and address) in `menu`, or in the first menu that has it (the
    public one first); None for a page outside every section and for the home page."""
    menus = [menu] if menu is not None else list(MENUS.values())
    for section in sections_of_page(url_name):
        for items in menus:
            for item in items:
                if item.section == section and item.url_name != HOME.url_name:
                    try:
                        return {"label": item.label, "url": item.url, "url_name": item.url_name}
                    except NoReverseMatch:  # a page not routed here (a demo-only page in production)
                        return None
    return None


class Navigation:
    """The menu with "you are here", and the section of the current page, for one request (`nav` in templates).

    On an error page (`exact=False`) no menu item is the current page: the address is not one of them."""

    def __init__(self, request, url_name: str | None = None, *, exact: bool = True):
        self.user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        self.url_name = url_name or (match.view_name if match else url_name_of_path(getattr(request, "path", "")))
        self.exact = exact

    @cached_property
    def menu(self) -> tuple[Item, ...]:
        return menu_for(self.user)

    @cached_property
    def section(self) -> dict | None:
        """The link to the current page's section in the person's menu (None for home and pages outside it)."""
        return section_link(self.url_name, self.menu)

    @cached_property
    def items(self) -> list[dict]:
        """Each menu item with its address and `current`: "page" on its own page, "true" elsewhere in its
        section, "" otherwise."""
        section_url = self.section["url_name"] if self.section else None
        rows = []
        for item in self.menu:
            current = ""
            if item.url_name == self.url_name:
                current = "page" if self.exact else "true"
            elif item.url_name == section_url:
                current = "true"
            rows.append({"label": item.label, "url": item.url, "current": current})
        return rows

    @cached_property
    def in_menu(self) -> bool:
        """The page is one of the person's menu items: the menu says where they are, no breadcrumbs needed."""
        return any(item.url_name == self.url_name for item in self.menu)

    @cached_property
    def up(self) -> dict | None:
        """The section to go back to from a deeper page: None on the section's own page (and see `section`)."""
        if self.section is None or (self.exact and self.section["url_name"] == self.url_name):
            return None
        return self.section

    def other_roles(self) -> list:
        """Who can use this page, when the person's own role is not among them: the roles whose menu has its
        section (the 403 page names them). Empty when the person has the right role: then the refusal is about
        whose data it is, not about the role."""
        roles = roles_for_page(self.url_name)
        if getattr(self.user, "role", None) in roles:
            return []
        return [role.label for role in roles]
