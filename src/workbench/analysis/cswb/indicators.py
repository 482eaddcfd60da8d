"""CSWB indicator definitions: the framework's zones, the plan's priorities, each indicator's
zone and priorities, and the codes that feed them (:class:`IndicatorOptions`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.errors import AnalysisInputError

__all__ = [
    "CITY",
    "DEFAULT_INDICATOR_OPTIONS",
    "INDICATORS",
    "PRIORITIES",
    "UNLOCATED",
    "ZONES",
    "Indicator",
    "IndicatorOptions",
    "indicator_catalogue",
    "priority_labels",
]

#: Neighbourhood label of city-wide rows (every event, with or without a location).
CITY = "city"
#: Neighbourhood label of events without a usable location.
UNLOCATED = "unlocated"

ZONES: dict[str, str] = {
    "social_development": "Social development: long-term work on the root causes of harm",
    "prevention": "Prevention: reducing identified risks before harm occurs",
    "risk_intervention": "Risk intervention: acting on situations of elevated risk",
    "incident_response": "Incident response: emergency and enforcement responses",
}

PRIORITIES: dict[str, str] = {
    "discrimination_marginalization_racism": "Discrimination, marginalization and racism",
    "financial_security_poverty_reduction": "Financial security and poverty reduction",
    "gender_based_violence": "Gender-based violence and violence against women",
    "housing": "Housing",
    "integrated_simpler_systems": "Integrated and simpler systems",
    "mental_well_being": "Mental well-being",
    "youth_social_development": "Youth social development (added in the 2025 review)",
}


@dataclass(frozen=True)
class Indicator:
    """One CSWB indicator: what it counts, its zone and the plan priorities it informs."""

    name: str
    label: str
    source: str
    unit: str
    zone: str
    priorities: tuple[str, ...]
    description: str


INDICATORS: dict[str, Indicator] = {indicator.name: indicator for indicator in (
    Indicator("mental_health_calls", "Mental-health calls", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being", "integrated_simpler_systems"),
              "Calls for service of a mental-health call type (options.mental_health_call_types)"),
    Indicator("mental_health_apprehensions", "Mental Health Act apprehensions",
              "calls_for_service", "calls", "incident_response", ("mental_well_being",),
              "Calls closed with an apprehension disposition (options.apprehension_dispositions)"),
    Indicator("wellness_checks", "Wellness checks", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being", "housing"),
              "Calls of a wellness-check type (options.wellness_check_call_types)"),
    Indicator("overdose_calls", "Overdose calls", "calls_for_service", "calls",
              "risk_intervention", ("mental_well_being",),
              "Calls of an overdose type (options.overdose_call_types)"),
    Indicator("intimate_partner_family_violence", "Intimate-partner and family violence",
              "incidents", "incidents", "incident_response", ("gender_based_violence",),
              "Criminal incidents flagged domestic (intimate-partner or family violence)"),
    Indicator("hate_incidents", "Hate and bias incidents", "incidents", "incidents",
              "incident_response", ("discrimination_marginalization_racism",),
              "Criminal incidents motivated by hate or bias (options.hate_categories)"),
    Indicator("repeat_call_locations", "Repeat-call locations", "calls_for_service",
              "locations", "risk_intervention", ("housing", "integrated_simpler_systems"),
              "Addresses or blocks with at least options.repeat_call_minimum calls in the year"),
    Indicator("youth_diversions", "Youth diversions and referrals", "incidents", "incidents",
              "prevention", ("youth_social_development",),
              "Incidents cleared by youth diversion or referral (options.youth_clearances)"),
    Indicator("shootings", "Shootings", "incidents", "incidents", "incident_response",
              ("youth_social_development",),
              "Shootings and firearm discharges (options.shooting_categories)"),
    Indicator("homicides", "Homicides", "incidents", "incidents", "incident_response",
              ("youth_social_development",),
              "Homicides (options.homicide_categories)"),
    Indicator("non_police_response_calls", "Calls suited to a non-police response",
              "calls_for_service", "calls", "risk_intervention",
              ("integrated_simpler_systems", "mental_well_being"),
              "Calls of a type another service could answer (options.non_police_call_types)"),
)}


@dataclass(frozen=True)
class IndicatorOptions:
    """Which codes feed each indicator (services code their data differently).

    ``repeat_call_minimum``: a location is a repeat-call location in a year when it drew at
    least this many calls that year. ``non_police_call_types``: call types another service
    could answer (mental-health crisis teams, community responders, by-law); the default is
    an example, not a standard.
    """

    mental_health_call_types: tuple[str, ...] = ("mental_health",)
    apprehension_dispositions: tuple[str, ...] = ("mha_apprehension",)
    wellness_check_call_types: tuple[str, ...] = ("wellness_check",)
    overdose_call_types: tuple[str, ...] = ("overdose",)
    hate_categories: tuple[str, ...] = ("hate_crime",)
    youth_clearances: tuple[str, ...] = ("youth_diversion", "youth_referral")
    shooting_categories: tuple[str, ...] = ("shooting",)
    homicide_categories: tuple[str, ...] = ("homicide",)
    non_police_call_types: tuple[str, ...] = ("mental_health", "wellness_check", "overdose", "noise")
    repeat_call_minimum: int = 25

    def __post_init__(self) -> None:
        if self.repeat_call_minimum < 2:
            raise AnalysisInputError(
                f"repeat_call_minimum must be at least 2 calls; got {self.repeat_call_minimum}")
        for name in ("mental_health_call_types", "apprehension_dispositions",
                     "wellness_check_call_types", "overdose_call_types", "hate_categories",
                     "youth_clearances", "shooting_categories", "homicide_categories",
                     "non_police_call_types"):
            values = getattr(self, name)
            if isinstance(values, str) or not values:
                raise AnalysisInputError(f"{name} must be a non-empty list of codes; got {values!r}")

    def call_type_indicators(self) -> dict[str, tuple[str, ...]]:
        """Indicators that count calls of listed types → their types."""
        return {
            "mental_health_calls": self.mental_health_call_types,
            "wellness_checks": self.wellness_check_call_types,
            "overdose_calls": self.overdose_call_types,
            "non_police_response_calls": self.non_police_call_types,
        }


#: The default indicator definitions.
DEFAULT_INDICATOR_OPTIONS = IndicatorOptions()


def priority_labels(priorities: Iterable[str]) -> str:
    """Plan priorities as readable text."""
    return "; ".join(PRIORITIES.get(p, p) for p in priorities)


def indicator_catalogue() -> pd.DataFrame:
    """Every indicator with its zone and priorities, for documentation pages."""
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone,
                          "priorities": priority_labels(i.priorities), "unit": i.unit,
                          "description": i.description} for i in INDICATORS.values()])

