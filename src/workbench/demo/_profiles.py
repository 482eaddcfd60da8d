"""Time-of-day and day-of-week shapes shared by the event generators (private).

Hour profiles are relative weights for hours 0–23; weekday profiles are factors for Monday to
Sunday with mean 1. They are plausible shapes for a mid-sized Canadian city, not fitted values.
"""

from __future__ import annotations

import numpy as np

from workbench.demo import _sampling as sampling

# fmt: off
HOUR_PROFILES: dict[str, tuple[float, ...]] = {
    # Violence and disorder: low in the early morning, building to a late-evening peak.
    "violence": (9, 8, 8, 6, 4, 2.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5, 5.5, 6, 6.5, 7, 7, 7.5, 8, 8.5, 9, 9.5),
    # Shop and business hours.
    "daytime": (2, 1.5, 1, 1, 0.8, 0.8, 1, 2, 3.5, 5, 6.5, 7.5, 8, 8, 8, 8, 7.5, 7, 6, 5, 4.5, 4, 3, 2.5),
    # Break and enter: homes empty in the day, businesses at night.
    "break_and_enter": (3, 3, 3, 3, 2.5, 2, 2, 3, 4.5, 5.5, 6, 6, 6, 6, 6, 5.5, 5, 4.5, 4, 4, 4, 3.5, 3.5, 3),
    # Vehicles taken overnight.
    "overnight": (6, 6, 6, 5, 4, 3, 2.5, 2, 2, 2, 2, 2, 2, 2, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6),
    # Bars closing.
    "impaired": (9, 9, 8, 6, 3, 1.5, 1, 1, 1, 1, 1, 1, 1.5, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9, 10),
    # Office hours with an evening tail.
    "business": (3, 2.5, 2, 1.5, 1.5, 1.5, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 5.5, 5, 5, 4.5, 4, 4, 3.5),
    # Calls for service in general.
    "calls": (3, 2.5, 2, 1.7, 1.5, 1.5, 2, 3, 4, 4.7, 5.2, 5.5, 5.6, 5.6, 5.7, 5.9, 6.1, 6.2, 6.1, 5.9, 5.6,
              5.1, 4.5, 3.8),
    # Noise and disturbance calls.
    "night": (8, 7, 5, 3, 2, 1, 1, 1, 1, 1, 1, 1.5, 1.5, 1.5, 2, 2, 2.5, 3, 4, 5, 6, 7, 8, 9),
    # Mental health, domestic, wellness: afternoon and evening.
    "evening": (4, 3.5, 3, 2.5, 2, 1.5, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 7.5, 7, 6.5,
                5.5, 4.5),
    # Traffic: the two rush hours.
    "traffic": (1, 0.7, 0.5, 0.4, 0.5, 1, 2.5, 5.5, 7, 5, 4, 4.2, 4.8, 4.8, 5, 6, 7.5, 8, 6, 4.5, 3.5, 3,
                2.2, 1.5),
}

WEEKDAY_PROFILES: dict[str, tuple[float, ...]] = {
    "violence": (0.90, 0.88, 0.90, 0.95, 1.05, 1.20, 1.12),
    "property": (1.02, 1.02, 1.02, 1.02, 1.05, 0.96, 0.91),
    "impaired": (0.70, 0.70, 0.80, 0.90, 1.20, 1.55, 1.15),
    "flat": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "calls": (0.97, 0.96, 0.97, 0.99, 1.05, 1.07, 0.99),
    "traffic": (1.00, 1.02, 1.03, 1.05, 1.15, 0.99, 0.76),
}
# fmt: on

HOUR_NAMES = tuple(HOUR_PROFILES)


def hour_matrix(names: list[str]) -> np.ndarray:
    """Rows of hour probabilities for the named profiles."""
    return sampling.normalised(np.array([HOUR_PROFILES[name] for name in names]))


def weekday_matrix(names: list[str]) -> np.ndarray:
    """Rows of weekday factors (mean 1) for the named profiles."""
    rows = np.array([WEEKDAY_PROFILES[name] for name in names], dtype=float)
    return rows / rows.mean(axis=1, keepdims=True)


def daily_factors(
    day_numbers: np.ndarray,
    amplitudes: np.ndarray,
    peaks: np.ndarray,
    weekday_rows: np.ndarray,
    annual_trends: np.ndarray,
    reference_day: int,
) -> np.ndarray:
    """(K, D) multipliers for K event types on D days: season × weekday × trend.

    Trends are compound annual rates relative to ``reference_day`` (factor 1 there).
    """
    day_numbers = np.asarray(day_numbers)
    season = np.stack(
        [
            sampling.seasonal_factor(day_numbers, a, p)
            for a, p in zip(amplitudes, peaks, strict=True)
        ]
    )
    weekday = weekday_rows[:, sampling.weekday(day_numbers)]
    years = (day_numbers - reference_day) / 365.25
    trend = (1.0 + np.asarray(annual_trends))[:, None] ** years[None, :]
    return season * weekday * trend


def seconds_in_day(
    rng: np.random.Generator,
    day_numbers: np.ndarray,
    profile_index: np.ndarray,
    hour_probabilities: np.ndarray,
) -> np.ndarray:
    """Event times (seconds since the epoch) on the given days, hour drawn from each event's profile."""
    hour = sampling.sample_by_group(rng, profile_index, hour_probabilities)
    second = rng.integers(0, 3600, len(day_numbers))
    return np.asarray(day_numbers, dtype="int64") * sampling.SECONDS_PER_DAY + hour * 3600 + second
