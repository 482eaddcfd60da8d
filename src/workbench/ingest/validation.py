"""Row-level validation, vectorised: every rejected row gets one reason and a column at fault.

Checks are boolean masks over a chunk of rows; :class:`RowIssues` keeps, per row, the *first*
problem found (parsers run first, so a row whose date does not parse is reported as a bad date,
not as a missing required value). Only the rows finally rejected become Python dicts, for the
quarantine table.

Table-level checks applied to every adapter's output (:func:`check_table`):

- a non-nullable canonical column is empty → ``missing required value``;
- a value outside the column's vocabulary (``offence_category``, ``clearance`` …) →
  ``unknown <column> value``;
- latitude outside [-90, 90] or longitude outside [-180, 180] → ``impossible coordinates``;
- the plausibility rules per column (:data:`FREE_TEXT_COLUMNS`, :data:`PAST_EVENT_TIMES`,
  :data:`NON_NEGATIVE`; documented in ``docs/ingest.md``): markup or an over-long value in a
  code column, an event time in the future or at a placeholder date, a negative count.

Duplicate keys within a batch are found in the engine after staging (see
:mod:`workbench.ingest.loading`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench import schema


def as_mask(values: Any, length: int) -> np.ndarray:
    """A plain boolean array from a boolean Series/array (missing counts as False)."""
    if isinstance(values, pd.Series):
        if values.dtype == bool:
            return values.to_numpy()
        return values.fillna(False).astype(bool).to_numpy()
    array = np.asarray(values, dtype=bool)
    if array.shape != (length,):
        raise ValueError(f"mask has shape {array.shape}, expected ({length},)")
    return array


class RowIssues:
    """The first problem of each row of one chunk: column at fault, reason, target table."""

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        size = len(index)
        self._flagged = np.zeros(size, dtype=bool)
        self._reason = np.full(size, None, dtype=object)
        self._column = np.full(size, None, dtype=object)
        self._table = np.full(size, None, dtype=object)
        self._problem = np.full(size, None, dtype=object)
        self._value = np.full(size, None, dtype=object)
        self.warnings: dict[tuple[str, str], int] = {}

    def warn(self, column: str, message: str, count: int) -> None:
        """Note ``count`` values of ``column`` kept despite ``message`` (summed per load)."""
        if count:
            key = (column, message)
            self.warnings[key] = self.warnings.get(key, 0) + int(count)

    def flag(self, mask: Any, column: str | None, reason: str | pd.Series,
             *, table: str | None = None, problem: str | None = None,
             value: pd.Series | None = None) -> None:
        """Reject the rows where ``mask`` is true (unless already rejected) for ``reason``.

        ``reason`` is one text for all, or a Series aligned with the rows (so it can quote
        each row's value, built with vectorised string operations). ``problem`` is the reason
        without the value (the same text for every row with this kind of problem) and
        ``value`` the value at fault (a Series aligned with the rows), for the quarantine's
        ``problem`` and ``value`` columns; a text ``reason`` is its own problem.
        """
        new = as_mask(mask, len(self.index)) & ~self._flagged
        if not new.any():
            return
        self._flagged |= new
        if isinstance(reason, pd.Series):  # may cover only the flagged rows
            aligned = reason.reindex(self.index).astype(object).to_numpy()
            self._reason[new] = aligned[new]
        else:
            self._reason[new] = reason
            problem = reason if problem is None else problem
        self._column[new] = column
        self._table[new] = table
        self._problem[new] = problem
        if value is not None:
            values = value.reindex(self.index).astype("string").str.slice(0, MAX_VALUE_CHARS)
            self._value[new] = values.astype(object).to_numpy()[new]

    @property
    def rejected(self) -> np.ndarray:
        """Boolean array: rows rejected so far."""
        return self._flagged.copy()

    @property
    def count(self) -> int:
        return int(self._flagged.sum())

    def rejected_frame(self, default_table: str) -> pd.DataFrame:
        """One row per rejected row: ordinal (the chunk's index), column, reason, table."""
        where = self._flagged
        return pd.DataFrame({
            "ordinal": self.index.to_numpy()[where],
            "column": self._column[where],
            "reason": self._reason[where],
            "target_table": [t or default_table for t in self._table[where]],
            "problem": self._problem[where],
            "value": self._value[where],
        })


#: Longest value kept in the quarantine's ``value`` column.
MAX_VALUE_CHARS = 1_000

_QUOTED = re.compile(r"'[^']*'")


def problem_of(reason: str) -> str:
    """A reason without the values it quotes (``bad date '2022-13-01' in Date`` →
    ``bad date in Date``), for reasons built without a separate problem text."""
    return re.sub(r"\s{2,}", " ", _QUOTED.sub("", reason)).replace(" :", ":").strip()


def quoted(values: pd.Series) -> pd.Series:
    """Each value in single quotes, for reasons like ``bad date '2022-13-01' in Date``."""
    text = values.astype("string").fillna("")
    return "'" + text.str.slice(0, 80) + "'"


class CanonicalRows:
    """One table's canonical values for one chunk: a Series aligned with ``index`` or a
    constant per column (constants stay scalars, so they cost nothing per row)."""

    def __init__(self, table: schema.Table, index: pd.Index, values: Mapping[str, Any],
                 source_columns: Mapping[str, str | None]) -> None:
        self.table = table
        self.index = index
        self.values = dict(values)
        self.source_columns = dict(source_columns)

    def __len__(self) -> int:
        return len(self.index)

    def is_constant(self, name: str) -> bool:
        return not isinstance(self.values[name], pd.Series)

    def select(self, keep: np.ndarray) -> CanonicalRows:
        """The rows where ``keep`` (boolean array over the rows) is true."""
        values = {name: value[keep] if isinstance(value, pd.Series) else value
                  for name, value in self.values.items()}
        return CanonicalRows(self.table, self.index[keep], values, self.source_columns)


def check_table(rows: CanonicalRows, issues: RowIssues) -> None:
    """Flag rows that break the schema of ``rows.table`` (see the module docstring).

    The reason names the *source* column behind each canonical column, so the quarantine says
    what to fix in the export.
    """
    table = rows.table
    size = len(rows)

    def flag(mask: Any, column: str, reason: str | pd.Series, problem: str | None = None,
             value: pd.Series | None = None) -> None:
        # rows may repeat a record (secondary tables): map back to the chunk's records
        if isinstance(mask, (bool, np.bool_)):
            mask = np.full(size, bool(mask))
        mask = as_mask(mask, size)
        if not mask.any():
            return
        records = np.isin(issues.index.to_numpy(), rows.index.to_numpy()[mask])

        def per_record(series: pd.Series) -> pd.Series:
            return pd.Series(series.to_numpy()[mask] if len(series) == size else series,
                             index=rows.index[mask]).groupby(level=0).first()

        if isinstance(reason, pd.Series):
            reason = per_record(reason)
        if value is not None:
            value = per_record(value.astype("string").astype(object))
        issues.flag(records, column, reason, table=table.name, problem=problem, value=value)

    for column in table.columns:
        value = rows.values[column.name]
        at_fault = rows.source_columns.get(column.name) or column.name
        constant = not isinstance(value, pd.Series)
        if not column.nullable:
            missing = (value is None or (not isinstance(value, str) and pd.isna(value))) \
                if constant else value.isna()
            flag(missing, at_fault, f"missing required value (for {table.name}.{column.name})")
        if column.vocabulary:
            allowed = list(column.vocabulary)
            if constant:
                unknown = value is not None and value not in allowed
                flag(unknown, at_fault, f"unknown {column.name} value {value!r}")
            else:
                mask = (value.notna() & ~value.isin(allowed)).to_numpy(bool)
                if mask.any():
                    flag(mask, at_fault, f"unknown {column.name} value " + quoted(value),
                         f"unknown {column.name} value", value)
    if "latitude" in rows.values and "longitude" in rows.values \
            and not rows.is_constant("latitude") and not rows.is_constant("longitude"):
        latitude = pd.to_numeric(rows.values["latitude"], errors="coerce")
        longitude = pd.to_numeric(rows.values["longitude"], errors="coerce")
        impossible = (latitude.abs() > 90) | (longitude.abs() > 180)
        flag(impossible, rows.source_columns.get("latitude") or "latitude",
             "impossible coordinates (latitude outside ±90 or longitude outside ±180)")
    _check_plausibility(rows, flag, issues)


# ------------------------------------------------------------------------------------------
# Plausibility rules per column
# ------------------------------------------------------------------------------------------

#: Canonical text columns that hold free text (names, descriptions, geometry): they keep any
#: text (pages escape it). Every other text column holds a *code* (an id, a division, a
#: neighbourhood, an offence code, a call type …) and is refused when it carries markup.
FREE_TEXT_COLUMNS = frozenset({
    "offence_description", "location_name", "unit_name", "cost_centre_name", "name",
    "description", "boundary_geojson", "command",
})

#: Longest value a code column accepts.
MAX_CODE_LENGTH = 200

#: What counts as markup in a code: an HTML tag or comment, a double quote or backtick (an
#: attribute break-out), a script URL scheme, template syntax, a Markdown link.
MARKUP = re.compile(
    r"""<\s*[A-Za-z/!?]|["`]|(?:java|vb)script\s*:|data\s*:\s*text/html|\{\{|\{%|\$\{|<%|\]\s*\(""",
    re.IGNORECASE,
)

#: Times of events that have happened: refused when later than the load day (+1 day of
#: slack for time zones) or on/before 1900-01-01 (a placeholder); kept with a warning before
#: :data:`EARLIEST_USUAL`.
PAST_EVENT_TIMES: dict[str, tuple[str, ...]] = {
    "incidents": ("occurred_at", "reported_at"),
    "calls_for_service": ("received_at", "dispatched_at", "arrived_at", "cleared_at"),
    "collisions": ("occurred_at",),
    "use_of_force": ("occurred_at",),
    "enforcement_actions": ("occurred_at",),
    "complaints": ("received_at",),
    "personnel": ("hired_on", "left_on"),
}
PLACEHOLDER_BEFORE = dt.datetime(1900, 1, 2)
EARLIEST_USUAL = dt.datetime(1970, 1, 1)

#: Counts, hours and amounts that cannot be below zero (finance amounts can: credits).
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "collisions": ("killed", "seriously_injured"),
    "use_of_force": ("subject_count",),
    "use_of_force_subjects": ("subject_number",),
    "units": ("minimum_staffing",),
    "shifts": ("scheduled_hours", "worked_hours", "absence_hours", "overtime_hours",
               "overtime_cost"),
    "staffing": ("actual",),
    "neighbourhoods": ("area_km2",),
    "population": ("population",),
    "population_by_race": ("population",),
    "offence_codes": ("csi_weight",),
    "complaint_counts": ("complaints",),
}


#: Figures that are normally not negative but can be: kept, with a warning. (TPS publishes
#: negative *approved* strength for "Centralized Service Charges", a budget adjustment.)
USUALLY_NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "staffing": ("approved",),
}


def is_code_column(column: schema.Column) -> bool:
    """True for a text column holding codes rather than free text (see FREE_TEXT_COLUMNS)."""
    return column.dtype == "string" and not column.vocabulary \
        and column.name not in FREE_TEXT_COLUMNS


def _load_day_limit() -> dt.datetime:
    from workbench.settings import get_settings

    return dt.datetime.combine(get_settings().today, dt.time()) + dt.timedelta(days=2)


def _check_plausibility(rows: CanonicalRows, flag: Any, issues: RowIssues) -> None:
    table = rows.table
    past_times = PAST_EVENT_TIMES.get(table.name, ())
    non_negative = NON_NEGATIVE.get(table.name, ())
    for column in table.columns:
        value = rows.values[column.name]
        if not isinstance(value, pd.Series) or column.name == "source":
            continue
        at_fault = rows.source_columns.get(column.name) or column.name
        if is_code_column(column):
            text = value if isinstance(value.dtype, pd.StringDtype) else value.astype("string")
            array = pa.array(text, type=pa.string(), from_pandas=True)
            lengths_array = pc.utf8_length(array)
            too_long = pc.fill_null(pc.greater(lengths_array, MAX_CODE_LENGTH), False) \
                .to_numpy(zero_copy_only=False)
            if too_long.any():
                lengths = pd.Series(lengths_array.to_pandas(), index=value.index) \
                    .astype("Int64").astype("string")
                flag(too_long, at_fault, "too long for a code: " + lengths
                     + f" characters in {at_fault} (at most {MAX_CODE_LENGTH})",
                     f"too long for a code in {at_fault} (at most {MAX_CODE_LENGTH} characters)",
                     text)
            markup = pc.fill_null(pc.match_substring_regex(array, MARKUP.pattern,
                                                           ignore_case=True), False) \
                .to_numpy(zero_copy_only=False)
            if markup.any():
                rule = ("(a code may not hold <tags>, quotes, script links or template "
                        "syntax)")
                flag(markup, at_fault, "markup in a code column: " + quoted(value)
                     + f" in {at_fault} {rule}", f"markup in a code column in {at_fault} {rule}",
                     text)
        elif column.name in past_times and pd.api.types.is_datetime64_any_dtype(value.dtype):
            future = (value > _load_day_limit()).fillna(False).to_numpy(bool)
            if future.any():
                flag(future, at_fault, "date in the future: " + quoted(value.astype("string"))
                     + f" in {at_fault} (after the load day)",
                     f"date in the future in {at_fault} (after the load day)", value)
            placeholder = (value < PLACEHOLDER_BEFORE).fillna(False).to_numpy(bool)
            if placeholder.any():
                flag(placeholder, at_fault, "placeholder date: "
                     + quoted(value.astype("string")) + f" in {at_fault} (1900-01-01 or earlier)",
                     f"placeholder date in {at_fault} (1900-01-01 or earlier)", value)
            early = (value >= PLACEHOLDER_BEFORE) & (value < EARLIEST_USUAL)
            issues.warn(at_fault, f"before {EARLIEST_USUAL:%Y} (kept; check they are real "
                        "dates, not placeholders)", int(early.fillna(False).sum()))
        elif column.name in non_negative and pd.api.types.is_numeric_dtype(value.dtype):
            negative = (value < 0).fillna(False).to_numpy(bool)
            if negative.any():
                flag(negative, at_fault, "negative value: " + quoted(value.astype("string"))
                     + f" in {at_fault} (a count or amount that cannot be below zero)",
                     f"negative value in {at_fault} (a count or amount that cannot be below "
                     "zero)", value)
        elif column.name in USUALLY_NON_NEGATIVE.get(table.name, ()) \
                and pd.api.types.is_numeric_dtype(value.dtype):
            issues.warn(at_fault, "below zero (kept; check they are adjustments, not typos)",
                        int((value < 0).fillna(False).sum()))
