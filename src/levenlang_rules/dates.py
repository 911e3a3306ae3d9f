"""Vectorised date arithmetic on numpy datetime64[D] arrays (birth dates of millions of people at once)."""

import datetime

import numpy as np


def year_month_day(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = np.asarray(dates, dtype="datetime64[D]")
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int32) + 1970
    month = months.astype(np.int32) % 12 + 1
    day = (dates - months).astype(np.int32) + 1
    return year, month, day


def age_in_months(birth: np.ndarray, on: datetime.date) -> np.ndarray:
    """Completed months of age on the day `on` (a birthday counts on the day itself)."""
    year, month, day = year_month_day(birth)
    return (on.year - year) * 12 + (on.month - month) - (on.day < day)
