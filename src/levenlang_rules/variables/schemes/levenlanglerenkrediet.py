"""Levenlanglerenkrediet (DUO): a loan for the tuition fee of a recognised study in higher education or MBO (BOL)
for people who no longer have a right to regular student finance. Per study year up to five times the statutory
tuition fee (wettelijk collegegeld), never more than the fee the person pays. DUO sets its rules per study year, so
the age and the parameters are taken on 1 September of the calendar year (the study year that starts then)."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.schemes.common import age_on_study_year_start, study_year_start


class llk_age_on_study_year_start(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Age in whole years on 1 September of the year (start of the study year)"

    def formula(person, period, parameters):
        return age_on_study_year_start(person, period)


class llk_below_age_limit(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Younger than the age limit of the levenlanglerenkrediet when the study year starts"

    def formula(person, period, parameters):
        p = parameters(study_year_start(period)).schemes.levenlanglerenkrediet
        return person("llk_age_on_study_year_start", period) < p.age_limit


class llk_no_student_finance(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "No right to regular student finance: 30 or older, or a higher-education degree already (second study)"

    def formula(person, period, parameters):
        p = parameters(study_year_start(period)).schemes.levenlanglerenkrediet
        return (person("llk_age_on_study_year_start", period) >= p.min_age_without_degree) + (
            person("nlqf_level", period) >= p.degree_min_nlqf_level
        )


class levenlanglerenkrediet_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can borrow with the levenlanglerenkrediet for a study that starts this year"

    def formula(person, period, parameters):
        return person("llk_below_age_limit", period) * person("llk_no_student_finance", period)


class levenlanglerenkrediet(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Most the person can borrow per study year with the levenlanglerenkrediet (euros)"
    reference = "https://duo.nl/particulier/levenlanglerenkrediet/"

    def formula(person, period, parameters):
        at = parameters(study_year_start(period))
        most = at.schemes.levenlanglerenkrediet.fee_multiple * at.schemes.statutory_tuition_fee
        return person("levenlanglerenkrediet_eligible", period) * most
