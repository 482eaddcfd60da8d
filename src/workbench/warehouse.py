"""The warehouse: one Ibis backend opened from one URL.

Every read and write of warehouse data goes through :class:`Warehouse`. Analyses receive Ibis
tables from it and aggregate in the engine; only small results become pandas frames.

URLs
----
- ``duckdb:///abs/path/warehouse.duckdb`` or ``duckdb://relative/path.duckdb`` (embedded default)
- ``duckdb://:memory:`` (tests)
- ``pyspark://?master=local[2]&parquet=/path/to/dir`` — a Spark session (local or a cluster
  master) whose tables are the Parquet datasets in ``dir`` (one sub-folder or file per table, as
  ``workbench demo-data --parquet`` writes them); ``pyspark://?database=police`` uses the
  session's metastore instead.
- anything else ``ibis.connect`` understands (``trino://…``, ``postgres://…``, ``mssql://…``,
  ``impala://…``): see ``docs/deployment.md``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa

from workbench import schema
from workbench.errors import WarehouseError
from workbench.settings import get_settings

_META = "_workbench_meta"


def _duckdb_path(url: str) -> str:
    rest = url.split("://", 1)[1]
    if rest in ("", ":memory:", "memory"):
        return ":memory:"
    return rest


class Warehouse:
    """A thin, typed wrapper over an Ibis backend.

    Use :meth:`open`; the raw backend is :attr:`con` for anything not wrapped here.
    """

    def __init__(self, con: ibis.BaseBackend, url: str, *, read_only: bool = False) -> None:
        self.con = con
        self.url = url
        self.read_only = read_only

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(cls, url: str | None = None, *, read_only: bool = False,
             create: bool | None = None) -> Warehouse:
        """Open the warehouse at ``url`` (default: the ``WORKBENCH_WAREHOUSE`` setting).

        A DuckDB file that does not exist is created only when ``create`` is true (the default
        for writers, ``read_only=False``); readers get a clear error naming the file.
        """
        url = url or get_settings().warehouse_url
        create = (not read_only) if create is None else create
        if url.startswith("duckdb://"):
            path = _duckdb_path(url)
            if path != ":memory:":
                file = Path(path).expanduser()
                if not file.exists():
                    if not create:
                        raise WarehouseError(
                            f"no warehouse at {file}: build one with `workbench demo-data` "
                            "or load data with `workbench ingest`"
                        )
                    file.parent.mkdir(parents=True, exist_ok=True)
                path = str(file)
            try:
                con = ibis.duckdb.connect(path, read_only=read_only and path != ":memory:")
            except Exception as exc:  # duckdb raises IOException for locks, corrupt files
                raise WarehouseError(f"cannot open the warehouse {path}: {exc}") from exc
            con.raw_sql("SET TimeZone = 'UTC'")
            con.raw_sql("SET enable_progress_bar = false")  # no stray widget in apps or kernels
        elif url.startswith(("pyspark://", "spark://")):
            con = _connect_spark(url)
        else:
            try:
                con = ibis.connect(url)
            except Exception as exc:
                raise WarehouseError(f"cannot open the warehouse {url}: {exc}") from exc
        return cls(con, url, read_only=read_only)

    @property
    def is_duckdb(self) -> bool:
        return self.con.name == "duckdb"

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.con.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading
    def list_tables(self) -> list[str]:
        return sorted(t for t in self.con.list_tables() if not t.startswith(("_", "ibis_")))

    def has_table(self, name: str) -> bool:
        return name in self.con.list_tables()

    def table(self, name: str, *, missing_ok: bool = False) -> ibis.Table:
        """The Ibis table ``name``; a clear error if the warehouse does not have it.

        ``missing_ok``: a canonical table the warehouse lacks (say ``population`` in a
        warehouse fed only a crime export) is returned empty, with its canonical columns, so
        an analysis that can do without it runs and says what is missing.
        """
        if missing_ok and name in schema.TABLES and not self.has_table(name):
            empty = schema.table(name).ibis_schema().to_pyarrow().empty_table()
            return ibis.memtable(empty)
        if not self.has_table(name):
            raise WarehouseError(
                f"the warehouse {self.url} has no table {name!r}; tables: "
                f"{', '.join(self.list_tables()) or 'none'} — run `workbench demo-data` or "
                "`workbench ingest` first"
            )
        return self.con.table(name)

    def tables(self, *names: str, optional: tuple[str, ...] = ()) -> tuple[ibis.Table, ...]:
        """The tables ``names``; those also in ``optional`` are empty when missing
        (see :meth:`table`)."""
        return tuple(self.table(n, missing_ok=n in optional) for n in names)

    def sql(self, query: str) -> ibis.Table:
        return self.con.sql(query)

    # ---------------------------------------------------------------- writing
    def _check_writable(self) -> None:
        if self.read_only:
            raise WarehouseError(f"the warehouse {self.url} was opened read-only")

    def ensure_tables(self, names: list[str] | None = None) -> None:
        """Create every canonical table (or those named) that does not exist yet, empty; on
        DuckDB, add to existing tables the nullable columns the schema gained since (schema
        changes are additive), as NULL."""
        self._check_writable()
        existing = set(self.con.list_tables())
        for name in names or list(schema.TABLES):
            if name not in existing:
                self.con.create_table(name, schema=schema.table(name).ibis_schema())
            elif self.is_duckdb:
                self._add_new_columns(name)

    def _add_new_columns(self, name: str) -> None:
        present = set(self.con.table(name).columns)
        for column in schema.table(name).columns:
            if column.name not in present and column.nullable:
                sql_type = ibis.dtype(column.dtype).copy(nullable=True)
                type_name = self.con.compiler.type_mapper.to_string(sql_type)
                self.con.raw_sql(f'ALTER TABLE "{name}" ADD COLUMN "{column.name}" {type_name}')

    def replace_table(self, name: str, data: pd.DataFrame | pa.Table | ibis.Table) -> None:
        """Create or overwrite ``name`` with ``data``, cast to the canonical schema if it has one."""
        self._check_writable()
        data = self._conform(name, data)
        self.con.create_table(name, data, overwrite=True)
        self.touch()

    def append(self, name: str, data: pd.DataFrame | pa.Table | ibis.Table) -> None:
        """Append rows to an existing table (cast to the canonical schema)."""
        self._check_writable()
        if not self.has_table(name) and name in schema.TABLES:
            self.ensure_tables([name])
        data = self._conform(name, data)
        if self.is_duckdb and isinstance(data, (pa.Table, pd.DataFrame)):
            if len(data) == 0:
                return
            # register/insert/unregister: ibis' insert would leave a memtable view behind
            raw = self.con.con
            view = f"_append_{uuid.uuid4().hex}"
            raw.register(view, data)
            try:
                raw.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM "{view}"')
            finally:
                raw.unregister(view)
        else:
            self.con.insert(name, data)

    def _conform(self, name: str, data: Any) -> Any:
        if name not in schema.TABLES:
            return data
        target = schema.table(name)
        if not isinstance(data, (pd.DataFrame, pa.Table)):
            return data
        present = set(data.columns) if isinstance(data, pd.DataFrame) else set(data.column_names)
        missing = [c.name for c in target.columns if c.name not in present]
        required = [c for c in missing if not target.column(c).nullable]
        if required:
            raise WarehouseError(f"rows for {name} lack columns: {', '.join(required)}")
        arrow_schema = target.ibis_schema().to_pyarrow()
        if isinstance(data, pd.DataFrame):
            data = pa.Table.from_pandas(data[[c for c in target.column_names if c in present]],
                                        preserve_index=False)
        for column in missing:  # optional columns a source lacks arrive as NULL
            data = data.append_column(column, pa.nulls(len(data), arrow_schema.field(column).type))
        return data.select(target.column_names).cast(arrow_schema)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Warehouse]:
        """All-or-nothing: every write inside commits together or not at all.

        Native on DuckDB. On engines without multi-statement transactions the caller must stage
        its rows first (see :mod:`workbench.ingest`), so the final write is a single statement.
        """
        self._check_writable()
        if not self.is_duckdb:
            yield self
            return
        self.con.raw_sql("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.raw_sql("ROLLBACK")
            raise
        else:
            self._touch_statement()
            self.con.raw_sql("COMMIT")

    def export_parquet(self, folder: str | Path, *,
                       partition_by: dict[str, list[str]] | None = None) -> dict[str, int]:
        """Write every table as Parquet under ``folder`` (one dataset per table), for any engine.

        ``partition_by`` maps a table to derived partition columns; ``year`` and ``month`` are
        computed from the table's event time (e.g. ``{"incidents": ["year"]}``). Written to a
        temporary folder first and moved into place, so a reader never sees half a dataset.
        """
        import shutil

        folder = Path(folder)
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        written: dict[str, int] = {}
        for name in self.list_tables():
            table = self.con.table(name)
            parts = (partition_by or {}).get(name, [])
            if parts and name in _EVENT_TIME:
                moment = table[_EVENT_TIME[name]]
                derived = {"year": moment.year(), "month": moment.month()}
                table = table.mutate(**{p: derived[p] for p in parts})
                self._partitioned(table, staging / name, parts)
            else:
                table.to_parquet(str(staging / f"{name}.parquet"))
            written[name] = int(self.con.table(name).count().execute())
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
        return written

    def _partitioned(self, table: ibis.Table, target: Path, parts: list[str]) -> None:
        import pyarrow.dataset as ds

        ds.write_dataset(table.to_pyarrow_batches(), str(target), format="parquet",
                         partitioning=parts, partitioning_flavor="hive",
                         existing_data_behavior="overwrite_or_ignore")

    # ---------------------------------------------------------------- identity
    def touch(self) -> None:
        """Record that the warehouse changed (feeds :meth:`fingerprint`)."""
        self._touch_statement()

    def _touch_statement(self) -> None:
        if not self.is_duckdb:
            return
        self.con.raw_sql(f"CREATE TABLE IF NOT EXISTS {_META} (key VARCHAR PRIMARY KEY, value VARCHAR)")
        stamp = f"{dt.datetime.now(dt.UTC).isoformat()} {uuid.uuid4().hex}"
        self.con.raw_sql(
            f"INSERT OR REPLACE INTO {_META} VALUES ('changed', '{stamp}')"
        )

    def fingerprint(self) -> str:
        """A short hash that changes whenever the warehouse's content changes.

        Built from every table's name and row count plus the change stamp written by each write
        through this class; cheap (metadata and counts only).
        """
        parts: list[str] = []
        for name in sorted(self.con.list_tables()):
            if name.startswith("ibis_"):  # ibis' temporary memtable views are not content
                continue
            if name == _META:
                rows = self.con.table(_META).to_pyarrow().to_pylist()
                parts.append(repr(sorted((r["key"], r["value"]) for r in rows)))
            else:
                parts.append(f"{name}:{self.con.table(name).count().execute()}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def freshness(self) -> pd.DataFrame:
        """Earliest and latest event time per event table (coverage and timeliness), and its
        rows, as a small frame (one engine query per table)."""
        rows = []
        for name, column in _EVENT_TIME.items():
            if self.has_table(name):
                t = self.con.table(name)
                summary = t.aggregate(earliest=t[column].min(), latest=t[column].max(),
                                      rows=t.count()).to_pandas().iloc[0]
                rows.append({"table": name, "column": column, "earliest": summary["earliest"],
                             "latest": summary["latest"], "rows": int(summary["rows"])})
        return pd.DataFrame(rows, columns=["table", "column", "earliest", "latest", "rows"])


_EVENT_TIME = {
    "incidents": "occurred_at",
    "calls_for_service": "received_at",
    "collisions": "occurred_at",
    "use_of_force": "occurred_at",
    "enforcement_actions": "occurred_at",
    "shifts": "shift_date",
    "finance": "month",
    "complaints": "received_at",
}


def _connect_spark(url: str) -> ibis.BaseBackend:
    """A Spark-backed warehouse: see the module docstring for the URL form."""
    from urllib.parse import parse_qs, urlparse

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        from workbench.errors import MissingDependencyError

        raise MissingDependencyError("pyspark", "spark") from None
    query = {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}
    builder = (
        SparkSession.builder.master(query.get("master", "local[2]"))
        .appName(query.get("app", "workbench"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", query.get("shuffle_partitions", "8"))
        .config("spark.driver.memory", query.get("driver_memory", "4g"))
    )
    try:
        session = builder.getOrCreate()
        con = ibis.pyspark.connect(session)
    except Exception as exc:
        raise WarehouseError(f"cannot start Spark for {url}: {exc}") from exc
    if "database" in query:
        session.catalog.setCurrentDatabase(query["database"])
    if "parquet" in query:
        folder = Path(query["parquet"]).expanduser()
        if not folder.is_dir():
            raise WarehouseError(f"no Parquet warehouse folder at {folder}")
        for item in sorted(folder.iterdir()):
            if item.name.startswith((".", "_")):
                continue
            name = item.name.removesuffix(".parquet")
            table = con.read_parquet(str(item), table_name=f"_parquet_{name}")
            if name in schema.TABLES:  # hide partition columns (year=…) the export added
                table = table.select(schema.table(name).column_names)
            con.create_view(name, table, overwrite=True)
    return con


def open_warehouse(url: str | None = None, *, read_only: bool = True) -> Warehouse:
    """Open the warehouse for reading (the analyst's and report's entry point)."""
    return Warehouse.open(url, read_only=read_only)


# ------------------------------------------------------------------ replacing a DuckDB file
#
# A DuckDB database is a file plus, while transactions committed since the last checkpoint are
# pending, a write-ahead log beside it (``<file>.wal``). DuckDB replays that log into whatever
# database file it finds at that path when it next opens it, so a file moved over an old
# warehouse must never inherit the old warehouse's log. DuckDB keeps no lock file: it locks the
# database file itself (POSIX record locks), which is what :func:`_held_by_a_writer` tests.

_BUILDING = ".building-"
_REPLACED_LOG = ".wal.replaced-"


def building_path(target: Path) -> Path:
    """A hidden temporary path beside ``target`` to build a replacement in; its name carries
    this process id, so :func:`remove_abandoned_builds` can tell an abandoned one."""
    return target.with_name(f".{target.name}{_BUILDING}{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_builds(target: Path) -> list[Path]:
    """Remove what an earlier build or replacement of ``target`` left behind when it was
    killed: ``.<name>.building-<pid>-<hex>`` files (and their ``.wal``) and
    ``.<name>.wal.replaced-<pid>-<hex>`` logs, only when process ``<pid>`` is gone (a build
    still running elsewhere keeps its files). Nothing else is touched; returns what was removed.
    """
    pattern = re.compile(re.escape(f".{target.name}") + rf"(?:{re.escape(_BUILDING)}|"
                         rf"{re.escape(_REPLACED_LOG)})(\d+)-[0-9a-f]{{8}}(?:\.wal)?")
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    for candidate in sorted(target.parent.iterdir()):
        match = pattern.fullmatch(candidate.name)
        if match is None or not candidate.is_file() or _process_alive(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _held_by_a_writer(path: Path) -> bool:
    """True when another process has the DuckDB file open for writing (it holds the file's
    exclusive lock; readers hold shared locks, which do not stop a replacement)."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return False
    finally:
        os.close(handle)


def replace_duckdb_file(built: Path, target: Path) -> None:
    """Move the finished DuckDB file ``built`` over ``target`` atomically, with no log.

    ``built`` must be closed; any log it still has is checkpointed into it first. The old
    warehouse's log (``target.wal``) is moved aside before the file is replaced and deleted
    after, so the new file is never opened with it (a stale log would be replayed into it).
    Refused (WarehouseError) while another process has ``target`` open for writing.
    """
    if Path(f"{built}.wal").exists():
        import duckdb

        connection = duckdb.connect(str(built))
        try:
            connection.execute("CHECKPOINT")
        finally:
            connection.close()
    if target.exists() and _held_by_a_writer(target):
        raise WarehouseError(f"the warehouse {target} is open for writing in another process "
                             "(an ingest or a build?); wait for it to finish, then try again")
    old_log = Path(f"{target}.wal")
    aside = target.with_name(f".{target.name}{_REPLACED_LOG}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    moved = False
    if old_log.exists():
        os.replace(old_log, aside)
        moved = True
    os.replace(built, target)
    if moved:
        aside.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # make the renames durable
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
