"""Where a Dutch postcode lies, roughly, without a download at run time.

A Dutch postcode's first two digits (PC2) name one postcode area around a town (10 = Amsterdam, 35 = Utrecht,
75 = Enschede). This table gives, for each of the 90 areas, the town it is named after in PostNL's area list and
that town's approximate centre (latitude, longitude, WGS84, rounded to 0.01°). It is written for this project
from public geography, not copied from a data set; its error is the size of an area (10–25 km), which is
plenty for "courses within 25 km" and documented as such on the search page. A PC4 table (about 4,000 rows,
CBS open data) can replace it later without changing the callers: `locate(postcode)` is the only entry point.
"""

import math
import re

# PC2 -> (town, latitude, longitude)
PC2_CENTRES: dict[str, tuple[str, float, float]] = {
    "10": ("Amsterdam", 52.37, 4.90),
    "11": ("Amstelveen", 52.30, 4.86),
    "12": ("Hilversum", 52.23, 5.17),
    "13": ("Almere", 52.37, 5.22),
    "14": ("Purmerend", 52.50, 4.95),
    "15": ("Zaandam", 52.44, 4.82),
    "16": ("Hoorn", 52.64, 5.06),
    "17": ("Den Helder", 52.93, 4.76),
    "18": ("Alkmaar", 52.63, 4.75),
    "19": ("Beverwijk", 52.48, 4.66),
    "20": ("Haarlem", 52.38, 4.64),
    "21": ("Hoofddorp", 52.30, 4.69),
    "22": ("Katwijk", 52.20, 4.42),
    "23": ("Leiden", 52.16, 4.49),
    "24": ("Alphen aan den Rijn", 52.13, 4.66),
    "25": ("Den Haag", 52.07, 4.30),
    "26": ("Delft", 52.01, 4.36),
    "27": ("Zoetermeer", 52.06, 4.49),
    "28": ("Gouda", 52.01, 4.71),
    "29": ("Krimpen aan den IJssel", 51.92, 4.60),
    "30": ("Rotterdam", 51.92, 4.48),
    "31": ("Schiedam", 51.92, 4.40),
    "32": ("Spijkenisse", 51.85, 4.33),
    "33": ("Dordrecht", 51.81, 4.67),
    "34": ("Nieuwegein", 52.03, 5.09),
    "35": ("Utrecht", 52.09, 5.12),
    "36": ("Maarssen", 52.14, 5.04),
    "37": ("Zeist", 52.09, 5.23),
    "38": ("Amersfoort", 52.16, 5.39),
    "39": ("Veenendaal", 52.03, 5.56),
    "40": ("Tiel", 51.89, 5.43),
    "41": ("Culemborg", 51.96, 5.23),
    "42": ("Gorinchem", 51.83, 4.97),
    "43": ("Zierikzee", 51.65, 3.92),
    "44": ("Goes", 51.50, 3.89),
    "45": ("Terneuzen", 51.34, 3.83),
    "46": ("Bergen op Zoom", 51.49, 4.29),
    "47": ("Roosendaal", 51.53, 4.46),
    "48": ("Breda", 51.59, 4.78),
    "49": ("Oosterhout", 51.64, 4.86),
    "50": ("Tilburg", 51.56, 5.09),
    "51": ("Waalwijk", 51.68, 5.07),
    "52": ("'s-Hertogenbosch", 51.69, 5.30),
    "53": ("Oss", 51.77, 5.52),
    "54": ("Uden", 51.66, 5.62),
    "55": ("Veldhoven", 51.42, 5.40),
    "56": ("Eindhoven", 51.44, 5.48),
    "57": ("Helmond", 51.48, 5.66),
    "58": ("Venray", 51.53, 5.98),
    "59": ("Venlo", 51.37, 6.17),
    "60": ("Weert", 51.25, 5.71),
    "61": ("Sittard", 51.00, 5.87),
    "62": ("Maastricht", 50.85, 5.69),
    "63": ("Valkenburg", 50.87, 5.83),
    "64": ("Heerlen", 50.89, 5.98),
    "65": ("Nijmegen", 51.84, 5.86),
    "66": ("Wijchen", 51.81, 5.73),
    "67": ("Ede", 52.04, 5.66),
    "68": ("Arnhem", 51.98, 5.91),
    "69": ("Zevenaar", 51.93, 6.07),
    "70": ("Doetinchem", 51.97, 6.29),
    "71": ("Winterswijk", 51.97, 6.72),
    "72": ("Zutphen", 52.14, 6.20),
    "73": ("Apeldoorn", 52.21, 5.97),
    "74": ("Deventer", 52.25, 6.16),
    "75": ("Enschede", 52.22, 6.89),
    "76": ("Almelo", 52.36, 6.66),
    "77": ("Hardenberg", 52.58, 6.62),
    "78": ("Emmen", 52.79, 6.90),
    "79": ("Hoogeveen", 52.72, 6.48),
    "80": ("Zwolle", 52.52, 6.09),
    "81": ("Raalte", 52.39, 6.28),
    "82": ("Lelystad", 52.52, 5.47),
    "83": ("Emmeloord", 52.71, 5.75),
    "84": ("Heerenveen", 52.96, 5.92),
    "85": ("Joure", 52.97, 5.80),
    "86": ("Sneek", 53.03, 5.66),
    "87": ("Bolsward", 53.06, 5.53),
    "88": ("Harlingen", 53.17, 5.42),
    "89": ("Leeuwarden", 53.20, 5.80),
    "90": ("Grou", 53.09, 5.84),
    "91": ("Dokkum", 53.33, 6.00),
    "92": ("Drachten", 53.11, 6.10),
    "93": ("Roden", 53.14, 6.43),
    "94": ("Assen", 52.99, 6.56),
    "95": ("Stadskanaal", 53.00, 6.95),
    "96": ("Hoogezand", 53.16, 6.76),
    "97": ("Groningen", 53.22, 6.57),
    "98": ("Zuidhorn", 53.25, 6.41),
    "99": ("Delfzijl", 53.33, 6.92),
}

# No place in a postcode area is further than this from the area's centre in the table (the largest areas, in
# Friesland and Drenthe, are about 40 km across). Offerings are placed at their area's centre, so the search does
# not need it today; a search over precise coordinates would widen its area pre-filter by this much.
AREA_RADIUS_KM = 25

POSTCODE_RE = re.compile(r"^\s*([1-9]\d)(\d{2})\s*([A-Za-z]{2})?\s*$")


def normalise(postcode: str) -> str | None:
    """'7511ab' -> '7511 AB'; '7511' -> '7511'; None when it is not a Dutch postcode."""
    match = POSTCODE_RE.match(postcode or "")
    if not match:
        return None
    pc4 = match.group(1) + match.group(2)
    return f"{pc4} {match.group(3).upper()}" if match.group(3) else pc4


def locate(postcode: str) -> tuple[float, float] | None:
    """The approximate (latitude, longitude) of a postcode, or None when it is not a Dutch postcode."""
    match = POSTCODE_RE.match(postcode or "")
    if not match:
        return None
    _town, lat, lon = PC2_CENTRES[match.group(1)]
    return lat, lon


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, mean earth radius 6,371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_region_code(point: tuple[float, float]) -> str:
    """The labour market region whose central municipality is nearest: a fair guess of the region of a place."""
    from levenlang.core.regions import REGIONS

    return min(REGIONS, key=lambda r: distance_km(point, (r[3], r[4])))[0]


def areas_within(point: tuple[float, float], km: float) -> list[int]:
    """The postcode areas (PC2, as numbers) whose centre lies within `km` of `point`."""
    return sorted(int(pc2) for pc2, (_town, lat, lon) in PC2_CENTRES.items() if distance_km(point, (lat, lon)) <= km)
