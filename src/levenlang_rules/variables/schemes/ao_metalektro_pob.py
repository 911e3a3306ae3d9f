"""A+O fonds Metalektro: personal training budget (persoonlijk opleidingsbudget, POB) for employees of companies under
the Metalektro collective agreements. The employee chooses the training; the employer applies at A+O."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.employment import SectorFundCode


class works_in_metalektro(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Works for an employer that pays into A+O fonds Metalektro"

    def formula(person, period, parameters):
        return person("has_employer", period) * (person("employer_sector_fund", period) == SectorFundCode.ao_metalektro)


class ao_metalektro_pob_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can use the A+O Metalektro personal training budget this year"

    def formula(person, period, parameters):
        return person("works_in_metalektro", period) * person("below_aow_age", period)


class ao_metalektro_pob(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "A+O Metalektro personal training budget (euros)"
    reference = "https://www.ao-metalektro.nl/aanbod/persoonlijk-opleidingsbudget-pob/"

    def formula(person, period, parameters):
        return person("ao_metalektro_pob_eligible", period) * parameters(period).schemes.ao_metalektro_pob.budget
