"""The door of the employers app: what other apps use of employers, sector funds and employments."""

from levenlang.employers.models import Employer, Employment, Sector, SectorFund

# The models other apps query (they hold the relations other apps' rows point to).
__all__ = ["Employer", "Employment", "Sector", "SectorFund"]
