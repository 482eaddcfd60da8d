"""Community reports: race-based use of force, CSWB indicators, open data. Parameter models
and registrations.

| report | notebook | audience of its jobs |
|---|---|---|
| ``use_of_force_annual`` | ``use_of_force_annual.py`` | public (yearly) |
| ``cswb_indicators`` | ``cswb_indicators.py`` | public |
| ``cswb_neighbourhood_profile`` | ``cswb_neighbourhood_profile.py`` | public |
| ``open_data_refresh`` | ``open_data_refresh.py`` | public (writes the open-data folder) |

Every one of them shows only slices of the suppressed tables of :mod:`workbench.public`
(the same tables the open-data folder holds), so they are safe at the ``public`` audience and
agree with the open data published the same day. The neighbourhood profile is public for that
reason: it discloses nothing the open data does not, and CSWB plans are community documents.

The indicator definitions (call types, repeat-call minimum, …) are deliberately *not*
parameters: every public output must use the same ones (two definitions of one indicator would
be linked tables); change them in :class:`workbench.public.OpenDataOptions`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

if TYPE_CHECKING:
    from workbench.analysis.use_of_force import IndexThresholds

# The analysis modules (scipy, Ibis) are imported where a validator or method needs them, so
# that loading the jobs (``workbench render --due`` with nothing due) stays quick.
from workbench.publish.reports import OutputFolder, ReportParameters, register_reports

__all__ = [
    "CswbIndicatorsParameters",
    "CswbNeighbourhoodProfileParameters",
    "OpenDataRefreshParameters",
    "UseOfForceAnnualParameters",
]


class UseOfForceAnnualParameters(ReportParameters):
    """Parameters of the annual race-based use-of-force report."""

    year: int | None = Field(
        None, ge=1990, le=2100,
        description="Calendar year reported; empty = the latest complete year in the data")
    as_of: dt.date | None = Field(
        None, description="Last day of data considered; empty = the WORKBENCH_TODAY setting")
    reference_group: str = Field(
        "white", description="Reference group of the Racial Disparity Index")
    over_representation: float = Field(
        1.1, ge=1.0, le=5.0, description="Index at or above this is flagged over-represented")
    under_representation: float = Field(
        0.9, gt=0.0, le=1.0, description="Index at or below this is flagged under-represented")
    minimum_count: int = Field(
        20, ge=0, le=1000, description="Counts below this get a caution flag")
    focus_group: str = Field(
        "black", description="Group whose indices are the headline figures")

    @model_validator(mode="after")
    def _known_groups(self) -> UseOfForceAnnualParameters:
        from workbench.analysis.use_of_force import RACE_GROUPS

        for name in ("reference_group", "focus_group"):
            value = getattr(self, name)
            if value not in RACE_GROUPS:
                raise ValueError(f"{name} must be one of {', '.join(RACE_GROUPS)}; got {value!r}")
        return self

    def thresholds(self) -> IndexThresholds:
        """The index thresholds these parameters set."""
        from workbench.analysis.use_of_force import IndexThresholds

        return IndexThresholds(over_representation=self.over_representation,
                               under_representation=self.under_representation,
                               minimum_count=self.minimum_count)


class CswbIndicatorsParameters(ReportParameters):
    """Parameters of the service-wide CSWB indicators report."""

    year: int | None = Field(
        None, ge=1990, le=2100,
        description="Calendar year shown; empty = the latest complete year in the data")
    as_of: dt.date | None = Field(
        None, description="Last day of data considered; empty = the WORKBENCH_TODAY setting")
    map_indicator: str = Field(
        "mental_health_calls", description="Indicator shown neighbourhood by neighbourhood")

    @model_validator(mode="after")
    def _known_indicator(self) -> CswbIndicatorsParameters:
        from workbench.analysis.cswb import INDICATORS

        if self.map_indicator not in INDICATORS:
            raise ValueError(f"map_indicator must be one of {', '.join(INDICATORS)}; "
                             f"got {self.map_indicator!r}")
        return self


class CswbNeighbourhoodProfileParameters(ReportParameters):
    """Parameters of the CSWB neighbourhood profile."""

    neighbourhood_id: str | None = Field(
        None, description="Neighbourhood profiled; empty = the first neighbourhood in the data")
    year: int | None = Field(
        None, ge=1990, le=2100,
        description="Calendar year profiled; empty = the latest complete year in the data")
    as_of: dt.date | None = Field(
        None, description="Last day of data considered; empty = the WORKBENCH_TODAY setting")


class OpenDataRefreshParameters(ReportParameters):
    """Parameters of the open-data refresh (writes the open-data folder, shows what it wrote)."""

    out: OutputFolder = Field(
        None, description="Folder to write (inside the site or data folder); empty = "
        "open-data/ in the site folder")
    as_of: dt.date | None = Field(
        None, description="Last day of data considered; empty = the WORKBENCH_TODAY setting")


_REPORTS = (
    ("use_of_force_annual", "use_of_force_annual.py", UseOfForceAnnualParameters,
     "Race-based use of force (Ontario Anti-Racism Data Standards): disproportionality and "
     "disparity indices by stage, with confidence intervals"),
    ("cswb_indicators", "cswb_indicators.py", CswbIndicatorsParameters,
     "Community safety and well-being indicators, city-wide and by neighbourhood"),
    ("cswb_neighbourhood_profile", "cswb_neighbourhood_profile.py",
     CswbNeighbourhoodProfileParameters,
     "One neighbourhood's CSWB indicators against the city, by zone and plan priority"),
    ("open_data_refresh", "open_data_refresh.py", OpenDataRefreshParameters,
     "Writes the open-data folder (suppressed, geomasked) and shows what was published"),
)

register_reports(_REPORTS)
