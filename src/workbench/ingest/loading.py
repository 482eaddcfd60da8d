"""The load pipeline: one file = one batch, validated, quarantined, loaded all-or-nothing.

For each file:

1. The adapter opens it (:meth:`Adapter.open`): missing, empty, binary, badly encoded files and
   files lacking required columns raise :class:`~workbench.errors.IngestError` here, before the
   warehouse is touched.
2. Inside ``warehouse.transaction()`` the file is read in chunks. Each chunk is mapped by the
   adapter and checked against the schema (vectorised); rows that fail are kept aside with their
   reason, the others are appended to a staging table (a temporary table on DuckDB).
3. In the engine: repeated keys within the file are found with a window function (the later
   rows are quarantined as duplicates, naming the line of the first), and only rows whose key
   is not already in the target table are inserted (an anti-join), in one ``INSERT … SELECT``
   per table; the rest count as skipped duplicates.
4. Quarantined rows go to ``quarantine`` (batch, adapter, table, file, line, column, reason, raw
   row as JSON), the batch to ``ingest_batches``; then the transaction commits.

Any error rolls the whole batch back, quarantine rows included. DuckDB gives a real transaction;
on engines without multi-statement transactions the rows are staged first so each table is
written by a single statement, targets first: a failure after that leaves rows that a re-run
skips as already loaded, never half a table.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm.auto import tqdm

from workbench import schema
from workbench.errors import WarehouseError
from workbench.ingest.arrow_rows import ORDINAL as _ORDINAL
from workbench.ingest.arrow_rows import append_arrow, canonical_rows, to_arrow
from workbench.ingest.base import Adapter, SourceRows
from workbench.ingest.reading import Source
from workbench.ingest.registry import create_adapter
from workbench.ingest.validation import CanonicalRows, RowIssues, check_table, problem_of
from workbench.settings import get_settings
from workbench.warehouse import Warehouse

_QUARANTINE_COLUMNS = ("ordinal", "line_number", "column", "reason", "target_table", "raw",
                       "after_staging", "problem", "value")


@dataclass(frozen=True)
class TableCounts:
    """Rows of one target table: loaded, skipped because already present, quarantined."""

    loaded: int
    duplicates: int
    quarantined: int


@dataclass(frozen=True)
class ProblemCount:
    """Rows quarantined for one kind of problem: the reason without the value."""

    problem: str
    column: str | None
    rows: int
    first_line: int
    example: str | None


@dataclass(frozen=True)
class IngestResult:
    """What one file's batch did. ``loaded + quarantined + duplicates == rows_read``."""

    file: Path
    adapter: str
    batch_id: str
    sha256: str
    encoding: str | None
    rows_read: int
    loaded: int
    quarantined: int
    duplicates: int
    by_table: dict[str, TableCounts] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    problems: tuple[ProblemCount, ...] = ()
    dry_run: bool = False

    @property
    def quarantined_share(self) -> float:
        """Share of the rows read that were quarantined (0 for an empty file)."""
        return self.quarantined / self.rows_read if self.rows_read else 0.0

    @property
    def accounted_for(self) -> bool:
        """True when every row read was loaded, quarantined or skipped as a duplicate."""
        return self.loaded + self.quarantined + self.duplicates == self.rows_read


# ------------------------------------------------------------------------------------------
# Public entry points
# ------------------------------------------------------------------------------------------


def ingest_file(warehouse: Warehouse, adapter: str, path: str | Path, *,
                mapping: str | Path | None = None, progress: bool = False) -> IngestResult:
    """Load one file through adapter ``adapter`` as one all-or-nothing batch."""
    adapter_object = create_adapter(adapter, mapping)
    source = adapter_object.open(Path(path))
    return load_source(warehouse, adapter, adapter_object, source, progress=progress)


def ingest_files(warehouse: Warehouse, adapter: str, paths: Iterable[str | Path], *,
                 mapping: str | Path | None = None, progress: bool = False) -> list[IngestResult]:
    """Load several files, one batch each. Every file is opened and checked first, so an
    unreadable file stops the run before anything is loaded."""
    adapter_object = create_adapter(adapter, mapping)
    sources = [adapter_object.open(Path(p)) for p in paths]
    return [load_source(warehouse, adapter, adapter_object, source, progress=progress)
            for source in sources]


# ------------------------------------------------------------------------------------------
# The pipeline
# ------------------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _new_batch_id(started: dt.datetime) -> str:
    return f"{started:%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:8]}"


@dataclass
class _Batch:
    """Mutable state of one batch while it loads."""

    batch_id: str
    adapter_name: str
    adapter: Adapter
    source: Source
    tables: list[schema.Table]
    stage_names: dict[str, str]
    source_columns: dict[str, dict[str, str | None]]
    rejected: list[pd.DataFrame] = field(default_factory=list)
    staged_rows: dict[str, int] = field(default_factory=dict)
    prepared_names: dict[str, str] = field(default_factory=dict)
    extra_stages: list[str] = field(default_factory=list)
    warnings: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def primary(self) -> schema.Table:
        return self.tables[0]


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run to roll it back, carrying the result."""

    def __init__(self, result: IngestResult) -> None:
        super().__init__("dry run")
        self.result = result


def load_source(warehouse: Warehouse, adapter_name: str, adapter: Adapter, source: Source, *,
                progress: bool = False, dry_run: bool = False) -> IngestResult:
    """Load an opened source (see the module docstring for the steps).

    ``dry_run``: do everything, then roll the transaction back: the result says what would be
    loaded, skipped and quarantined (and why), and the warehouse is unchanged (DuckDB only).
    """
    if warehouse.read_only:
        raise WarehouseError(f"the warehouse {warehouse.url} was opened read-only; "
                             "ingest needs write access")
    if dry_run and not warehouse.is_duckdb:
        raise WarehouseError(f"a dry run needs a warehouse with transactions (DuckDB); "
                             f"{warehouse.url} has none")
    started = _now()
    batch_id = _new_batch_id(started)
    tables = [schema.table(name) for name in adapter.targets]
    batch = _Batch(
        batch_id=batch_id, adapter_name=adapter_name, adapter=adapter, source=source,
        tables=tables,
        stage_names={t.name: f"_ingest_stage_{batch_id}_{t.name}" for t in tables},
        source_columns={t.name: {} for t in tables},
        staged_rows={t.name: 0 for t in tables},
    )
    try:
        with warehouse.transaction():
            warehouse.ensure_tables([*adapter.targets, "quarantine", "ingest_batches"])
            _ensure_reference_tables(warehouse)
            try:
                result = _run_batch(warehouse, batch, started, progress)
            except BaseException:
                if not warehouse.is_duckdb:  # DuckDB drops them with the rollback
                    _drop_stages(warehouse, batch, quietly=True)
                raise
            _drop_stages(warehouse, batch)
            if dry_run:
                raise _DryRunDone(replace(result, dry_run=True))
    except _DryRunDone as done:
        return done.result
    return result


def _run_batch(warehouse: Warehouse, batch: _Batch, started: dt.datetime,
               progress: bool) -> IngestResult:
    for table in batch.tables:
        _create_stage(warehouse, batch.stage_names[table.name], table)
    _stage_chunks(warehouse, batch, progress)
    batch.source.finish()
    for table in batch.tables:
        _prepare(warehouse, batch, table)
    rejected = _collect_rejections(warehouse, batch)

    rejected_ordinals = _stage_rejected_ordinals(warehouse, batch, rejected)
    accepted_rows: dict[str, ibis.Table] = {}
    for table in batch.tables:
        accepted = warehouse.con.table(batch.prepared_names[table.name])
        if rejected_ordinals is not None:
            accepted = accepted.anti_join(rejected_ordinals, _ORDINAL)
        accepted_rows[table.name] = accepted

    counts: dict[str, TableCounts] = {}
    for table in batch.tables:
        accepted = accepted_rows[table.name]
        target = warehouse.con.table(table.name)
        nullable = {c.name for c in table.columns if c.nullable}
        new_rows = accepted.anti_join(target, [  # NULL-safe only where a key part may be NULL
            accepted[k].identical_to(target[k]) if k in nullable else accepted[k] == target[k]
            for k in natural_key(table)
        ]).select(*table.column_names)
        accepted_count = batch.staged_rows[table.name] if rejected_ordinals is None \
            else int(accepted.count().execute())
        before = int(target.count().execute())
        _insert_new_rows(warehouse, table.name, new_rows)
        loaded = int(warehouse.con.table(table.name).count().execute()) - before
        counts[table.name] = TableCounts(
            loaded=loaded, duplicates=accepted_count - loaded,
            quarantined=int((rejected["target_table"] == table.name).sum()),
        )

    _insert_quarantine(warehouse, batch, rejected)

    primary = counts[batch.primary.name]
    result = IngestResult(
        file=batch.source.path, adapter=batch.adapter_name, batch_id=batch.batch_id,
        sha256=batch.source.sha256, encoding=batch.source.encoding,
        rows_read=batch.source.rows_read(), loaded=primary.loaded, quarantined=len(rejected),
        duplicates=primary.duplicates, by_table=counts,
        warnings=tuple(f"{count:,} value{'s' if count > 1 else ''} of {column} {message}"
                       for (column, message), count in batch.warnings.items()),
        problems=_problem_counts(rejected),
    )
    _record_batch(warehouse, batch, started, result)
    return result


# -- staging -------------------------------------------------------------------------------


def natural_key(table: schema.Table) -> list[str]:
    """The columns a row is refused on as already loaded: the table's key, plus the
    neighbourhood scheme for tables keyed by neighbourhood (ids are unique only within a
    scheme; a NULL scheme matches a NULL scheme)."""
    key = list(table.key)
    if "neighbourhood_id" in key and "neighbourhood_scheme" in table.column_names:
        key.insert(key.index("neighbourhood_id"), "neighbourhood_scheme")
    return key


def _stage_schema(table: schema.Table) -> ibis.Schema:
    columns = {c.name: ibis.dtype(c.dtype).copy(nullable=True) for c in table.columns}
    columns[_ORDINAL] = ibis.dtype("int64")
    return ibis.schema(columns)


def _create_stage(warehouse: Warehouse, name: str, table: schema.Table) -> None:
    warehouse.con.create_table(name, schema=_stage_schema(table), temp=warehouse.is_duckdb)


def _drop_stages(warehouse: Warehouse, batch: _Batch, *, quietly: bool = False) -> None:
    """Drop the batch's staging tables (``quietly``: after a failure, ignoring errors)."""
    names = {*batch.stage_names.values(), *batch.extra_stages, _rejected_stage_name(batch)}
    try:
        for name in sorted(names & set(warehouse.con.list_tables())):
            warehouse.con.drop_table(name, force=True)
    except Exception:
        if not quietly:
            raise


def _ensure_reference_tables(warehouse: Warehouse) -> None:
    """Load the versioned reference data (offence codes with CSI weights) when the warehouse
    has none yet, so analyses of ingested data can classify and weight offences."""
    if warehouse.has_table("offence_codes") and warehouse.table("offence_codes").count().execute():
        return
    from workbench.demo.offence_codes import load_offence_codes

    warehouse.ensure_tables(["offence_codes"])
    warehouse.append("offence_codes", load_offence_codes())


def _stage_chunks(warehouse: Warehouse, batch: _Batch, progress: bool) -> None:
    adapter = batch.adapter
    time_zone = get_settings().time_zone
    with tqdm(total=batch.source.estimated_rows, unit=" rows", unit_scale=True,
              desc=batch.source.path.name, disable=not progress, leave=False) as bar:
        for chunk in batch.source.chunks():
            issues = RowIssues(chunk.index)
            rows = SourceRows(chunk, issues, missing_values=adapter.missing_values,
                              time_zone=time_zone, path=batch.source.path)
            mapped = adapter.map_rows(rows)
            canonical: dict[str, CanonicalRows] = {}
            for table in batch.tables:
                if table.name not in mapped:
                    continue
                table_rows = canonical_rows(table, mapped[table.name], chunk.index,
                                            adapter.source)
                for column, source_column in table_rows.source_columns.items():
                    batch.source_columns[table.name].setdefault(column, source_column)
                check_table(table_rows, issues)
                canonical[table.name] = table_rows
            rejected = issues.rejected
            rejected_ordinals = chunk.index.to_numpy()[rejected]
            for name, table_rows in canonical.items():
                if not rejected.any():
                    kept = table_rows
                elif table_rows.index.equals(chunk.index):
                    kept = table_rows.select(~rejected)
                else:
                    kept = table_rows.select(~np.isin(table_rows.index.to_numpy(),
                                                      rejected_ordinals))
                batch.staged_rows[name] += len(kept)
                append_arrow(warehouse, batch.stage_names[name],
                             to_arrow(kept.table, kept, with_ordinal=True))
            for key, count in issues.warnings.items():
                batch.warnings[key] = batch.warnings.get(key, 0) + count
            if issues.count:
                batch.rejected.append(_describe_rejections(issues, chunk, batch.primary.name))
            bar.update(len(chunk))


# -- rejections ----------------------------------------------------------------------------


def _raw_json(frame: pd.DataFrame) -> list[str]:
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [json.dumps(record, ensure_ascii=False, default=str) for record in records]


def _describe_rejections(issues: RowIssues, chunk: pd.DataFrame, primary: str) -> pd.DataFrame:
    rejected = issues.rejected_frame(primary)
    rejected["raw"] = _raw_json(chunk.loc[rejected["ordinal"]])
    return rejected


def _prepare(warehouse: Warehouse, batch: _Batch, table: schema.Table) -> None:
    """Settle the staged rows' ids: where the adapter declares repeated ids distinct, number
    the repeats (``id``, ``id#2``, ``id#3`` in file order), in one statement: a window over the
    id, in file order."""
    stage_name = batch.stage_names[table.name]
    batch.prepared_names[table.name] = stage_name
    column = batch.adapter.sequenced_columns(batch.source).get(table.name)
    if not column:
        return
    staged = warehouse.con.table(stage_name)
    repeat = ibis.row_number().over(group_by=staged[column], order_by=staged[_ORDINAL])
    prepared = staged.mutate(**{column: ibis.ifelse(
        repeat == 0, staged[column], staged[column].concat("#", (repeat + 1).cast("string")))})
    prepared_name = f"{stage_name}_numbered"
    warehouse.con.create_table(prepared_name, prepared.select(*staged.columns),
                               temp=warehouse.is_duckdb)
    batch.extra_stages.append(prepared_name)
    batch.prepared_names[table.name] = prepared_name


def _within_file_duplicates(warehouse: Warehouse, batch: _Batch,
                            table: schema.Table) -> pd.DataFrame:
    """Staged rows whose key repeats an earlier row of the same file (found in the engine:
    a cheap grouped count first, the window only when some key repeats)."""
    prepared = warehouse.con.table(batch.prepared_names[table.name])
    key = natural_key(table)
    repeated_keys = prepared.group_by(key).aggregate(_rows=prepared.count()) \
        .filter(lambda t: t._rows > 1)
    if int(repeated_keys.count().execute()) == 0:
        return pd.DataFrame(columns=[_ORDINAL, "_first", *key])
    window = ibis.window(group_by=[prepared[k] for k in key], order_by=prepared[_ORDINAL])
    ranked = prepared.mutate(_repeat=ibis.row_number().over(window),
                             _first=prepared[_ORDINAL].min().over(window))
    return ranked.filter(ranked._repeat > 0).select(_ORDINAL, "_first", *key).to_pandas()


def _collect_rejections(warehouse: Warehouse, batch: _Batch) -> pd.DataFrame:
    """Every quarantined record of the batch, with line numbers and raw JSON."""
    source = batch.source
    parts = [part for part in batch.rejected if len(part)]
    validated = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame(columns=["ordinal", "column", "reason", "target_table", "raw"])
    validated["after_staging"] = False

    duplicate_parts = []
    already = set(validated["ordinal"].astype(int))
    for table in batch.tables:
        repeats = _within_file_duplicates(warehouse, batch, table)
        repeats = repeats[~repeats[_ORDINAL].isin(list(already))]
        if repeats.empty:
            continue
        repeats = repeats.drop_duplicates(_ORDINAL)
        already.update(int(o) for o in repeats[_ORDINAL])
        id_columns = [k for k in table.key if k != "source"]
        at_fault = batch.source_columns[table.name].get(id_columns[-1]) or id_columns[-1]
        first_lines = source.line_numbers(repeats["_first"].astype(int).tolist())
        key_text = repeats[id_columns].astype(str).agg(" / ".join, axis=1)
        duplicate_parts.append(pd.DataFrame({
            "ordinal": repeats[_ORDINAL].astype(int).to_numpy(),
            "column": at_fault,
            "reason": [f"duplicate {' / '.join(id_columns)} {value!r} within the file "
                       f"(first on line {line})"
                       for value, line in zip(key_text, first_lines, strict=True)],
            "target_table": table.name,
            "after_staging": True,
            "problem": f"duplicate {' / '.join(id_columns)} within the file",
            "value": key_text.to_numpy(),
        }))
    if duplicate_parts:
        duplicates = pd.concat(duplicate_parts, ignore_index=True)
        raw = source.raw_rows(duplicates["ordinal"].tolist())
        duplicates["raw"] = _raw_json(raw.loc[duplicates["ordinal"]])
        validated = pd.concat([validated, duplicates], ignore_index=True)

    validated["line_number"] = source.line_numbers(validated["ordinal"].astype(int).tolist()) \
        if len(validated) else pd.Series(dtype="int64")

    invalid = source.invalid_records()
    if invalid:
        header = source.header
        invalid_frame = pd.DataFrame({
            "ordinal": -1,
            "line_number": [record.line_number for record in invalid],
            "column": None,
            "reason": [r.reason or f"the row has {len(r.fields)} fields; the header has "
                       f"{r.expected_fields}" for r in invalid],
            "target_table": batch.primary.name,
            "after_staging": False,
            "problem": [r.reason or f"the row has {'too few' if len(r.fields) < r.expected_fields else 'too many'}"
                        f" fields (the header has {r.expected_fields})" for r in invalid],
            "value": [None if r.reason else str(len(r.fields)) for r in invalid],
            "raw": [json.dumps({"_text": " ".join(r.fields)} if r.reason
                               else _fields_to_record(header, r.fields), ensure_ascii=False)
                    for r in invalid],
        })
        validated = pd.concat([validated, invalid_frame], ignore_index=True)
    return validated.reindex(columns=list(_QUARANTINE_COLUMNS)).sort_values(
        "line_number", kind="stable").reset_index(drop=True)


def _problem_counts(rejected: pd.DataFrame) -> tuple[ProblemCount, ...]:
    """Quarantined rows grouped by problem (most frequent first)."""
    if rejected.empty:
        return ()
    problems = [problem if isinstance(problem, str) else problem_of(str(reason))
                for problem, reason in zip(rejected["problem"], rejected["reason"], strict=True)]
    frame = pd.DataFrame({"problem": problems, "column": rejected["column"].astype(object),
                          "line": rejected["line_number"].astype("int64"),
                          "value": rejected["value"].astype(object)})
    counts = []
    for (problem, column), group in frame.groupby(["problem", "column"], dropna=False,
                                                  sort=False):
        first = group.sort_values("line").iloc[0]
        example = first["value"] if isinstance(first["value"], str) else None
        counts.append(ProblemCount(str(problem), column if isinstance(column, str) else None,
                                   len(group), int(first["line"]), example))
    return tuple(sorted(counts, key=lambda c: (-c.rows, c.first_line)))


def _fields_to_record(header: Sequence[str], fields: Sequence[str]) -> dict[str, Any]:
    record: dict[str, Any] = dict(zip(header, fields, strict=False))
    if len(fields) > len(header):
        record["_extra_fields"] = list(fields[len(header):])
    return record


def _rejected_stage_name(batch: _Batch) -> str:
    return f"_ingest_stage_{batch.batch_id}_rejected"


def _stage_rejected_ordinals(warehouse: Warehouse, batch: _Batch,
                             rejected: pd.DataFrame) -> ibis.Table | None:
    """Ordinals rejected after staging (duplicates), as a table to anti-join on, or None."""
    ordinals = rejected.loc[rejected["after_staging"].astype(bool), "ordinal"].astype(int)
    if ordinals.empty:
        return None
    name = _rejected_stage_name(batch)
    warehouse.con.create_table(name, schema=ibis.schema({_ORDINAL: "int64"}),
                               temp=warehouse.is_duckdb)
    append_arrow(warehouse, name, pa.table({_ORDINAL: pa.array(np.unique(ordinals.to_numpy()),
                                                                type=pa.int64())}))
    return warehouse.con.table(name)


# -- writing -------------------------------------------------------------------------------


def _insert_new_rows(warehouse: Warehouse, table_name: str, new_rows: ibis.Table) -> None:
    """The one statement that writes a table's new rows (INSERT … SELECT … anti-join)."""
    warehouse.con.insert(table_name, new_rows)


def _insert_quarantine(warehouse: Warehouse, batch: _Batch, rejected: pd.DataFrame) -> None:
    if rejected.empty:
        return
    now = _now()
    frame = pd.DataFrame({
        "batch_id": batch.batch_id,
        "adapter": batch.adapter_name,
        "target_table": rejected["target_table"].to_numpy(),
        "file": str(batch.source.path.resolve()),
        "line_number": rejected["line_number"].astype("int64").to_numpy(),
        "column": rejected["column"].to_numpy(),
        "reason": rejected["reason"].astype(str).to_numpy(),
        "raw": rejected["raw"].to_numpy(),
        "quarantined_at": now,
        "problem": [problem if isinstance(problem, str) else problem_of(str(reason))
                    for problem, reason in zip(rejected["problem"], rejected["reason"],
                                               strict=True)],
        "value": rejected["value"].astype(object).where(rejected["value"].notna(), None)
        .to_numpy(),
    })
    append_arrow(warehouse, "quarantine", to_arrow(schema.QUARANTINE, frame))


def _record_batch(warehouse: Warehouse, batch: _Batch, started: dt.datetime,
                  result: IngestResult) -> None:
    frame = pd.DataFrame([{
        "batch_id": batch.batch_id,
        "adapter": batch.adapter_name,
        "file": str(batch.source.path.resolve()),
        "file_sha256": batch.source.sha256,
        "started_at": started,
        "finished_at": _now(),
        "rows_read": result.rows_read,
        "rows_loaded": result.loaded,
        "rows_quarantined": result.quarantined,
        "rows_duplicate": result.duplicates,
    }])
    append_arrow(warehouse, "ingest_batches", to_arrow(schema.INGEST_BATCHES, frame))
