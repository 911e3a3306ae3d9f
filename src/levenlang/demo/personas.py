"""The demo personas: one click in the persona picker logs in as one of them (demo mode only).
`load_demo` creates them with their resident, employer, provider or desk links."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from levenlang.core.roles import Role


@dataclass(frozen=True)
class Persona:
    username: str
    given_name: str
    family_name: str
    role: Role
    description: str


# The descriptions name what the pages name (the employer, the fund, the provider, the learning desk, the technohub)
# and the ages the demo's birth dates give on the day of the load; README's persona table is this list, word for word
# (tests/test_demo_population.py compares them).
PERSONAS: list[Persona] = [
    Persona(
        "marco",
        "Marco",
        "Jansen",
        Role.RESIDENT,
        _("45 years old, operator at Hengelo Precisie Metaal B.V. in Twente, MBO 2"),
    ),
    Persona("sanne", "Sanne", "de Vries", Role.RESIDENT, _("18 years old, student in Utrecht")),
    Persona(
        "ineke",
        "Ineke",
        "Bakker",
        Role.RESIDENT,
        _("62 years old, care worker at Zorggroep De Linde in Rijnmond, MBO 3"),
    ),
    Persona(
        "ahmed",
        "Ahmed",
        "El Amrani",
        Role.EMPLOYER_STAFF,
        _("HR officer at Hengelo Precisie Metaal B.V., Marco's employer"),
    ),
    Persona("fleur", "Fleur", "Visser", Role.SECTOR_FUND_STAFF, _("Policy officer at A+O fonds Metalektro")),
    Persona(
        "joost",
        "Joost",
        "Mulder",
        Role.PROVIDER_STAFF,
        _("Administrator at Techniek Academie Oost, a technical training provider"),
    ),
    Persona("lisa", "Lisa", "Hendriks", Role.ADVISER, _("Adviser at Learning desk Twente")),
    Persona("pieter", "Pieter", "de Boer", Role.MINISTRY_ANALYST, _("Analyst at the ministry")),
    Persona("noor", "Noor", "Smit", Role.PROGRAMME_MANAGER, _("Manager of Technohub Twente")),
    Persona("beheer", "Bram", "Peters", Role.ADMINISTRATOR, _("Administrator of the platform")),
]
