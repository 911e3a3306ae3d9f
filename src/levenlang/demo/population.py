"""A synthetic, plausible Dutch population for the demo and the benchmarks.

Everything is drawn from `random.Random` streams seeded with the seed, so a seed and a day give the same
population every time (the day matters because ages are relative to today: Marco must be 45 on the day the
demo is loaded). Residents are generated one at a time as plain tuples and streamed into PostgreSQL COPY, so
that 1,000,000 residents load in one transaction without ever being all in memory.

`PopulationGenerator` is pure (no database); `load_population` writes what it generates.
"""

import bisect
import contextlib
import datetime
import itertools
import math
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction
from psycopg import sql

from levenlang.catalog.models import Provider
from levenlang.core.dbroles import owns_tables
from levenlang.core.identifiers import bsn_check_digit
from levenlang.core.models import Region, User
from levenlang.core.regions import REGIONS, ensure_regions
from levenlang.core.roles import Role
from levenlang.demo.personas import PERSONAS
from levenlang.employers.models import Employer, Employment, Sector, SectorFund
from levenlang.residents.models import Resident, Situation
from levenlang.residents.services import years_before

DEFAULT_RESIDENTS = 5_000
DEFAULT_SEED = 1
MIN_AGE, MAX_AGE = 16, 90
CHUNK_SIZE = 20_000


class DemoDataExists(Exception):
    """The demo data is already loaded; loading it again would duplicate it."""


def demo_data_present() -> bool:
    """True when the demo personas exist: `load_population` creates them last, in the same transaction."""
    return User.objects.filter(username__in=[p.username for p in PERSONAS]).exists()


# --- facts: regions --------------------------------------------------------------------------------------

# Per arbeidsmarktregio: rough population in thousands (CBS order of magnitude, enough for weighting), a few
# towns in it (for company names) and the 4-digit postcode ranges that cover most of it.
REGION_FACTS: dict[str, tuple[int, tuple[str, ...], tuple[tuple[int, int], ...]]] = {
    "achterhoek": (310, ("Doetinchem", "Winterswijk", "Lichtenvoorde", "Groenlo", "Ulft"), ((7000, 7149),)),
    "amersfoort": (460, ("Amersfoort", "Soest", "Leusden", "Nijkerk", "Baarn"), ((3740, 3769), (3800, 3836))),
    "drechtsteden": (290, ("Dordrecht", "Zwijndrecht", "Papendrecht", "Sliedrecht"), ((3300, 3369),)),
    "drenthe": (500, ("Assen", "Emmen", "Hoogeveen", "Meppel", "Coevorden"), ((7740, 7999), (9400, 9469))),
    "flevoland": (440, ("Almere", "Lelystad", "Emmeloord", "Dronten"), ((1300, 1364), (8200, 8256), (8300, 8316))),
    "food-valley": (390, ("Ede", "Veenendaal", "Wageningen", "Barneveld"), ((3900, 3929), (6700, 6739))),
    "friesland": (660, ("Leeuwarden", "Sneek", "Heerenveen", "Drachten", "Harlingen"), ((8400, 9299),)),
    "gooi-en-vechtstreek": (260, ("Hilversum", "Bussum", "Huizen", "Weesp"), ((1200, 1277), (1380, 1406))),
    "gorinchem": (140, ("Gorinchem", "Leerdam", "Hardinxveld-Giessendam"), ((4140, 4209),)),
    "groningen": (590, ("Groningen", "Veendam", "Stadskanaal", "Delfzijl"), ((9500, 9999),)),
    "groot-amsterdam": (1500, ("Amsterdam", "Amstelveen", "Hoofddorp", "Diemen"), ((1000, 1109), (1180, 1189))),
    "haaglanden": (1150, ("Den Haag", "Delft", "Rijswijk", "Naaldwijk"), ((2490, 2629), (2670, 2699))),
    "helmond-de-peel": (260, ("Helmond", "Deurne", "Gemert", "Asten"), ((5700, 5759),)),
    "holland-rijnland": (580, ("Leiden", "Katwijk", "Alphen aan den Rijn", "Noordwijk"), ((2200, 2399),)),
    "midden-brabant": (490, ("Tilburg", "Waalwijk", "Oisterwijk", "Dongen"), ((5000, 5099),)),
    "midden-gelderland": (690, ("Arnhem", "Zevenaar", "Duiven", "Velp"), ((6800, 6999),)),
    "midden-holland": (260, ("Gouda", "Waddinxveen", "Bodegraven", "Schoonhoven"), ((2800, 2879),)),
    "midden-limburg": (240, ("Roermond", "Weert", "Echt", "Maasbracht"), ((6000, 6099),)),
    "midden-utrecht": (900, ("Utrecht", "Nieuwegein", "Zeist", "Houten"), ((3400, 3439), (3500, 3619))),
    "noord-holland-noord": (670, ("Alkmaar", "Den Helder", "Hoorn", "Schagen"), ((1600, 1899),)),
    "noord-limburg": (290, ("Venlo", "Venray", "Horst", "Gennep"), ((5800, 5999),)),
    "noordoost-brabant": (680, ("'s-Hertogenbosch", "Oss", "Uden", "Veghel"), ((5200, 5399),)),
    "regio-zwolle": (470, ("Zwolle", "Kampen", "Hardenberg", "Dalfsen"), ((7770, 7799), (8000, 8099))),
    "rijk-van-nijmegen": (560, ("Nijmegen", "Wijchen", "Beuningen", "Groesbeek"), ((6500, 6669),)),
    "rijnmond": (1500, ("Rotterdam", "Schiedam", "Vlaardingen", "Spijkenisse"), ((2900, 2929), (3000, 3249))),
    "rivierenland": (260, ("Tiel", "Culemborg", "Zaltbommel", "Geldermalsen"), ((4000, 4119), (5300, 5309))),
    "stedendriehoek-en-noordwest-veluwe": (
        690,
        ("Apeldoorn", "Deventer", "Zutphen", "Harderwijk"),
        ((3840, 3859), (7200, 7239), (7300, 7439)),
    ),
    "twente": (635, ("Enschede", "Hengelo", "Almelo", "Oldenzaal", "Borne"), ((7440, 7699),)),
    "west-brabant": (720, ("Breda", "Roosendaal", "Bergen op Zoom", "Oosterhout"), ((4600, 4899),)),
    "zaanstreek-waterland": (350, ("Zaandam", "Purmerend", "Wormerveer", "Edam"), ((1440, 1569),)),
    "zeeland": (390, ("Middelburg", "Vlissingen", "Goes", "Terneuzen"), ((4300, 4599),)),
    "zuid-holland-centraal": (250, ("Zoetermeer", "Pijnacker", "Nootdorp"), ((2640, 2669), (2700, 2729))),
    "zuid-kennemerland-en-ijmond": (540, ("Haarlem", "Beverwijk", "IJmuiden", "Heemstede"), ((1940, 2119),)),
    "zuid-limburg": (600, ("Maastricht", "Heerlen", "Sittard", "Kerkrade"), ((6100, 6299), (6400, 6499))),
    "zuidoost-brabant": (780, ("Eindhoven", "Veldhoven", "Best", "Geldrop"), ((5500, 5699),)),
}

REGION_NAMES = {code: name for code, name, *_ in REGIONS}

# The postcode letters SA, SD and SS are not used in the Netherlands.
POSTCODE_LETTERS = [
    a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if a + b not in {"SA", "SD", "SS"}
]

# --- facts: people ---------------------------------------------------------------------------------------

# Residents per age in thousands (CBS, roughly: 5-year bands spread over their years; 90 is one year only).
_BANDS = [(16, 19, 860), (20, 24, 1150), (25, 29, 1200), (30, 34, 1160), (35, 39, 1100), (40, 44, 1060)]
_BANDS += [(45, 49, 1050), (50, 54, 1230), (55, 59, 1280), (60, 64, 1200), (65, 69, 1070), (70, 74, 960)]
_BANDS += [(75, 79, 800), (80, 84, 480), (85, 89, 270), (90, 90, 45)]
AGE_WEIGHTS: dict[int, float] = {
    age: total / (last - first + 1) for first, last, total in _BANDS for age in range(first, last + 1)
}

# Highest education reached (NLQF 0..8) by age: the young have not finished yet, the old had less schooling.
NLQF_BY_AGE: list[tuple[int, list[float]]] = [  # (up to this age, weights of levels 0..8)
    (17, [30, 15, 50, 3, 2, 0, 0, 0, 0]),
    (19, [8, 7, 40, 15, 30, 0, 0, 0, 0]),
    (22, [5, 5, 20, 15, 45, 3, 7, 0, 0]),
    (26, [4, 4, 14, 14, 30, 2, 24, 8, 0]),
    (44, [3, 3, 12, 13, 24, 2, 27, 15, 1]),
    (64, [5, 4, 16, 15, 22, 1, 24, 12, 1]),
    (74, [10, 5, 22, 14, 20, 1, 19, 8, 1]),
    (MAX_AGE, [18, 6, 26, 12, 16, 1, 14, 6, 1]),
]

# Plain strings (not the enum members) from here on: they go straight into COPY.
SITUATIONS = [
    Situation.EMPLOYED.value,
    Situation.SELF_EMPLOYED.value,
    Situation.JOB_SEEKING.value,
    Situation.STUDENT.value,
    Situation.RETIRED.value,
    Situation.OTHER.value,
]
# Weights in the order of SITUATIONS; the state pension (AOW) starts at 67.
SITUATION_BY_AGE: list[tuple[int, list[float]]] = [
    (17, [10, 0, 1, 86, 0, 3]),
    (21, [25, 1, 4, 65, 0, 5]),
    (24, [50, 3, 5, 34, 0, 8]),
    (34, [73, 9, 4, 4, 0, 10]),
    (54, [72, 13, 3, 1, 0, 11]),
    (61, [66, 13, 4, 0, 0, 17]),
    (66, [45, 12, 3, 0, 22, 18]),
    (74, [5, 6, 0, 0, 87, 2]),
    (MAX_AGE, [0.5, 1, 0, 0, 97.5, 1]),
]

# Given names by year of birth, so that a 75-year-old is not called Aiden. The youngest get Faker's nl_NL names.
GIVEN_NAMES_BY_BIRTH_YEAR: list[tuple[int, tuple[str, ...], tuple[str, ...]]] = [  # (born before, male, female)
    (
        1955,
        (
            "Jan", "Johannes", "Cornelis", "Hendrik", "Gerrit", "Pieter", "Willem", "Jacobus", "Antonius", "Dirk",
            "Theodorus", "Gerardus", "Klaas", "Henk", "Kees", "Piet", "Wim", "Joop", "Gerard", "Bert", "Harry",
            "Ton", "Frans", "Arie", "Teun", "Hans", "Rinus", "Jaap", "Huub", "Sjef",
        ),
        (
            "Maria", "Johanna", "Cornelia", "Wilhelmina", "Anna", "Hendrika", "Elisabeth", "Geertruida", "Ria",
            "Catharina", "Adriana", "Annie", "Truus", "Gerda", "Joke", "Tiny", "Riet", "Nel", "Corrie", "Jannie",
            "Bep", "Greet", "Els", "Thea", "Willy", "Dini", "Ans", "Mies", "Hennie", "Lies",
        ),
    ),
    (
        1975,
        (
            "Peter", "Hans", "Jan", "Gerard", "Henk", "Kees", "Rob", "Ronald", "Frank", "Erik", "Paul", "René",
            "Marcel", "Ruud", "Jos", "Wim", "Theo", "André", "Richard", "Johan", "Edwin", "Arjan", "Harm", "Ad",
            "Michel", "Fred", "Ben", "Leo", "Martin", "Mustafa",
        ),
        (
            "Maria", "Anja", "Ingrid", "Marian", "Monique", "Petra", "Astrid", "Karin", "Yvonne", "Wilma", "Marja",
            "Jolanda", "Anita", "Annemarie", "Ellen", "Ineke", "Margreet", "Hanneke", "Carla", "Linda", "Sandra",
            "Brigitte", "Mieke", "Nicole", "Esther", "Mirjam", "José", "Conny", "Ilse", "Fatma",
        ),
    ),
    (
        1995,
        (
            "Mark", "Marco", "Dennis", "Patrick", "Jeroen", "Martijn", "Bas", "Sander", "Michiel", "Niels", "Tim",
            "Rick", "Kevin", "Stefan", "Bart", "Thomas", "Jasper", "Joost", "Wouter", "Maarten", "Remco", "Robin",
            "Erwin", "Vincent", "Ruben", "Tom", "Mohamed", "Youssef", "Ahmed", "Mehmet",
        ),
        (
            "Linda", "Sandra", "Esther", "Kim", "Marloes", "Anouk", "Femke", "Laura", "Lisa", "Manon", "Mariska",
            "Chantal", "Sanne", "Iris", "Maaike", "Marieke", "Suzanne", "Eva", "Naomi", "Judith", "Jessica",
            "Melissa", "Wendy", "Priscilla", "Fatima", "Samira", "Nadia", "Noor", "Fleur", "Ilona",
        ),
    ),
]  # fmt: skip

# The most common Dutch family names (weighted up) and some common names of Dutch people with roots elsewhere.
COMMON_FAMILY_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer",
    "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan",
    "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "de Bruin", "van der Heijden",
    "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas", "Verhoeven", "Koster",
    "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Peeters", "Postma", "Kuipers", "Veenstra", "Kramer",
    "van den Bosch", "Timmermans", "Bosman", "Wouters", "Hermans",
)  # fmt: skip
OTHER_ROOTS_FAMILY_NAMES = (
    "Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "El Amrani", "Bakkali", "Bouzid", "El Idrissi",
    "Benali", "Ramdin", "Sewdien", "Kartosen", "Tjon A Fong", "Nguyen", "Kowalski", "Nowak", "Pereira", "Haddou",
)  # fmt: skip
_TUSSENVOEGSEL_OK = ("van ", "de ", "den ", "der ", "van de ", "van den ", "van der ", "ten ", "ter ", "te ")

# --- facts: work -----------------------------------------------------------------------------------------

SECTORS = [sector.value for sector in Sector]
SECTOR_WEIGHTS = {
    Sector.METAL_ELECTRICAL: 16,
    Sector.ICT: 14,
    Sector.CARE: 14,
    Sector.LOGISTICS: 12,
    Sector.RETAIL: 14,
    Sector.CONSTRUCTION: 11,
    Sector.HOSPITALITY: 8,
    Sector.PUBLIC: 3,
    Sector.AGRIFOOD: 8,
}
SIZES = [size.value for size in Employer.Size]
SIZE_SHARE = [50, 30, 14, 6]  # of employers (richer than reality, where 95 % are micro)
SIZE_HEADCOUNT_WEIGHT = {  # how likely an employee works at one employer of this size
    Employer.Size.MICRO: 1,
    Employer.Size.SMALL: 4,
    Employer.Size.MEDIUM: 16,
    Employer.Size.LARGE: 60,
}

# Real O&O funds by their real names.
SECTOR_FUNDS: list[tuple[str, Sector]] = [
    ("A+O fonds Metalektro", Sector.METAL_ELECTRICAL),  # the larger companies of the metal and electrical industry
    ("OOM", Sector.METAL_ELECTRICAL),  # Opleidings- en Ontwikkelingsfonds Metaal: the metalworking SMEs
    ("SOOB", Sector.LOGISTICS),  # road transport
    ("A+O fonds Gemeenten", Sector.PUBLIC),  # municipalities
]

# Company name templates per sector: {family} a family name, {town} a town in the employer's region,
# {word} a neutral word. Weights are implicit (repeat a template to make it likelier).
EMPLOYER_NAME_TEMPLATES: dict[Sector, tuple[str, ...]] = {
    Sector.METAL_ELECTRICAL: (
        "{family} Metaaltechniek B.V.",
        "{town} Precisie Metaal B.V.",
        "{family} Elektrotechniek B.V.",
        "Constructiebedrijf {family}",
        "Machinefabriek {family} B.V.",
        "{family} Plaatbewerking B.V.",
        "{word} Metaal {town}",
        "{family} Lastechniek",
    ),
    Sector.ICT: (
        "{family} IT Solutions B.V.",
        "{word}soft B.V.",
        "{town} Data B.V.",
        "{word} Digital",
        "{family} & Partners ICT",
        "Cloudwerk {town} B.V.",
    ),
    Sector.CARE: (
        "Zorggroep {tree}",
        "Thuiszorg {town}",
        "Stichting {tree} Zorg",
        "Woonzorgcentrum {tree}",
        "Huisartsenpraktijk {family}",
        "Zorgcentrum {town}",
    ),
    Sector.LOGISTICS: (
        "Transportbedrijf {family}",
        "{family} Logistics B.V.",
        "{town} Distributie B.V.",
        "Koeltransport {family}",
        "{family} Expeditie B.V.",
    ),
    Sector.RETAIL: (
        "{family} Mode",
        "Supermarkt {family}",
        "{family} Wonen",
        "Bakkerij {family}",
        "Fietsenwinkel {family}",
        "{town} Tuincentrum",
    ),
    Sector.CONSTRUCTION: (
        "Bouwbedrijf {family}",
        "{family} Installatietechniek B.V.",
        "Aannemersbedrijf {family}",
        "Schildersbedrijf {family}",
        "{town} Bouw B.V.",
    ),
    Sector.HOSPITALITY: (
        "Hotel {town}",
        "Restaurant De {word}",
        "Café De {word}",
        "{family} Catering",
        "Brasserie {tree}",
    ),
    Sector.PUBLIC: (
        "Gemeente {town}",
        "Gemeente {town}",
        "Gemeente {town}",
        "Omgevingsdienst {region}",
        "Veiligheidsregio {region}",
    ),
    Sector.AGRIFOOD: (
        "Kwekerij {family}",
        "{family} Agri B.V.",
        "Melkveebedrijf {family}",
        "{town} Food B.V.",
        "Slagerij {family}",
    ),
}
NAME_WORDS = (
    "Noord", "Zuid", "Oost", "West", "Horizon", "Kompas", "Vonk", "Brug", "Molen", "Haven", "Delta", "Polder",
    "Duin", "Kern", "Anker", "Zon", "Ster", "Vlinder", "Eik", "Toren",
)  # fmt: skip
TREE_NAMES = (
    "De Linde", "De Eik", "Het Baken", "De Wilg", "De Beuk", "De Hoven", "Het Anker", "De Kastanje", "De Es",
    "De Berk", "Het Spectrum", "De Vijverhof", "De Zonnehoek", "Het Hofpark",
)  # fmt: skip

# Job titles per sector with the NLQF levels they fit (lowest, highest).
JOB_TITLES: dict[Sector, tuple[tuple[str, int, int], ...]] = {
    Sector.METAL_ELECTRICAL: (
        ("Productiemedewerker", 0, 2),
        ("Operator", 1, 3),
        ("Lasser", 2, 3),
        ("CNC-verspaner", 2, 4),
        ("Elektromonteur", 2, 4),
        ("Onderhoudsmonteur", 3, 4),
        ("Teamleider productie", 3, 5),
        ("Werkvoorbereider", 4, 5),
        ("Kwaliteitsmedewerker", 4, 6),
        ("Constructeur", 4, 6),
        ("Engineer", 6, 8),
    ),
    Sector.ICT: (
        ("Servicedeskmedewerker", 2, 4),
        ("Systeembeheerder", 4, 5),
        ("Netwerkbeheerder", 4, 6),
        ("Tester", 4, 6),
        ("Softwareontwikkelaar", 4, 7),
        ("Data-analist", 6, 7),
        ("Informatiebeveiliger", 6, 8),
        ("Projectmanager ICT", 6, 8),
    ),
    Sector.CARE: (
        ("Medewerker huishouding", 0, 2),
        ("Helpende", 1, 2),
        ("Verzorgende IG", 3, 3),
        ("Begeleider gehandicaptenzorg", 3, 4),
        ("Doktersassistent", 4, 4),
        ("Verpleegkundige", 4, 6),
        ("Teamleider zorg", 4, 6),
        ("Fysiotherapeut", 6, 7),
        ("Specialist ouderengeneeskunde", 7, 8),
    ),
    Sector.LOGISTICS: (
        ("Orderpicker", 0, 2),
        ("Magazijnmedewerker", 0, 3),
        ("Chauffeur", 1, 3),
        ("Logistiek medewerker", 2, 3),
        ("Expediteur", 3, 4),
        ("Planner", 4, 6),
        ("Supply chain analist", 6, 8),
    ),
    Sector.RETAIL: (
        ("Vakkenvuller", 0, 2),
        ("Kassamedewerker", 0, 2),
        ("Verkoper", 1, 3),
        ("Medewerker webshop", 2, 4),
        ("Assistent-filiaalmanager", 3, 4),
        ("Filiaalmanager", 4, 6),
        ("Inkoper", 5, 6),
        ("Marketeer", 6, 8),
    ),
    Sector.CONSTRUCTION: (
        ("Grondwerker", 0, 2),
        ("Schilder", 1, 3),
        ("Timmerman", 2, 3),
        ("Metselaar", 2, 3),
        ("Installatiemonteur", 2, 4),
        ("Uitvoerder", 4, 5),
        ("Calculator", 4, 6),
        ("Projectleider bouw", 5, 8),
    ),
    Sector.HOSPITALITY: (
        ("Afwasser", 0, 1),
        ("Medewerker bediening", 0, 3),
        ("Kok", 2, 4),
        ("Receptionist", 3, 4),
        ("Bedrijfsleider horeca", 4, 6),
        ("Hotelmanager", 6, 8),
    ),
    Sector.PUBLIC: (
        ("Medewerker groenvoorziening", 0, 3),
        ("Medewerker Burgerzaken", 3, 4),
        ("Handhaver", 3, 4),
        ("Klantmanager", 4, 6),
        ("Beleidsmedewerker", 6, 7),
        ("Jurist", 7, 8),
    ),
    Sector.AGRIFOOD: (
        ("Medewerker teelt", 0, 2),
        ("Tuinbouwmedewerker", 1, 3),
        ("Slager", 2, 3),
        ("Operator levensmiddelen", 2, 4),
        ("Procesoperator", 3, 4),
        ("Kwaliteitsmedewerker voedselveiligheid", 4, 6),
        ("Bedrijfsleider", 5, 8),
    ),
}
HOURS_BY_SECTOR: dict[Sector, tuple[int, ...]] = {
    Sector.CARE: (16, 20, 24, 24, 28, 28, 32, 32, 36),
    Sector.RETAIL: (12, 16, 20, 24, 24, 32, 36, 38),
    Sector.HOSPITALITY: (12, 16, 20, 24, 32, 38, 40),
}
DEFAULT_HOURS = (24, 32, 32, 36, 36, 38, 40, 40, 40)
STUDENT_HOURS = (8, 10, 12, 12, 16)

PUBLIC_PROVIDER_TEMPLATES = ("ROC {town}", "Hogeschool {town}", "{town} College", "Vakcollege {town}")
PRIVATE_PROVIDER_TEMPLATES = (
    "{word} Academie",
    "Opleidingscentrum {town}",
    "{family} Training & Coaching",
    "{word} Learning B.V.",
    "Techniek Academie {word}",
    "Zorgacademie {town}",
    "{town} Taalinstituut",
    "Vakopleiding {family}",
)

# --- the personas' world ---------------------------------------------------------------------------------


class FixedEmployer(NamedTuple):
    name: str
    sector: str
    size: str
    region: str
    quota: int  # how many of the region's employed residents it takes (besides its persona), so that its
    # aggregate figures are shown (groups under 10 are hidden)


MARCO_EMPLOYER = FixedEmployer("Hengelo Precisie Metaal B.V.", Sector.METAL_ELECTRICAL.value, "small", "twente", 24)
INEKE_EMPLOYER = FixedEmployer("Zorggroep De Linde", Sector.CARE.value, "medium", "rijnmond", 150)
FIXED_EMPLOYERS = [MARCO_EMPLOYER, INEKE_EMPLOYER]
JOOST_PROVIDER = ("Techniek Academie Oost", Provider.Kind.PRIVATE.value, Provider.Status.APPROVED.value, "twente")


class PersonaResident(NamedTuple):
    username: str
    age: int
    nlqf: int
    situation: str
    postcode: str
    region: str
    job: tuple[int, str, int, int] | None  # (index of the employer, job title, hours per week, years in the job)


PERSONA_RESIDENTS = [
    PersonaResident("marco", 45, 2, Situation.EMPLOYED, "7553 KL", "twente", (0, "Operator", 38, 14)),
    PersonaResident("sanne", 18, 4, Situation.STUDENT, "3512 HJ", "midden-utrecht", None),
    PersonaResident("ineke", 62, 3, Situation.EMPLOYED, "3082 AE", "rijnmond", (1, "Verzorgende IG", 28, 23)),
]
PERSONA_REGIONS = {"lisa": "twente", "noor": "twente"}


# --- rows --------------------------------------------------------------------------------------------------


class EmployerRow(NamedTuple):
    uuid: str
    kvk_number: str
    name: str
    sector: str
    size: str
    region: str  # region code
    sector_fund: str | None  # fund name


class ProviderRow(NamedTuple):
    uuid: str
    kvk_number: str
    name: str
    kind: str
    status: str
    region: str


class ResidentRow(NamedTuple):
    index: int  # position in the population (0-based); the loader turns it into the primary key
    uuid: str
    bsn: str
    given_name: str
    family_name: str
    birth_date: datetime.date
    nlqf_level: int
    situation: str
    postcode: str
    region: str


class EmploymentRow(NamedTuple):
    uuid: str
    resident: int  # ResidentRow.index
    employer: int  # position in the employers list
    job_title: str
    hours_per_week: int
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass(frozen=True)
class Sizes:
    residents: int
    employers: int
    providers: int

    @classmethod
    def for_residents(cls, residents: int) -> "Sizes":
        return cls(residents, max(50, residents // 20), max(40, residents // 1000))


_UUID_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_UUID_SET = (0x4000 << 64) | (0x8000 << 48)


def uuid4_hex(bits: int) -> str:
    """Same value as uuid.UUID(int=bits, version=4).hex, without building a UUID object (hot path)."""
    return f"{(bits & _UUID_CLEAR) | _UUID_SET:032x}"


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


class _Permutation:
    """i -> (a*i + b) mod m: a bijection on 0..m-1 when gcd(a, m) = 1. Unique numbers that do not look sequential."""

    def __init__(self, rng: random.Random, m: int) -> None:
        self.m = m
        self.b = rng.randrange(m)
        while True:
            a = rng.randrange(m // 3, m)
            if math.gcd(a, m) == 1:
                self.a = a
                break

    def __call__(self, i: int) -> int:
        return (self.a * i + self.b) % self.m


class PopulationGenerator:
    """Everything the demo population consists of, as rows, from a seed and a day. No database access.

    Employers, providers, residents and persona UUIDs each have their own stream, so that a change to one part
    does not reshuffle the others."""

    def __init__(self, *, residents: int, seed: int, today: datetime.date) -> None:
        if residents < 0:
            raise ValueError("the number of residents cannot be negative")
        self.sizes = Sizes.for_residents(residents)
        self.seed = seed
        self.today = today
        self.region_codes = [code for code, *_ in REGIONS]
        missing = set(self.region_codes) ^ set(REGION_FACTS)
        if missing:
            raise RuntimeError(f"REGION_FACTS does not match core.regions: {sorted(missing)}")
        self._region_cum = _cumulative([REGION_FACTS[c][0] for c in self.region_codes])
        self._build_name_pools()
        self._bsn_permutation = _Permutation(random.Random(f"{seed}:bsn"), 80_000_000)
        self._kvk_permutation = _Permutation(random.Random(f"{seed}:kvk"), 90_000_000)
        self._kvk_index = 0
        # The personas take the first BSNs, so theirs do not depend on the size of the population.
        bsns = self._bsns()
        self.persona_bsns = {p.username: next(bsns) for p in PERSONA_RESIDENTS}
        self._persona_rng = random.Random(f"{seed}:personas")
        self.employers: list[EmployerRow] = self._make_employers()
        self.providers: list[ProviderRow] = self._make_providers()

    def next_persona_uuid(self) -> uuid.UUID:
        """UUIDs for the rows made one by one (personas, sector funds): reproducible too."""
        return uuid.UUID(uuid4_hex(self._persona_rng.getrandbits(128)))

    # identifiers ---------------------------------------------------------------------------------------------

    def _bsns(self) -> Iterator[str]:
        """Unique valid BSNs: 8-digit prefixes from 20000000 up in permuted order, with their check digit (about
        1 in 11 prefixes has none and is skipped). The same sequence every time for a seed."""
        permutation = self._bsn_permutation
        for index in itertools.count():
            prefix = f"{20_000_000 + permutation(index):08d}"
            digit = bsn_check_digit(prefix)
            if digit is not None:
                yield f"{prefix}{digit}"

    def _next_kvk(self) -> str:
        number = 10_000_000 + self._kvk_permutation(self._kvk_index)
        self._kvk_index += 1
        return f"{number:08d}"

    # names ---------------------------------------------------------------------------------------------------

    def _build_name_pools(self) -> None:
        # Faker's nl_NL name lists, read once into pools; no Faker call per row.
        from faker.providers.person.nl_NL import Provider as NlNames

        # Faker's nl_NL family names include medieval ones ("Aelftrud van Wessex"): keep the ordinary shapes.
        faker_families = sorted(
            {
                name
                for name in NlNames.last_names
                if name.replace(" ", "").isalpha()
                and (" " not in name or name.startswith(_TUSSENVOEGSEL_OK))
                and name.split(" ")[-1][:1].isupper()
                and all(part.islower() for part in name.split(" ")[:-1])
            }
        )
        sampled = random.Random(f"{self.seed}:names").sample(faker_families, min(600, len(faker_families)))
        self.family_names: list[str] = (
            list(COMMON_FAMILY_NAMES) * 8 + list(OTHER_ROOTS_FAMILY_NAMES) * 3 + sorted(sampled, key=str.lower)
        )
        young_male = sorted(set(NlNames.first_names_male))
        young_female = sorted(set(NlNames.first_names_female))
        self._given_by_year = [*GIVEN_NAMES_BY_BIRTH_YEAR, (10_000, tuple(young_male), tuple(young_female))]

    def _given_names_for(self, birth_year: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        for before, male, female in self._given_by_year:
            if birth_year < before:
                return male, female
        raise AssertionError("unreachable: the last cohort has no upper bound")

    # organisations -------------------------------------------------------------------------------------------

    def _fill(self, rng: random.Random, template: str, region: str) -> str:
        family = rng.choice(COMMON_FAMILY_NAMES) if rng.random() < 0.5 else rng.choice(self.family_names)
        return template.format(
            family=family[0].upper() + family[1:],  # "Van Dijk Metaaltechniek": capital without a first name
            town=rng.choice(REGION_FACTS[region][1]),
            word=rng.choice(NAME_WORDS),
            tree=rng.choice(TREE_NAMES),
            region=REGION_NAMES[region],
        )

    def _unique_name(self, rng: random.Random, templates: tuple[str, ...], region: str, used: set[str]) -> str:
        # A few tries for a fresh name; at a million residents some duplicates are unavoidable (and real).
        for _ in range(8):
            name = self._fill(rng, rng.choice(templates), region)
            if name not in used:
                break
        used.add(name)
        return name

    @staticmethod
    def _fund_for(sector: str, size: str, name: str) -> str | None:
        if sector == Sector.METAL_ELECTRICAL:
            return "A+O fonds Metalektro" if size in (Employer.Size.MEDIUM, Employer.Size.LARGE) else "OOM"
        if sector == Sector.LOGISTICS:
            return "SOOB"
        if sector == Sector.PUBLIC and name.startswith("Gemeente "):
            return "A+O fonds Gemeenten"
        return None

    def _make_employers(self) -> list[EmployerRow]:
        rng = random.Random(f"{self.seed}:employers")
        sector_cum = _cumulative([SECTOR_WEIGHTS[s] for s in SECTORS])
        size_cum = _cumulative(SIZE_SHARE)
        used: set[str] = {e.name for e in FIXED_EMPLOYERS}
        rows = [
            EmployerRow(
                uuid4_hex(rng.getrandbits(128)),
                self._next_kvk(),
                e.name,
                e.sector,
                e.size,
                e.region,
                self._fund_for(e.sector, e.size, e.name),
            )
            for e in FIXED_EMPLOYERS
        ]
        for i in range(self.sizes.employers - len(rows)):
            # One employer in each region first, so that every region has somewhere to work.
            if i < len(self.region_codes):
                region = self.region_codes[i]
            else:
                region = self.region_codes[bisect.bisect(self._region_cum, rng.random() * self._region_cum[-1])]
            sector = SECTORS[bisect.bisect(sector_cum, rng.random() * sector_cum[-1])]
            size = SIZES[bisect.bisect(size_cum, rng.random() * size_cum[-1])]
            if sector == Sector.PUBLIC and size == Employer.Size.MICRO:
                size = Employer.Size.MEDIUM.value  # there are no municipalities of nine people
            name = self._unique_name(rng, EMPLOYER_NAME_TEMPLATES[sector], region, used)
            rows.append(
                EmployerRow(
                    uuid4_hex(rng.getrandbits(128)),
                    self._next_kvk(),
                    name,
                    sector,
                    size,
                    region,
                    self._fund_for(sector, size, name),
                )
            )
        return rows

    def _make_providers(self) -> list[ProviderRow]:
        rng = random.Random(f"{self.seed}:providers")
        name, kind, status, region = JOOST_PROVIDER
        rows = [ProviderRow(uuid4_hex(rng.getrandbits(128)), self._next_kvk(), name, kind, status, region)]
        used = {name}
        total = self.sizes.providers
        for i in range(total - 1):
            # An MBO/HBO institution in every region first; after that about one in three is public.
            public = i < len(self.region_codes) or rng.random() < 0.3
            if i < len(self.region_codes):
                region = self.region_codes[i]
            else:
                region = self.region_codes[bisect.bisect(self._region_cum, rng.random() * self._region_cum[-1])]
            templates = PUBLIC_PROVIDER_TEMPLATES if public else PRIVATE_PROVIDER_TEMPLATES
            status = (Provider.Status.PENDING if rng.random() < 0.07 else Provider.Status.APPROVED).value
            if i == total - 2:  # the last one: the one provider under suspension
                public, templates, status = False, PRIVATE_PROVIDER_TEMPLATES, Provider.Status.SUSPENDED.value
            rows.append(
                ProviderRow(
                    uuid4_hex(rng.getrandbits(128)),
                    self._next_kvk(),
                    self._unique_name(rng, templates, region, used),
                    Provider.Kind.PUBLIC.value if public else Provider.Kind.PRIVATE.value,
                    status,
                    region,
                )
            )
        return rows

    # residents -----------------------------------------------------------------------------------------------

    def _birth_date_ranges(self) -> dict[int, tuple[int, int]]:
        """For each age, the first ordinal day of birth that gives that age today and the number of such days."""
        ranges = {}
        today = self.today
        for age in range(MIN_AGE, MAX_AGE + 1):
            latest = years_before(today, age)  # born on this day: turned `age` today
            earliest = years_before(today, age + 1) + datetime.timedelta(days=1)
            ranges[age] = (earliest.toordinal(), latest.toordinal() - earliest.toordinal() + 1)
        return ranges

    def _employer_picker(self) -> Callable[[random.Random, str], int]:
        """Pick an employer in the resident's region, bigger size classes more often."""
        by_region: dict[str, tuple[list[int], list[float]]] = {}
        for index, employer in enumerate(self.employers):
            if index < len(FIXED_EMPLOYERS):
                continue  # they fill their quota separately
            indices, weights = by_region.setdefault(employer.region, ([], []))
            indices.append(index)
            weights.append(SIZE_HEADCOUNT_WEIGHT[employer.size])
        tables = {region: (indices, _cumulative(weights)) for region, (indices, weights) in by_region.items()}

        def pick(rng: random.Random, region: str) -> int:
            indices, cum = tables[region]
            return indices[bisect.bisect(cum, rng.random() * cum[-1])]

        return pick

    def iter_chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[list[ResidentRow], list[EmploymentRow]]]:
        """The population as lists: chunks of residents with their employments (for tests and small uses)."""
        people = self.people()
        while chunk := list(itertools.islice(people, chunk_size)):
            yield [resident for resident, _ in chunk], [job for _, job in chunk if job is not None]

    def people(self) -> Iterator[tuple[ResidentRow, EmploymentRow | None]]:
        """Each resident with their employment, if any (current, or for some job seekers one that ended), one
        at a time, so that the loader can stream them into COPY. Deterministic for seed and day."""
        rng = random.Random(f"{self.seed}:residents")
        random_ = rng.random
        getrandbits = rng.getrandbits
        today = self.today
        today_ord = today.toordinal()
        fromordinal = datetime.date.fromordinal
        ages = list(range(MIN_AGE, MAX_AGE + 1))
        age_cum = _cumulative([AGE_WEIGHTS[a] for a in ages])
        age_total = age_cum[-1]
        birth_ranges = self._birth_date_ranges()
        nlqf_cum = {a: _cumulative(_band(NLQF_BY_AGE, a)) for a in ages}
        situation_cum = {a: _cumulative(_band(SITUATION_BY_AGE, a)) for a in ages}
        regions = self.region_codes
        region_cum, region_total = self._region_cum, self._region_cum[-1]
        postcode_ranges = {
            code: (
                [lo for lo, _ in REGION_FACTS[code][2]],
                _cumulative([hi - lo + 1 for lo, hi in REGION_FACTS[code][2]]),
            )
            for code in regions
        }
        letters = POSTCODE_LETTERS
        families = self.family_names
        pick_employer = self._employer_picker()
        employers = self.employers
        titles = {
            (sector, level): [t for t, lo, hi in JOB_TITLES[sector] if lo <= level <= hi]
            or [min(JOB_TITLES[sector], key=lambda t, lv=level: min(abs(lv - t[1]), abs(lv - t[2])))[0]]
            for sector in SECTORS
            for level in range(9)
        }
        bsns = itertools.islice(self._bsns(), len(PERSONA_RESIDENTS), None)
        fixed_counts = [0] * len(FIXED_EMPLOYERS)
        fixed_by_region = {e.region: i for i, e in enumerate(FIXED_EMPLOYERS)}
        # The chance that an employed resident of its region joins a fixed employer: spread its quota over the
        # whole population (about half of the residents are employed).
        fixed_chance = [
            min(1.0, 3 * e.quota * region_total / (REGION_FACTS[e.region][0] * max(1, self.sizes.residents)))
            for e in FIXED_EMPLOYERS
        ]
        employed, job_seeking, student = SITUATIONS[0], SITUATIONS[2], SITUATIONS[3]
        given_cache: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        # A small demo still shows every age and every region: the first residents walk through them.
        prelude = len(ages)

        for index in range(self.sizes.residents):
            if index < prelude:
                age, region = ages[index], regions[index % len(regions)]
            else:
                age = ages[bisect.bisect(age_cum, random_() * age_total)]
                region = regions[bisect.bisect(region_cum, random_() * region_total)]
            first_day, span = birth_ranges[age]
            birth_ord = first_day + int(random_() * span)
            birth = fromordinal(birth_ord)
            names = given_cache.get(birth.year)
            if names is None:
                names = given_cache[birth.year] = self._given_names_for(birth.year)
            pool = names[0] if random_() < 0.5 else names[1]
            given = pool[int(random_() * len(pool))]
            family = families[int(random_() * len(families))]
            cum = nlqf_cum[age]
            nlqf = bisect.bisect(cum, random_() * cum[-1])
            cum = situation_cum[age]
            situation = SITUATIONS[bisect.bisect(cum, random_() * cum[-1])]
            starts, cum = postcode_ranges[region]
            position = int(random_() * cum[-1])
            part = bisect.bisect(cum, position)
            number = starts[part] + position - (cum[part - 1] if part else 0)
            postcode = f"{number} {letters[int(random_() * len(letters))]}"
            resident = ResidentRow(
                index,
                uuid4_hex(getrandbits(128)),
                next(bsns),
                given,
                family,
                birth,
                nlqf,
                situation,
                postcode,
                region,
            )

            job = None
            if situation == employed or (situation == student and age >= 18 and random_() < 0.4):
                # Students over 18 often have a side job; they stay students.
                fixed = fixed_by_region.get(region)
                if (
                    fixed is not None
                    and situation == employed
                    and fixed_counts[fixed] < FIXED_EMPLOYERS[fixed].quota
                    and random_() < fixed_chance[fixed]
                ):
                    fixed_counts[fixed] += 1
                    employer = fixed
                else:
                    employer = pick_employer(rng, region)
                sector = employers[employer].sector
                pool = titles[sector, nlqf]
                if situation == student:
                    hours = STUDENT_HOURS[int(random_() * len(STUDENT_HOURS))]
                else:
                    options = HOURS_BY_SECTOR.get(sector, DEFAULT_HOURS)
                    hours = options[int(random_() * len(options))]
                # Days since the 16th birthday bound how long anyone can have worked.
                max_days = max(0, today_ord - birth_ord - 5844)
                tenure = min(max_days, int(rng.expovariate(1 / 2900)))
                job = EmploymentRow(
                    uuid4_hex(getrandbits(128)),
                    index,
                    employer,
                    pool[int(random_() * len(pool))],
                    hours,
                    fromordinal(today_ord - tenure),
                    None,
                )
            elif situation == job_seeking and age >= 20 and random_() < 0.7:
                # Most people looking for work had a job that ended, within the last two years.
                max_days = max(1, today_ord - birth_ord - 5844)
                ended = min(max_days - 1, 14 + int(random_() * 700))
                tenure = min(max_days - ended, int(rng.expovariate(1 / 1500)))
                employer = pick_employer(rng, region)
                pool = titles[employers[employer].sector, nlqf]
                job = EmploymentRow(
                    uuid4_hex(getrandbits(128)),
                    index,
                    employer,
                    pool[int(random_() * len(pool))],
                    DEFAULT_HOURS[int(random_() * len(DEFAULT_HOURS))],
                    fromordinal(today_ord - ended - tenure),
                    fromordinal(today_ord - ended),
                )
            yield resident, job


def _band(table: list[tuple[int, list[float]]], age: int) -> list[float]:
    for up_to, weights in table:
        if age <= up_to:
            return weights
    raise ValueError(f"no band for age {age}")


# --- loading -----------------------------------------------------------------------------------------------


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    """COPY rows (tuples of Python values) into a table through psycopg 3."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # The raw psycopg cursor bypasses Django's error translation; restore it (IntegrityError etc.).
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


@contextlib.contextmanager
def _foreign_keys_checked_once(cursor, tables: list[str], skip_referenced: str) -> Iterator[None]:
    """Check the foreign keys of `tables` with one join per key after the load, not with a trigger per row.

    PostgreSQL's per-row checks cost about 2 µs a row, a quarter of a million-resident load; adding a key back
    validates the whole table in one query (PostgreSQL's manual, "Populating a Database"). The keys come back
    exactly as they were (name and definition) inside the same transaction, so no one ever sees a table without
    them, and bad data still fails the load. Keys to `skip_referenced` (the user table, whose key is NULL in
    every copied row) stay: dropping them would alter that table too. Only the tables' owner may drop keys: the
    app role (the tests) loads with the keys in place."""
    if not owns_tables(cursor, tables):
        yield
        return
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), confrelid::regclass::text "
        "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
        "AND confrelid <> %s::regclass ORDER BY 1, 2",
        [tables, skip_referenced],
    )
    keys = cursor.fetchall()
    # Dropping a key alters both its tables, which PostgreSQL refuses while checks on them are still pending
    # in this transaction (rows written before the load, in a test say): run those checks now.
    altered = sorted({*tables, *(referenced for *_, referenced in keys)})
    cursor.execute(
        "SELECT DISTINCT conname FROM pg_constraint WHERE contype = 'f' AND condeferrable "
        "AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[]))",
        [altered, altered],
    )
    pending = [sql.Identifier(name) for (name,) in cursor.fetchall()]
    if pending:
        cursor.execute(sql.SQL("SET CONSTRAINTS {} IMMEDIATE").format(sql.SQL(", ").join(pending)))
    for table, name, *_ in keys:
        cursor.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name)))
    yield
    for table, name, definition, _ in keys:
        cursor.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def _reserve_ids(cursor, table: str, count: int) -> int:
    """Take `count` consecutive primary keys from the table's sequence and return the first. The caller holds a
    lock on the table, so nobody else draws from the sequence in between. The owner moves the sequence at once;
    the app role may not (no setval), and draws the numbers one by one."""
    cursor.execute("SELECT s, has_sequence_privilege(s, 'UPDATE') FROM pg_get_serial_sequence(%s, 'id') s", [table])
    sequence, may_move = cursor.fetchone()
    if not may_move:
        cursor.execute("SELECT min(nextval(%s)) FROM generate_series(1, %s)", [sequence, count])
        return cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    (first,) = cursor.fetchone()
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def _create_persona_users(region_ids: dict[str, int], next_uuid: Callable[[], uuid.UUID]) -> dict[str, User]:
    users = {}
    for persona in PERSONAS:
        user = User(
            uuid=next_uuid(),
            username=persona.username,
            first_name=persona.given_name,
            last_name=persona.family_name,
            role=persona.role,
        )
        if persona.username in PERSONA_REGIONS:
            user.region_id = region_ids[PERSONA_REGIONS[persona.username]]
        if persona.role == Role.ADMINISTRATOR:
            user.is_staff = True  # the Django admin, with the administrator's model permissions; not a superuser
        user.set_unusable_password()  # demo login goes through the persona picker
        user.save()
        users[persona.username] = user
    return users


def _copy_organisations(
    cursor, generator: PopulationGenerator, region_ids: dict[str, int], funds: dict[str, SectorFund]
) -> int:
    """COPY the employers (with primary keys we choose, for the employments) and the providers. Returns the
    primary key of the first employer; the others follow in order."""
    employer_table = Employer._meta.db_table
    first_employer = _reserve_ids(cursor, employer_table, len(generator.employers))
    _copy(
        cursor,
        employer_table,
        ["id", "uuid", "kvk_number", "name", "sector", "size", "region_id", "sector_fund_id"],
        (
            (first_employer + i, *e[:5], region_ids[e.region], funds[e.sector_fund].pk if e.sector_fund else None)
            for i, e in enumerate(generator.employers)
        ),
    )
    _copy(
        cursor,
        Provider._meta.db_table,
        ["uuid", "kvk_number", "name", "kind", "status", "region_id"],
        ((*p[:5], region_ids[p.region]) for p in generator.providers),
    )
    return first_employer


def _copy_people(
    cursor, generator: PopulationGenerator, region_ids: dict[str, int], first_employer: int, progress: bool
) -> int:
    """COPY the residents and their employments, a chunk at a time. Returns the number of employments."""
    from tqdm import tqdm

    resident_table = Resident._meta.db_table
    total = generator.sizes.residents
    first_resident = _reserve_ids(cursor, resident_table, total)
    resident_columns = ["id", "uuid", "bsn", "given_name", "family_name", "birth_date"]
    resident_columns += ["nlqf_level", "situation", "postcode", "region_id"]
    employment_columns = ["uuid", "resident_id", "employer_id", "job_title", "hours_per_week"]
    employment_columns += ["start_date", "end_date"]
    employment_count = 0
    people = generator.people()
    with tqdm(total=total, unit=" residents", disable=not progress, unit_scale=True) as bar:
        for start in range(0, total, CHUNK_SIZE):
            # Residents go to the server while they are generated (it indexes one batch while Python makes the
            # next); their employments are kept and follow in a COPY of their own.
            jobs: list[EmploymentRow] = []

            def residents_of_chunk(jobs: list[EmploymentRow] = jobs) -> Iterator[tuple]:
                for resident, job in itertools.islice(people, CHUNK_SIZE):
                    if job is not None:
                        jobs.append(job)
                    yield (first_resident + resident.index, *resident[1:9], region_ids[resident.region])

            _copy(cursor, resident_table, resident_columns, residents_of_chunk())
            _copy(
                cursor,
                Employment._meta.db_table,
                employment_columns,
                ((e.uuid, first_resident + e.resident, first_employer + e.employer, *e[3:]) for e in jobs),
            )
            employment_count += len(jobs)
            bar.update(min(CHUNK_SIZE, total - start))
    return employment_count


def _create_personas(
    generator: PopulationGenerator, region_ids: dict[str, int], funds: dict[str, SectorFund], first_employer: int
) -> int:
    """The persona users with their resident rows and organisation links. Returns the number of employments."""
    users = _create_persona_users(region_ids, generator.next_persona_uuid)
    employments = 0
    for persona in PERSONA_RESIDENTS:
        user = users[persona.username]
        resident = Resident.objects.create(
            uuid=generator.next_persona_uuid(),
            bsn=generator.persona_bsns[persona.username],
            given_name=user.first_name,
            family_name=user.last_name,
            # The birthday was up to 97 days ago, but in this calendar year: the persona has the age of the description
            # today, and Sanne (18) turns 18 this year, so the rules give her the starting capital.
            birth_date=years_before(generator.today, persona.age)
            - datetime.timedelta(days=min(97, generator.today.timetuple().tm_yday - 1)),
            nlqf_level=persona.nlqf,
            situation=persona.situation,
            postcode=persona.postcode,
            region_id=region_ids[persona.region],
            user=user,
        )
        if persona.job:
            employer, title, hours, years = persona.job
            Employment.objects.create(
                uuid=generator.next_persona_uuid(),
                resident=resident,
                employer_id=first_employer + employer,
                job_title=title,
                hours_per_week=hours,
                start_date=years_before(generator.today, years).replace(day=1),
            )
            employments += 1
    Employer.objects.get(pk=first_employer + FIXED_EMPLOYERS.index(MARCO_EMPLOYER)).staff.add(users["ahmed"])
    funds["A+O fonds Metalektro"].staff.add(users["fleur"])
    Provider.objects.get(kvk_number=generator.providers[0].kvk_number).staff.add(users["joost"])
    return employments


def load_population(
    *,
    residents: int = DEFAULT_RESIDENTS,
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
    today: datetime.date | None = None,
) -> dict[str, int]:
    """Load the demo population, all or nothing, and return how many rows of each kind were written.

    Raises DemoDataExists when the demo personas are already there."""
    from django.utils import timezone

    generator = PopulationGenerator(residents=residents, seed=seed, today=today or timezone.localdate())
    tables = [m._meta.db_table for m in (Resident, Employment, Employer, Provider)]
    with transaction.atomic(), connection.cursor() as cursor:
        # The lock makes a second, concurrent load wait here and then see the first one's personas.
        cursor.execute(
            sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.SQL(", ").join(map(sql.Identifier, tables)))
        )
        if demo_data_present():
            raise DemoDataExists(
                "The demo data is already loaded. Use `load_demo --if-empty` to skip loading, "
                "or start from an empty database."
            )
        ensure_regions()
        region_ids = dict(Region.objects.values_list("code", "id"))
        funds = {}
        for name, sector in SECTOR_FUNDS:
            funds[name], _ = SectorFund.objects.get_or_create(
                name=name, defaults={"sector": sector, "uuid": generator.next_persona_uuid()}
            )

        with _foreign_keys_checked_once(cursor, tables, skip_referenced=User._meta.db_table):
            first_employer = _copy_organisations(cursor, generator, region_ids, funds)
            employments = _copy_people(cursor, generator, region_ids, first_employer, bool(progress))
        employments += _create_personas(generator, region_ids, funds, first_employer)

        # Fresh tables of a million rows have no statistics yet; without them the first queries plan badly.
        for table in tables:
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))

    return {
        "residents": generator.sizes.residents + len(PERSONA_RESIDENTS),
        "employments": employments,
        "employers": len(generator.employers),
        "providers": len(generator.providers),
        "sector_funds": len(SECTOR_FUNDS),
        "personas": len(PERSONAS),
    }


def timed_load(**kwargs) -> tuple[dict[str, int], float]:
    """load_population and the seconds it took (for the command and the benchmark)."""
    started = time.perf_counter()
    counts = load_population(**kwargs)
    return counts, time.perf_counter() - started
