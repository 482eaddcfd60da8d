"""Canonical rows as Arrow: the adapter's values for a table with every canonical column, cast
to the canonical types, and appended to the warehouse (staging tables, quarantine, batches)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from workbench import schema
from workbench.ingest.validation import CanonicalRows
from workbench.warehouse import Warehouse

#: Column of a staging table holding each row's ordinal in its file.
ORDINAL = "_ordinal"


def append_arrow(warehouse: Warehouse, name: str, data: pa.Table) -> None:
    """Append an Arrow table to ``name`` by column name (no temporary view left behind)."""
    if data.num_rows == 0:
        return
    if warehouse.is_duckdb:
        warehouse.append(name, data)
    else:
        # other engines get Python objects with None for NULL: the most portable hand-over
        # (some backends cannot bind pandas' NaT when registering Arrow/pandas data)
        frame = data.to_pandas(timestamp_as_object=True).astype(object)
        warehouse.con.insert(name, frame.where(frame.notna(), None))


def canonical_rows(table: schema.Table, values: Mapping[str, Any] | pd.DataFrame,
                   index: pd.Index, source: str) -> CanonicalRows:
    """The adapter's values for ``table`` with every canonical column (missing ones NULL,
    ``source`` from the adapter), and the source column behind each (the Series' names)."""
    if isinstance(values, pd.DataFrame):
        index = values.index
        values = {name: values[name] for name in values.columns}
    unknown = [name for name in values if name not in table.column_names]
    if unknown:
        raise ValueError(f"adapter output for {table.name} has unknown columns: {unknown}")
    columns: dict[str, Any] = {}
    source_columns: dict[str, str | None] = {}
    for column in table.columns:
        value = values.get(column.name)
        if column.name == "source" and value is None:
            value = source
        if isinstance(value, pd.Series):
            source_columns[column.name] = value.name if isinstance(value.name, str) else None
            columns[column.name] = value if value.index.equals(index) else value.reindex(index)
        else:
            source_columns[column.name] = None
            columns[column.name] = value
    return CanonicalRows(table, index, columns, source_columns)


def _column_to_arrow(values: pd.Series, dtype: pa.DataType) -> pa.Array:
    """One column as Arrow of the canonical type (vectorised; object columns only when the
    adapter gave Python objects)."""
    if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
        if not pd.api.types.is_datetime64_any_dtype(values.dtype):
            values = pd.to_datetime(values)
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        return pa.array(values.astype("datetime64[us]"), from_pandas=True).cast(dtype)
    if pa.types.is_string(dtype):
        try:
            return pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            text = values.astype(object).where(values.notna(), None)
            return pa.array([None if v is None else str(v) for v in text], type=pa.string())
    if pa.types.is_boolean(dtype):
        return pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
    if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        values = pd.to_numeric(values)
    if pa.types.is_integer(dtype):
        return pa.array(values.astype("Int64"), type=dtype, from_pandas=True)
    return pa.array(values.astype("float64"), type=dtype, from_pandas=True)


def _constant_to_arrow(value: Any, dtype: pa.DataType, size: int) -> pa.Array:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return pa.nulls(size, type=dtype)
    if pa.types.is_timestamp(dtype) or pa.types.is_date(dtype):
        value = pd.Timestamp(value).to_pydatetime()
        return pa.repeat(pa.scalar(value, type=pa.timestamp("us")), size).cast(dtype)
    return pa.repeat(pa.scalar(value, type=dtype), size)


def to_arrow(table: schema.Table, rows: CanonicalRows | pd.DataFrame, *,
             with_ordinal: bool = False) -> pa.Table:
    """Rows of ``table`` as Arrow with the canonical types (the engine's NOT NULL constraints
    apply on insert)."""
    arrow_schema = table.ibis_schema().to_pyarrow()
    size = len(rows)
    arrays = []
    for arrow_field in arrow_schema:
        value = rows.values[arrow_field.name] if isinstance(rows, CanonicalRows) \
            else rows[arrow_field.name]
        arrays.append(_column_to_arrow(value, arrow_field.type)
                      if isinstance(value, pd.Series)
                      else _constant_to_arrow(value, arrow_field.type, size))
    names = list(arrow_schema.names)
    if with_ordinal:
        arrays.append(pa.array(rows.index.to_numpy(dtype="int64"), type=pa.int64()))
        names.append(ORDINAL)
    return pa.Table.from_arrays(arrays, names=names)
