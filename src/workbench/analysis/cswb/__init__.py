"""Community Safety and Well-Being (CSWB) indicators from police data.

Ontario's CSWB framework sorts work into four **zones** (social development, prevention, risk
intervention, incident response); Ottawa's CSWB plan (2021–2031) sets **priorities**
(discrimination, marginalization and racism; financial security and poverty reduction;
gender-based violence; housing; integrated and simpler systems; mental well-being; youth
social development, added in the 2025 review). Each indicator here is mapped to a zone and to
the priorities it informs (:data:`INDICATORS`), from ``design/DOMAIN.md``.

Indicators are counted per calendar year and neighbourhood in the engine
(:func:`indicator_counts`), turned into rates per 1,000 residents with exact Poisson
intervals and compared with the whole city (:func:`indicator_rates`), followed over the years
(:func:`indicator_trend`), and brought together for one neighbourhood
(:func:`neighbourhood_profile`). Which call types, dispositions, clearances and categories
feed each indicator is an option (:class:`IndicatorOptions`), not a constant: services code
their CAD differently.

Counts frames use the neighbourhood label :data:`CITY` for the whole city (every event,
located or not) and :data:`UNLOCATED` for events without a neighbourhood. A count may be
missing (``<NA>``, suppressed for a public page): every rate, ratio and change computed from it
is then missing too, so the functions work unchanged on published tables.
"""

from __future__ import annotations

from workbench.analysis.cswb.counts import indicator_counts, repeat_call_locations
from workbench.analysis.cswb.indicators import (
    CITY,
    DEFAULT_INDICATOR_OPTIONS,
    INDICATORS,
    PRIORITIES,
    UNLOCATED,
    ZONES,
    Indicator,
    IndicatorOptions,
    indicator_catalogue,
    priority_labels,
)
from workbench.analysis.cswb.rates import (
    NeighbourhoodProfile,
    indicator_rates,
    indicator_trend,
    neighbourhood_populations,
    neighbourhood_profile,
)
from workbench.periods import FIRST_YEAR_GRACE_DAYS, complete_years

__all__ = [
    "CITY",
    "DEFAULT_INDICATOR_OPTIONS",
    "FIRST_YEAR_GRACE_DAYS",
    "INDICATORS",
    "PRIORITIES",
    "UNLOCATED",
    "ZONES",
    "Indicator",
    "IndicatorOptions",
    "NeighbourhoodProfile",
    "complete_years",
    "indicator_catalogue",
    "indicator_counts",
    "indicator_rates",
    "indicator_trend",
    "neighbourhood_populations",
    "neighbourhood_profile",
    "priority_labels",
    "repeat_call_locations",
]
