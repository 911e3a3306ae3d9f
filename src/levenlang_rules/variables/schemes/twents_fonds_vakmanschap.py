"""Twents Fonds voor Vakmanschap (region Twente): a training cheque for vocational training up to MBO 4 towards an
occupation with good chances in Twente (UWV's kansberoepenlijst for the region). Run since 2019 by the municipality
of Enschede for the 14 municipalities of Twente; after a career conversation the fund pays the provider."""

from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class lives_in_twente(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Lives in the arbeidsmarktregio Twente"

    def formula(person, period, parameters):
        return person("region_code", period) == parameters(period).schemes.twents_fonds_vakmanschap.region_code


class twents_fonds_education_level_fits(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Highest education at most MBO 4 (NLQF 4), the fund's target group of practically trained people"

    def formula(person, period, parameters):
        return person("nlqf_level", period) <= parameters(period).schemes.twents_fonds_vakmanschap.max_nlqf_level


class twents_fonds_vakmanschap_eligible(Variable):
    value_type = bool
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Can get a training cheque of the Twents Fonds voor Vakmanschap"

    def formula(person, period, parameters):
        return (
            person("lives_in_twente", period)
            * person("twents_fonds_education_level_fits", period)
            * person("tied_to_labour_market", period)
            * person("adult_on_1_january", period)
            * person("below_aow_age", period)
        )


class twents_fonds_vakmanschap(Variable):
    value_type = float
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Most the Twents Fonds voor Vakmanschap pays for one person's training (euros)"
    reference = "https://lokaleregelgeving.overheid.nl/CVDR631008"

    def formula(person, period, parameters):
        p = parameters(period).schemes.twents_fonds_vakmanschap
        return person("twents_fonds_vakmanschap_eligible", period) * p.max_cheque
