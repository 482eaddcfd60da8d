"""Time and peak memory of the monthly workforce computations: Workbench (Ibis on DuckDB) against
reading the shifts into pandas and grouping there, on the demo city and on 10 copies of it.

The computations (24 months ending with the last complete month of the data, as the monthly
workforce report runs them):

1. absence rate by unit × month (unplanned absence, people and people absent);
2. hours lost by absence type × month;
3. short- and long-term spells by unit over 12 months (gaps and islands over each member's
   scheduled shifts);
4. sick spells of each unit-month against the other units' rate (the sick-leave baseline);
5. shifts below minimum staffing (before and after backfill) by unit × month;
6. overtime cost by reason × month.

The **pandas baseline** reads the columns it needs for the same rows (the window plus the spell
margins) with ``duckdb … .df()`` and computes the same tables with ``groupby``; its totals are
checked against Workbench's in every run. Each measurement is a fresh subprocess, so its peak
resident memory (``ru_maxrss``, interpreter and libraries included) is its own; times exclude
Python start-up and imports. DuckDB uses the machine's cores; pandas one.

The 10× warehouse replicates the demo's shifts and personnel with new member ids (``P12345#3``)
in a temporary DuckDB file (same units, ten times the members).

    .venv/bin/python benchmarks/bench_workforce.py [--repeats 3] [--scales 1,10] [--warehouse URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UNPLANNED = ("sick", "injury", "family")
SPELL_LOOKBACK_DAYS = 62  # as workbench.analysis.workforce reads around a window
SPELL_LOOKAHEAD_DAYS = 250
LONG_TERM_SHIFTS = 5


# ------------------------------------------------------------------------------ warehouses


def source_warehouse(explicit: str | None, scratch: Path) -> Path:
    """A DuckDB file holding the demo city (a copy: never hold a lock on the tests' cache)."""
    if explicit:
        return Path(explicit.removeprefix("duckdb://"))
    from workbench.settings import get_settings

    settings = get_settings()
    cached = sorted((settings.home / "data" / "test-cache").glob("demo-*.duckdb"),
                    key=lambda path: path.stat().st_mtime)
    copy = scratch / "demo.duckdb"
    if cached:
        shutil.copy(cached[-1], copy)
        return copy
    from workbench.demo import build_demo_city

    build_demo_city(f"duckdb://{copy}", scale=1.0, seed=42, end_date=settings.today)
    return copy


def replicated_warehouse(source: Path, copies: int, scratch: Path) -> Path:
    """``source``'s shifts, personnel and units with the members replicated ``copies`` times."""
    import duckdb

    if copies == 1:
        return source
    target = scratch / f"workforce-x{copies}.duckdb"
    connection = duckdb.connect(str(target))
    connection.execute(f"ATTACH '{source}' AS source (READ_ONLY)")
    connection.execute("CREATE TABLE units AS SELECT * FROM source.units")
    suffix = "CASE WHEN copy = 0 THEN '' ELSE '#' || copy END"
    connection.execute(f"""
        CREATE TABLE personnel AS
        SELECT * REPLACE (officer_id || {suffix} AS officer_id)
        FROM source.personnel, range({copies}) AS copies(copy)""")
    connection.execute(f"""
        CREATE TABLE shifts AS
        SELECT * REPLACE (officer_id || {suffix} AS officer_id)
        FROM source.shifts, range({copies}) AS copies(copy)
        ORDER BY shift_date""")
    connection.close()
    return target


def window_of(path: Path) -> tuple[dt.date, dt.date, dt.date]:
    """(first day of the 24-month window, first day of its last 12 months, last day)."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        latest = connection.execute("SELECT max(shift_date) FROM shifts").fetchone()[0]
    end = latest.replace(day=1) - dt.timedelta(days=1)
    first = end.replace(day=1)

    def back(months: int) -> dt.date:
        index = first.year * 12 + first.month - 1 - months
        return dt.date(index // 12, index % 12 + 1, 1)

    return back(23), back(11), end


# ------------------------------------------------------------------------------ workers


def run_workbench(path: Path, start: dt.date, year_start: dt.date, end: dt.date) -> dict:
    from workbench.analysis import workforce
    from workbench.warehouse import Warehouse

    began = time.perf_counter()
    with Warehouse.open(f"duckdb://{path}", read_only=True) as warehouse:
        shifts, units = warehouse.tables("shifts", "units")
        rates = workforce.absence_rates(shifts, start=start, end=end, by=("unit_id",),
                                        period="month")
        by_type = workforce.absence_by_type(shifts, start=start, end=end, period="month")
        spells = workforce.absence_spell_summary(shifts, start=year_start, end=end,
                                                 by=("unit_id",))
        baseline = workforce.sick_leave_against_baseline(shifts, start=start, end=end)
        levels = workforce.staffing_levels(shifts, units, start=start, end=end,
                                           by=("unit_id",), period="month")
        overtime = workforce.overtime_summary(shifts, start=start, end=end,
                                              by=("overtime_reason",), period="month")
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "checks": {
        "absence_hours": round(float(rates["absence_hours"].sum()), 3),
        "people_absent": int(rates["people_absent"].sum()),
        "hours_by_type": round(float(by_type["absence_hours"].sum()), 3),
        "spells": int(spells["spells"].sum()),
        "long_term_spells": int(spells["long_term_spells"].sum()),
        "sick_spells": int(baseline.monthly["spells"].sum()),
        "expected_sick_spells": round(float(baseline.monthly["expected_spells"].sum()), 3),
        "shifts_below_minimum_before_backfill":
            int(levels["shifts_below_minimum_before_backfill"].sum()),
        "shifts_below_minimum": int(levels["shifts_below_minimum"].sum()),
        "overtime_cost": round(float(overtime["overtime_cost"].sum()), 2),
    }}


def run_pandas(path: Path, start: dt.date, year_start: dt.date, end: dt.date) -> dict:
    import duckdb
    import numpy as np
    import pandas as pd

    began = time.perf_counter()
    with duckdb.connect(str(path), read_only=True) as connection:
        frame = connection.execute("""
            SELECT officer_id, shift_date, unit_id, scheduled_hours, worked_hours, absence_code,
                   absence_hours, overtime_hours, overtime_reason, overtime_cost
            FROM shifts WHERE shift_date BETWEEN ? AND ?""",
                                   [start - dt.timedelta(days=SPELL_LOOKBACK_DAYS),
                                    end + dt.timedelta(days=SPELL_LOOKAHEAD_DAYS)]).df()
        units = connection.execute("SELECT unit_id, minimum_staffing FROM units").df()
    frame["shift_date"] = pd.to_datetime(frame["shift_date"])
    frame["month"] = frame["shift_date"].dt.to_period("M")
    lower, upper = pd.Timestamp(start), pd.Timestamp(end)
    in_window = frame["shift_date"].between(lower, upper)
    scheduled = frame[in_window & (frame["scheduled_hours"] > 0)]
    counted = scheduled["absence_code"].isin(UNPLANNED)

    # 1. absence rate by unit × month
    rates = scheduled.assign(lost=scheduled["absence_hours"].where(counted, 0.0)) \
        .groupby(["unit_id", "month"]).agg(people=("officer_id", "nunique"),
                                           scheduled_hours=("scheduled_hours", "sum"),
                                           absence_hours=("lost", "sum"))
    absent = scheduled[counted].groupby(["unit_id", "month"])["officer_id"].nunique()
    rates["people_absent"] = absent.reindex(rates.index, fill_value=0)
    rates["absence_rate"] = rates["absence_hours"] / rates["scheduled_hours"]

    # 2. hours lost by type × month
    by_type = scheduled.groupby(["month", "absence_code"])["absence_hours"].sum()

    # 3 and 4. spells: gaps and islands over each member's scheduled shifts
    every = frame[frame["scheduled_hours"] > 0].sort_values(["officer_id", "shift_date"])
    code = every["absence_code"].fillna("")
    previous = code.groupby(every["officer_id"]).shift(fill_value="")
    spell = ((code != "") & (code != previous)).cumsum()
    marked = every.assign(code=code, spell=spell)
    spells = marked[marked["code"] != ""].groupby("spell").agg(
        officer_id=("officer_id", "first"), unit_id=("unit_id", "first"),
        code=("code", "first"), first_date=("shift_date", "min"), shifts=("shift_date", "size"),
        hours=("absence_hours", "sum"))
    unplanned = spells[spells["code"].isin(UNPLANNED)
                       & spells["first_date"].between(pd.Timestamp(year_start), upper)]
    spell_summary = unplanned.assign(long=unplanned["shifts"] > LONG_TERM_SHIFTS) \
        .groupby("unit_id").agg(spells=("shifts", "size"), long_term_spells=("long", "sum"))
    sick = spells[(spells["code"] == "sick") & spells["first_date"].between(lower, upper)]
    sick_counts = sick.groupby(["unit_id", sick["first_date"].dt.to_period("M")]).size()
    exposure = scheduled.groupby(["unit_id", "month"]).size().rename("shifts").to_frame()
    exposure["spells"] = sick_counts.reindex(exposure.index, fill_value=0).to_numpy()
    month_totals = exposure.groupby(level="month").transform("sum")
    exposure["expected"] = exposure["shifts"] * (month_totals["spells"] - exposure["spells"]) \
        / (month_totals["shifts"] - exposure["shifts"])

    # 5. shifts below minimum staffing by unit × month
    staffed = frame[in_window].merge(units.dropna(subset=["minimum_staffing"]), on="unit_id")
    staffed = staffed.assign(
        is_scheduled=staffed["scheduled_hours"] > 0, present=staffed["worked_hours"] > 0)
    staffed["present_scheduled"] = staffed["is_scheduled"] & staffed["present"]
    per_shift = staffed.groupby(["unit_id", "shift_date"]).agg(
        month=("month", "first"), minimum=("minimum_staffing", "max"),
        present_scheduled=("present_scheduled", "sum"), on_duty=("present", "sum"))
    per_shift["short_before"] = per_shift["present_scheduled"] < per_shift["minimum"]
    per_shift["short_after"] = per_shift["on_duty"] < per_shift["minimum"]
    levels = per_shift.groupby(["unit_id", "month"])[["short_before", "short_after"]].sum()

    # 6. overtime cost by reason × month
    overtime = frame[in_window].groupby(["overtime_reason", "month"])["overtime_cost"].sum()
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "checks": {
        "absence_hours": round(float(rates["absence_hours"].sum()), 3),
        "people_absent": int(rates["people_absent"].sum()),
        "hours_by_type": round(float(by_type.sum()), 3),
        "spells": int(spell_summary["spells"].sum()),
        "long_term_spells": int(spell_summary["long_term_spells"].sum()),
        "sick_spells": int(exposure["spells"].sum()),
        "expected_sick_spells": round(float(np.nansum(exposure["expected"])), 3),
        "shifts_below_minimum_before_backfill": int(levels["short_before"].sum()),
        "shifts_below_minimum": int(levels["short_after"].sum()),
        "overtime_cost": round(float(overtime.sum()), 2),
    }}


def worker(kind: str, path: Path, start: str, year_start: str, end: str) -> None:
    """Run one measurement and print its JSON (seconds, peak memory, checks)."""
    dates = [dt.date.fromisoformat(day) for day in (start, year_start, end)]
    result = (run_workbench if kind == "workbench" else run_pandas)(path, *dates)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def measure(kind: str, path: Path, window: tuple[dt.date, dt.date, dt.date]) -> dict:
    command = [sys.executable, __file__, "--worker", kind, "--path", str(path),
               *[day.isoformat() for day in window]]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ main


def shift_rows(path: Path) -> int:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as connection:
        return int(connection.execute("SELECT count(*) FROM shifts").fetchone()[0])


def agree(first: dict, second: dict) -> bool:
    return all(abs(first[key] - second[key]) <= 1e-6 * max(1.0, abs(first[key]))
               for key in first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scales", default="1,10", help="comma-separated replication factors")
    parser.add_argument("--warehouse", default=None, help="duckdb URL of a demo city")
    parser.add_argument("--worker", choices=["workbench", "pandas"], help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("dates", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.path, *args.dates)
        return

    scratch = Path(tempfile.mkdtemp(prefix="bench-workforce-"))
    try:
        source = source_warehouse(args.warehouse, scratch)
        rows = []
        for scale in [int(s) for s in args.scales.split(",")]:
            began = time.perf_counter()
            path = replicated_warehouse(source, scale, scratch)
            prepared = time.perf_counter() - began
            window = window_of(path)
            runs: dict[str, list[dict]] = {"workbench": [], "pandas": []}
            for _ in range(args.repeats):
                for kind in runs:  # alternate, so drift in machine load hits both
                    runs[kind].append(measure(kind, path, window))
            checks_agree = all(agree(w["checks"], p["checks"])
                               for w, p in zip(runs["workbench"], runs["pandas"], strict=True))
            row = {"scale": scale, "rows": shift_rows(path), "prepared": prepared,
                   "agree": checks_agree}
            for kind, measured in runs.items():
                row[f"{kind}_seconds"] = statistics.median(m["seconds"] for m in measured)
                row[f"{kind}_mb"] = statistics.median(m["peak_mb"] for m in measured)
            rows.append(row)
            if not checks_agree:
                print(f"scale {scale}: totals differ\n workbench {runs['workbench'][0]['checks']}"
                      f"\n pandas    {runs['pandas'][0]['checks']}")
        print(f"\nMonthly workforce computations, window {window[0]} to {window[2]}; medians of "
              f"{args.repeats} runs, each in a fresh process\n")
        header = (f"{'scale':>5} {'shift rows':>11} | {'Workbench s':>11} {'pandas s':>9} "
                  f"{'pandas/WB':>9} | {'WB peak MB':>10} {'pandas MB':>9} {'pandas/WB':>9} | "
                  f"{'totals':>6}")
        print(header)
        print("-" * len(header))
        for row in rows:
            print(f"{row['scale']:>4}× {row['rows']:>11,} | {row['workbench_seconds']:>11.2f} "
                  f"{row['pandas_seconds']:>9.2f} "
                  f"{row['pandas_seconds'] / row['workbench_seconds']:>8.1f}× | "
                  f"{row['workbench_mb']:>10,.0f} {row['pandas_mb']:>9,.0f} "
                  f"{row['pandas_mb'] / row['workbench_mb']:>8.1f}× | "
                  f"{'agree' if row['agree'] else 'DIFFER':>6}")
        print("\n(building each replicated warehouse: "
              + ", ".join(f"{r['scale']}× {r['prepared']:.0f} s" for r in rows) + ")")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
