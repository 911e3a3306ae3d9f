"""UWV: training paid for people on unemployment benefit (WW). UWV's work adviser decides whether training is needed
for a return to work: it must be relevant for the labour market (a job guarantee or intention from an employer, or an
occupation with good chances), take at most a year, and the person must be able to finish it. Without a job guarantee
the cost is capped."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class uwv_scholing_ww_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Receives WW and is below the AOW age, so UWV can pay for training towards work"

    def formula(person, period, parameters):
        return person("receives_ww", period) * person("below_aow_age", period)


class uwv_scholing_ww(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Most UWV pays for training towards an occupation with good chances, without a job guarantee (euros)"
    reference = "https://zoek.officielebekendmakingen.nl/stcrt-2016-24765.html"

    def formula(person, period, parameters):
        return person("uwv_scholing_ww_eligible", period) * parameters(period).schemes.uwv_scholing_ww.max_without_job
