"""Seattle Police Department budget by function with civilian and sworn FTE (the data behind
spdbudget.seattle.gov, 2020 adopted budget; "Export as CSV").

One row per SPD *function* (e.g. "Emergency (911) Response Services") with its bureau, its
annual budget in dollars and its budgeted civilian and sworn full-time equivalents. Mapping:

- ``finance`` — the file publishes one annual amount per function and no actuals, while the
  canonical table is monthly: each function becomes **12 monthly rows of one twelfth of its
  annual budget** (a flat profile, the usual assumption when no monthly profile is published;
  Seattle's fiscal year is the calendar year), with ``actual`` NULL.
  ``cost_centre`` = ``SPD-`` + the function name as a slug (``SPD-emergency-911-response-
  services``), ``cost_centre_name`` = ``Function Name (Bureau)``, ``account`` = ``total``
  (the budget covers every account of the function; the file has no account split).
- ``staffing`` — per function, one row for ``sworn`` (``Sworn FTE``) and one for
  ``civilian`` (``Civilian FTE``): ``year`` = the budget year, ``command`` = the function
  name, ``approved`` = the budgeted FTE, ``actual`` NULL (not published). Department-wide cost
  lines have ``N/A`` FTE and give no staffing rows.

Reading: the header has trailing unnamed columns (two of them hold notes on two rows); they are
dropped. Each *record* is a function-month, so ``rows_read`` is 12 × the functions, and the
quarantine line number is the function's line in the file. The file carries no year: the
adapter's ``budget_year`` (2020) says which year it is; a later export is one subclass away.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.reading import (
    RAW_STRING,
    FrameSource,
    Source,
    file_sha256,
    inspect_text_file,
)
from workbench.ingest.registry import register

MONTHS = 12


def cost_centre_of(function_name: str) -> str:
    """The cost-centre id of an SPD function: ``SPD-`` + a lower-case slug of its name."""
    slug = re.sub(r"[^a-z0-9]+", "-", function_name.lower()).strip("-")
    return f"SPD-{slug}"


class SeattleBudgetAdapter(Adapter):
    """Seattle PD budget by function with sworn and civilian FTE (2020): finance and staffing."""

    source = "seattle_budget"
    targets = ("finance", "staffing")
    missing_values = ("N/A",)
    required_columns = ("Bureau", "Function Name", "Budget", "Civilian FTE", "Sworn FTE")
    budget_year = 2020

    def read(self, path: Path) -> Source:
        facts = inspect_text_file(path)
        if facts.compression:
            raise IngestError(path, "is compressed; give the CSV itself")
        header, records, lines = _read_named_columns(path, facts.encoding)
        missing = [c for c in self.required_columns if c not in header]
        if missing:
            raise IngestError(path, f"missing required column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(missing)} (the header has: {', '.join(header)}) — "
                              "is this the right adapter?")
        functions = pd.DataFrame(records, columns=header, dtype=RAW_STRING)
        monthly = functions.loc[functions.index.repeat(MONTHS)].reset_index(drop=True)
        monthly["Month"] = pd.array([str(m) for m in range(1, MONTHS + 1)] * len(functions),
                                    dtype=RAW_STRING)
        positions = [line for line in lines for _ in range(MONTHS)]
        return FrameSource(path=path, sha256=file_sha256(path), frame=monthly,
                           positions=positions, encoding=facts.encoding)

    def check_columns(self, source: Source) -> None:
        return None  # read() checks the header of the file as published

    def map_rows(self, rows: SourceRows) -> Mapped:
        function = rows.text("Function Name")
        bureau = rows.text("Bureau")
        month = rows.integer("Month", minimum=1, maximum=MONTHS)
        budget = rows.number("Budget")
        rows.flag(budget < 0, "Budget", "negative budget " + rows.text("Budget").fillna(""))
        months = pd.to_datetime(pd.DataFrame({"year": self.budget_year, "month": month,
                                              "day": 1}), errors="coerce")
        finance = {
            "cost_centre": function.map(cost_centre_of, na_action="ignore").rename("Function Name"),
            "cost_centre_name": (function + " (" + bureau + ")").rename("Function Name"),
            "account": "total",
            "month": months.rename("Month"),
            "budget": (budget / MONTHS).rename("Budget"),
            "actual": None,
        }
        return {"finance": finance, "staffing": self._staffing(rows, function, month)}

    def _staffing(self, rows: SourceRows, function: pd.Series, month: pd.Series) -> pd.DataFrame:
        """Two rows (sworn, civilian) for the January record of each function with FTE."""
        january = (month == 1).fillna(False).to_numpy(dtype=bool)
        parts = []
        for category, column in (("sworn", "Sworn FTE"), ("civilian", "Civilian FTE")):
            fte = rows.number(column)
            keep = january & fte.notna().to_numpy()
            parts.append(pd.DataFrame({
                "year": self.budget_year, "command": function[keep], "category": category,
                "approved": fte[keep], "actual": None,
            }, index=rows.index[keep]))
        frame = pd.concat(parts)
        frame["year"] = frame["year"].astype("int64")
        return frame


def _read_named_columns(path: Path, encoding: str) -> tuple[list[str], list[list[str | None]],
                                                            list[int]]:
    """The named columns of a small CSV (unnamed trailing columns dropped), its records and the
    line each starts on. IngestError for a header without names or a row with the wrong number
    of fields."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip() for name in next(reader)]
        except StopIteration:
            raise IngestError(path, "the file is empty (no header row)") from None
        except csv.Error as exc:
            raise IngestError(path, f"the header row cannot be parsed as CSV: {exc}") from None
        named = [i for i, name in enumerate(header) if name]
        if not named:
            raise IngestError(path, "has no header row (the first line has no column names)")
        names = [header[i] for i in named]
        if len(set(names)) != len(names):
            repeated = next(name for name in names if names.count(name) > 1)
            raise IngestError(path, f"the header repeats the column {repeated!r}")
        records, lines = [], []
        previous_end = reader.line_num
        try:
            for record in reader:
                start, previous_end = previous_end + 1, reader.line_num
                if not record or all(not field.strip() for field in record):
                    continue
                if len(record) != len(header):
                    raise IngestError(path, f"line {start} has {len(record)} fields; the header "
                                      f"has {len(header)}")
                records.append([record[i] if record[i] != "" else None for i in named])
                lines.append(start)
        except csv.Error as exc:
            raise IngestError(path, f"line {previous_end + 1} cannot be parsed as CSV: {exc}") \
                from None
    return names, records, lines


register("seattle-budget", SeattleBudgetAdapter)
