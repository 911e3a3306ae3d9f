"""Facts about a person's work and employer that the schemes and the fiscal rules read. The lead's population loader
maps them from the employers app (one employment per person: the main one); in YAML tests they are plain inputs.
Employer facts are person inputs (see entities.py)."""

from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

from levenlang_rules.entities import Person


class hours_per_week(Variable):
    value_type = int
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Contracted hours of paid work per week in the main job (0 = no job)"


class EmployerSize(Enum):
    none = "No employer"
    micro = "Micro (1–9 people)"
    small = "Small (10–49 people)"
    medium = "Medium-sized (50–249 people)"
    large = "Large (250 people or more)"


class employer_size(Variable):
    value_type = Enum
    possible_values = EmployerSize
    default_value = EmployerSize.none
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Size class of the employer by people working there (EU SME definition, headcount only)"


class SectorFundCode(Enum):
    none = "No sector fund"
    ao_metalektro = "A+O fonds Metalektro"
    oom = "OOM (Opleidings- en Ontwikkelingsfonds voor het Metaalbewerkingsbedrijf)"
    soob = "SOOB (Stichting Opleidings- en Ontwikkelingsfonds Beroepsgoederenvervoer)"
    ao_gemeenten = "A+O fonds Gemeenten"


class employer_sector_fund(Variable):
    value_type = Enum
    possible_values = SectorFundCode
    default_value = SectorFundCode.none
    entity = Person
    definition_period = DateUnit.YEAR
    label = "The O&O fund (sector training fund) the employer pays into under its collective agreement"


class yearly_wage(Variable):
    value_type = float
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Gross taxable wage, or taxable profit for the self-employed, in the year (euros)"


class receives_ww(Variable):
    value_type = bool
    default_value = False
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Receives unemployment benefit (WW) from UWV"


class employer_deposit(Variable):
    value_type = float
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = "What the employer deposits in the person's learning account this year (euros)"


class own_deposit(Variable):
    value_type = float
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = "What the person deposits in their own learning account this year (euros)"


class employer_wkr_free_space_left(Variable):
    value_type = float
    default_value = 0
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Free space (vrije ruimte) left in the employer's werkkostenregeling this year, before this deposit (euros)"


class study_credits_this_year(Variable):
    value_type = int
    default_value = 60
    entity = Person
    definition_period = DateUnit.YEAR
    label = "Study credits (EC) a student in higher education takes this study year (60 = a full-time year)"
