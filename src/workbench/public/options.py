"""What the public outputs contain: :class:`OpenDataOptions`, and the error they raise."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from workbench import schema
from workbench.analysis import cswb
from workbench.errors import WorkbenchError

__all__ = [
    "CATEGORY_INDICATORS",
    "DEFAULT_OPTIONS",
    "DEFAULT_POINT_CATEGORIES",
    "ID_COLUMNS",
    "OpenDataError",
    "OpenDataOptions",
]

#: Id columns never written to a public file (besides :data:`workbench.privacy.IDENTIFIER_COLUMNS`):
#: record ids of every canonical table and the subject's sequence number.
ID_COLUMNS: tuple[str, ...] = (
    "incident_id", "call_id", "collision_id", "report_id", "action_id", "complaint_id",
    "subject_number", "officer_id", "unit_id", "location_key", "source",
)
#: Offence categories published as geomasked points by default: property offences, whose
#: location says little about a person. Everything else is published as suppressed counts only.
DEFAULT_POINT_CATEGORIES: tuple[str, ...] = (
    "break_and_enter", "auto_theft", "theft_over", "theft_under", "mischief",
)
#: The CSWB indicators that are slices of the incident counts (one offence category each).
CATEGORY_INDICATORS = ("hate_incidents", "shootings", "homicides")


class OpenDataError(WorkbenchError):
    """Raised when public outputs cannot be produced safely: options that would link tables
    (an indicator whose codes make it the sum of others), a table the audit finds exposing a
    count, or an output folder that cannot be written. The message names the option or table."""


@dataclass(frozen=True)
class OpenDataOptions:
    """What the public outputs contain.

    * ``point_categories``: offence categories published as geomasked points (and therefore
      left out of the suppressed incident counts, which they would otherwise link to).
    * ``geomask_cell_metres``: grid cell of the geomask; a published point is between
      ``cell/√2`` and ``cell·√2`` from the true one.
    * ``indicators``: the codes feeding the CSWB indicators.
    * ``publisher`` / ``licence``: written into every metadata file.
    """

    point_categories: tuple[str, ...] = DEFAULT_POINT_CATEGORIES
    geomask_cell_metres: float = 250.0
    indicators: cswb.IndicatorOptions = field(default_factory=cswb.IndicatorOptions)
    publisher: str = "Police service (set OpenDataOptions.publisher)"
    licence: str = "Open Government Licence (set OpenDataOptions.licence)"

    def __post_init__(self) -> None:
        unknown = sorted(set(self.point_categories) - set(schema.OFFENCE_CATEGORIES))
        if unknown:
            raise OpenDataError(f"point_categories holds unknown offence categories: "
                                f"{', '.join(unknown)}")
        if not (math.isfinite(self.geomask_cell_metres) and self.geomask_cell_metres > 0):
            raise OpenDataError(
                f"geomask_cell_metres must be a positive number, got {self.geomask_cell_metres}")
        self._check_links()

    def _check_links(self) -> None:
        indicators = self.indicators
        for name, categories in (("hate_categories", indicators.hate_categories),
                                 ("shooting_categories", indicators.shooting_categories),
                                 ("homicide_categories", indicators.homicide_categories)):
            if len(categories) != 1:
                raise OpenDataError(
                    f"indicators.{name} must name exactly one offence category for public "
                    f"outputs (got {', '.join(categories)}): a sum of categories would be a new "
                    "total of the published incident counts and could expose hidden cells")
            if categories[0] in self.point_categories:
                raise OpenDataError(
                    f"indicators.{name} = {categories[0]!r} is also published as points "
                    "(point_categories): the points would give the suppressed counts away")
        others = set()
        for name, types in indicators.call_type_indicators().items():
            if name != "non_police_response_calls":
                others |= set(types)
        if set(indicators.non_police_call_types) <= others:
            raise OpenDataError(
                "indicators.non_police_call_types lists only call types published by other "
                "indicators, so its counts would equal their sum and expose their hidden cells; "
                "add a call type of its own (e.g. 'noise') or publish it internally only")

    @property
    def sensitive_categories(self) -> tuple[str, ...]:
        """Offence categories published as suppressed counts only."""
        return tuple(c for c in schema.OFFENCE_CATEGORIES if c not in self.point_categories)




#: The default public outputs.
DEFAULT_OPTIONS = OpenDataOptions()
