"""Learning rights (leerrechten): the starting capital in the year a person turns 18 and the yearly rights after
that, until the AOW age. Every amount is a dated parameter in parameters/learning_rights/."""

import datetime

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.dates import age_in_months, year_month_day
from levenlang_rules.entities import Person
from levenlang_rules.variables.person import Situation


def _first_of_january(period) -> datetime.date:
    return datetime.date(period.start.year, 1, 1)


class age_on_1_january(Variable):
    value_type = int
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Age in whole years on 1 January of the year"

    def formula(person, period, parameters):
        return age_in_months(person("birth", period), _first_of_january(period)) // 12


class turns_adult_this_year(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The person reaches the age at which the learning account opens (18) during this year"

    def formula(person, period, parameters):
        birth_year, _, _ = year_month_day(person("birth", period))
        return birth_year + parameters(period).learning_rights.opening_age == period.start.year


class adult_before_this_year(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The learning account opened in an earlier year"

    def formula(person, period, parameters):
        birth_year, _, _ = year_month_day(person("birth", period))
        return birth_year + parameters(period).learning_rights.opening_age < period.start.year


class below_aow_age(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Below the state pension (AOW) age on 1 January"

    def formula(person, period, parameters):
        months = age_in_months(person("birth", period), _first_of_january(period))
        return months < parameters(period).general.aow_age_months


class not_in_initial_education(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Not in publicly funded initial education (that is paid for already)"

    def formula(person, period, parameters):
        return person("situation", period) != Situation.student


class not_retired(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Not retired"

    def formula(person, period, parameters):
        return person("situation", period) != Situation.retired


class learning_rights_starting_capital(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Starting capital, in the year the account opens (euros)"

    def formula(person, period, parameters):
        return person("turns_adult_this_year", period) * parameters(period).learning_rights.starting_capital


class learning_rights_yearly_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Receives yearly learning rights this year"

    def formula(person, period, parameters):
        return (
            person("adult_before_this_year", period)
            * person("below_aow_age", period)
            * person("not_in_initial_education", period)
            * person("not_retired", period)
        )


class little_public_education_supplement(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Extra yearly rights for people who used little publicly funded education (euros)"

    def formula(person, period, parameters):
        p = parameters(period).learning_rights.little_public_education
        level = person("nlqf_level", period)
        # np.select on thresholds, not a parameter indexed by level: this runs over millions of people.
        return np.select([level <= p.low_max_level, level <= p.middle_max_level], [p.low, p.middle], 0)


class job_seeking_supplement(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Extra yearly rights while looking for work (euros)"

    def formula(person, period, parameters):
        return (person("situation", period) == Situation.job_seeking) * parameters(
            period
        ).learning_rights.job_seeking_supplement


class mid_career_supplement(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Extra yearly rights in mid-career (euros)"

    def formula(person, period, parameters):
        p = parameters(period).learning_rights.mid_career
        age = person("age_on_1_january", period)
        return ((age >= p.from_age) * (age <= p.to_age)) * p.amount


class learning_rights_yearly(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Yearly learning rights before the cap (euros)"

    def formula(person, period, parameters):
        amount = (
            parameters(period).learning_rights.yearly_base
            + person("little_public_education_supplement", period)
            + person("job_seeking_supplement", period)
            + person("mid_career_supplement", period)
        )
        return person("learning_rights_yearly_eligible", period) * amount


class learning_rights_cap(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Highest balance the learning-rights pots may reach (euros)"

    def formula(person, period, parameters):
        p = parameters(period).learning_rights.cap
        return np.where(person("nlqf_level", period) <= p.low_education_max_level, p.low_education, p.general)


class room_under_cap(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The learning-rights balance is below the cap"

    def formula(person, period, parameters):
        return person("rights_balance", period) < person("learning_rights_cap", period)


class learning_rights(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Learning rights credited this year (euros): starting capital plus yearly rights, up to the cap"
    reference = "Policy choice of this platform; see the descriptions in parameters/learning_rights/"

    def formula(person, period, parameters):
        due = person("learning_rights_starting_capital", period) + person("learning_rights_yearly", period)
        room = np.maximum(person("learning_rights_cap", period) - person("rights_balance", period), 0)
        return np.minimum(due, room)


class learning_rights_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Receives learning rights this year"

    def formula(person, period, parameters):
        return person("learning_rights", period) > 0
