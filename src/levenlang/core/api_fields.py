"""Fields of the REST API that every app shares: `CentsField` for every amount of money."""

from levenlang.core.api_input import IntegerField
from levenlang.core.money import MAX_CENTS

__all__ = ["CentsField"]


class CentsField(IntegerField):
    """An amount in integer euro cents, at most ±MAX_CENTS (2^53 - 1): a JSON number a browser reads exactly, read
    as strictly as every integer of the API (ASCII digits only).
    The database refuses larger amounts, so none can be read out; the bounds also stand in the OpenAPI schema.
    Pass a lower `max_value` (or `min_value`) where the field has a ceiling of its own."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -MAX_CENTS)
        kwargs.setdefault("max_value", MAX_CENTS)
        if not -MAX_CENTS <= kwargs["min_value"] <= kwargs["max_value"] <= MAX_CENTS:
            raise ValueError("A money field stays within ±MAX_CENTS.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        cents = super().to_representation(value)
        if abs(cents) > MAX_CENTS:  # cannot happen (CHECKs in the database); never send a number a browser rounds
            raise ValueError("An amount above MAX_CENTS cannot be sent as a JSON number.")
        return cents
