"""Scale benchmark: four analyses at 1M, 10M and 30M incidents on Workbench/DuckDB,
Workbench/Spark (local) and a plain pandas baseline, side by side in one run (issue 8).

Workload (the same in every variant, at ``as_of`` = 2024-06-30, the last day of the data):

1. ``compstat``: the CompStat grid by offence category and division (7 days, 28 days, year to
   date and 365 days against a year earlier; z-scores, E-test p-values, Holm adjustment);
2. ``monthly``: monthly incident counts by offence category over the last 36 months;
3. ``csi``: the Crime Severity Index by division for the last three complete years (incidents
   joined to ``offence_codes`` weights, divided by division population);
4. ``response``: response-time median and 90th percentile (exact) by priority and division,
   with the share within target, over the last 365 days of calls for service.

Variants:

- ``duckdb``: the Workbench functions on ``Warehouse.open("duckdb://…")`` (the DuckDB file);
- ``spark``: the same functions, unchanged, on ``Warehouse.open("pyspark://?master=local[2]&
  parquet=…")`` reading a Parquet copy of that file in the layout ``Warehouse.export_parquet``
  writes (incidents and calls hive-partitioned by year, as ``docs/deployment.md`` describes;
  written with DuckDB's parallel ``COPY`` to keep the run short);
- ``pandas``: the same Parquet read with ``pandas.read_parquet`` (only the columns needed),
  then masks, ``merge`` and ``groupby`` in pandas, and the same
  :func:`~workbench.analysis.crime.change_statistics` for the grid's statistics.

Every variant's four results are compared with the DuckDB ones (counts exactly, floats to a
relative 1e-9); the run stops if they differ.

Data: incidents and calls (as many calls as incidents) are drawn with numpy, uniformly over the
five years to ``as_of`` in random row order (no time clustering, so no engine can skip row
groups by date: the conservative case), with offence codes, neighbourhoods, divisions,
priorities and response times resampled from the cached demo city
(``data/test-cache/demo-*.duckdb``, built by the test suite; built here at scale 1 if absent),
whose ``offence_codes``, ``population`` and ``neighbourhoods`` tables are copied as they are.
Only the columns the four analyses read are generated (a columnar engine never reads the
others).

Measurement: every run is a fresh subprocess. ``load`` is opening the warehouse (DuckDB: open
the file; Spark: start the session and register the Parquet datasets; pandas: read the Parquet
into DataFrames); ``first`` is load plus the four analyses, a report's cold start (imports and
interpreter start are excluded); ``again`` is the four analyses repeated in the same process
(warm: data cached, E-tests memoised). ``cpu`` is the CPU time of all the variant's threads and
processes (for Spark, its JVM too): on a shared machine it is the figure least inflated by
other work. Peak memory is the peak resident set (``VmHWM``) of the worker plus, for Spark, of
its JVM (a child process), so it is the whole variant's footprint. Times are medians of
``--runs`` runs, alternating variants so load drifts hit all alike; from ``--single-run-from``
rows up, Spark and pandas run once (the ``runs`` column says so). The machine's load average is
printed per row and before and after the run. About 15 minutes on 2 cores. Not a test.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000000 10000000 30000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 6, 30)
YEARS_OF_DATA = 5
TREND_MONTHS = 36
CSI_YEARS = 3
RESPONSE_DAYS = 365
COMPSTAT_BY = ("offence_category", "division")
RESPONSE_BY = ("priority", "division")
CHUNK_ROWS = 5_000_000
VARIANTS = ("duckdb", "spark", "pandas")
ANALYSES = ("compstat", "monthly", "csi", "response")
SMALL_TABLES = ("offence_codes", "population", "neighbourhoods")


# ------------------------------------------------------------------------------ data


def prepare_seed(folder: Path) -> Path:
    """Copy what the generator resamples from the demo city into ``folder/seed`` (Parquet).

    The source is the test suite's cached demo city (``data/test-cache/demo-*.duckdb``); if
    there is none, a demo city is built at scale 1 in ``folder``. Copying first keeps the run
    independent of the cache, which other test runs may replace meanwhile."""
    import duckdb

    seed = folder / "seed"
    if (seed / "done").exists():
        return seed
    cached = sorted((ROOT / "data" / "test-cache").glob("demo-*.duckdb"),
                    key=lambda p: p.stat().st_mtime)
    demo = cached[-1] if cached else folder / "demo.duckdb"
    if not cached and not demo.exists():
        from workbench.demo import build_demo_city

        build_demo_city(f"duckdb://{demo}", scale=1.0, seed=42, end_date=AS_OF)
    seed.mkdir(parents=True, exist_ok=True)
    source = duckdb.connect(str(demo), read_only=True)
    queries = {
        # the demo city's joint distributions, resampled row by row
        "incident_pool": "SELECT offence_code, offence_category, division, neighbourhood_id "
                         "FROM incidents",
        "call_pool": "SELECT priority, division, CAST(epoch(arrived_at) - epoch(received_at) "
                     "AS BIGINT) AS response_seconds FROM calls_for_service",
        **{name: f"SELECT * FROM {name}" for name in SMALL_TABLES},
    }
    for name, query in queries.items():
        source.execute(f"COPY ({query}) TO '{seed / name}.parquet' (FORMAT parquet)")
    source.close()
    (seed / "done").write_text(str(demo))
    return seed


def build_tables(path: Path, rows: int, seed_folder: Path, seed: int = 8) -> None:
    """Write ``rows`` incidents and ``rows`` calls (plus the small tables) to a DuckDB file."""
    import duckdb
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    incident_pool = pq.read_table(seed_folder / "incident_pool.parquet")
    call_pool = pq.read_table(seed_folder / "call_pool.parquet")
    small = {name: pq.read_table(seed_folder / f"{name}.parquet") for name in SMALL_TABLES}

    end = np.datetime64(AS_OF + dt.timedelta(days=1), "s")
    span = int((AS_OF - AS_OF.replace(year=AS_OF.year - YEARS_OF_DATA)).days * 86400)
    target = duckdb.connect(str(path))
    for name, table in small.items():
        target.register("small", table)
        target.execute(f"CREATE TABLE {name} AS SELECT * FROM small")
        target.unregister("small")
    target.execute("CREATE TABLE incidents (occurred_at TIMESTAMP, offence_category VARCHAR, "
                   "offence_code VARCHAR, division VARCHAR, neighbourhood_id VARCHAR)")
    target.execute("CREATE TABLE calls_for_service (received_at TIMESTAMP, arrived_at TIMESTAMP, "
                   "priority BIGINT, division VARCHAR)")
    for first in range(0, rows, CHUNK_ROWS):
        count = min(CHUNK_ROWS, rows - first)
        occurred = end - rng.integers(1, span, count).astype("timedelta64[s]")
        picked = incident_pool.take(pa.array(rng.integers(0, len(incident_pool), count)))
        chunk = pa.table({"occurred_at": pa.array(occurred.astype("datetime64[us]")),
                          **{c: picked[c] for c in picked.column_names}})
        target.register("chunk", chunk)
        target.execute("INSERT INTO incidents BY NAME SELECT * FROM chunk")
        target.unregister("chunk")
        received = end - rng.integers(1, span, count).astype("timedelta64[s]")
        sampled = call_pool.take(pa.array(rng.integers(0, len(call_pool), count)))
        seconds = sampled["response_seconds"].to_numpy(zero_copy_only=False)
        arrived = received + np.nan_to_num(seconds, nan=0).astype("timedelta64[s]")
        chunk = pa.table({
            "received_at": pa.array(received.astype("datetime64[us]")),
            "arrived_at": pa.array(arrived.astype("datetime64[us]"), mask=np.isnan(seconds)),
            "priority": sampled["priority"], "division": sampled["division"]})
        target.register("chunk", chunk)
        target.execute("INSERT INTO calls_for_service BY NAME SELECT * FROM chunk")
        target.unregister("chunk")
    target.execute("CHECKPOINT")
    target.close()


def export_lake(path: Path, lake: Path) -> None:
    """The DuckDB file as a Parquet folder in the layout ``Warehouse.export_parquet`` writes
    (incidents and calls hive-partitioned by year, ``name.parquet`` for the small tables), but
    written by DuckDB's parallel ``COPY``: the product's export streams through one Python
    thread and would dominate the benchmark's wall time at 30M rows."""
    import duckdb

    staging = lake.with_name(lake.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    con = duckdb.connect(str(path), read_only=True)
    for name, column in (("incidents", "occurred_at"), ("calls_for_service", "received_at")):
        con.execute(f"COPY (SELECT *, year({column}) AS year FROM {name}) TO "
                    f"'{staging / name}' (FORMAT parquet, PARTITION_BY (year))")
    for name in SMALL_TABLES:
        con.execute(f"COPY {name} TO '{staging / name}.parquet' (FORMAT parquet)")
    con.close()
    staging.rename(lake)


# ------------------------------------------------------------------------------ workloads


def _windows():
    from workbench.analysis._common import months_back

    return {"trend_start": months_back(AS_OF, TREND_MONTHS - 1),
            "response_start": AS_OF - dt.timedelta(days=RESPONSE_DAYS - 1),
            "csi_years": list(range(AS_OF.year - CSI_YEARS, AS_OF.year))}


def open_workbench(variant: str, path: Path, lake: Path):
    from workbench.warehouse import Warehouse

    if variant == "duckdb":
        return Warehouse.open(f"duckdb://{path}", read_only=True)
    return Warehouse.open(f"pyspark://?master=local[2]&parquet={lake}", read_only=True)


def workbench_analyses(warehouse) -> dict:
    """The four analyses through the Workbench library (any engine)."""
    from workbench.analysis import calls, crime, csi

    windows = _windows()
    incidents = warehouse.table("incidents")
    return {
        "compstat": lambda: crime.compstat_grid(incidents, as_of=AS_OF, by=COMPSTAT_BY),
        "monthly": lambda: crime.incident_counts(incidents, start=windows["trend_start"],
                                                 as_of=AS_OF, period="month"),
        "csi": lambda: csi.crime_severity_index(
            incidents, *warehouse.tables("offence_codes", "population", "neighbourhoods"),
            as_of=AS_OF, years=windows["csi_years"], geography="division"),
        "response": lambda: calls.response_times(
            warehouse.table("calls_for_service"), start=windows["response_start"], as_of=AS_OF,
            by=RESPONSE_BY),
    }


def read_pandas(lake: Path) -> dict:
    import pandas as pd

    return {
        "incidents": pd.read_parquet(lake / "incidents", columns=[
            "occurred_at", "offence_category", "offence_code", "division"]),
        "calls": pd.read_parquet(lake / "calls_for_service", columns=[
            "received_at", "arrived_at", "priority", "division"]),
        **{name: pd.read_parquet(lake / f"{name}.parquet") for name in SMALL_TABLES},
    }


def _between(values, first: dt.date, last: dt.date):
    import pandas as pd

    return (values >= pd.Timestamp(first)) & (values < pd.Timestamp(last + dt.timedelta(days=1)))


def pandas_compstat(frames: dict):
    import pandas as pd

    from workbench.analysis import crime

    incidents = frames["incidents"]
    keys = list(COMPSTAT_BY)
    windows = crime.compstat_windows(AS_OF)
    earliest = min(w.past_start for w in windows)
    recent = incidents[_between(incidents["occurred_at"], earliest, AS_OF)]
    groups = recent[keys].drop_duplicates()
    parts = []
    for window in windows:
        counts = {side: recent[_between(recent["occurred_at"], first, last)]
                  .groupby(keys, dropna=False).size().rename(side).reset_index()
                  for side, first, last in (("current", window.current_start, window.current_end),
                                            ("past", window.past_start, window.past_end))}
        part = groups.merge(counts["current"], on=keys, how="left").merge(
            counts["past"], on=keys, how="left")
        part[["current", "past"]] = part[["current", "past"]].fillna(0).astype("int64")
        part.insert(0, "period", window.period)
        part["current_days"] = window.current_days
        part["past_days"] = window.past_days
        parts.append(part)
    return crime.change_statistics(pd.concat(parts, ignore_index=True))


def pandas_monthly(frames: dict):
    incidents = frames["incidents"]
    recent = incidents[_between(incidents["occurred_at"], _windows()["trend_start"], AS_OF)]
    month = recent["occurred_at"].dt.to_period("M").dt.start_time.rename("period_start")
    return recent.groupby([month, "offence_category"]).size().rename("incidents").reset_index()


def pandas_csi(frames: dict):
    years = _windows()["csi_years"]
    incidents = frames["incidents"]
    window = incidents[_between(incidents["occurred_at"], dt.date(years[0], 1, 1),
                                dt.date(years[-1], 12, 31)) & incidents["division"].notna()]
    codes = frames["offence_codes"][["offence_code", "csi_weight", "violent"]]
    joined = window[["occurred_at", "offence_code", "division"]].merge(
        codes, on="offence_code", how="left")
    joined["year"] = joined["occurred_at"].dt.year
    violent = joined["violent"].fillna(False).astype(bool)
    joined["violent_weight"] = joined["csi_weight"].where(violent, 0.0)
    sums = joined.groupby(["division", "year"]).agg(
        incidents=("offence_code", "size"), weight_sum=("csi_weight", "sum"),
        violent_weight_sum=("violent_weight", "sum")).reset_index()
    people = frames["population"].merge(frames["neighbourhoods"][["neighbourhood_id", "division"]],
                                        on="neighbourhood_id")
    people = people.groupby(["division", "year"])["population"].sum().reset_index()
    result = people[people["year"].isin(years)].merge(sums, on=["division", "year"], how="left")
    result["csi"] = result["weight_sum"] / result["population"] * 100_000
    return result


def pandas_response(frames: dict):
    import numpy as np

    calls = frames["calls"]
    window = calls[_between(calls["received_at"], _windows()["response_start"], AS_OF)]
    minutes = (window["arrived_at"] - window["received_at"]).dt.total_seconds() / 60.0
    window = window.assign(minutes=minutes.where(minutes >= 0))
    window = window.assign(within=np.where(window["priority"] == 1,
                                           (window["minutes"] <= 15.0).astype(float), np.nan))
    window.loc[window["minutes"].isna(), "within"] = np.nan
    grouped = window.groupby(list(RESPONSE_BY), dropna=False)
    result = grouped.agg(calls=("received_at", "size"), arrived=("minutes", "count"),
                         median_minutes=("minutes", "median"),
                         within_target=("within", "sum")).reset_index()
    result["p90_minutes"] = grouped["minutes"].quantile(0.9).to_numpy()
    return result


PANDAS_ANALYSES = {"compstat": pandas_compstat, "monthly": pandas_monthly, "csi": pandas_csi,
                   "response": pandas_response}


# ------------------------------------------------------------------------------ comparison


def comparable(analysis: str, frame):
    """The part of a result every variant must agree on, in a canonical row order."""
    columns = {
        "compstat": ["period", *COMPSTAT_BY, "current", "past", "z", "p_value_adjusted",
                     "flagged"],
        "monthly": ["period_start", "offence_category", "incidents"],
        "csi": ["year", "division", "incidents", "weight_sum", "violent_weight_sum",
                "population", "csi"],
        "response": [*RESPONSE_BY, "calls", "arrived", "median_minutes", "p90_minutes",
                     "within_target"],
    }[analysis]
    frame = frame[columns].copy()
    if analysis == "monthly":
        frame = frame[frame["incidents"] > 0]
        frame["period_start"] = frame["period_start"].astype("datetime64[ns]")
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("string")
        elif frame[column].dtype.kind in "iub":
            frame[column] = frame[column].astype("float64")
    keys = columns[: {"compstat": 3, "monthly": 2, "csi": 2, "response": 2}[analysis]]
    return frame.sort_values(keys, na_position="last").reset_index(drop=True)


def differences(reference: dict, other: dict) -> list[str]:
    import pandas as pd

    problems = []
    for analysis in ANALYSES:
        try:
            pd.testing.assert_frame_equal(other[analysis], reference[analysis],
                                          check_dtype=False, check_exact=False, rtol=1e-9)
        except AssertionError as exc:
            problems.append(f"{analysis}: {str(exc).splitlines()[0:6]}")
    return problems


# ------------------------------------------------------------------------------ worker


def _status_kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def cpu_seconds() -> float:
    """CPU time (user + system) used so far by this process, its threads and its running
    children (Spark's JVM): unlike wall time, hardly inflated by other work on the machine."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    ticks = os.sysconf("SC_CLK_TCK")
    for child in _descendants(os.getpid()):
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def peak_memory_mb() -> float:
    """Peak resident set of this process and its children still running (Spark's JVM), in MB.

    ``VmHWM`` starts afresh at ``exec`` (unlike ``ru_maxrss``); off Linux, ``ru_maxrss``."""
    own = _status_kb("self", "VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (own + sum(_status_kb(child, "VmHWM") for child in _descendants(os.getpid()))) / 1024


def worker(variant: str, path: Path, lake: Path, output: Path | None) -> None:
    """Open the data and run the four analyses twice (a fresh process's first pass, then the
    same again, warm); print JSON with the times and peak memory and pickle the results."""
    import ibis.backends.duckdb  # noqa: F401  (imports are not timed)
    import pandas  # noqa: F401

    import workbench.analysis.calls  # noqa: F401
    import workbench.analysis.crime  # noqa: F401
    import workbench.analysis.csi  # noqa: F401
    if variant == "spark":
        import ibis.backends.pyspark  # noqa: F401
        import pyspark.sql  # noqa: F401

    seconds: dict[str, float] = {}
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    if variant == "pandas":
        frames = read_pandas(lake)
        runs = {name: (lambda f=function: f(frames)) for name, function in PANDAS_ANALYSES.items()}
    else:
        warehouse = open_workbench(variant, path, lake)
        runs = workbench_analyses(warehouse)
    seconds["load"] = time.perf_counter() - started
    results = {}
    for name in ANALYSES:
        started = time.perf_counter()
        results[name] = runs[name]()
        seconds[name] = time.perf_counter() - started
    cpu = {"first": cpu_seconds() - cpu_started}
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    for name in ANALYSES:
        runs[name]()
    seconds["again"] = time.perf_counter() - started
    cpu["again"] = cpu_seconds() - cpu_started
    peak = peak_memory_mb()
    if output is not None:
        output.write_bytes(pickle.dumps({n: comparable(n, f) for n, f in results.items()}))
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak}))


# ------------------------------------------------------------------------------ driver


def _run(arguments: list[str]) -> str:
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(arguments[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def measure(variant: str, path: Path, lake: Path, output: Path | None) -> dict:
    arguments = ["--worker", variant, "--database", str(path), "--lake", str(lake)]
    if output is not None:
        arguments += ["--output", str(output)]
    return json.loads(_run(arguments).strip().splitlines()[-1])


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1/5/15 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000_000, 10_000_000, 30_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--single-run-from", type=int, default=30_000_000,
                        help="from this many incidents up, Spark and pandas run once")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--keep", type=Path, help="build the data in this folder and keep it")
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lake", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed-folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.worker, arguments.database, arguments.lake, arguments.output)
        return
    if arguments.build:
        build_tables(arguments.database, arguments.build, arguments.seed_folder)
        return
    if arguments.export:
        export_lake(arguments.database, arguments.lake)
        return

    import pandas as pd

    load_before = _load()
    began = time.perf_counter()
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows_out = []
    try:
        seed = prepare_seed(folder)
        for size in arguments.sizes:
            path, lake = folder / f"bench-{size}.duckdb", folder / f"lake-{size}"
            started = time.perf_counter()
            if not path.exists():  # each step in its own process: the driver stays small
                _run(["--build", str(size), "--database", str(path), "--seed-folder", str(seed)])
            built = time.perf_counter()
            if not lake.exists():
                _run(["--export", "--database", str(path), "--lake", str(lake)])
            print(f"{size:,} incidents + {size:,} calls: built in {built - started:.0f} s "
                  f"({path.stat().st_size / 2**20:.0f} MB DuckDB), Parquet in "
                  f"{time.perf_counter() - built:.0f} s; {_load()}", file=sys.stderr)
            runs = {v: (arguments.runs if v == "duckdb" or size < arguments.single_run_from
                        else 1) for v in arguments.variants}
            measured: dict[str, list[dict]] = {v: [] for v in arguments.variants}
            results: dict[str, dict] = {}
            for index in range(max(runs.values())):  # alternate, so load drifts hit all alike
                for variant in arguments.variants:
                    if index < runs[variant]:
                        output = folder / f"result-{variant}.pickle" if index == 0 else None
                        measured[variant].append(measure(variant, path, lake, output))
                        measured[variant][-1]["machine_load"] = os.getloadavg()[0]
                        if output is not None:
                            results[variant] = pickle.loads(output.read_bytes())
                        print(f"  {variant} run {index + 1}: {measured[variant][-1]}",
                              file=sys.stderr)
            reference = results[arguments.variants[0]]
            for variant, result in results.items():
                problems = differences(reference, result)
                if problems:
                    raise SystemExit(f"{variant} differs from {arguments.variants[0]} at "
                                     f"{size:,} rows:\n" + "\n".join(problems))
            for variant, runs_of in measured.items():
                median = {part: statistics.median(r["seconds"][part] for r in runs_of)
                          for part in ("load", *ANALYSES, "again")}
                first = statistics.median(sum(r["seconds"][p] for p in ("load", *ANALYSES))
                                          for r in runs_of)
                rows_out.append({
                    "incidents": size, "variant": variant, "runs": len(runs_of), **median,
                    "first": first,
                    "first_cpu": statistics.median(r["cpu_seconds"]["first"] for r in runs_of),
                    "again_cpu": statistics.median(r["cpu_seconds"]["again"] for r in runs_of),
                    "peak_mb": max(r["peak_mb"] for r in runs_of),
                    "machine_load": statistics.mean(r["machine_load"] for r in runs_of)})
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print_table(pd.DataFrame(rows_out))
    print(f"\nMachine: {os.cpu_count()} cores; before the run {load_before}; after {_load()}; "
          f"wall time {time.perf_counter() - began:.0f} s.")


def print_table(table) -> None:
    """The one results table (see the module docstring for what each column measures)."""
    pandas_rows = table[table["variant"] == "pandas"].set_index("incidents")
    smallest = table[table["incidents"] == table["incidents"].min()].set_index("variant")
    print("\nFour analyses: CompStat grid (category x division), 36 monthly trends, CSI by "
          "division (3 years), response-time median and p90 (365 days); as many calls as "
          "incidents. Results agree across variants.\n"
          "Seconds; medians of the runs shown, each run a fresh process. first = load + the "
          "four (a report's cold start); again = the four repeated in the same process (warm); "
          "cpu = CPU seconds of all the variant's threads and processes (hardly inflated by "
          "other load); x pandas = pandas wall time / this wall time; growth = first-pass CPU / "
          "that at the smallest size; load avg = 1-minute machine load during the runs.")
    header = (f"{'incidents':>10} | {'variant':<7} | {'runs':>4} | {'load':>5} | "
              f"{'compstat':>8} | {'monthly':>7} | {'csi':>5} | {'response':>8} | "
              f"{'first':>6} | {'cpu':>6} | {'x pandas':>8} | {'again':>6} | {'cpu':>6} | "
              f"{'x pandas':>8} | {'peak MB':>7} | {'growth':>6} | {'load avg':>8}")
    print(header)
    print("-" * len(header))

    def versus(column: str, size: int, value: float) -> str:
        return (f"{pandas_rows.loc[size, column] / value:7.1f}x" if size in pandas_rows.index
                else " " * 8)

    for row in table.itertuples():
        growth = (row.first_cpu / smallest.loc[row.variant, "first_cpu"]
                  if row.variant in smallest.index else float("nan"))
        print(f"{row.incidents:>10,} | {row.variant:<7} | {row.runs:>4} | {row.load:>5.1f} | "
              f"{row.compstat:>8.2f} | {row.monthly:>7.2f} | {row.csi:>5.2f} | "
              f"{row.response:>8.2f} | {row.first:>6.2f} | {row.first_cpu:>6.2f} | "
              f"{versus('first', row.incidents, row.first)} | {row.again:>6.2f} | "
              f"{row.again_cpu:>6.2f} | {versus('again', row.incidents, row.again)} | "
              f"{row.peak_mb:>7.0f} | {growth:>5.1f}x | {row.machine_load:>8.1f}")


if __name__ == "__main__":
    main()
