"""Conditions that several schemes share. Each is a bool variable, so the navigator can explain it."""

import datetime

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.dates import age_in_months
from levenlang_rules.entities import Person
from levenlang_rules.variables.employment import EmployerSize
from levenlang_rules.variables.person import Situation


def study_year_start(period):
    """The instant the study year that starts in this calendar year begins (1 September). Schemes of education
    (DUO, higher education) are set per study year, so their parameters are read at this instant."""
    return period.start.offset(8, "month")


def age_on_study_year_start(person, period):
    start = study_year_start(period)
    return age_in_months(person("birth", period), datetime.date(start.year, start.month, start.day)) // 12


class has_employer(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Has a job with an employer"

    def formula(person, period, parameters):
        return (person("hours_per_week", period) > 0) * (person("employer_size", period) != EmployerSize.none)


class employer_is_sme(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The employer is a small or medium-sized enterprise (fewer than 250 people)"

    def formula(person, period, parameters):
        size = person("employer_size", period)
        return (size == EmployerSize.micro) + (size == EmployerSize.small) + (size == EmployerSize.medium)


class tied_to_labour_market(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Works (employed or self-employed) or looks for work"

    def formula(person, period, parameters):
        situation = person("situation", period)
        return (
            (situation == Situation.employed)
            + (situation == Situation.self_employed)
            + (situation == Situation.job_seeking)
            + person("receives_ww", period)
            + (person("hours_per_week", period) > 0)
        )


class adult_on_1_january(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "18 or older on 1 January"

    def formula(person, period, parameters):
        return person("age_on_1_january", period) >= 18
