"""Ontwikkeladvies (SZW, NL leert door): free development advice from a certified career adviser, who is paid by the
ministry per completed advice. Rules of the 45-plus round: a working person (employee, civil servant or self-employed
without staff) of 45 or older, working at least 12 hours a week, not unemployed, below the AOW age."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.person import Situation


class ontwikkeladvies_old_enough(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Old enough for the development advice (45 or older on 1 January)"

    def formula(person, period, parameters):
        return person("age_on_1_january", period) >= parameters(period).schemes.ontwikkeladvies.min_age


class ontwikkeladvies_works_enough(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Works at least the minimum hours a week and is not unemployed"

    def formula(person, period, parameters):
        p = parameters(period).schemes.ontwikkeladvies
        not_unemployed = (person("situation", period) != Situation.job_seeking) * (person("receives_ww", period) == 0)
        return (person("hours_per_week", period) >= p.min_hours_per_week) * not_unemployed


class ontwikkeladvies_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can get free development advice this year"

    def formula(person, period, parameters):
        return (
            person("ontwikkeladvies_old_enough", period)
            * person("below_aow_age", period)
            * person("ontwikkeladvies_works_enough", period)
        )


class ontwikkeladvies(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Value of the free development advice (what the ministry pays the adviser, euros)"
    reference = "https://zoek.officielebekendmakingen.nl/stcrt-2017-69644.html"

    def formula(person, period, parameters):
        return person("ontwikkeladvies_eligible", period) * parameters(period).schemes.ontwikkeladvies.value
