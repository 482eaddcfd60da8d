"""Open data and public tables: everything the service shows the public goes through here.

Two kinds of public output share this module, so they can never disagree:

* the **open-data folder** written by ``workbench export-open-data`` (:func:`export_open_data`):
  CSV (and GeoJSON where there is geography) per dataset, each with a ``metadata.json`` (data
  dictionary, suppression and geomasking rules, refresh date);
* the **public report pages** (annual race-based use of force, CSWB indicators and
  neighbourhood profiles), whose tables are slices of the very same :class:`PublicTable`\\ s.

Every count table passes :func:`workbench.privacy.suppress_small_cells` (threshold
``WORKBENCH_SMALL_CELL_THRESHOLD``, complementary suppression, audited by
:func:`workbench.privacy.audit_public_table` before anything is written); identifiers are
dropped (:func:`workbench.privacy.drop_identifiers` plus an explicit list of id columns); points
are moved off the address (:func:`workbench.privacy.geomask_points`). Rates, shares and indices
are computed from the *published* counts only, so a hidden count never leaks through a ratio.

Linked tables. Two tables computed from the same records are linked through their common totals:
a cell hidden in one can be worked out from the other. So each kind of record is published as
**one family** — one suppressed table whose margins give every total shown anywhere:

- ``use_of_force_subjects_by_race``: year × race_group × force_type (people perceived as one
  group); ``use_of_force_subjects_multiple_unknown``: year × race_group (multiple / unknown; no
  total of the two families is published, so they are not linked);
- ``enforcement_actions_by_race`` (year × race_group × action_type) and its
  ``…_multiple_unknown`` family;
- ``incidents_by_neighbourhood``: year × neighbourhood_id × offence_category, for the
  categories *not* published as points;
- ``cswb_<indicator>``: year × neighbourhood_id, one per CSWB indicator; the category
  indicators (hate incidents, shootings, homicides) are slices of ``incidents_by_neighbourhood``;
- ``incident_points``: geomasked points of the property categories (no counts table: the
  points are the data), domestic incidents left out.

Each year is protected as its own table (no total over years is published).
The total of people perceived as one group — the denominator of the ARDS indices — is the
family's ``race_group = all`` margin; it is kept shown whenever it is not small (the cheapest
other entries on its lines are hidden instead, and the attacker's audit checks the result).
Every family covers the complete calendar years of its source up to ``as_of``, so a report and
the open data rendered the same day publish the same numbers. See
``docs/privacy.md`` for the rules and their limits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

from workbench import schema
from workbench.analysis import cswb
from workbench.analysis import use_of_force as uof
from workbench.analysis._common import within_dates
from workbench.errors import WorkbenchError
from workbench.privacy import (
    EARTH_RADIUS_METRES,
    Audience,
    Exposure,
    SuppressedTable,
    audit_public_table,
    drop_identifiers,
    geomask_points,
    small_cell_threshold,
    suppress_small_cells,
)

__all__ = [
    "ALL",
    "DEFAULT_OPTIONS",
    "ID_COLUMNS",
    "AnnualUseOfForce",
    "CswbOverview",
    "SUPPRESSED_MARK",
    "DatasetFile",
    "HtmlFragment",
    "OpenDataError",
    "OpenDataExport",
    "OpenDataOptions",
    "PublicOutputs",
    "PublicTable",
    "add_arguments",
    "annual_use_of_force",
    "build_public_outputs",
    "city_indicator_table_html",
    "cswb_overview",
    "cswb_profile",
    "disparity_table_html",
    "derived_table_html",
    "enforcement_public_tables",
    "export_open_data",
    "incident_points",
    "incidents_public_table",
    "indicator_public_tables",
    "published_force_type_counts",
    "published_indicator_counts",
    "profile_table_html",
    "published_stage_counts",
    "run",
    "stage_index_table_html",
    "use_of_force_public_tables",
]

#: Level of a dimension in a margin row ("all neighbourhoods", "every year", ...).
ALL = "all"
#: How a suppressed count is shown on a page (files leave it empty and say ``suppressed``).
SUPPRESSED_MARK = "x"
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
_NOT_RECORDED = "not_recorded"
_CATEGORY_INDICATORS = ("hate_incidents", "shootings", "homicides")


class OpenDataError(WorkbenchError):
    """Raised when public outputs cannot be produced safely: options that would link tables
    (an indicator whose codes make it the sum of others), a table the audit finds exposing a
    count, or an output folder that cannot be written. The message names the option or table."""


# --------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Public tables
# --------------------------------------------------------------------------------------------


class HtmlFragment(str):
    """HTML that a notebook displays as HTML (the value of a cell's last expression)."""

    def _repr_html_(self) -> str:
        return str(self)


@dataclass(frozen=True)
class PublicTable:
    """A family of counts made safe to publish, in long form.

    ``entries`` has one row per published entry: the dimension columns (text; :data:`ALL` in a
    margin's summed-over dimensions), the count (``Int64``, ``<NA>`` where suppressed) and a
    boolean ``suppressed``. Cells and every margin of the suppressed table are there, so any
    slice of it is safe to show next to any other.

    ``split_by`` (``"year"`` for every family here) names a dimension suppressed level by level:
    each year is its own protected table and no total over years is published. A complete
    year's table then never changes from one release to the next (its data do not), so
    releases cannot be differenced, and each protected table stays small enough for the full
    integer check of :func:`workbench.privacy.suppress_small_cells`.
    """

    name: str
    title: str
    description: str
    dimensions: tuple[str, ...]
    count: str
    threshold: int
    footnote: str
    entries: pd.DataFrame
    dictionary: Mapping[str, str] = field(default_factory=dict)
    split_by: str | None = "year"

    @classmethod
    def from_counts(cls, frame: pd.DataFrame, *, name: str, title: str, description: str,
                    dimensions: Sequence[str], count: str, threshold: int,
                    dictionary: Mapping[str, str] | None = None,
                    split_by: str | None = "year",
                    keep_shown: Sequence[Mapping[str, str]] = ()) -> PublicTable:
        """Suppress ``frame`` (one row per combination of ``dimensions``), one protected table
        per level of ``split_by``, and keep every entry.

        ``keep_shown`` lists patterns (dimension → level, e.g. ``{"race_group": ALL}``) of
        totals a page needs as denominators: where the suppression hid such a total although
        it is not small, it is shown again and the cheapest other entries on its lines are
        hidden instead, until :func:`~workbench.privacy.audit_public_table` (linear
        programming, whole counts, hidden counts ≥ 1) finds nothing; if that fails the
        suppression's own pattern is kept.
        """
        dims = tuple(dimensions)
        if split_by is not None and split_by not in dims:
            raise OpenDataError(f"split_by {split_by!r} is not a dimension of {name}")
        text = frame[list(dims)].astype(str).assign(**{count: frame[count].astype("int64")})
        inner = tuple(d for d in dims if d != split_by)
        parts = []
        footnote = f"Counts below {threshold} are suppressed."
        groups = [(None, text)] if split_by is None else list(text.groupby(split_by, sort=True))
        for level, rows in groups:
            table = rows.drop(columns=[split_by]) if split_by is not None else rows
            if table.empty or int(table[count].sum()) == 0:
                entries = _unsuppressed_entries(table, inner, count)
            else:
                suppressed = suppress_small_cells(table.reset_index(drop=True), dimensions=inner,
                                                  count=count, threshold=threshold)
                footnote = suppressed.footnote
                entries = _entries_of(suppressed)
                if keep_shown:
                    entries = _keep_totals_shown(table, entries, inner, count, threshold,
                                                 keep_shown)
            if split_by is not None:
                entries.insert(dims.index(split_by), split_by, str(level))
            parts.append(entries[[*dims, count, "suppressed"]])
        entries = (pd.concat(parts, ignore_index=True) if parts else
                   pd.DataFrame({**{d: pd.Series(dtype=str) for d in dims},
                                 count: pd.Series(dtype="Int64"),
                                 "suppressed": pd.Series(dtype=bool)}))
        entries[count] = entries[count].astype("Int64")
        entries["suppressed"] = entries["suppressed"].astype(bool)
        if split_by is not None:
            footnote += f" Each {split_by.replace('_', ' ')} is protected as its own table."
        return cls(name=name, title=title, description=description, dimensions=dims, count=count,
                   threshold=threshold, footnote=footnote, entries=entries,
                   dictionary=dict(dictionary or {}), split_by=split_by)

    # -- reading ---------------------------------------------------------------------------
    def select(self, **levels: object) -> pd.DataFrame:
        """Entries whose dimensions equal ``levels`` (a level may be :data:`ALL`); dimensions
        not named may take any level."""
        mask = pd.Series(True, index=self.entries.index)
        for dimension, level in levels.items():
            if dimension not in self.dimensions:
                raise OpenDataError(f"{self.name} has no dimension {dimension!r}; it has "
                                    f"{', '.join(self.dimensions)}")
            mask &= self.entries[dimension] == str(level)
        return self.entries.loc[mask].reset_index(drop=True)

    def value(self, **levels: object) -> int | None:
        """The published count at a full key (every dimension named), None when suppressed or
        absent (a combination absent from the table is a structural zero: 0)."""
        missing = [d for d in self.dimensions if d not in levels]
        if missing:
            raise OpenDataError(f"name every dimension of {self.name}: missing {', '.join(missing)}")
        rows = self.select(**levels)
        if rows.empty:
            return 0
        value = rows[self.count].iloc[0]
        return None if pd.isna(value) else int(value)

    def levels(self, dimension: str) -> list[str]:
        """The levels of ``dimension`` (without :data:`ALL`), in table order."""
        values = self.entries[dimension]
        return list(dict.fromkeys(v for v in values if v != ALL))

    def protected_tables(self) -> list[tuple[dict[str, str], pd.DataFrame]]:
        """Each protected table: its fixed levels (``{split_by: level}``) and its entries
        without the split dimension."""
        if self.split_by is None:
            return [({}, self.entries)]
        inner = [d for d in self.dimensions if d != self.split_by]
        return [({self.split_by: str(level)},
                 rows[[*inner, self.count, "suppressed"]].reset_index(drop=True))
                for level, rows in self.entries.groupby(self.split_by, sort=True)]

    def audit(self, *, method: str = "auto") -> list[Exposure]:
        """Attack every protected table as published (an empty list is safe)."""
        inner = tuple(d for d in self.dimensions if d != self.split_by)
        exposures: list[Exposure] = []
        for _, entries in self.protected_tables():
            cells, margins = split_entries(entries, inner, self.count)
            if cells.empty:
                continue
            exposures += audit_public_table(cells, margins, dimensions=inner, count=self.count,
                                            threshold=self.threshold, method=method)  # type: ignore[arg-type]
        return exposures

    def suppressed_share(self) -> float:
        """Share of the published entries that are suppressed."""
        return float(self.entries["suppressed"].mean()) if len(self.entries) else 0.0

    def slice(self, **levels: object) -> PublicTable:
        """The sub-table at fixed levels of some dimensions (not :data:`ALL`), with its margins:
        a consistent table of the remaining dimensions (e.g. one offence category)."""
        rows = self.select(**levels)
        dims = tuple(d for d in self.dimensions if d not in levels)
        return PublicTable(name=self.name, title=self.title, description=self.description,
                           dimensions=dims, count=self.count, threshold=self.threshold,
                           footnote=self.footnote,
                           entries=rows[[*dims, self.count, "suppressed"]].reset_index(drop=True),
                           dictionary=self.dictionary,
                           split_by=self.split_by if self.split_by in dims else None)

    # -- showing ---------------------------------------------------------------------------
    def html(self, *, rows: str, columns: str | None = None,
             where: Mapping[str, object] | None = None,
             row_levels: Sequence[str] | None = None,
             column_levels: Sequence[str] | None = None,
             labels: Mapping[str, str] | None = None,
             caption: str | None = None) -> HtmlFragment:
        """A page table of one slice: ``rows`` × ``columns`` (or one count column), the other
        dimensions fixed by ``where`` (default :data:`ALL`), with a Total row and column.

        Each count cell carries its full key in ``data-wb-key`` and the table names its family
        in ``data-wb-table``, so the privacy tests can audit exactly what a page shows.
        """
        where = {k: str(v) for k, v in (where or {}).items()}
        labels = dict(labels or {})
        fixed = {d: where.get(d, ALL) for d in self.dimensions if d not in (rows, columns)}
        row_values = [str(v) for v in (row_levels or self.levels(rows))] + [ALL]
        column_values = ([str(v) for v in (column_levels or self.levels(columns))] + [ALL]
                         if columns else [ALL])
        lookup = self._lookup()
        head = "".join(f"<th>{html.escape(_label(value, labels, total='Total'))}</th>"
                       for value in column_values) if columns else \
            f"<th>{html.escape(labels.get(self.count, self.count.replace('_', ' ').capitalize()))}</th>"
        lines = [
            f'<table class="wb-public-table" data-wb-table="{html.escape(self.name)}" '
            f'data-wb-dimensions="{html.escape(",".join(self.dimensions))}" '
            f'data-wb-count="{html.escape(self.count)}" data-wb-threshold="{self.threshold}" '
            f'data-wb-split="{html.escape(self.split_by or "")}">',
        ]
        if caption:
            lines.append(f"<caption>{html.escape(caption)}</caption>")
        lines.append(f"<thead><tr><th>{html.escape(labels.get(rows, rows.replace('_', ' ').capitalize()))}"
                     f"</th>{head}</tr></thead><tbody>")
        for row_value in row_values:
            cells = []
            for column_value in column_values:
                key = {**fixed, rows: row_value}
                if columns:
                    key[columns] = column_value
                ordered = {d: key[d] for d in self.dimensions}
                value = lookup.get(tuple(str(v) for v in ordered.values()), 0)
                text = SUPPRESSED_MARK if value is None else f"{value:,}"
                cells.append(f"<td data-wb-key='{html.escape(json.dumps(ordered), quote=True)}'>"
                             f"{text}</td>")
            row_label = _label(row_value, labels, total="Total")
            lines.append(f"<tr><th>{html.escape(row_label)}</th>{''.join(cells)}</tr>")
        lines.append("</tbody></table>")
        lines.append(f'<p class="wb-footnote">{html.escape(self.footnote)} '
                     f'Suppressed counts are shown as “{SUPPRESSED_MARK}”.</p>')
        return HtmlFragment("\n".join(lines))

    def _lookup(self) -> dict[tuple[str, ...], int | None]:
        keys = self.entries[list(self.dimensions)].itertuples(index=False, name=None)
        values = self.entries[self.count]
        return {tuple(key): (None if pd.isna(value) else int(value))
                for key, value in zip(keys, values, strict=True)}


def _label(value: str, labels: Mapping[str, str], *, total: str) -> str:
    if value == ALL:
        return labels.get(ALL, total)
    return labels.get(value, uof.RACE_GROUP_LABELS.get(value, value.replace("_", " ")))


def _subsets(dims: Sequence[str], size: int) -> Iterable[tuple[str, ...]]:
    import itertools

    return itertools.combinations(dims, size)


def _unsuppressed_entries(table: pd.DataFrame, dims: Sequence[str], count: str) -> pd.DataFrame:
    """Entries of an all-zero (or empty) table: nothing to hide, zeros are shown."""
    parts = [table[[*dims, count]].assign(suppressed=False)]
    for size in range(len(dims)):
        for subset in _subsets(dims, size):
            if subset:
                grouped = table.groupby(list(subset), as_index=False)[count].sum()
            else:
                grouped = pd.DataFrame({count: [int(table[count].sum())]})
            for dim in dims:
                if dim not in subset:
                    grouped[dim] = ALL
            parts.append(grouped[[*dims, count]].assign(suppressed=False))
    entries = pd.concat(parts, ignore_index=True)
    entries[count] = entries[count].astype("Int64")
    return entries


def _true_entries(table: pd.DataFrame, dims: Sequence[str], count: str) -> pd.DataFrame:
    """Every cell and margin of ``table`` with its true count (:data:`ALL` in margins)."""
    return _unsuppressed_entries(table, dims, count).drop(columns="suppressed")


def _matches(entries: pd.DataFrame, patterns: Sequence[Mapping[str, str]]) -> pd.Series:
    mask = pd.Series(False, index=entries.index)
    for pattern in patterns:
        hit = pd.Series(True, index=entries.index)
        for dimension, level in pattern.items():
            if dimension in entries.columns:  # dimensions a table lacks are ignored
                hit &= entries[dimension] == str(level)
        mask |= hit
    return mask


def _keep_totals_shown(table: pd.DataFrame, entries: pd.DataFrame, dims: Sequence[str],
                       count: str, threshold: int,
                       patterns: Sequence[Mapping[str, str]]) -> pd.DataFrame:
    """Show again the hidden totals matching ``patterns`` (when not small) and hide other
    entries on their lines instead, checked by the attacker's audit; see
    :meth:`PublicTable.from_counts`."""
    dims = list(dims)
    truth = _true_entries(table, dims, count).rename(columns={count: "_true"})
    merged = entries.merge(truth, on=dims, how="left")
    required = _matches(merged, patterns) & ((merged["_true"] >= threshold) | (merged["_true"] == 0))
    if not (required & merged["suppressed"]).any():
        return entries
    hidden = merged["suppressed"].to_numpy().copy()
    hidden[required.to_numpy()] = False
    keys = merged[dims].to_numpy(dtype=object)
    values = merged["_true"].to_numpy(dtype="int64")
    fixed = required.to_numpy()
    for _ in range(4 * len(merged)):
        candidate = merged[dims].assign(**{count: pd.array(
            np.where(hidden, 0, values), dtype="Int64")})
        candidate.loc[hidden, count] = pd.NA
        cells, margins = split_entries(candidate, dims, count)
        exposures = audit_public_table(cells, margins, dimensions=dims, count=count,
                                       threshold=threshold, method="lp",
                                       max_lp_unknowns=10_000)
        if not exposures:
            result = merged[dims].assign(**{count: candidate[count], "suppressed": hidden})
            return result
        lines_hit = np.zeros(len(merged), dtype=int)
        for exposed in exposures:
            key = {d: ALL for d in dims}
            key.update({d: str(v) for d, v in zip(exposed.dimensions, exposed.key, strict=True)})
            target = np.array([key[d] for d in dims], dtype=object)
            lines_hit += ((keys != target).sum(axis=1) == 1).astype(int)
        options = np.flatnonzero((lines_hit > 0) & ~hidden & ~fixed & (values > 0))
        if options.size == 0:
            break
        # the smallest count (least information lost), then the entry on most exposed lines
        best = options[np.lexsort((-lines_hit[options], values[options]))[0]]
        hidden[best] = True
    return entries


def _entries_of(suppressed: SuppressedTable) -> pd.DataFrame:
    """Cells and margins of a suppressed table in one long frame (:data:`ALL` in margins)."""
    dims = list(suppressed.dimensions)
    count = suppressed.count
    parts = [suppressed.cells[[*dims, count, "suppressed"]]]
    for subset, frame in suppressed.margins.items():
        part = frame[[*subset, count, "suppressed"]].copy()
        for dim in dims:
            if dim not in subset:
                part[dim] = ALL
        parts.append(part[[*dims, count, "suppressed"]])
    entries = pd.concat(parts, ignore_index=True)
    for dim in dims:
        entries[dim] = entries[dim].astype(str)
    entries[count] = entries[count].astype("Int64")
    entries["suppressed"] = entries["suppressed"].astype(bool)
    return entries


def split_entries(entries: pd.DataFrame, dimensions: Sequence[str],
                  count: str) -> tuple[pd.DataFrame, dict[tuple[str, ...], pd.DataFrame]]:
    """Long entries (with :data:`ALL` in margins) → cells and margins for the audit."""
    dims = list(dimensions)
    is_all = entries[dims].eq(ALL)
    cell_rows = ~is_all.any(axis=1)
    cells = entries.loc[cell_rows, [*dims, count]].reset_index(drop=True)
    margins: dict[tuple[str, ...], pd.DataFrame] = {}
    margin_rows = entries.loc[~cell_rows]
    if len(margin_rows):
        pattern = is_all.loc[~cell_rows]
        for flags, group in margin_rows.groupby([pattern[d] for d in dims], sort=False):
            subset = tuple(d for d, summed in zip(dims, flags, strict=True) if not summed)
            margins[subset] = group[[*subset, count]].reset_index(drop=True)
    return cells, margins


#: How a derived-table column depends on the row's sources: ``"label"`` (it depends on none:
#: a name), ``"all"`` (on every source) or the positions of the sources it needs.
Needs = str | tuple[int, ...]


def derived_table_html(frame: pd.DataFrame, *,
                       columns: Sequence[tuple[str, str, str, Needs]],
                       row_sources: Sequence[Sequence[tuple[PublicTable, Mapping[str, object]]]],
                       caption: str | None = None, footnote: str | None = None) -> HtmlFragment:
    """A page table of figures derived from published counts (shares, indices, rates).

    ``columns`` lists ``(frame column, heading, format, needs)``: the format is ``"count"``,
    ``"percent"``, ``"ratio"``, ``"rate"``, ``"interval"`` (a column holding
    ``(lower, upper)``) or ``"text"``; ``needs`` says which of the row's sources the figure
    derives from (see :data:`Needs`). ``row_sources`` gives, for each row, the published
    entries (family, key; dimensions not named are :data:`ALL`). The row carries them in
    ``data-wb-sources`` and each figure its needs in ``data-wb-needs`` (positions beyond a
    row's sources are dropped: that row's figure needs fewer), so a test can check that no
    figure is shown unless every count it derives from is published.
    """
    if len(row_sources) != len(frame):
        raise OpenDataError(f"row_sources has {len(row_sources)} entries for {len(frame)} rows")
    lines = ['<table class="wb-derived-table">']
    if caption:
        lines.append(f"<caption>{html.escape(caption)}</caption>")
    lines.append("<thead><tr>" + "".join(f"<th>{html.escape(c[1])}</th>" for c in columns)
                 + "</tr></thead><tbody>")
    for (_, row), sources in zip(frame.iterrows(), row_sources, strict=True):
        keys = [{"table": table.name,
                 "key": {d: str(key.get(d, ALL)) for d in table.dimensions}}
                for table, key in sources]
        cells = []
        for column, _, kind, needs in columns:
            text = html.escape(_format(row[column], kind))
            if needs == "label":
                cells.append(f"<td>{text}</td>")
                continue
            positions = (list(range(len(keys))) if isinstance(needs, str) else
                         [i for i in needs if i < len(keys)])
            cells.append(f"<td data-wb-needs='{json.dumps(positions)}'>{text}</td>")
        lines.append(f"<tr data-wb-sources='{html.escape(json.dumps(keys), quote=True)}'>"
                     f"{''.join(cells)}</tr>")
    lines.append("</tbody></table>")
    if footnote:
        lines.append(f'<p class="wb-footnote">{html.escape(footnote)}</p>')
    return HtmlFragment("\n".join(lines))


def _format(value: object, kind: str) -> str:
    if kind == "interval":
        if not isinstance(value, tuple) or any(_missing(v) for v in value):
            return "–"
        return f"{value[0]:.2f} – {value[1]:.2f}"
    if _missing(value):
        return "–"
    if kind == "count":
        return f"{int(value):,}"  # type: ignore[call-overload]
    if kind == "percent":
        return f"{100 * float(value):.1f}%"  # type: ignore[arg-type]
    if kind == "ratio":
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    if kind == "rate":
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return uof.RACE_GROUP_LABELS.get(str(value), str(value).replace("_", " "))


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# Families
# --------------------------------------------------------------------------------------------


def _first_date(table: ibis.Table, column: str) -> dt.date | None:
    value = table[column].min().execute()
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _table_or_none(warehouse: Any, name: str) -> ibis.Table | None:
    return warehouse.table(name) if warehouse.has_table(name) else None


def _family_years(table: ibis.Table | None, column: str, as_of: dt.date) -> list[int]:
    if table is None:
        return []
    return cswb.complete_years(_first_date(table, column), as_of)


def _split_race_counts(counts: pd.DataFrame, detail: str, count: str
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one perceived group × ``detail``) and (multiple / unknown, no detail) frames."""
    counts = counts.assign(**{detail: counts[detail].fillna(_NOT_RECORDED)})
    single = counts.loc[counts["race_group"].isin(uof.RACE_GROUPS),
                        ["year", "race_group", detail, "count"]].rename(columns={"count": count})
    other = counts.loc[~counts["race_group"].isin(uof.RACE_GROUPS)]
    other = other.groupby(["year", "race_group"], as_index=False)["count"].sum() \
        .rename(columns={"count": count})
    return single, other


_RACE_DICTIONARY = {
    "year": "Calendar year (of the use-of-force report / the enforcement action)",
    "race_group": "Officer-perceived race, Ontario Anti-Racism Data Standards categories "
                  f"({', '.join(uof.RACE_GROUPS)}); all: total of people perceived as one group",
}
_OTHER_DICTIONARY = {
    "year": "Calendar year",
    "race_group": "multiple: perceived as more than one group (counted once, not split "
                  "between groups); unknown: perceived race not recorded; all: total of both",
}
#: The total the ARDS indices divide by (people perceived as one group in the year): kept
#: shown whenever it is not small.
_DENOMINATORS = ({"race_group": ALL, "force_type": ALL, "action_type": ALL},)


def use_of_force_public_tables(warehouse: Any, *, as_of: dt.date,
                               threshold: int | None = None) -> tuple[PublicTable, PublicTable]:
    """People force was used on (complete calendar years up to ``as_of``), suppressed, as two
    unlinked families: people perceived as one group by year × group × highest force used
    on them, and people perceived as several groups or of unknown race by year. Never holds
    officer data."""
    limit = small_cell_threshold() if threshold is None else threshold
    reports = _table_or_none(warehouse, "use_of_force")
    subjects = _table_or_none(warehouse, "use_of_force_subjects")
    years = _family_years(reports, "occurred_at", as_of) if subjects is not None else []
    if years and reports is not None and subjects is not None:
        counts = uof.use_of_force_subject_counts(
            reports, subjects, start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 12, 31),
            by=["year", "force_type"], counting="single")
        single, other = _split_race_counts(counts, "force_type", "subjects")
    else:
        single = pd.DataFrame(columns=["year", "race_group", "force_type", "subjects"])
        other = pd.DataFrame(columns=["year", "race_group", "subjects"])
    main = PublicTable.from_counts(
        single, name="use_of_force_subjects_by_race",
        title="People force was used on, by perceived race and type of force",
        description="Use-of-force subjects perceived as one group (one per person per report) by "
                    "calendar year, officer-perceived race and the highest type of force used on "
                    "them.",
        dimensions=("year", "race_group", "force_type"), count="subjects", threshold=limit,
        dictionary={**_RACE_DICTIONARY,
                    "force_type": "Highest type of force used on the person; all: total",
                    "subjects": "People force was used on (empty when suppressed)",
                    "suppressed": "true when the count is hidden"},
        keep_shown=_DENOMINATORS)
    rest = PublicTable.from_counts(
        other, name="use_of_force_subjects_multiple_unknown",
        title="People force was used on, perceived as several groups or of unknown race",
        description="Use-of-force subjects perceived as more than one group, or whose perceived "
                    "race was not recorded, by calendar year.",
        dimensions=("year", "race_group"), count="subjects", threshold=limit,
        dictionary={**_OTHER_DICTIONARY,
                    "subjects": "People force was used on (empty when suppressed)",
                    "suppressed": "true when the count is hidden"})
    return main, rest


def enforcement_public_tables(warehouse: Any, *, as_of: dt.date,
                              threshold: int | None = None) -> tuple[PublicTable, PublicTable]:
    """People subject to enforcement actions by year, perceived race and action type (and
    the multiple / unknown people apart), suppressed: the second ARDS stage."""
    limit = small_cell_threshold() if threshold is None else threshold
    actions = _table_or_none(warehouse, "enforcement_actions")
    years = _family_years(actions, "occurred_at", as_of)
    if years and actions is not None:
        counts = uof.enforcement_action_counts(
            actions, start=dt.date(years[0], 1, 1), end=dt.date(years[-1], 12, 31),
            by=["year", "action_type"], counting="single")
        single, other = _split_race_counts(counts, "action_type", "people")
    else:
        single = pd.DataFrame(columns=["year", "race_group", "action_type", "people"])
        other = pd.DataFrame(columns=["year", "race_group", "people"])
    main = PublicTable.from_counts(
        single, name="enforcement_actions_by_race",
        title="People subject to enforcement actions, by perceived race",
        description="Enforcement actions (arrests, charges, summonses, tickets; one per person per "
                    "action) of people perceived as one group, by calendar year, "
                    "officer-perceived race and type of action.",
        dimensions=("year", "race_group", "action_type"), count="people", threshold=limit,
        dictionary={**_RACE_DICTIONARY,
                    "action_type": "arrest, charge, summons, ticket, …; all: total",
                    "people": "People subject to an enforcement action (empty when suppressed)",
                    "suppressed": "true when the count is hidden"},
        keep_shown=_DENOMINATORS)
    rest = PublicTable.from_counts(
        other, name="enforcement_actions_multiple_unknown",
        title="People subject to enforcement actions, several groups or unknown race",
        description="Enforcement actions of people perceived as more than one group, or whose "
                    "perceived race was not recorded, by calendar year.",
        dimensions=("year", "race_group"), count="people", threshold=limit,
        dictionary={**_OTHER_DICTIONARY,
                    "people": "People subject to an enforcement action (empty when suppressed)",
                    "suppressed": "true when the count is hidden"})
    return main, rest


def incidents_public_table(warehouse: Any, *, as_of: dt.date,
                           options: OpenDataOptions = DEFAULT_OPTIONS,
                           threshold: int | None = None) -> PublicTable:
    """Incidents by year, neighbourhood and offence category for the categories *not*
    published as points, zero-filled over every neighbourhood and category, suppressed."""
    limit = small_cell_threshold() if threshold is None else threshold
    incidents = _table_or_none(warehouse, "incidents")
    dims = ("year", "neighbourhood_id", "offence_category")
    categories = list(options.sensitive_categories)
    dictionary = {
        "year": "Calendar year of occurrence",
        "neighbourhood_id": f"Neighbourhood; {cswb.UNLOCATED}: no usable location; all: total",
        "offence_category": "Offence category (see docs/data-model.md); all: total of the "
                            "categories in this table",
        "incidents": "Criminal incidents (empty when suppressed)",
        "suppressed": "true when the count is hidden",
    }
    meta: dict[str, Any] = {"name": "incidents_by_neighbourhood",
            "title": "Incidents by neighbourhood, year and offence category",
            "description": "Criminal incidents by occurrence year, neighbourhood and category, "
                           "for the categories not published as points "
                           f"({', '.join(categories)}).",
            "dimensions": dims, "count": "incidents", "threshold": limit, "dictionary": dictionary}
    years = _family_years(incidents, "occurred_at", as_of)
    if not years or incidents is None:
        return PublicTable.from_counts(pd.DataFrame(columns=[*dims, "incidents"]), **meta)
    window = incidents.filter(within_dates(incidents.occurred_at, dt.date(years[0], 1, 1),
                                           dt.date(years[-1], 12, 31))
                              & incidents.offence_category.isin(categories))
    window = window.mutate(year=window.occurred_at.year().cast("int64"),
                           neighbourhood_id=window.neighbourhood_id.fill_null(cswb.UNLOCATED))
    counts = window.group_by(list(dims)).aggregate(incidents=window.count()).to_pandas()
    areas = set(counts["neighbourhood_id"])
    neighbourhoods = _table_or_none(warehouse, "neighbourhoods")
    if neighbourhoods is not None:
        areas |= set(neighbourhoods.select("neighbourhood_id").to_pandas()["neighbourhood_id"])
    skeleton = pd.MultiIndex.from_product([years, sorted(areas), categories], names=list(dims))
    filled = counts.set_index(list(dims))["incidents"].reindex(skeleton, fill_value=0).reset_index()
    return PublicTable.from_counts(filled, **meta)


def indicator_public_tables(warehouse: Any, *, as_of: dt.date, incidents: PublicTable,
                            options: OpenDataOptions = DEFAULT_OPTIONS,
                            threshold: int | None = None) -> dict[str, PublicTable]:
    """One suppressed year × neighbourhood table per CSWB indicator.

    The category indicators (hate incidents, shootings, homicides) are slices of ``incidents``
    (:func:`incidents_public_table`), so the same counts carry the same suppression everywhere.
    """
    limit = small_cell_threshold() if threshold is None else threshold
    calls = _table_or_none(warehouse, "calls_for_service")
    incident_table = _table_or_none(warehouse, "incidents")
    tables: dict[str, PublicTable] = {}
    dims = ("year", "neighbourhood_id")
    indicator_options = options.indicators
    category_of = {"hate_incidents": indicator_options.hate_categories[0],
                   "shootings": indicator_options.shooting_categories[0],
                   "homicides": indicator_options.homicide_categories[0]}
    by_source = {
        "calls_for_service": _family_years(calls, "received_at", as_of),
        "incidents": _family_years(incident_table, "occurred_at", as_of),
    }
    own = [name for name in cswb.INDICATORS if name not in _CATEGORY_INDICATORS]
    neighbourhoods = _table_or_none(warehouse, "neighbourhoods")
    areas = (list(neighbourhoods.select("neighbourhood_id").to_pandas()["neighbourhood_id"])
             if neighbourhoods is not None else [])
    counted: dict[str, pd.DataFrame] = {}
    for source, years in by_source.items():
        names = [n for n in own if cswb.INDICATORS[n].source == source]
        if not years or not names:
            continue
        counts = cswb.indicator_counts(
            incidents=incident_table if source == "incidents" else None,
            calls_for_service=calls if source == "calls_for_service" else None,
            years=years, indicators=names, options=indicator_options,
            neighbourhood_ids=areas)
        for name, rows in counts.groupby("indicator", sort=False):
            counted[str(name)] = rows
    for name, indicator in cswb.INDICATORS.items():
        dictionary = {"year": "Calendar year",
                      "neighbourhood_id": f"Neighbourhood; {cswb.UNLOCATED}: no usable location; "
                                          "all: the whole city",
                      "count": f"{indicator.unit.capitalize()} (empty when suppressed)",
                      "suppressed": "true when the count is hidden"}
        if name in _CATEGORY_INDICATORS:
            sliced = incidents.slice(offence_category=category_of[name])
            tables[name] = PublicTable(
                name=f"cswb_{name}", title=indicator.label, description=indicator.description,
                dimensions=dims, count="count", threshold=incidents.threshold,
                footnote=incidents.footnote,
                entries=sliced.entries.rename(columns={incidents.count: "count"}),
                dictionary=dictionary, split_by=sliced.split_by)
            continue
        rows = counted.get(name)
        frame = (rows.loc[rows["neighbourhood_id"] != cswb.CITY, list(dims) + ["count"]]
                 if rows is not None else pd.DataFrame(columns=[*dims, "count"]))
        tables[name] = PublicTable.from_counts(
            frame.astype({"count": "int64"}), name=f"cswb_{name}", title=indicator.label,
            description=indicator.description, dimensions=dims, count="count", threshold=limit,
            dictionary=dictionary, keep_shown=({"neighbourhood_id": ALL},))
    return tables


def incident_points(warehouse: Any, *, as_of: dt.date,
                    options: OpenDataOptions = DEFAULT_OPTIONS) -> pd.DataFrame:
    """Geomasked incident points for the property categories (complete years up to ``as_of``).

    Columns: ``occurred_date, year, month, offence_category, location_type, division,
    neighbourhood_id, latitude, longitude``. Incidents flagged domestic and incidents without
    coordinates are left out; no id, time of day or address is kept; coordinates go through
    :func:`workbench.privacy.geomask_points`. Rows are sorted by date, category and masked
    position (not by record), so the order gives nothing away.
    """
    columns = ["occurred_date", "year", "month", "offence_category", "location_type", "division",
               "neighbourhood_id", "latitude", "longitude"]
    incidents = _table_or_none(warehouse, "incidents")
    years = _family_years(incidents, "occurred_at", as_of)
    if incidents is None or not years:
        return pd.DataFrame(columns=columns)
    chosen = incidents.filter(
        within_dates(incidents.occurred_at, dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))
        & incidents.offence_category.isin(list(options.point_categories))
        & ~incidents.domestic.fill_null(False)
        & incidents.latitude.notnull() & incidents.longitude.notnull())
    frame = chosen.select(
        occurred_date=chosen.occurred_at.date(), offence_category=chosen.offence_category,
        location_type=chosen.location_type, division=chosen.division,
        neighbourhood_id=chosen.neighbourhood_id, latitude=chosen.latitude,
        longitude=chosen.longitude).to_pandas()
    frame, _ = drop_identifiers(frame, extra=ID_COLUMNS)
    masked_latitude, masked_longitude = geomask_points(
        frame["latitude"], frame["longitude"], cell_metres=options.geomask_cell_metres,
        min_displacement=True)
    dates = pd.to_datetime(frame["occurred_date"])
    frame = frame.assign(occurred_date=dates.dt.date.astype(str), year=dates.dt.year,
                         month=dates.dt.month, latitude=np.round(masked_latitude, 6),
                         longitude=np.round(masked_longitude, 6))
    frame = frame.sort_values(["occurred_date", "offence_category", "latitude", "longitude"],
                              kind="stable").reset_index(drop=True)
    return frame[columns]


def geomask_bounds(cell_metres: float) -> tuple[float, float]:
    """The distance (metres) every published point keeps from its true location: at least
    ``cell/√2`` and at most ``cell·√2`` (see :func:`workbench.privacy.geomask_points`)."""
    return cell_metres / math.sqrt(2.0), cell_metres * math.sqrt(2.0)


# --------------------------------------------------------------------------------------------
# Published counts in analysis layouts (rates and indices from published counts only)
# --------------------------------------------------------------------------------------------


def published_stage_counts(uof_tables: tuple[PublicTable, PublicTable],
                           enforcement_tables: tuple[PublicTable, PublicTable],
                           population: pd.DataFrame, *, years: Sequence[int]) -> pd.DataFrame:
    """The layout of :func:`workbench.analysis.use_of_force.stage_counts` (``by_year``) from
    the published families: ``<NA>`` where a count (or the stage's one-group total) is
    suppressed. ``population`` is the benchmark per year: ``year, race_group, count``."""
    parts = []
    for year in years:
        year_population = population.loc[population["year"] == year, ["race_group", "count"]]
        if len(year_population):
            parts.append(uof.population_stage(year_population).assign(year=year,
                                                                      stage="population"))
        for stage, (main, rest) in (("enforcement_actions", enforcement_tables),
                                    ("use_of_force", uof_tables)):
            detail = [d for d in main.dimensions if d not in ("year", "race_group")]
            at_year = main.select(year=year, **{d: ALL for d in detail})
            if at_year.empty:
                continue
            total = at_year.loc[at_year["race_group"] == ALL, main.count]
            groups = at_year.loc[at_year["race_group"] != ALL]
            others = rest.select(year=year)
            others = others.loc[others["race_group"] != ALL]
            frame = pd.DataFrame({
                "race_group": [*groups["race_group"], *others["race_group"]],
                "count": [*groups[main.count], *others[rest.count]]})
            frame["total"] = total.iloc[0] if len(total) else pd.NA
            parts.append(frame.assign(year=year, stage=stage))
    columns = ["year", "stage", "race_group", "count", "total"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    frame["count"] = pd.array(pd.to_numeric(frame["count"], errors="coerce"), dtype="Float64")
    frame["total"] = pd.array(pd.to_numeric(frame["total"], errors="coerce"), dtype="Float64")
    return frame


def published_force_type_counts(uof_table: PublicTable, *, years: Sequence[int]) -> pd.DataFrame:
    """``year, force_type, race_group, count, total`` from the published use-of-force family
    (``total``: people perceived as one group with that force type)."""
    parts = []
    for year in years:
        at_year = uof_table.select(year=year)
        cells = at_year.loc[(at_year["race_group"] != ALL) & (at_year["force_type"] != ALL)]
        totals = at_year.loc[(at_year["race_group"] == ALL) & (at_year["force_type"] != ALL),
                             ["force_type", uof_table.count]]
        merged = cells.merge(totals.rename(columns={uof_table.count: "total"}), on="force_type",
                             how="left")
        parts.append(pd.DataFrame({"year": year, "force_type": merged["force_type"],
                                   "race_group": merged["race_group"],
                                   "count": merged[uof_table.count], "total": merged["total"]}))
    columns = ["year", "force_type", "race_group", "count", "total"]
    parts = [part for part in parts if len(part)]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    frame["count"] = pd.array(pd.to_numeric(frame["count"], errors="coerce"), dtype="Float64")
    frame["total"] = pd.array(pd.to_numeric(frame["total"], errors="coerce"), dtype="Float64")
    return frame


def published_indicator_counts(tables: Mapping[str, PublicTable]) -> pd.DataFrame:
    """The layout of :func:`workbench.analysis.cswb.indicator_counts` from the published
    indicator tables: ``indicator, year, neighbourhood_id, count`` (``<NA>`` when suppressed),
    the city rows being the published totals."""
    parts = []
    for name, table in tables.items():
        rows = table.entries.loc[table.entries["year"] != ALL]
        if rows.empty:
            continue
        parts.append(pd.DataFrame({
            "indicator": name,
            "year": rows["year"].astype(int).to_numpy(),
            "neighbourhood_id": rows["neighbourhood_id"].replace({ALL: cswb.CITY}).to_numpy(),
            "count": rows[table.count].to_numpy(),
        }))
    columns = ["indicator", "year", "neighbourhood_id", "count"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)[columns]
    frame["count"] = pd.array(frame["count"], dtype="Int64")
    return frame


def population_benchmark(warehouse: Any, years: Sequence[int]) -> pd.DataFrame:
    """Census residents by race group for each year (nearest census year): ``year,
    race_group, count``; empty when the warehouse has no ``population_by_race``."""
    table = _table_or_none(warehouse, "population_by_race")
    if table is None or not years:
        return pd.DataFrame(columns=["year", "race_group", "count"])
    if int(table.count().execute()) == 0:
        return pd.DataFrame(columns=["year", "race_group", "count"])
    parts = [uof.population_counts(table, year=y)[["race_group", "count"]].assign(year=y)
             for y in years]
    return pd.concat(parts, ignore_index=True)[["year", "race_group", "count"]]


# --------------------------------------------------------------------------------------------
# Everything public, together
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicOutputs:
    """Every public family of one warehouse on one day (what reports and files show)."""

    as_of: dt.date
    options: OpenDataOptions
    use_of_force: PublicTable
    use_of_force_other: PublicTable
    enforcement: PublicTable
    enforcement_other: PublicTable
    incidents: PublicTable
    indicators: dict[str, PublicTable]
    population_by_race: pd.DataFrame
    population: pd.DataFrame
    neighbourhoods: pd.DataFrame

    @property
    def use_of_force_years(self) -> list[int]:
        return [int(y) for y in self.use_of_force.levels("year")]

    @property
    def indicator_years(self) -> list[int]:
        years: set[int] = set()
        for table in self.indicators.values():
            years |= {int(y) for y in table.levels("year")}
        return sorted(years)

    def stage_counts(self) -> pd.DataFrame:
        """Published ARDS stage counts per year (see :func:`published_stage_counts`)."""
        return published_stage_counts((self.use_of_force, self.use_of_force_other),
                                      (self.enforcement, self.enforcement_other),
                                      self.population_by_race, years=self.use_of_force_years)

    def force_type_counts(self) -> pd.DataFrame:
        return published_force_type_counts(self.use_of_force, years=self.use_of_force_years)

    def indicator_rates(self) -> pd.DataFrame:
        """CSWB rates per 1,000 from the published counts (missing where suppressed)."""
        counts = published_indicator_counts(self.indicators)
        return cswb.indicator_rates(counts, self.population)

    def tables(self) -> list[PublicTable]:
        """Every suppressed family (the indicator slices of the incidents family included)."""
        return [self.use_of_force, self.use_of_force_other, self.enforcement,
                self.enforcement_other, self.incidents, *self.indicators.values()]


def build_public_outputs(warehouse: Any, *, as_of: dt.date | None = None,
                         options: OpenDataOptions = DEFAULT_OPTIONS,
                         threshold: int | None = None, use_of_force: bool = True,
                         community: bool = True,
                         cache_dir: Path | str | None = None) -> PublicOutputs:
    """Every public family of ``warehouse``: suppressed, audited, ready to show or write.

    ``use_of_force`` / ``community`` leave out the race-based families or the incident and
    CSWB families (empty tables) when a page does not need them: they are built exactly as
    in the open data, so leaving some out never changes the others.

    ``cache_dir`` (reports pass ``<data folder>/public-cache``) keeps the built families,
    keyed by the warehouse fingerprint, the day, the threshold, the options and the code, so
    the reports and the open data rendered together suppress once; a lock makes concurrent
    kernels wait for the first one instead of repeating its work.

    Raises :class:`OpenDataError` if the audit finds any table exposing a count (it never
    should: that would be a bug in the suppression, and nothing is published).
    """
    from workbench.settings import get_settings

    day = as_of or get_settings().today
    limit = small_cell_threshold() if threshold is None else threshold
    race: dict[str, Any] = (
        _cached(cache_dir, warehouse, ("race", day, limit),
                lambda: _race_families(warehouse, day, limit))
        if use_of_force else _race_families(_AbsentWarehouse(), day, limit))
    community_part: dict[str, Any] = (
        _cached(cache_dir, warehouse, ("community", day, limit, repr(options)),
                lambda: _community_families(warehouse, day, options, limit))
        if community else _community_families(_AbsentWarehouse(), day, options, limit))
    return PublicOutputs(as_of=day, options=options, **race, **community_part)


def _audited(*tables: PublicTable) -> None:
    for table in tables:
        exposures = table.audit()
        if exposures:
            raise OpenDataError(
                f"the privacy audit of {table.name} found {len(exposures)} exposed count(s), "
                f"e.g. {exposures[0].describe()}; nothing was published")


def _race_families(warehouse: Any, day: dt.date, limit: int) -> dict[str, Any]:
    use_of_force_main, use_of_force_other = use_of_force_public_tables(warehouse, as_of=day,
                                                                       threshold=limit)
    enforcement, enforcement_other = enforcement_public_tables(warehouse, as_of=day,
                                                               threshold=limit)
    _audited(use_of_force_main, use_of_force_other, enforcement, enforcement_other)
    years = sorted(set(int(y) for y in use_of_force_main.levels("year"))
                   | set(int(y) for y in enforcement.levels("year")))
    return {"use_of_force": use_of_force_main, "use_of_force_other": use_of_force_other,
            "enforcement": enforcement, "enforcement_other": enforcement_other,
            "population_by_race": population_benchmark(warehouse, years)}


def _community_families(warehouse: Any, day: dt.date, options: OpenDataOptions,
                        limit: int) -> dict[str, Any]:
    incidents = incidents_public_table(warehouse, as_of=day, options=options, threshold=limit)
    indicators = indicator_public_tables(warehouse, as_of=day, incidents=incidents,
                                         options=options, threshold=limit)
    _audited(incidents, *[t for n, t in indicators.items() if n not in _CATEGORY_INDICATORS])
    population_table = _table_or_none(warehouse, "population")
    indicator_years = sorted({int(y) for t in indicators.values() for y in t.levels("year")})
    population = (cswb.neighbourhood_populations(population_table, indicator_years)
                  if population_table is not None and indicator_years else
                  pd.DataFrame(columns=["year", "neighbourhood_id", "population"]))
    neighbourhoods_table = _table_or_none(warehouse, "neighbourhoods")
    neighbourhoods = (neighbourhoods_table.to_pandas() if neighbourhoods_table is not None else
                      pd.DataFrame(columns=["neighbourhood_id", "name", "division",
                                            "boundary_geojson"]))
    return {"incidents": incidents, "indicators": indicators, "population": population,
            "neighbourhoods": neighbourhoods}


def _code_digest() -> str:
    """A digest of the code that decides what is published (this module, the analyses it
    uses and the privacy module): a change invalidates the cache."""
    from workbench import privacy

    digest = hashlib.sha256()
    for module in (privacy, uof, cswb):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _cached(cache_dir: Path | str | None, warehouse: Any, key: tuple[Any, ...],
            build: Any) -> dict[str, Any]:
    """``build()``, kept in ``cache_dir`` under ``key`` + the warehouse fingerprint."""
    fingerprint = getattr(warehouse, "fingerprint", None)
    if cache_dir is None or fingerprint is None:
        return build()  # type: ignore[no-any-return]
    import fcntl
    import pickle

    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(repr((key, fingerprint(), _code_digest())).encode()).hexdigest()[:24]
    target = folder / f"{key[0]}-{name}.pickle"
    with open(folder / f"{key[0]}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            with open(target, "rb") as handle:
                return pickle.load(handle)  # type: ignore[no-any-return]
        value = build()
        from workbench.publish.atomic import write_bytes_atomic

        for stale in folder.glob(f"{key[0]}-*.pickle"):
            stale.unlink(missing_ok=True)
        write_bytes_atomic(target, pickle.dumps(value))
        return value  # type: ignore[no-any-return]


class _AbsentWarehouse:
    """Stands for a warehouse without tables (families a page does not need)."""

    def has_table(self, name: str) -> bool:
        return False

    def table(self, name: str) -> ibis.Table:
        raise OpenDataError(f"no table {name!r}")


# --------------------------------------------------------------------------------------------
# Public pages: what each public report shows, from the published families only
# --------------------------------------------------------------------------------------------


def _pick_year(years: Sequence[int], year: int | None, what: str) -> int | None:
    if year is None:
        return years[-1] if years else None
    if year not in years:
        shown = ", ".join(map(str, years)) or "none"
        raise OpenDataError(f"no complete year of {what} data for {year}; complete years: {shown}")
    return int(year)


_INDEX_COLUMNS = ["stage", "race_group", "count", "total", "share", "benchmark_stage",
                  "benchmark_count", "benchmark_total", "benchmark_share", "index", "lower",
                  "upper", "flag", "significant", "caution"]


@dataclass(frozen=True)
class AnnualUseOfForce:
    """The figures of the annual race-based use-of-force report for ``year``, from the
    published counts only (an index is missing where a count it needs is suppressed)."""

    year: int | None
    years: list[int]
    people: dict[str, int | None]
    stage_counts: pd.DataFrame
    by_population: pd.DataFrame
    by_previous_stage: pd.DataFrame
    disparity: pd.DataFrame
    force_types: pd.DataFrame
    trend: pd.DataFrame
    thresholds: uof.IndexThresholds
    reference_group: str

    @property
    def has_data(self) -> bool:
        return self.year is not None and not self.stage_counts.empty

    def index(self, group: str, *, stage: str = "use_of_force",
              benchmark: str = "population") -> float | None:
        """The group's disproportionality index at ``stage`` (None when not published)."""
        frame = self.by_population if benchmark == "population" else self.by_previous_stage
        rows = frame.loc[(frame["stage"] == stage) & (frame["race_group"] == group), "index"]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])

    def disparity_ratio(self, group: str, *, stage: str = "use_of_force") -> float | None:
        """The group's disparity index (rate ratio to the reference group) at ``stage``."""
        rows = self.disparity.loc[(self.disparity["stage"] == stage)
                                  & (self.disparity["race_group"] == group), "ratio"]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])

    def groups_flagged(self, flag: str = "over", *, stage: str = "use_of_force") -> int:
        """Groups flagged ``flag`` at ``stage`` against the population whose 95% interval
        also excludes 1."""
        frame = self.by_population
        if frame.empty:
            return 0
        rows = frame.loc[(frame["stage"] == stage) & (frame["flag"] == flag)
                         & frame["significant"].astype(bool)]
        return int(len(rows))


def _people(outputs: PublicOutputs, year: int | None) -> dict[str, int | None]:
    """People at each stage in ``year``: the one-group total plus the multiple / unknown
    total, both published (None when either is suppressed or missing)."""
    result: dict[str, int | None] = {}
    for stage, main, rest in (("enforcement_actions", outputs.enforcement,
                               outputs.enforcement_other),
                              ("use_of_force", outputs.use_of_force, outputs.use_of_force_other)):
        if year is None or str(year) not in main.levels("year"):
            result[stage] = None
            continue
        detail = {d: ALL for d in main.dimensions if d not in ("year",)}
        single = main.value(year=year, **detail)
        other = rest.value(year=year, race_group=ALL) if str(year) in rest.levels("year") else 0
        result[stage] = None if single is None or other is None else single + other
    return result


def annual_use_of_force(outputs: PublicOutputs, *, year: int | None = None,
                        thresholds: uof.IndexThresholds = uof.DEFAULT_THRESHOLDS,
                        reference_group: str = "white") -> AnnualUseOfForce:
    """Everything the annual report shows for ``year`` (default: the latest complete one),
    computed from the published families."""
    years = outputs.use_of_force_years
    chosen = _pick_year(years, year, "use-of-force")
    stages_all = outputs.stage_counts()
    has_population = not stages_all.empty and "population" in set(stages_all["stage"])
    empty = pd.DataFrame(columns=_INDEX_COLUMNS)
    stage_counts = (stages_all.loc[stages_all["year"] == chosen].drop(columns="year")
                    .reset_index(drop=True) if chosen is not None and not stages_all.empty else
                    pd.DataFrame(columns=["stage", "race_group", "count", "total"]))
    if chosen is None or not has_population:
        return AnnualUseOfForce(
            chosen, years, _people(outputs, chosen), stage_counts, empty, empty,
            pd.DataFrame(columns=["stage", "race_group", "count", "rate", "ratio", "lower",
                                  "upper", "reference_group", "flag", "significant", "caution"]),
            pd.DataFrame(columns=["force_type", *_INDEX_COLUMNS]),
            pd.DataFrame(columns=["year", *_INDEX_COLUMNS]), thresholds, reference_group)
    by_population = uof.disproportionality_by_stage(stage_counts, benchmark="population",
                                                    thresholds=thresholds)
    by_previous = uof.disproportionality_by_stage(stage_counts, benchmark="previous_stage",
                                                  thresholds=thresholds)
    disparity = uof.disparity_by_stage(stage_counts, reference_group=reference_group,
                                       thresholds=thresholds)
    force_all = outputs.force_type_counts()
    force = force_all.loc[force_all["year"] == chosen].drop(columns="year")
    force_types = uof.disproportionality_by_force_type(force, stage_counts,
                                                       benchmark="use_of_force",
                                                       thresholds=thresholds)
    trend = uof.disproportionality_by_stage(stages_all, benchmark="population",
                                            thresholds=thresholds)
    return AnnualUseOfForce(chosen, years, _people(outputs, chosen), stage_counts, by_population,
                            by_previous, disparity, force_types, trend, thresholds,
                            reference_group)


def _stage_sources(outputs: PublicOutputs, year: int | None, stage: str, group: str,
                   benchmark_stage: str | None) -> list[tuple[PublicTable, Mapping[str, object]]]:
    """The published entries a stage index of ``group`` derives from."""
    tables = {"use_of_force": outputs.use_of_force, "enforcement_actions": outputs.enforcement}
    sources: list[tuple[PublicTable, Mapping[str, object]]] = []
    for name in (stage, benchmark_stage):
        if name in tables:
            table = tables[name]
            sources += [(table, {"year": year, "race_group": group}), (table, {"year": year})]
    return sources


def stage_index_table_html(annual: AnnualUseOfForce, outputs: PublicOutputs, *,
                           benchmark: str = "population") -> HtmlFragment:
    """The page table of disproportionality indices by stage and group (published only)."""
    frame = annual.by_population if benchmark == "population" else annual.by_previous_stage
    frame = frame.loc[frame["race_group"].isin(uof.RACE_GROUPS)].reset_index(drop=True)
    frame = frame.assign(
        stage_label=frame["stage"].map({"enforcement_actions": "Enforcement actions",
                                        "use_of_force": "Use of force"}),
        benchmark_label=frame["benchmark_stage"].map({"population": "population",
                                                      "enforcement_actions":
                                                      "enforcement actions"}),
        interval=list(zip(frame["lower"], frame["upper"], strict=True)))
    sources = [_stage_sources(outputs, annual.year, row.stage, row.race_group,
                              row.benchmark_stage) for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("stage_label", "Stage", "text", "label"),
                 ("race_group", "Perceived race", "text", "label"),
                 ("share", "Share of stage", "percent", (0, 1)),
                 ("benchmark_share", "Share of benchmark", "percent", (2, 3)),
                 ("benchmark_label", "Benchmark", "text", "label"),
                 ("index", "Index", "ratio", "all"),
                 ("interval", "95% interval", "interval", "all"), ("flag", "Flag", "text", "all"),
                 ("caution", "Small or suppressed count", "text", "label")],
        caption=f"Racial Disproportionality Index, {annual.year}, benchmark: "
                f"{'population' if benchmark == 'population' else 'the previous stage'}",
        footnote="Shares are of people perceived as one group. An index is not shown where a "
                 "count it needs is suppressed.")


def disparity_table_html(annual: AnnualUseOfForce, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of disparity indices (rate ratios to the reference group)."""
    frame = annual.disparity.reset_index(drop=True)
    frame = frame.assign(interval=list(zip(frame["lower"], frame["upper"], strict=True)),
                         stage_label=frame["stage"].str.replace("_", " ").str.capitalize())
    tables = {"use_of_force": outputs.use_of_force, "enforcement_actions": outputs.enforcement}
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(tables[row.stage], {"year": annual.year, "race_group": row.race_group}),
                (tables[row.stage], {"year": annual.year,
                                     "race_group": annual.reference_group})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("stage_label", "Stage", "text", "label"),
                 ("race_group", "Perceived race", "text", "label"),
                 ("rate", "Per 1,000 residents of the group", "rate", (0,)),
                 ("reference_rate", f"Per 1,000 {annual.reference_group} residents", "rate",
                  (1,)),
                 ("ratio", "Disparity index", "ratio", "all"),
                 ("interval", "95% interval", "interval", "all"), ("flag", "Flag", "text", "all")],
        caption=f"Racial Disparity Index against {annual.reference_group.replace('_', ' ')} "
                f"residents, {annual.year}",
        footnote="Rate of the group per 1,000 residents of the group, divided by the reference "
                 "group's rate. Not shown where a count it needs is suppressed.")


@dataclass(frozen=True)
class CswbOverview:
    """The figures of the service-wide CSWB report for ``year`` (published counts only)."""

    year: int | None
    years: list[int]
    rates: pd.DataFrame
    city: pd.DataFrame
    neighbourhoods_compared: pd.DataFrame

    def city_value(self, indicator: str, column: str = "rate") -> float | None:
        """A city figure of the year (None when suppressed or not available)."""
        if column not in self.city.columns:
            return None
        rows = self.city.loc[self.city["indicator"] == indicator, column]
        return None if rows.empty or pd.isna(rows.iloc[0]) else float(rows.iloc[0])


def _catalogue() -> pd.DataFrame:
    return pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone.replace("_", " "),
                          "priorities": cswb.priority_labels(i.priorities), "unit": i.unit}
                         for i in cswb.INDICATORS.values()])


def cswb_overview(outputs: PublicOutputs, *, year: int | None = None) -> CswbOverview:
    """City-wide CSWB indicators for ``year`` (default: the latest complete one) with their
    change, and how many neighbourhoods are above or below the city on each."""
    years = outputs.indicator_years
    chosen = _pick_year(years, year, "CSWB indicator")
    rates = outputs.indicator_rates()
    columns = ["indicator", "label", "zone", "priorities", "unit", "count", "rate", "rate_lower",
               "rate_upper", "previous_count", "change", "percent_change", "z"]
    compared_columns = ["indicator", "label", "higher", "similar", "lower", "not_shown"]
    if chosen is None or rates.empty:
        return CswbOverview(chosen, years, rates, pd.DataFrame(columns=columns),
                            pd.DataFrame(columns=compared_columns))
    trend = cswb.indicator_trend(rates, neighbourhood_id=cswb.CITY)
    city = rates.loc[(rates["neighbourhood_id"] == cswb.CITY) & (rates["year"] == chosen)]
    city = city.merge(trend.loc[trend["year"] == chosen,
                                ["indicator", "previous_count", "change", "percent_change", "z"]],
                      on="indicator", how="left")
    catalogue = _catalogue()
    city = catalogue.merge(city, on="indicator", how="inner")[columns]
    areas = rates.loc[(rates["year"] == chosen)
                      & ~rates["neighbourhood_id"].isin([cswb.CITY, cswb.UNLOCATED])]
    compared = (areas.assign(compared=areas["compared_with_city"].fillna("not_shown"))
                .groupby(["indicator", "compared"]).size().unstack(fill_value=0)
                .reindex(columns=["higher", "similar", "lower", "not_shown"], fill_value=0)
                .reset_index())
    compared = catalogue[["indicator", "label"]].merge(compared, on="indicator", how="inner")
    return CswbOverview(chosen, years, rates, city.reset_index(drop=True),
                        compared[compared_columns])


def city_indicator_table_html(overview: CswbOverview, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of city-wide indicators with their change from the year before."""
    frame = overview.city.reset_index(drop=True)
    frame = frame.assign(interval=list(zip(frame["rate_lower"], frame["rate_upper"],
                                           strict=True)))
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(outputs.indicators[row.indicator], {"year": overview.year}),
                (outputs.indicators[row.indicator], {"year": (overview.year or 0) - 1})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("label", "Indicator", "text", "label"), ("zone", "CSWB zone", "text", "label"),
                 ("priorities", "Plan priorities", "text", "label"),
                 ("count", "Count", "count", (0,)), ("rate", "Per 1,000 residents", "rate", (0,)),
                 ("interval", "95% interval", "interval", (0,)),
                 ("change", "Change from last year", "count", (0, 1)),
                 ("z", "Poisson z of the change", "ratio", (0, 1))],
        caption=f"City-wide indicators, {overview.year}",
        footnote="|z| above 3 marks a change larger than chance would give (Wheeler 2018).")


def _empty_profile() -> cswb.NeighbourhoodProfile:
    indicators = _catalogue().assign(
        **{c: np.nan for c in ("count", "rate", "rate_lower", "rate_upper", "city_count",
                               "city_rate", "ratio_to_city", "ratio_lower", "ratio_upper",
                               "previous_count", "change", "z")},
        compared_with_city=None)
    return cswb.NeighbourhoodProfile(
        neighbourhood_id="", name=None, division=None, year=0, population=None,
        indicators=indicators.iloc[0:0],
        trend=pd.DataFrame(columns=["indicator", "year", "count", "rate", "city_rate"]),
        zones=pd.DataFrame(columns=["zone", "indicators"]),
        priorities=pd.DataFrame(columns=["priority", "indicators"]))


def cswb_profile(outputs: PublicOutputs, *, neighbourhood_id: str | None = None,
                 year: int | None = None) -> cswb.NeighbourhoodProfile:
    """One neighbourhood's profile from the published counts (default: the first
    neighbourhood, the latest complete year). An empty profile (``neighbourhood_id == ""``)
    when the warehouse has no CSWB data at all; an unknown neighbourhood is an error naming
    the known ones."""
    years = outputs.indicator_years
    chosen = _pick_year(years, year, "CSWB indicator")
    rates = outputs.indicator_rates()
    if chosen is None or rates.empty:
        return _empty_profile()
    areas = sorted(set(rates["neighbourhood_id"]) - {cswb.CITY, cswb.UNLOCATED})
    if not areas:
        return _empty_profile()
    target = neighbourhood_id or areas[0]
    if target not in areas:
        raise OpenDataError(f"no neighbourhood {target!r} in the CSWB data; neighbourhoods: "
                            f"{', '.join(areas[:30])}{' …' if len(areas) > 30 else ''}")
    return cswb.neighbourhood_profile(rates, neighbourhood_id=target, year=chosen,
                                      neighbourhoods=outputs.neighbourhoods)


def profile_table_html(profile: cswb.NeighbourhoodProfile, outputs: PublicOutputs) -> HtmlFragment:
    """The page table of one neighbourhood's indicators against the city."""
    frame = profile.indicators.reset_index(drop=True)
    frame = frame.assign(
        zone=frame["zone"].astype(str).str.replace("_", " "),
        rate_interval=list(zip(frame["rate_lower"], frame["rate_upper"], strict=True)),
        ratio_interval=list(zip(frame["ratio_lower"], frame["ratio_upper"], strict=True)))
    sources: list[list[tuple[PublicTable, Mapping[str, object]]]] = [
               [(outputs.indicators[row.indicator],
                 {"year": profile.year, "neighbourhood_id": profile.neighbourhood_id}),
                (outputs.indicators[row.indicator], {"year": profile.year}),
                (outputs.indicators[row.indicator],
                 {"year": profile.year - 1, "neighbourhood_id": profile.neighbourhood_id})]
               for row in frame.itertuples()]
    return derived_table_html(
        frame, row_sources=sources,
        columns=[("label", "Indicator", "text", "label"), ("zone", "CSWB zone", "text", "label"),
                 ("count", "Count", "count", (0,)), ("rate", "Per 1,000 residents", "rate", (0,)),
                 ("rate_interval", "95% interval", "interval", (0,)),
                 ("city_rate", "City per 1,000", "rate", (1,)),
                 ("ratio_to_city", "Ratio to the city", "ratio", (0, 1)),
                 ("ratio_interval", "95% interval of the ratio", "interval", (0, 1)),
                 ("compared_with_city", "Compared with the city", "text", (0, 1)),
                 ("change", "Change from last year", "count", (0, 2))],
        caption=f"{profile.name or profile.neighbourhood_id}: indicators in {profile.year}",
        footnote="Counts below the threshold are suppressed and nothing derived from them is "
                 "shown.")


# --------------------------------------------------------------------------------------------
# Writing the open-data folder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetFile:
    """One dataset written: its name, files, rows and suppression."""

    name: str
    title: str
    files: tuple[str, ...]
    rows: int
    suppressed: int


@dataclass(frozen=True)
class OpenDataExport:
    """What :func:`export_open_data` wrote."""

    folder: Path
    as_of: dt.date
    generated_at: str
    datasets: tuple[DatasetFile, ...]

    def summary(self) -> pd.DataFrame:
        """One row per dataset: name, title, files, rows, suppressed entries."""
        return pd.DataFrame([{"dataset": d.name, "title": d.title, "files": ", ".join(d.files),
                              "rows": d.rows, "suppressed": d.suppressed} for d in self.datasets],
                            columns=["dataset", "title", "files", "rows", "suppressed"])

    def files_table(self) -> pd.DataFrame:
        """Every file written: relative path and size in bytes."""
        rows = [{"file": name, "bytes": (self.folder / name).stat().st_size}
                for dataset in self.datasets for name in dataset.files]
        rows.append({"file": "index.json", "bytes": (self.folder / "index.json").stat().st_size})
        return pd.DataFrame(rows, columns=["file", "bytes"])

    def read(self, dataset: str) -> pd.DataFrame:
        """The CSV of ``dataset`` as written (e.g. to chart what was published)."""
        for item in self.datasets:
            if item.name == dataset:
                return pd.read_csv(self.folder / f"{dataset}/{dataset}.csv", dtype={"year": "Int64"},
                                   keep_default_na=False, na_values=[""])
        raise OpenDataError(f"no dataset {dataset!r}; written: "
                            f"{', '.join(d.name for d in self.datasets)}")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, na_rep="", lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _safe_public_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop every identifier column (privacy list plus record ids); refuse person-level data."""
    cleaned, _ = drop_identifiers(frame, extra=ID_COLUMNS)
    return cleaned


def _table_file_frame(table: PublicTable) -> pd.DataFrame:
    frame = table.entries.copy()
    frame[table.count] = frame[table.count].astype("Int64")
    return _safe_public_frame(frame)


def _suppression_rules(threshold: int) -> dict[str, Any]:
    return {
        "threshold": threshold,
        "rule": f"Counts from 1 to {threshold - 1} are suppressed (left empty, suppressed = true); "
                "other cells are suppressed as well (complementary suppression) so that no hidden "
                "count can be worked out from the totals in this file. Zeros are shown.",
        "margins": "Rows with 'all' in a column are totals over that column; they are part of the "
                   "protected table.",
        "protected_tables": "Each year is protected as its own table; no total over years is "
                            "published (a complete year's figures do not change between releases).",
        "method": "workbench.privacy.suppress_small_cells, checked by "
                  "workbench.privacy.audit_public_table (linear programming attack)",
        "identifiers": "No names, addresses, record ids, officer ids or subject numbers.",
    }


def _neighbourhood_features(neighbourhoods: pd.DataFrame,
                            properties: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    features = []
    for _, area in neighbourhoods.iterrows():
        boundary = area.get("boundary_geojson")
        if not isinstance(boundary, str) or not boundary:
            continue
        identifier = str(area["neighbourhood_id"])
        features.append({"type": "Feature", "geometry": json.loads(boundary),
                         "properties": {"neighbourhood_id": identifier,
                                        "name": area.get("name"),
                                        **properties.get(identifier, {})}})
    return {"type": "FeatureCollection", "features": features}


def _wide_properties(frame: pd.DataFrame, *, key_columns: Sequence[str],
                     value_column: str) -> dict[str, dict[str, Any]]:
    """neighbourhood → {"<k1>_<k2>": value} (None where suppressed)."""
    result: dict[str, dict[str, Any]] = {}
    for _, row in frame.iterrows():
        name = "_".join(str(row[c]) for c in key_columns)
        value = row[value_column]
        result.setdefault(str(row["neighbourhood_id"]), {})[name] = \
            None if _missing(value) else (int(value) if isinstance(value, (int, np.integer))
                                          else float(value))
    return result


def _metadata(name: str, title: str, description: str, *, as_of: dt.date, generated_at: str,
              period: Sequence[int], dictionary: Mapping[str, str], files: Sequence[str],
              options: OpenDataOptions, rows: int, suppression: dict[str, Any] | None,
              geomasking: dict[str, Any] | None, notes: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "description": description,
        "publisher": options.publisher,
        "licence": options.licence,
        "audience": Audience.PUBLIC.label,
        "refreshed": generated_at,
        "as_of": as_of.isoformat(),
        "period": {"first_year": period[0], "last_year": period[-1]} if period else None,
        "rows": rows,
        "files": list(files),
        "data_dictionary": dict(dictionary),
        "suppression": suppression,
        "geomasking": geomasking,
        "notes": list(notes),
    }


def _index_frame(outputs: PublicOutputs) -> pd.DataFrame:
    """Disproportionality and disparity indices per year from the published counts."""
    stages = outputs.stage_counts()
    columns = ["year", "stage", "race_group", "benchmark", "share", "benchmark_share", "index",
               "lower", "upper", "flag", "significant", "caution"]
    if stages.empty or "population" not in set(stages["stage"]):
        return pd.DataFrame(columns=columns)
    parts = []
    for benchmark in ("population", "previous_stage"):
        result = uof.disproportionality_by_stage(stages, benchmark=benchmark)
        parts.append(result.assign(benchmark=result["benchmark_stage"]))
    force = outputs.force_type_counts()
    by_force = uof.disproportionality_by_force_type(force, stages, benchmark="use_of_force")
    by_force = by_force.assign(stage="type_of_force:" + by_force["force_type"].astype(str),
                               benchmark="use_of_force")
    frame = pd.concat([*parts, by_force.drop(columns="force_type")], ignore_index=True)
    frame = frame.loc[frame["race_group"].isin(uof.RACE_GROUPS)]
    return frame[columns].reset_index(drop=True)


def open_data_files(outputs: PublicOutputs, *, generated_at: str) -> tuple[dict[str, bytes],
                                                                           list[DatasetFile]]:
    """Every file of the open-data folder (relative name → bytes) and the dataset list."""
    options = outputs.options
    files: dict[str, bytes] = {}
    datasets: list[DatasetFile] = []

    def add_table(table: PublicTable, geo: dict[str, Any] | None = None,
                  notes: Sequence[str] = ()) -> None:
        frame = _table_file_frame(table)
        names = [f"{table.name}/{table.name}.csv"]
        files[names[0]] = _csv_bytes(frame)
        if geo is not None:
            names.append(f"{table.name}/{table.name}.geojson")
            files[names[1]] = _json_bytes(geo)
        years = [int(y) for y in table.levels("year")] if "year" in table.dimensions else []
        names.append(f"{table.name}/metadata.json")
        files[names[-1]] = _json_bytes(_metadata(
            table.name, table.title, table.description, as_of=outputs.as_of,
            generated_at=generated_at, period=years, dictionary=table.dictionary, files=names,
            options=options, rows=len(frame), suppression=_suppression_rules(table.threshold),
            geomasking=None, notes=notes))
        datasets.append(DatasetFile(table.name, table.title, tuple(names), len(frame),
                                    int(frame["suppressed"].sum())))

    add_table(outputs.use_of_force, notes=[
        "Race data are never joined to officer data. People perceived as more than one group, "
        "or whose perceived race was not recorded, are in use_of_force_subjects_multiple_unknown "
        "(counted once, not split between groups); no total of the two tables is published."])
    add_table(outputs.use_of_force_other)
    add_table(outputs.enforcement)
    add_table(outputs.enforcement_other)
    incident_rows = outputs.incidents.entries
    incident_geo = None
    if len(outputs.neighbourhoods) and len(incident_rows):
        located = incident_rows.loc[(incident_rows["neighbourhood_id"] != ALL)]
        incident_geo = _neighbourhood_features(outputs.neighbourhoods, _wide_properties(
            located, key_columns=["offence_category", "year"], value_column="incidents"))
    add_table(outputs.incidents, geo=incident_geo, notes=[
        "Property categories are published as geomasked points instead (incident_points) and "
        "are not in this table; 'all' totals cover the categories listed here only."])

    indices = _index_frame(outputs)
    name = "racial_disproportionality_indices"
    names = [f"{name}/{name}.csv", f"{name}/metadata.json"]
    files[names[0]] = _csv_bytes(indices)
    files[names[1]] = _json_bytes(_metadata(
        name, "Racial disproportionality indices (ARDS)",
        "Racial Disproportionality Index per year, stage and perceived race group with 95% "
        "confidence intervals, computed from the published counts only (missing where a count is "
        "suppressed).", as_of=outputs.as_of, generated_at=generated_at,
        period=outputs.use_of_force_years,
        dictionary={
            "year": "Calendar year", "stage": "enforcement_actions, use_of_force, or "
            "type_of_force:<force type>", "race_group": "Officer-perceived race (ARDS)",
            "benchmark": "population (census), previous stage, or use_of_force (all subjects)",
            "share": "Group's share of people at the stage (one perceived group only)",
            "benchmark_share": "Group's share of the benchmark",
            "index": "share / benchmark_share", "lower": "95% interval, lower",
            "upper": "95% interval, upper", "flag": "over (≥ 1.1), under (≤ 0.9) or within",
            "significant": "interval excludes 1", "caution": "count under 20: interpret with care"},
        files=names, options=options, rows=len(indices), suppression=None, geomasking=None,
        notes=["Derived from use_of_force_subjects_by_race and enforcement_actions_by_race; "
               "people perceived as more than one group or of unknown race are not in the shares."]))
    datasets.append(DatasetFile(name, "Racial disproportionality indices (ARDS)", tuple(names),
                                len(indices), 0))

    rates = outputs.indicator_rates()
    name = "cswb_indicators"
    rate_columns = ["indicator", "year", "neighbourhood_id", "count", "population", "rate",
                    "rate_lower", "rate_upper", "city_rate", "ratio_to_city", "ratio_lower",
                    "ratio_upper", "compared_with_city"]
    rates = rates[[c for c in rate_columns if c in rates.columns]]
    meta_rows = pd.DataFrame([{"indicator": i.name, "label": i.label, "zone": i.zone,
                               "priorities": cswb.priority_labels(i.priorities)}
                              for i in cswb.INDICATORS.values()])
    rates = rates.merge(meta_rows, on="indicator", how="left")
    rates = rates.assign(suppressed=rates["count"].isna())
    names = [f"{name}/{name}.csv"]
    files[names[0]] = _csv_bytes(_safe_public_frame(rates))
    if len(outputs.neighbourhoods) and len(rates):
        located = rates.loc[~rates["neighbourhood_id"].isin([cswb.CITY, cswb.UNLOCATED])]
        properties = _wide_properties(located.assign(kind="count"),
                                      key_columns=["indicator", "year", "kind"],
                                      value_column="count")
        for area, values in _wide_properties(located.assign(kind="rate"),
                                             key_columns=["indicator", "year", "kind"],
                                             value_column="rate").items():
            properties.setdefault(area, {}).update(values)
        names.append(f"{name}/{name}.geojson")
        files[names[-1]] = _json_bytes(_neighbourhood_features(outputs.neighbourhoods, properties))
    names.append(f"{name}/metadata.json")
    files[names[-1]] = _json_bytes(_metadata(
        name, "Community safety and well-being indicators",
        "CSWB indicators from police data per neighbourhood and year, with rates per 1,000 "
        "residents (exact Poisson intervals) and the comparison with the whole city. Each "
        "indicator is mapped to a CSWB zone and the plan priorities it informs.",
        as_of=outputs.as_of, generated_at=generated_at, period=outputs.indicator_years,
        dictionary={
            "indicator": "Indicator id", "label": "Indicator", "zone": "CSWB zone",
            "priorities": "Plan priorities the indicator informs", "year": "Calendar year",
            "neighbourhood_id": f"Neighbourhood; {cswb.CITY}: the whole city; "
                                f"{cswb.UNLOCATED}: no usable location",
            "count": "Events (empty when suppressed)", "population": "Residents",
            "rate": "Events per 1,000 residents", "rate_lower": "95% interval, lower",
            "rate_upper": "95% interval, upper", "city_rate": "City rate per 1,000",
            "ratio_to_city": "rate / city rate", "ratio_lower": "95% interval, lower",
            "ratio_upper": "95% interval, upper",
            "compared_with_city": "higher / lower when the interval excludes 1, else similar",
            "suppressed": "true when the count is hidden"},
        files=names, options=options, rows=len(rates),
        suppression=_suppression_rules(outputs.incidents.threshold), geomasking=None,
        notes=["Each indicator is its own protected table (year × neighbourhood with city and "
               "all-year totals); hate incidents, shootings and homicides are the same counts as "
               "in incidents_by_neighbourhood.",
               "Rates and ratios are computed from published counts only."]))
    datasets.append(DatasetFile(name, "Community safety and well-being indicators", tuple(names),
                                len(rates), int(rates["suppressed"].sum())))
    return files, datasets


def _points_files(points: pd.DataFrame, outputs: PublicOutputs, *,
                  generated_at: str) -> tuple[dict[str, bytes], DatasetFile]:
    options = outputs.options
    name = "incident_points"
    low, high = geomask_bounds(options.geomask_cell_metres)
    properties = points.drop(columns=["latitude", "longitude"]).astype(object)
    properties = properties.where(properties.notna(), None)
    features: list[dict[str, Any]] = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
         "properties": {key: (int(value) if isinstance(value, np.integer) else value)
                        for key, value in record.items()}}
        for record, lat, lon in zip(properties.to_dict("records"), points["latitude"],
                                    points["longitude"], strict=True)]
    names = [f"{name}/{name}.csv", f"{name}/{name}.geojson", f"{name}/metadata.json"]
    years = sorted({int(y) for y in points["year"]}) if len(points) else []
    files = {
        names[0]: _csv_bytes(points),
        names[1]: _json_bytes({"type": "FeatureCollection", "features": features}),
        names[2]: _json_bytes(_metadata(
            name, "Property crime locations (geomasked)",
            "One point per incident of a property category, moved off the address to a corner "
            "of a fixed grid.", as_of=outputs.as_of, generated_at=generated_at, period=years,
            dictionary={
                "occurred_date": "Date of occurrence (no time of day)",
                "year": "Year of occurrence", "month": "Month of occurrence",
                "offence_category": f"One of {', '.join(options.point_categories)}",
                "location_type": "Premises type", "division": "Police division",
                "neighbourhood_id": "Neighbourhood",
                "latitude": "Geomasked latitude (WGS84)",
                "longitude": "Geomasked longitude (WGS84)"},
            files=names, options=options, rows=len(points), suppression=None,
            geomasking={
                "method": "workbench.privacy.geomask_points, grid with minimum displacement",
                "cell_metres": options.geomask_cell_metres,
                "minimum_displacement_metres": round(low, 1),
                "maximum_displacement_metres": round(high, 1),
                "rule": "Each point moves to the corner of its grid cell diagonally opposite the "
                        "quarter-cell it lies in: never the address, always within "
                        f"{round(high)} m.",
            },
            notes=["Incidents flagged domestic and incidents without a location are left out.",
                   "No record id, time of day or address is published."])),
    }
    return files, DatasetFile(name, "Property crime locations (geomasked)", tuple(names),
                              len(points), 0)


def export_open_data(warehouse: Any, out: Path | str, *, as_of: dt.date | None = None,
                     options: OpenDataOptions = DEFAULT_OPTIONS,
                     threshold: int | None = None,
                     outputs: PublicOutputs | None = None,
                     cache_dir: Path | str | None = None) -> OpenDataExport:
    """Write the open-data folder ``out`` in one step (a temporary folder renamed into place).

    ``out`` gets one sub-folder per dataset (CSV, GeoJSON where there is geography,
    ``metadata.json``) and an ``index.json`` listing them with a SHA-256 per file. Pass
    ``outputs`` (from :func:`build_public_outputs`) to reuse families already built.
    """
    from workbench.publish.atomic import publish_folder_atomic

    built = outputs or build_public_outputs(warehouse, as_of=as_of, options=options,
                                            threshold=threshold, cache_dir=cache_dir)
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    files, datasets = open_data_files(built, generated_at=generated_at)
    points = incident_points(warehouse, as_of=built.as_of, options=built.options)
    point_files, point_dataset = _points_files(points, built, generated_at=generated_at)
    files.update(point_files)
    datasets.append(point_dataset)
    index = {
        "publisher": built.options.publisher,
        "refreshed": generated_at,
        "as_of": built.as_of.isoformat(),
        "datasets": [{"name": d.name, "title": d.title, "rows": d.rows,
                      "suppressed_entries": d.suppressed,
                      "files": {f: hashlib.sha256(files[f]).hexdigest() for f in d.files}}
                     for d in datasets],
    }
    files["index.json"] = _json_bytes(index)
    folder = Path(out).expanduser().resolve()
    try:
        publish_folder_atomic(files, folder)
    except OSError as exc:
        raise OpenDataError(f"cannot write the open-data folder {folder}: {exc}") from exc
    return OpenDataExport(folder=folder, as_of=built.as_of, generated_at=generated_at,
                          datasets=tuple(datasets))


def distance_metres(latitude_a: np.ndarray, longitude_a: np.ndarray, latitude_b: np.ndarray,
                    longitude_b: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distance in metres between paired points."""
    phi_a, phi_b = np.radians(latitude_a), np.radians(latitude_b)
    d_phi = phi_b - phi_a
    d_lambda = np.radians(longitude_b) - np.radians(longitude_a)
    h = np.sin(d_phi / 2) ** 2 + np.cos(phi_a) * np.cos(phi_b) * np.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="folder to write (default: <site folder>/open-data); replaced "
                             "in one step")
    parser.add_argument("--warehouse", default=None,
                        help="warehouse URL (default: WORKBENCH_WAREHOUSE)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None,
                        help="last day of the data considered, YYYY-MM-DD (default: "
                             "WORKBENCH_TODAY, else today); complete calendar years before it "
                             "are published")


def run(args: argparse.Namespace) -> int:
    from workbench.settings import get_settings
    from workbench.warehouse import Warehouse

    settings = get_settings()
    out = args.out or settings.site_dir / "open-data"
    with Warehouse.open(args.warehouse or settings.warehouse_url, read_only=True) as warehouse:
        result = export_open_data(warehouse, out, as_of=args.as_of or settings.today)
    summary = result.summary()
    print(f"open data written to {result.folder} (as of {result.as_of}, "
          f"refreshed {result.generated_at})")
    width = max([len(n) for n in summary["dataset"]] + [7])
    print(f"{'dataset':<{width}}  {'rows':>9}  {'suppressed':>10}")
    for row in summary.itertuples(index=False):
        print(f"{row.dataset:<{width}}  {row.rows:>9,}  {row.suppressed:>10,}")
    return 0
