"""Werkgeversstorting: what the employer deposits in the person's learning account. The money is the employer's own;
the rules only say whether there is a deposit and how it is taxed (variables/fiscal.py)."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class employer_deposits_this_year(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The employer deposits money in the learning account this year"

    def formula(person, period, parameters):
        return person("employer_deposit", period) > 0


class employer_deposit_fully_exempt(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "There is an employer deposit and all of it falls under the targeted exemption"

    def formula(person, period, parameters):
        return person("employer_deposits_this_year", period) * person("employer_deposit_within_exempt_limit", period)


class employer_deposit_above_exempt_limit(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Part of the employer deposit is above the targeted exemption"

    def formula(person, period, parameters):
        return person("employer_deposits_this_year", period) * (
            person("employer_deposit_within_exempt_limit", period) == 0
        )


class werkgeversstorting_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Receives an employer deposit this year"

    def formula(person, period, parameters):
        return person("has_employer", period) * person("employer_deposits_this_year", period)


class werkgeversstorting(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Employer deposit in the learning account this year (euros)"

    def formula(person, period, parameters):
        return person("werkgeversstorting_eligible", period) * person("employer_deposit", period)
