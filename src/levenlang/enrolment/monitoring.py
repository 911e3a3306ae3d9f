"""Market monitoring (the STAP lesson): providers whose prices bunch just below a known funding ceiling.

STAP paid at most €1,000 per application, and many providers priced at exactly that amount. Here, per provider, the
share of its published modules whose list price lies within `margin_percent` below (or at) a known ceiling. The
ceilings: the caps on pots in the ledger (`ledger.Cap`), the demo's yearly learning rights (€500, €800; see
demo/ledger.py) and STAP's €1,000, or `ENROLMENT_FUNDING_CEILINGS_CENTS` in the settings.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from levenlang.catalog.services import Module, Provider
from levenlang.ledger import services as ledger

DEFAULT_CEILINGS_CENTS = (50_000, 80_000, 100_000)
FLAG_SHARE_PERCENT = 50  # flag a provider when at least half of its modules sit at a ceiling ...
FLAG_MIN_MODULES = 3  # ... and it has at least this many modules (one module at €1,000 proves nothing)


@dataclass(frozen=True)
class ProviderPrices:
    provider: Provider
    modules: int
    at_ceiling: int

    @property
    def share_percent(self) -> int:
        return round(100 * self.at_ceiling / self.modules) if self.modules else 0

    @property
    def flagged(self) -> bool:
        return self.modules >= FLAG_MIN_MODULES and self.share_percent >= FLAG_SHARE_PERCENT


def ceilings() -> list[int]:
    configured = getattr(settings, "ENROLMENT_FUNDING_CEILINGS_CENTS", DEFAULT_CEILINGS_CENTS)
    return sorted({*configured, *ledger.cap_amounts()})


def near_a_ceiling(ceiling_list: list[int], margin_percent: int) -> Q:
    """Prices from `margin_percent` below a ceiling up to the ceiling itself (integer cents, rounded up)."""
    condition = Q(pk__in=[])
    for ceiling in ceiling_list:
        low = ceiling - ceiling * margin_percent // 100
        condition |= Q(modules__price_cents__gte=low, modules__price_cents__lte=ceiling)
    return condition


def price_bunching(*, margin_percent: int = 2, only_flagged: bool = False) -> list[ProviderPrices]:
    """Every provider with published modules, the most bunched first."""
    published = Q(modules__status=Module.Status.PUBLISHED)
    rows = (
        Provider.objects.annotate(
            module_count=Count("modules", filter=published),
            at_ceiling=Count("modules", filter=published & near_a_ceiling(ceilings(), margin_percent)),
        )
        .filter(module_count__gt=0)
        .order_by("-at_ceiling", "name")
    )
    result = [ProviderPrices(p, p.module_count, p.at_ceiling) for p in rows]
    result.sort(key=lambda r: (-r.share_percent, -r.modules, r.provider.name))
    return [r for r in result if r.flagged] if only_flagged else result
