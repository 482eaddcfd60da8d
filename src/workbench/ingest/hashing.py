"""Content ids: an MD5 of each row's values, computed by an in-process DuckDB."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import duckdb
import pyarrow as pa

_md5_lock = threading.Lock()
_md5_connection: duckdb.DuckDBPyConnection | None = None


def md5_ids(columns: Sequence[pa.Array], *, prefix: str, length: int) -> pa.Array:
    """``prefix`` + the first ``length`` hex digits of the MD5 of each row's values joined by
    the unit separator (missing = empty). Computed by an in-process DuckDB: vectorised, and
    stable across library versions, unlike pandas' hashing."""
    global _md5_connection
    with _md5_lock:
        if _md5_connection is None:
            _md5_connection = duckdb.connect()
        names = [f"c{i}" for i in range(len(columns))]
        table = pa.table(dict(zip(names, columns, strict=True)))
        joined = ", ".join(f"coalesce({name}, '')" for name in names)
        expression = f"? || substr(md5(concat_ws(chr(31), {joined})), 1, {int(length)})"
        _md5_connection.register("md5_input", table)
        try:
            result = _md5_connection.execute(f"SELECT {expression} AS id FROM md5_input",
                                             [prefix]).fetch_arrow_table()
        finally:
            _md5_connection.unregister("md5_input")
        return result.column("id").combine_chunks()
