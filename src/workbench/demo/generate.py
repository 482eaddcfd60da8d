"""Build the demo city into a warehouse: every canonical table, streamed month by month.

The default city (scale 1) has about a million residents in 100 neighbourhoods and 7 divisions,
~1,900 members, and five years of events ending on ``end_date``: ~50k incidents, ~300k calls
for service, ~380 use-of-force reports and ~9k collisions a year. ``scale`` multiplies the
residents and every event volume that follows from them; the organisation, its shifts and its
budget keep their size. Events are generated and appended one calendar month at a time (each
month from its own random stream, so results do not depend on how rows are batched), which
keeps memory flat at any scale.

A DuckDB file target is replaced atomically: the city is built into a hidden temporary file next
to it and moved over it only when complete (:func:`workbench.warehouse.replace_duckdb_file`: the
old warehouse's write-ahead log goes with it, never to be replayed into the new city). Files
left by a build that was killed are removed by the next build of the same target.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pyarrow as pa

from workbench import schema
from workbench.demo import _sampling as sampling
from workbench.demo import calls, city, crime, finance, traffic, workforce
from workbench.demo._world import SOURCE, World, window_start
from workbench.demo.errors import DemoCityError
from workbench.demo.offence_codes import load_offence_codes
from workbench.settings import get_settings
from workbench.warehouse import (
    Warehouse,
    building_path,
    remove_abandoned_builds,
    replace_duckdb_file,
)

YEARS = 5
FLUSH_ROWS = 250_000
MAXIMUM_SCALE = 1_000.0
_INSERT_THREADS = 1
_BUFFER_LIMIT = "512MB"


def build_demo_city(
    url: str,
    *,
    scale: float = 1.0,
    seed: int = 42,
    end_date: dt.date | None = None,
    progress: bool = False,
) -> dict[str, int]:
    """Build the demo city into the warehouse at ``url``; return the rows written per table.

    ``end_date`` (default: the ``WORKBENCH_TODAY`` setting, i.e. today) is the last day of the
    five-year window. The same ``scale``, ``seed`` and ``end_date`` always give the same rows.
    A ``duckdb://`` file is replaced atomically (a failed build leaves it untouched); any other
    target must not hold canonical data yet, and is written in place.
    """
    _check_arguments(scale, seed, end_date)
    end_date = end_date or get_settings().today
    target = _duckdb_file(url)
    if target is None:
        with Warehouse.open(url) as warehouse:
            _require_empty(warehouse)
            return _build_into(
                warehouse, scale=scale, seed=seed, end_date=end_date, progress=progress
            )

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DemoCityError(
            f"cannot create the folder {target.parent} for the warehouse: {exc}"
        ) from exc
    remove_abandoned_builds(target)  # what a killed earlier build left (its process is gone)
    temporary = building_path(target)
    try:
        warehouse = Warehouse.open(f"duckdb://{temporary}")
        try:
            counts = _build_into(
                warehouse, scale=scale, seed=seed, end_date=end_date, progress=progress
            )
        finally:
            warehouse.close()
        replace_duckdb_file(temporary, target)
    except BaseException:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    return counts


def _check_arguments(scale: float, seed: int, end_date: dt.date | None) -> None:
    if (
        not isinstance(scale, int | float)
        or not math.isfinite(scale)
        or not 0 < scale <= MAXIMUM_SCALE
    ):
        raise DemoCityError(
            f"scale must be a number above 0 and at most {MAXIMUM_SCALE:g}, got {scale!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DemoCityError(f"seed must be a whole number ≥ 0, got {seed!r}")
    if end_date is not None and (
        not isinstance(end_date, dt.date) or isinstance(end_date, dt.datetime)
    ):
        raise DemoCityError(f"end_date must be a date (YYYY-MM-DD), got {end_date!r}")


def _duckdb_file(url: str) -> Path | None:
    """The file behind a ``duckdb://`` URL, or None for in-memory and other engines."""
    if not url.startswith("duckdb://"):
        return None
    rest = url.split("://", 1)[1]
    if rest in ("", ":memory:", "memory"):
        return None
    return Path(rest).expanduser().absolute()


def _require_empty(warehouse: Warehouse) -> None:
    for name in schema.TABLES:
        if warehouse.has_table(name) and int(warehouse.table(name).count().execute()) > 0:
            raise DemoCityError(
                f"the warehouse {warehouse.url} already holds data in table {name!r}; the demo city "
                "is written only into an empty warehouse or a duckdb:// file (which it replaces)"
            )


class _TableWriter:
    """Buffers Arrow batches per table and appends them in large inserts; counts rows."""

    def __init__(self, warehouse: Warehouse, flush_rows: int) -> None:
        self._warehouse = warehouse
        self._flush_rows = flush_rows
        self._pending: dict[str, list[pa.Table]] = {}
        self._pending_rows: dict[str, int] = {}
        self.counts: dict[str, int] = {name: 0 for name in schema.TABLES}

    def add(self, name: str, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._pending.setdefault(name, []).append(table)
        self._pending_rows[name] = self._pending_rows.get(name, 0) + table.num_rows
        self.counts[name] += table.num_rows
        if self._pending_rows[name] >= self._flush_rows:
            self._flush(name)

    def add_all(self, name: str, tables: Iterable[pa.Table]) -> None:
        for table in tables:
            self.add(name, table)

    def _flush(self, name: str) -> None:
        parts = self._pending.pop(name, [])
        self._pending_rows.pop(name, None)
        if parts:
            target = schema.table(name).ibis_schema().to_pyarrow()
            combined = pa.concat_tables([_conform(name, p, target) for p in parts]).combine_chunks()
            append_rows(self._warehouse, name, combined)

    def flush_all(self) -> None:
        for name in list(self._pending):
            self._flush(name)


def _conform(name: str, rows: pa.Table, target: pa.Schema) -> pa.Table:
    """Rows in the canonical column order and types; a nullable canonical column the generator
    does not produce (added to the schema later) is written as NULL."""
    columns = []
    for field in target:
        if field.name in rows.column_names:
            columns.append(rows[field.name].cast(field.type))
        elif field.nullable:
            columns.append(pa.nulls(rows.num_rows, field.type))
        else:
            raise DemoCityError(
                f"the demo city does not generate the required column {name}.{field.name}"
            )
    return pa.Table.from_arrays(columns, schema=target)


def append_rows(warehouse: Warehouse, name: str, rows: pa.Table) -> None:
    """Append Arrow rows (already in the canonical column order and types) to table ``name``.

    On DuckDB the batch is registered, inserted and unregistered on the native connection:
    ``Warehouse.append`` goes through an Ibis memtable that stays registered (with its Arrow
    buffers) until the process exits, so a streamed multi-gigabyte build would keep every row
    in memory. Other engines use ``Warehouse.append``.
    """
    if not warehouse.is_duckdb:
        warehouse.append(name, rows)
        return
    native = warehouse.con.con
    view = f"_demo_batch_{uuid.uuid4().hex}"
    columns = ", ".join(f'"{column}"' for column in rows.column_names)
    native.register(view, rows)
    try:
        native.execute(f'INSERT INTO "{name}" ({columns}) SELECT {columns} FROM "{view}"')
    finally:
        native.unregister(view)


def _complaint_counts(warehouse: Warehouse) -> pa.Table:
    """The demo's complaints counted as services publish them (year × handling × type; a
    withdrawn complaint is not investigated)."""
    import ibis

    complaints = warehouse.table("complaints")
    handling = ibis.ifelse(complaints.outcome == "withdrawn", "not_investigated", "investigated")
    return complaints.group_by(
        year=complaints.received_at.year().cast("int64"), handling=handling,
        complaint_type=complaints.complaint_type, source=complaints.source,
    ).aggregate(complaints=complaints.count().cast("int64")).to_pyarrow()


def _build_into(
    warehouse: Warehouse, *, scale: float, seed: int, end_date: dt.date, progress: bool
) -> dict[str, int]:
    from tqdm import tqdm

    start_date = window_start(end_date, YEARS)
    first_day, last_day = sampling.day_number(start_date), sampling.day_number(end_date)
    layout = city.build_layout()
    call_shares = calls.call_shares(layout)
    workload = calls.patrol_workload_share(
        call_shares, layout.division_index, layout.division_count
    )
    members = workforce.build_workforce(layout, workload, first_day, last_day)
    months = sampling.month_start_numbers(start_date, end_date)

    with tqdm(total=len(months) + 3, desc="demo city", unit="step", disable=not progress) as bar:
        shifts, roster = workforce.build_shifts(members, layout, seed, end_date.year)
        census = city.census_year(end_date.year)
        race_counts = city.population_by_race(layout, census, end_date.year, scale)
        race_totals = race_counts.sum(axis=0)
        offence_codes = load_offence_codes()
        world = World(
            seed=seed,
            scale=float(scale),
            start_date=start_date,
            end_date=end_date,
            layout=layout,
            workforce=members,
            roster=roster,
            race_shares=race_totals / race_totals.sum(),
            offence_descriptions=crime.offence_descriptions(offence_codes),
        )
        bar.update()

        if warehouse.is_duckdb:
            # One writer thread inserts several times faster than two fighting over the cores
            # (and keeps the row order of every build identical).
            warehouse.con.raw_sql(f"SET threads = {_INSERT_THREADS}")
            # Written blocks need not stay cached: bound DuckDB's buffer pool so memory stays
            # flat however many months are streamed in.
            warehouse.con.raw_sql(f"SET memory_limit = '{_BUFFER_LIMIT}'")
            warehouse.con.raw_sql("SET enable_progress_bar = false")  # a library does not print
        warehouse.ensure_tables()
        writer = _TableWriter(warehouse, FLUSH_ROWS)
        writer.add("offence_codes", offence_codes)
        writer.add("neighbourhoods", city.neighbourhoods_table(layout, SOURCE))
        writer.add("divisions", city.divisions_table(layout, SOURCE))
        writer.add(
            "population",
            city.population_table(
                layout, range(start_date.year, end_date.year + 1), end_date.year, scale, SOURCE
            ),
        )
        writer.add(
            "population_by_race", city.population_by_race_table(race_counts, layout, census, SOURCE)
        )
        writer.add("units", workforce.units_table(members))
        writer.add("personnel", workforce.personnel_table(members))
        writer.add("staffing", finance.staffing_table(world))
        writer.add_all("shifts", workforce.shift_tables(members, shifts, FLUSH_ROWS))
        bar.update()

        incident_shares = crime.incident_shares(layout)
        collision_shares = traffic.collision_shares(layout)
        for year, month, first, last in months:
            month_incidents = crime.incidents_for_month(
                world, year, month, first, last, incident_shares
            )
            writer.add("incidents", month_incidents.table)
            writer.add(
                "enforcement_actions",
                crime.enforcement_for_month(world, year, month, month_incidents),
            )
            month_calls = calls.calls_for_month(world, year, month, first, last, call_shares)
            writer.add("calls_for_service", month_calls.calls)
            writer.add("use_of_force", month_calls.use_of_force)
            writer.add("use_of_force_subjects", month_calls.use_of_force_subjects)
            writer.add("complaints", month_calls.complaints)
            writer.add(
                "collisions",
                traffic.collisions_for_month(world, year, month, first, last, collision_shares),
            )
            bar.update()

        writer.add("finance", finance.finance_table(world, shifts))
        writer.flush_all()
        writer.add("complaint_counts", _complaint_counts(warehouse))
        writer.flush_all()
        warehouse.touch()
        bar.update()
    return dict(writer.counts)
