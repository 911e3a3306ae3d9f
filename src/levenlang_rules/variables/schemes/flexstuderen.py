"""Flexstuderen (OCW): an experiment (September 2017 to August 2023) in which students of participating bachelor
programmes paid tuition per study credit (EC) instead of per year: the statutory fee divided by 60, plus at most 15%.
Worth it for a student who takes fewer credits than a full year, for example beside care, top sport or a company.
The parameters are read at the start of the study year (1 September)."""

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.person import Situation
from levenlang_rules.variables.schemes.common import study_year_start


class flexstuderen_is_student(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Is a student in initial (higher) education"

    def formula(person, period, parameters):
        return person("situation", period) == Situation.student


class flexstuderen_takes_part_of_a_year(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Takes some credits but fewer than a full year (60 EC)"

    def formula(person, period, parameters):
        credits = person("study_credits_this_year", period)
        return (credits > 0) * (credits < 60)


class flexstuderen_fee(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Tuition when paying per credit for this year's credits (euros)"

    def formula(person, period, parameters):
        at = parameters(study_year_start(period))
        per_credit = at.schemes.statutory_tuition_fee / 60 * (1 + at.schemes.flexstuderen.surcharge)
        return person("study_credits_this_year", period) * per_credit


class flexstuderen_saves_money(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Paying per credit costs less than the full yearly fee"

    def formula(person, period, parameters):
        fee = parameters(study_year_start(period)).schemes.statutory_tuition_fee
        return person("flexstuderen_fee", period) < fee


class flexstuderen_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Flexstuderen would lower this student's tuition"

    def formula(person, period, parameters):
        return (
            person("flexstuderen_is_student", period)
            * person("flexstuderen_takes_part_of_a_year", period)
            * person("flexstuderen_saves_money", period)
        )


class flexstuderen(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Tuition saved by paying per credit instead of the full yearly fee (euros)"
    reference = "https://zoek.officielebekendmakingen.nl/stb-2019-35.html"

    def formula(person, period, parameters):
        fee = parameters(study_year_start(period)).schemes.statutory_tuition_fee
        saving = np.maximum(fee - person("flexstuderen_fee", period), 0)
        return person("flexstuderen_eligible", period) * saving
