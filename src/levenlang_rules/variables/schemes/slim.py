"""SLIM: Stimuleringsregeling leren en ontwikkelen in mkb-ondernemingen (SZW). An SME employer gets a share of the
costs of making learning part of the work: a scan that ends in a training plan, career or development advice for its
people, a way of learning on the job. Parameters in parameters/schemes/slim/."""

import numpy as np
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person
from levenlang_rules.variables.employment import EmployerSize


class slim_subsidy_rate(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Share of the eligible costs that SLIM pays for the person's employer (0 when the employer is not an SME)"

    def formula(person, period, parameters):
        p = parameters(period).schemes.slim
        size = person("employer_size", period)
        small = (size == EmployerSize.micro) + (size == EmployerSize.small)
        return np.where(small, p.rate_small, np.where(person("employer_is_sme", period), p.rate_medium, 0))


class slim_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The person's employer can apply for SLIM"

    def formula(person, period, parameters):
        return person("has_employer", period) * person("employer_is_sme", period)


class slim(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Most SLIM subsidy the employer can get for one application (euros)"
    reference = "https://zoek.officielebekendmakingen.nl/stcrt-2019-70088.html"

    def formula(person, period, parameters):
        return person("slim_eligible", period) * parameters(period).schemes.slim.max_subsidy
