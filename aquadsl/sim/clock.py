"""Times of day for repeated daily events (sensor readings, feedings), as UTC timestamps."""

from __future__ import annotations

import numpy as np

# Working-day slots for small counts, as the farms log them (six readings: 06, 08, 10, 14, 16, 18 h).
_HOURS = {1: (12,), 2: (8, 16), 3: (6, 12, 18), 4: (6, 10, 14, 18), 5: (6, 9, 12, 15, 18),
          6: (6, 8, 10, 14, 16, 18)}


def slot_seconds(per_day: int) -> np.ndarray:
    """Seconds after midnight of ``per_day`` events; more than six spread evenly over 24 h."""
    if per_day <= 0:
        return np.zeros(0, dtype=np.int64)
    if per_day in _HOURS:
        return np.array(_HOURS[per_day], dtype=np.int64) * 3600
    return np.arange(per_day, dtype=np.int64) * 86400 // per_day


def slot_hours(per_day: int) -> np.ndarray:
    """The same slots as fractional hours (for diurnal cycles)."""
    return slot_seconds(per_day) / 3600.0


def timestamps(dates: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """datetime64[s] array of shape (days, slots): every date at every slot."""
    return dates.astype("datetime64[s]")[:, None] + seconds.astype("timedelta64[s]")[None, :]


def around_the_clock(per_day: int) -> np.ndarray:
    """Seconds after midnight of ``per_day`` readings spread evenly over 24 h (loggers never sleep)."""
    return np.arange(max(per_day, 0), dtype=np.int64) * 86400 // max(per_day, 1)
