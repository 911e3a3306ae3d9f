"""OOM (Opleidings- en Ontwikkelingsfonds voor het Metaalbewerkingsbedrijf): personal training allowance
(Persoonlijke Trainingstoelage, PTT). OOM pays half of the course costs of an employee of a member company, up to a
maximum a year, for training agreed in a personal training plan (POP) by employer and employee."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.employment import SectorFundCode


class works_in_metaalbewerking(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Works for an employer that pays into OOM (metalworking)"

    def formula(person, period, parameters):
        return person("has_employer", period) * (person("employer_sector_fund", period) == SectorFundCode.oom)


class oom_ptt_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can get OOM's personal training allowance this year"

    def formula(person, period, parameters):
        return person("works_in_metaalbewerking", period) * person("below_aow_age", period)


class oom_ptt(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Most OOM pays towards the person's training this year (euros; half of the costs up to this amount)"
    reference = "https://www.oom.nl/Overzicht-Regelingen/Uitkeringsreglement"

    def formula(person, period, parameters):
        return person("oom_ptt_eligible", period) * parameters(period).schemes.oom_ptt.max_per_year
