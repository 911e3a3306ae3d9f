"""SOOB (Stichting Opleidings- en Ontwikkelingsfonds Beroepsgoederenvervoer), the O&O fund of transport and logistics:
a personal education budget for every employee whose employer pays into SOOB and who works at least 30 hours a week,
for work-related or personal-development courses (not the compulsory code 95 training). The employee applies, through
the Sectorinstituut Transport en Logistiek (STL, Pitstop), and the fund pays the provider."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.employment import SectorFundCode


class works_in_transport_logistics(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Works for an employer that pays into SOOB (transport and logistics)"

    def formula(person, period, parameters):
        return person("has_employer", period) * (person("employer_sector_fund", period) == SectorFundCode.soob)


class soob_works_enough_hours(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Has a contract of at least the minimum hours a week for the SOOB budget"

    def formula(person, period, parameters):
        return person("hours_per_week", period) >= parameters(period).schemes.soob_opleidingsbudget.min_hours_per_week


class soob_opleidingsbudget_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can use SOOB's personal education budget this year"

    def formula(person, period, parameters):
        return (
            person("works_in_transport_logistics", period)
            * person("soob_works_enough_hours", period)
            * person("below_aow_age", period)
        )


class soob_opleidingsbudget(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "SOOB personal education budget, paid in full up to this amount (euros)"
    reference = "https://www.stlwerkt.nl/leren/opleiding-en-scholing/1000-euros-education-budget"

    def formula(person, period, parameters):
        p = parameters(period).schemes.soob_opleidingsbudget
        return person("soob_opleidingsbudget_eligible", period) * p.fully_paid_up_to
