"""The boundary between OpenFisca (float32 euros) and the ledger (integer cents)."""

import numpy as np


def to_cents(euros: np.ndarray) -> np.ndarray:
    """Round every amount to whole cents, as int64. Rounding happens per person, once: totals are then sums of
    these integers, so a total never differs from the sum of what the people get."""
    return np.rint(np.asarray(euros, dtype=np.float64) * 100).astype(np.int64)
