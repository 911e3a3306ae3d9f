"""Tax deduction of own deposits in the learning account: a policy proposal of this platform (see variables/fiscal.py
for the rule and parameters/fiscal/own_deposit/ for the numbers)."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class makes_own_deposit(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Deposits own money in the learning account this year"

    def formula(person, period, parameters):
        return person("own_deposit", period) > 0


class has_taxable_income(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Has taxable wage or profit this year"

    def formula(person, period, parameters):
        return person("yearly_wage", period) > 0


class eigen_storting_aftrek_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Gets income tax back for own deposits this year"

    def formula(person, period, parameters):
        return person("own_deposit_tax_effect", period) > 0
