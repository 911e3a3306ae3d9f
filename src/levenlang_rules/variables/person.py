"""Facts about a person that the rules read. They come from the residents and employers apps (see
levenlang.schemes.population) or, in YAML tests, from the test's input."""

import datetime

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class birth(Variable):
    value_type = datetime.date
    default_value = datetime.date(1970, 1, 1)
    entity = Person
    definition_period = DateUnit.ETERNITY
    label = "Date of birth"


class nlqf_level(Variable):
    value_type = int
    default_value = 4
    entity = Person
    definition_period = DateUnit.ETERNITY
    label = "Highest level of initial education reached on the NLQF (0 = below NLQF 1, 1–8)"


class Situation(Enum):
    employed = "Employed"
    self_employed = "Self-employed"
    job_seeking = "Looking for work"
    student = "In initial education"
    retired = "Retired"
    other = "Other"


class situation(Variable):
    value_type = Enum
    possible_values = Situation
    default_value = Situation.employed
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Situation in the year (the one that holds on 1 January)"


class region_code(Variable):
    value_type = int
    default_value = 0
    entity = Person
    definition_period = DateUnit.ETERNITY
    label = (
        "Arbeidsmarktregio of the home address, as its position (1–35) in levenlang.core.regions.REGIONS; 0 = unknown"
    )


class rights_balance(Variable):
    value_type = float
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = (
        "Balance of the person's learning-rights pots at the start of the year, in euros (before this year's rights)"
    )
