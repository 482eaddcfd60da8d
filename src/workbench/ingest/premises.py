"""Premises text → the canonical ``location_type`` vocabulary, by keyword rules."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from workbench.ingest.base import map_distinct


def classify_premises(values: pd.Series, rules: Sequence[tuple[str, str]] = (),
                      *, default: str = "other") -> pd.Series:
    """Premises text → the canonical ``location_type`` vocabulary by keyword rules.

    The vocabulary: residence, apartment, commercial, educational, outside, transit, other.
    Rules are (regular expression, type), tried in order, case-insensitive; the defaults
    (:data:`PREMISES_RULES`) suit the premises wording of Toronto and Chicago exports.
    """
    compiled = [(re.compile(pattern, re.IGNORECASE), kind)
                for pattern, kind in (*rules, *PREMISES_RULES)]

    def classify(text: str) -> str:
        for pattern, kind in compiled:
            if pattern.search(text):
                return kind
        return default

    return map_distinct(values, classify)


#: The ``location_type`` values the built-in adapters produce.
LOCATION_TYPES = ("residence", "apartment", "commercial", "educational", "outside", "transit",
                  "other")

PREMISES_RULES: tuple[tuple[str, str], ...] = (
    (r"apartment|condo|rooming|\bcha\b|chicago housing", "apartment"),
    (r"residen|house|home|garage|porch|yard|dwelling|driveway", "residence"),
    (r"school|college|universit|educational", "educational"),
    (r"transit|subway|\bcta\b|\bbus\b|train|railroad|platform|transportation|airport|"
     r"taxi|ride share|station", "transit"),
    (r"street|sidewalk|alley|road|highway|park|lot|outside|open area|lake|river|beach|"
     r"vacant|bridge|expressway|forest|field", "outside"),
    (r"commercial|store|retail|restaurant|bar\b|tavern|business|office|bank|hotel|motel|"
     r"gas station|shop|mall|warehouse|corporate|grocery|pharmacy|liquor|currency|"
     r"dealership|club|theater|cleaning|barber|appliance|factory|construction|salon|"
     r"pawn|convenience|car wash|commercial", "commercial"),
)
