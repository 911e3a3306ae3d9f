"""One entity: the person. Employer facts that a person's schemes depend on (size, sector fund, hours) are inputs
of the person, so that one simulation of N persons needs no group entities — at 18 million residents that halves
the work, and the navigator asks about one person and their own employer anyway."""

from openfisca_core.entities import build_entity

Person = build_entity(
    key="person",
    plural="persons",
    label="A resident of the Netherlands",
    doc="Every resident has one learning account (leerrekening) from the age of 18.",
    is_person=True,
)

entities = [Person]
