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


PERSONAS: list[Persona] = [
    Persona(
        "marco",
        "Marco",
        "Jansen",
        Role.RESIDENT,
        _("45 years old, operator at a metal company in Twente, MBO 2"),
    ),
    Persona("sanne", "Sanne", "de Vries", Role.RESIDENT, _("18 years old, student in Utrecht")),
    Persona("ineke", "Ineke", "Bakker", Role.RESIDENT, _("62 years old, care worker in Rijnmond")),
    Persona("ahmed", "Ahmed", "El Amrani", Role.EMPLOYER_STAFF, _("HR officer of an SME in the metal industry")),
    Persona("fleur", "Fleur", "Visser", Role.SECTOR_FUND_STAFF, _("Policy officer at the A+O fund Metalektro")),
    Persona("joost", "Joost", "Mulder", Role.PROVIDER_STAFF, _("Administrator of a technical training provider")),
    Persona("lisa", "Lisa", "Hendriks", Role.ADVISER, _("Adviser at the learning desk of Twente")),
    Persona("pieter", "Pieter", "de Boer", Role.MINISTRY_ANALYST, _("Analyst at the ministry")),
    Persona("noor", "Noor", "Smit", Role.PROGRAMME_MANAGER, _("Manager of the technohub Oost")),
    Persona("beheer", "Bram", "Peters", Role.ADMINISTRATOR, _("Administrator of the platform")),
]
