"""The waterfall: which pot pays how much for a purchase, in the order the design promises. Reads only."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from rest_framework import serializers

from levenlang.core.api_fields import CentsField
from levenlang.core.categories import ALL_CATEGORIES, Category
from levenlang.ledger.clock import SYSTEM_CLOCK, Clock
from levenlang.ledger.services.common import _cents

__all__ = ["Draw", "Preview", "PreviewResponse", "preview", "preview_from", "usable_pots", "waterfall"]


@dataclass(frozen=True)
class Draw:
    pot_id: int
    pot_uuid: str
    kind: str
    lot: str
    expires_on: datetime.date | None
    amount_cents: int


@dataclass(frozen=True)
class Preview:
    price_cents: int
    draws: list[Draw]

    @property
    def covered_cents(self) -> int:
        return sum(d.amount_cents for d in self.draws)

    @property
    def own_share_cents(self) -> int:
        return self.price_cents - self.covered_cents

    def as_dict(self) -> dict:
        return {
            "price_cents": self.price_cents,
            "covered_cents": self.covered_cents,
            "own_share_cents": self.own_share_cents,
            "draws": [
                {
                    "pot": d.pot_uuid,
                    "kind": d.kind,
                    "lot": d.lot,
                    "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                    "amount_cents": d.amount_cents,
                }
                for d in self.draws
            ],
        }


class DrawSerializer(serializers.Serializer):
    pot = serializers.UUIDField()
    kind = serializers.CharField()
    lot = serializers.CharField()
    expires_on = serializers.DateField(allow_null=True)
    amount_cents = CentsField()


# `Preview.as_dict()` in the REST API: one schema component for the ledger's preview and the booking's. (A comment,
# not a docstring: drf-spectacular would publish a docstring as the component's description.)
class PreviewResponse(serializers.Serializer):
    price_cents = CentsField()
    covered_cents = CentsField()
    own_share_cents = CentsField()
    draws = DrawSerializer(many=True)


# The pots that may pay for a category today, with what is available in each. Booking adds the lock (below).
_POTS_SQL = """
    SELECT p.id, p.uuid, p.kind, p.lot, p.earmark, p.expires_on, p.posted_cents - p.pending_cents
      FROM ledger_leerrekening l
      JOIN ledger_pot p ON p.leerrekening_id = l.resident_id
     WHERE l.resident_id = %s AND (p.earmark & %s) <> 0 AND (p.expires_on IS NULL OR p.expires_on >= %s)
       AND p.posted_cents > p.pending_cents
"""


def waterfall(pots: Sequence[tuple], price: int) -> list[Draw]:
    """Which pot pays how much, in the order the design promises people: pots whose earmark allows the
    category (the caller filters those), most restricted first (fewest categories), soonest expiry first (no
    expiry last), oldest pot first. What no pot covers is the person's own share."""

    def order(row):
        pot_id, _uuid, _kind, _lot, earmark, expires_on, _available = row
        return (earmark.bit_count(), expires_on or datetime.date.max, pot_id)

    draws, left = [], price
    for pot_id, pot_uuid, kind, lot, _earmark, expires_on, available in sorted(pots, key=order):
        if left == 0:
            break
        take = min(available, left)
        draws.append(Draw(pot_id, str(pot_uuid), kind, lot, expires_on, take))
        left -= take
    return draws


def preview(*, resident_id: int, category: Category, price_cents: int, clock: Clock = SYSTEM_CLOCK) -> Preview:
    """What a booking would draw from which pot, without changing anything."""
    price = _cents(price_cents, "price")
    with connection.cursor() as cursor:
        cursor.execute(_POTS_SQL, [resident_id, int(category), clock.today()])
        return Preview(price, waterfall(cursor.fetchall(), price))


def usable_pots(*, resident_id: int, clock: Clock = SYSTEM_CLOCK) -> list[tuple]:
    """The person's pots with money to use today, of every category: read once for many previews (a page of
    search results) with `preview_from`."""
    with connection.cursor() as cursor:
        cursor.execute(_POTS_SQL, [resident_id, ALL_CATEGORIES, clock.today()])
        return cursor.fetchall()


def preview_from(pots: Sequence[tuple], *, category: Category, price_cents: int) -> Preview:
    """`preview` over pots read before with `usable_pots`: the same draws, without another query."""
    price = _cents(price_cents, "price")
    return Preview(price, waterfall([pot for pot in pots if pot[4] & int(category)], price))
