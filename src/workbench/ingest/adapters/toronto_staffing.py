"""Toronto Police Service Annual Statistical Report: approved and actual staffing by command
(City of Toronto open data, "Police Annual Statistical Report - Personnel by Command").

The file has one row per year, command, category and *metric* (``Type_of_Metric`` is
``Approved Staffing`` or ``Actual Staffing``; ``Count_`` is the number of members, fractional
for part-time FTE such as 7.5). The canonical ``staffing`` table has one row per year, command
and category with both figures, so the reader pairs the two metrics first: each *record* is a
(year, command, category) with its approved and actual counts, and a metric the file lacks
stays NULL (2020's Information Technology Command has an actual uniform count but no approved
one). Quarantine line numbers point at the record's first line in the file; a record whose
metric appears twice is quarantined with both lines named rather than guessed.

Mapping: ``Year`` → ``year``; ``Command`` as published → ``command``; ``Category``
``UNIFORM`` → ``sworn``, ``CIVILIAN`` → ``civilian``; ``source`` = ``toronto_staffing``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.reading import RAW_STRING, FrameSource, Source, open_csv_source
from workbench.ingest.registry import register

#: ``Type_of_Metric`` → the canonical column it fills.
METRICS = {"approved staffing": "approved", "actual staffing": "actual"}
#: ``Category`` → canonical ``category``.
CATEGORIES = {"UNIFORM": "sworn", "CIVILIAN": "civilian"}
_KEY = ("Year", "Command", "Category")


class TorontoStaffingAdapter(Adapter):
    """TPS approved vs actual staffing by command and year (Annual Statistical Report)."""

    source = "toronto_staffing"
    targets = ("staffing",)
    missing_values = ("NA",)
    required_columns = ("Year", "Type_of_Metric", "Command", "Category", "Count_")

    def read(self, path: Path) -> Source:
        csv_source = open_csv_source(path)
        self.check_required(csv_source)
        parts = list(csv_source.chunks())
        csv_source.finish()
        invalid = csv_source.invalid_records()
        if invalid:
            first = invalid[0]
            raise IngestError(path, f"line {first.line_number} has {len(first.fields)} fields; "
                              f"the header has {first.expected_fields}")
        rows = pd.concat(parts) if parts else pd.DataFrame(columns=csv_source.header)
        lines = csv_source.line_numbers(list(rows.index))
        frame, positions = _paired_records(rows, lines)
        return FrameSource(path=path, sha256=csv_source.sha256, frame=frame,
                           positions=positions, encoding=csv_source.encoding)

    def check_required(self, source: Source) -> None:
        """The header checks of :meth:`Adapter.check_columns`, on the file as published."""
        super().check_columns(source)

    def check_columns(self, source: Source) -> None:
        return None  # checked on the file in read(); the paired records have their own columns

    def map_rows(self, rows: SourceRows) -> Mapped:
        conflicts = rows.text("repeated_metric")
        rows.flag(conflicts.notna(), "Type_of_Metric", "the same metric is given twice for "
                  "this year, command and category: " + conflicts.fillna(""))
        unknown = rows.text("unknown_metric")
        rows.flag(unknown.notna(), "Type_of_Metric",
                  "unknown Type_of_Metric value " + unknown.fillna("").map(repr)
                  + " (expected Approved Staffing or Actual Staffing)")
        return {"staffing": {
            "year": rows.integer("Year", minimum=1900, maximum=2100),
            "command": rows.text("Command"),
            "category": rows.category("Category", CATEGORIES, what="Category"),
            "approved": rows.number("Approved Staffing"),
            "actual": rows.number("Actual Staffing"),
        }}


def _paired_records(rows: pd.DataFrame, lines: list[int]) -> tuple[pd.DataFrame, list[int]]:
    """One record per (year, command, category): the approved and actual counts side by side,
    the first line of each record, and notes on repeated or unknown metrics."""
    records: dict[tuple[str, ...], dict[str, object]] = {}
    first_line: dict[tuple[str, ...], int] = {}
    metric_lines: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for (_, row), line in zip(rows.iterrows(), lines, strict=True):
        key = tuple("" if pd.isna(row[c]) else str(row[c]).strip() for c in _KEY)
        metric_text = "" if pd.isna(row["Type_of_Metric"]) else str(row["Type_of_Metric"]).strip()
        metric = METRICS.get(metric_text.lower())
        if metric is None:  # a record of its own, quarantined with the reason
            key = (*key, f"line {line}")
        record = records.setdefault(key, {
            "Year": key[0], "Command": key[1], "Category": key[2], "Approved Staffing": None,
            "Actual Staffing": None, "repeated_metric": None, "unknown_metric": None})
        first_line.setdefault(key, line)
        if metric is None:
            record["unknown_metric"] = metric_text
            continue
        column = "Approved Staffing" if metric == "approved" else "Actual Staffing"
        seen = metric_lines.setdefault((key, metric), [])
        seen.append(line)
        if len(seen) > 1:
            record["repeated_metric"] = f"{metric_text} on lines {', '.join(map(str, seen))}"
        record[column] = row["Count_"]
    frame = pd.DataFrame(list(records.values()),
                         columns=["Year", "Command", "Category", "Approved Staffing",
                                  "Actual Staffing", "repeated_metric", "unknown_metric"])
    return frame.astype(RAW_STRING), [first_line[key] for key in records]


register("toronto-staffing", TorontoStaffingAdapter)
