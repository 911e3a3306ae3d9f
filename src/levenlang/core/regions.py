"""The 35 arbeidsmarktregio's (labour market regions) of the Netherlands, as used by UWV, municipalities and
CBS since 2021, with the municipality at their centre and its approximate coordinates (for distance search).
Source of the names: the official regional division of UWV/SZW (Besluit regio's voor de werkbedrijven)."""

__all__ = [
    "REGIONS",
    "ensure_regions",
]

# (code, name, central municipality, latitude, longitude)
REGIONS: list[tuple[str, str, str, float, float]] = [
    ("achterhoek", "Achterhoek", "Doetinchem", 51.9653, 6.2886),
    ("amersfoort", "Amersfoort", "Amersfoort", 52.1561, 5.3878),
    ("drechtsteden", "Drechtsteden", "Dordrecht", 51.8133, 4.6901),
    ("drenthe", "Drenthe", "Assen", 52.9925, 6.5649),
    ("flevoland", "Flevoland", "Almere", 52.3508, 5.2647),
    ("food-valley", "Food Valley", "Ede", 52.0402, 5.6649),
    ("friesland", "Friesland", "Leeuwarden", 53.2012, 5.7999),
    ("gooi-en-vechtstreek", "Gooi en Vechtstreek", "Hilversum", 52.2292, 5.1669),
    ("gorinchem", "Gorinchem", "Gorinchem", 51.8306, 4.9742),
    ("groningen", "Groningen", "Groningen", 53.2194, 6.5665),
    ("groot-amsterdam", "Groot Amsterdam", "Amsterdam", 52.3676, 4.9041),
    ("haaglanden", "Haaglanden", "Den Haag", 52.0705, 4.3007),
    ("helmond-de-peel", "Helmond-De Peel", "Helmond", 51.4793, 5.6570),
    ("holland-rijnland", "Holland Rijnland", "Leiden", 52.1601, 4.4970),
    ("midden-brabant", "Midden-Brabant", "Tilburg", 51.5555, 5.0913),
    ("midden-gelderland", "Midden-Gelderland", "Arnhem", 51.9851, 5.8987),
    ("midden-holland", "Midden-Holland", "Gouda", 52.0115, 4.7105),
    ("midden-limburg", "Midden-Limburg", "Roermond", 51.1942, 5.9870),
    ("midden-utrecht", "Midden-Utrecht", "Utrecht", 52.0907, 5.1214),
    ("noord-holland-noord", "Noord-Holland Noord", "Alkmaar", 52.6324, 4.7534),
    ("noord-limburg", "Noord-Limburg", "Venlo", 51.3704, 6.1724),
    ("noordoost-brabant", "Noordoost-Brabant", "'s-Hertogenbosch", 51.6978, 5.3037),
    ("regio-zwolle", "Regio Zwolle", "Zwolle", 52.5168, 6.0830),
    ("rijk-van-nijmegen", "Rijk van Nijmegen", "Nijmegen", 51.8126, 5.8372),
    ("rijnmond", "Rijnmond", "Rotterdam", 51.9244, 4.4777),
    ("rivierenland", "Rivierenland", "Tiel", 51.8861, 5.4294),
    ("stedendriehoek-en-noordwest-veluwe", "Stedendriehoek en Noordwest Veluwe", "Apeldoorn", 52.2112, 5.9699),
    ("twente", "Twente", "Enschede", 52.2215, 6.8937),
    ("west-brabant", "West-Brabant", "Breda", 51.5719, 4.7683),
    ("zaanstreek-waterland", "Zaanstreek/Waterland", "Zaanstad", 52.4389, 4.8258),
    ("zeeland", "Zeeland", "Middelburg", 51.4988, 3.6110),
    ("zuid-holland-centraal", "Zuid-Holland Centraal", "Zoetermeer", 52.0575, 4.4931),
    ("zuid-kennemerland-en-ijmond", "Zuid-Kennemerland en IJmond", "Haarlem", 52.3874, 4.6462),
    ("zuid-limburg", "Zuid-Limburg", "Maastricht", 50.8514, 5.6910),
    ("zuidoost-brabant", "Zuidoost-Brabant", "Eindhoven", 51.4416, 5.4697),
]


def ensure_regions(region_model=None) -> None:
    """Create or update the 35 regions. The data migration calls it; so do the demo loader and test factories,
    because a transactional test's flush empties every table, reference data included."""
    if region_model is None:
        from levenlang.core.models import Region as region_model
    if region_model.objects.count() == len(REGIONS):
        return
    for code, name, centre, lat, lon in REGIONS:
        region_model.objects.update_or_create(
            code=code, defaults={"name": name, "centre": centre, "latitude": lat, "longitude": lon}
        )
