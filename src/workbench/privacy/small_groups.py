"""Small groups: hiding every figure about fewer than *k* people, and asking for it once.

Aggregates about people (absence rates of a unit, turnout of a shift pattern …) carry the
number of people each row describes. For an audience below ``restricted``,
:func:`protect_small_groups` hides (with complementary suppression,
:func:`~workbench.privacy.suppress_small_cells`) every figure about fewer than ``k`` people
(``WORKBENCH_SMALL_CELL_THRESHOLD``). A report asks once, for its audience
(:class:`SmallGroupGuard`): the guard returns protected frames for a lower audience and the
frames as they are for the restricted one, and refuses person-level data below it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import AnalysisInputError
from workbench.privacy.audience import Audience, PrivacyError, small_cell_threshold
from workbench.privacy.suppression import suppress_small_cells

__all__ = [
    "PERSON_LEVEL_AUDIENCE",
    "SmallGroupGuard",
    "protect_small_groups",
    "require_person_level",
]

#: The only audience person-level frames (one row per officer or member) may be produced for.
PERSON_LEVEL_AUDIENCE = Audience.RESTRICTED


@dataclass(frozen=True)
class SmallGroupGuard:
    """The privacy of one report or app, asked once: its ``audience`` and ``threshold``.

    :meth:`protect` hides small groups in an aggregate frame when the audience is below
    ``restricted`` (and returns a copy of it unchanged otherwise); :meth:`require_person_level`
    refuses person-level data below ``restricted``.
    """

    audience: Audience
    threshold: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "audience", Audience.parse(self.audience))

    @property
    def protects(self) -> bool:
        """Whether frames are protected (the audience is below ``restricted``)."""
        return self.audience < PERSON_LEVEL_AUDIENCE

    def protect(self, frame: pd.DataFrame, *, dimensions: Sequence[str], people: str = "people",
                attribute_counts: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
        """``frame`` as this audience may see it (see :func:`protect_small_groups`)."""
        if not self.protects:
            return frame.copy()
        return protect_small_groups(frame, dimensions=dimensions, people=people,
                                    attribute_counts=attribute_counts, threshold=self.threshold)

    def require_person_level(self, what: str) -> None:
        """Raise :class:`PrivacyError` unless person-level ``what`` may go to this audience."""
        require_person_level(self.audience, what)


def require_person_level(audience: Audience | str, what: str) -> None:
    """Raise :class:`PrivacyError` unless ``audience`` may see person-level ``what``."""
    if Audience.parse(audience) < PERSON_LEVEL_AUDIENCE:
        raise PrivacyError(
            f"{what} lists individual members: it may only be produced for the "
            f"{PERSON_LEVEL_AUDIENCE.label} audience, not {Audience.parse(audience).label}")


def protect_small_groups(
    frame: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    people: str = "people",
    attribute_counts: Mapping[str, Sequence[str]] | None = None,
    threshold: int | None = None,
) -> pd.DataFrame:
    """``frame`` with every figure about fewer than ``threshold`` people hidden (for internal
    and public reports).

    ``people`` holds the size of the group each row describes; rows whose group is suppressed
    by :func:`workbench.privacy.suppress_small_cells` (below the threshold, or hidden so a
    small one cannot be worked out from totals) have every other value set to missing.
    ``attribute_counts`` maps further people counts (e.g. ``people_absent``) to the columns
    derived from them (e.g. ``("incidence",)``): each is suppressed the same way on its own.
    ``dimensions`` identify a row (one row per combination). Adds a boolean ``suppressed``
    column (any value hidden). ``threshold`` defaults to the ``WORKBENCH_SMALL_CELL_THRESHOLD``
    setting. Never modifies ``frame``.
    """
    dimensions = list(dimensions)
    result = frame.copy()
    result["suppressed"] = False
    if result.empty:
        return result
    measures = [c for c in result.columns if c not in (*dimensions, "suppressed")]
    if people not in frame.columns:
        raise AnalysisInputError(f"no column {people!r} to protect; columns: "
                                 f"{', '.join(frame.columns)}")
    hidden = _hidden_rows(result, dimensions, people, threshold)
    for column in measures:
        result[column] = _masked(result[column], hidden)
    result.loc[hidden, "suppressed"] = True
    for count, derived in (attribute_counts or {}).items():
        if count not in frame.columns:
            raise AnalysisInputError(f"no column {count!r} to protect; columns: "
                                     f"{', '.join(frame.columns)}")
        small = _hidden_rows(frame.assign(**{count: frame[count].fillna(0)}), dimensions, count,
                             threshold) & ~hidden
        for column in (count, *derived):
            result[column] = _masked(result[column], small)
        result.loc[small, "suppressed"] = True
    return result


def _hidden_rows(frame: pd.DataFrame, dimensions: list[str], count: str,
                 threshold: int | None) -> np.ndarray:
    """Rows whose ``count`` is suppressed (primary or complementary)."""
    if not dimensions:  # one figure per row and no totals to protect: hide the small ones
        limit = small_cell_threshold() if threshold is None else int(threshold)
        counts = frame[count].fillna(0).to_numpy(dtype=float)
        return (counts > 0) & (counts < limit)
    table = frame[[*dimensions, count]].copy()
    table[count] = table[count].astype("int64")
    protected = suppress_small_cells(table, dimensions=dimensions, count=count,
                                     threshold=threshold)
    return protected.cells["suppressed"].to_numpy(dtype=bool)


def _masked(values: pd.Series, hidden: np.ndarray) -> pd.Series:
    if not hidden.any():
        return values
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = values.astype("Int64" if pd.api.types.is_integer_dtype(values.dtype)
                               else "boolean")
    elif not (pd.api.types.is_float_dtype(values.dtype)
              or isinstance(values.dtype, pd.DatetimeTZDtype)
              or pd.api.types.is_datetime64_any_dtype(values.dtype)):
        values = values.astype(object)
    return values.mask(pd.Series(hidden, index=values.index))
