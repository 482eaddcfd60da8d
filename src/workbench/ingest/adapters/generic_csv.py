"""``generic-csv``: any CSV export, described by a column-mapping file (YAML or JSON).

The file format is documented in ``docs/ingest.md``; an example is
``docs/examples/vancouver-crime-mapping.yaml``. In short::

    table: incidents              # canonical target table
    source: vancouver_pd          # value of the `source` column
    missing_values: ["", "NA"]    # text meaning "no value" (optional)
    delimiter: ","                # optional
    repeated_ids: reject          # or `number`: repeats of an id are distinct records (#2, #3)
    columns:                      # canonical column → where its values come from
      incident_id: {hash_of: all}
      occurred_at: {columns: [YEAR, MONTH, DAY, HOUR, MINUTE], format: "%Y %m %d %H %M"}
      offence_category:
        column: TYPE
        values: {"Theft of Vehicle": auto_theft, "Mischief": mischief}
        unmapped: reject          # or a canonical value given to every unlisted one
      neighbourhood_id: NEIGHBOURHOOD   # short form: just the source column

How a value is read follows the canonical column's type: text, timestamp/date (``format`` or
``formats``, strftime codes; ``hour_column`` adds an hour), number, whole number, yes/no
(``true`` / ``false`` lists). ``latitude`` and ``longitude`` mapped together get the coordinate
checks. Every mistake in the mapping file is an error naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench import schema
from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.reading import Source, open_csv_source
from workbench.ingest.registry import register

DEFAULT_FORMATS = {
    "timestamp": ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    "date": ["%Y-%m-%d"],
}


class ColumnSpec(BaseModel):
    """Where one canonical column's values come from."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str | None = None
    columns: list[str] | None = None
    constant: Any = None
    hash_of: Literal["all"] | list[str] | None = None
    formats: list[str] | None = Field(default=None, alias="format")
    hour_column: str | None = None
    values: dict[str, str] | None = None
    unmapped: str = "reject"
    absent: list[str] = Field(default_factory=list)
    zero_pad: int | None = None
    true: list[str] | None = None
    false: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _format_as_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("format"), str):
            data = {**data, "format": [data["format"]]}
        return data

    @model_validator(mode="after")
    def _one_origin(self) -> ColumnSpec:
        given = [name for name in ("column", "columns", "constant", "hash_of")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of column, columns, constant, hash_of"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self

    def source_columns(self) -> list[str]:
        names = [self.column] if self.column else list(self.columns or [])
        if isinstance(self.hash_of, list):
            names += self.hash_of
        if self.hour_column:
            names.append(self.hour_column)
        return names


class ColumnMapping(BaseModel):
    """A generic-csv mapping file."""

    model_config = ConfigDict(extra="forbid")

    table: str
    source: str
    delimiter: str = ","
    missing_values: list[str] = Field(default_factory=list)
    repeated_ids: Literal["reject", "number"] = "reject"
    columns: dict[str, ColumnSpec]

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("columns"), dict):
            data = {**data, "columns": {
                name: {"column": spec} if isinstance(spec, str) else spec
                for name, spec in data["columns"].items()
            }}
        return data


def load_mapping(path: Path) -> ColumnMapping:
    """Read and check a mapping file; IngestError naming the file and key on any mistake."""
    if not path.is_file():
        raise IngestError(path, "no such mapping file")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IngestError(path, f"is not valid YAML/JSON: {exc}".replace("\n", " ")) from None
    if not isinstance(document, dict):
        raise IngestError(path, "a mapping file must be a YAML/JSON object with table, source "
                          "and columns")
    try:
        mapping = ColumnMapping.model_validate(document)
    except ValidationError as exc:
        problems = [_describe_error(error) for error in exc.errors()[:3]]
        raise IngestError(path, "; ".join(problems)) from None
    _check_against_schema(path, mapping)
    return mapping


def _describe_error(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"unknown key {where}"
    if error["type"] == "missing":
        return f"key {where} is required"
    return f"key {where}: {error['msg'].removeprefix('Value error, ')}"


def _check_against_schema(path: Path, mapping: ColumnMapping) -> None:
    if mapping.table not in schema.TABLES:
        raise IngestError(path, f"key table: unknown table {mapping.table!r}; tables: "
                          f"{', '.join(schema.TABLES)}")
    table = schema.table(mapping.table)
    for name, spec in mapping.columns.items():
        if name not in table.column_names:
            raise IngestError(path, f"key columns.{name}: {mapping.table} has no column {name!r}; "
                              f"columns: {', '.join(table.column_names)}")
        column = table.column(name)
        if spec.formats and column.dtype not in ("timestamp", "date"):
            raise IngestError(path, f"key columns.{name}.format: only for date/timestamp columns")
        if spec.values is not None and column.dtype != "string":
            raise IngestError(path, f"key columns.{name}.values: only for text columns")
        if column.vocabulary:
            allowed = set(column.vocabulary)
            offered = list((spec.values or {}).values())
            if spec.unmapped != "reject":
                offered.append(spec.unmapped)
            if spec.constant is not None:
                offered.append(str(spec.constant))
            wrong = [value for value in offered if value not in allowed]
            if wrong:
                raise IngestError(path, f"key columns.{name}: {wrong[0]!r} is not in the "
                                  f"{name} vocabulary ({', '.join(column.vocabulary)})")
    missing = [c.name for c in table.columns
               if not c.nullable and c.name != "source" and c.name not in mapping.columns]
    if missing:
        raise IngestError(path, f"key columns: no mapping for the required column(s) "
                          f"{', '.join(missing)} of {mapping.table}")


class GenericCsvAdapter(Adapter):
    """Any CSV export, mapped to one canonical table by a YAML/JSON mapping file (--mapping)."""

    def __init__(self, mapping: ColumnMapping, mapping_path: Path) -> None:
        self.mapping = mapping
        self.mapping_path = mapping_path
        self.table = schema.table(mapping.table)
        self.source = mapping.source
        self.targets = (mapping.table,)
        self.missing_values = tuple(mapping.missing_values)
        self.delimiter = mapping.delimiter
        required: list[str] = []
        for spec in mapping.columns.values():
            required += [name for name in spec.source_columns() if name not in required]
        self.required_columns = tuple(required)

    @classmethod
    def create(cls, mapping: Path | None = None) -> Adapter:
        if mapping is None:
            raise IngestError("generic-csv", "needs a mapping file: --mapping FILE "
                              "(see docs/ingest.md)")
        return cls(load_mapping(mapping), mapping)

    def read(self, path: Path) -> Source:
        return open_csv_source(path, delimiter=self.mapping.delimiter)

    def sequenced_columns(self, source: Source) -> Mapping[str, str]:
        if self.mapping.repeated_ids != "number":
            return {}
        id_columns = [k for k in self.table.key if k != "source"]
        return {self.table.name: id_columns[-1]} if id_columns else {}

    def map_rows(self, rows: SourceRows) -> Mapped:
        values: dict[str, Any] = {}
        specs = self.mapping.columns
        for name, spec in specs.items():
            if name in ("latitude", "longitude") and self._paired_coordinates():
                continue
            values[name] = self._values(rows, self.table.column(name), spec)
        if self._paired_coordinates():
            latitude, longitude = specs["latitude"].column, specs["longitude"].column
            assert latitude and longitude
            values["latitude"], values["longitude"] = rows.coordinates(latitude, longitude)
        return {self.table.name: values}

    def _paired_coordinates(self) -> bool:
        specs = self.mapping.columns
        return all(name in specs and specs[name].column for name in ("latitude", "longitude"))

    def _values(self, rows: SourceRows, column: schema.Column, spec: ColumnSpec) -> Any:
        if spec.constant is not None:
            return _constant(column, spec.constant)
        if spec.hash_of is not None:
            return rows.content_id(None if spec.hash_of == "all" else spec.hash_of)
        if column.dtype in ("timestamp", "date"):
            source = spec.column or spec.columns or []
            parsed = rows.timestamp(source, spec.formats or DEFAULT_FORMATS[column.dtype])
            if spec.hour_column:
                parsed = rows.with_hour(parsed, spec.hour_column)
            return parsed.dt.normalize() if column.dtype == "date" else parsed
        source_column = spec.column or (spec.columns or [""])[0]
        if spec.columns and len(spec.columns) > 1:
            joined = rows.join(*[rows.text(c) for c in spec.columns], separator=" ")
            if column.dtype == "string":
                return joined
            raise IngestError(self.mapping_path, f"key columns.{column.name}.columns: several "
                              "source columns can only make a text or date value")
        if column.dtype == "string":
            if spec.values is not None:
                unmapped = None if spec.unmapped == "reject" else spec.unmapped
                return rows.category(source_column, spec.values, unmapped=unmapped)
            return rows.code(source_column, absent=spec.absent, zero_pad=spec.zero_pad)
        if column.dtype == "float64":
            return rows.number(source_column)
        if column.dtype == "int64":
            return rows.integer(source_column)
        if column.dtype == "boolean":
            options: dict[str, Any] = {}
            if spec.true is not None:
                options["true_values"] = spec.true
            if spec.false is not None:
                options["false_values"] = spec.false
            return rows.boolean(source_column, **options)
        raise IngestError(self.mapping_path, f"key columns.{column.name}: columns of type "
                          f"{column.dtype} are not supported by generic-csv")


def _constant(column: schema.Column, value: Any) -> Any:
    if column.dtype in ("timestamp", "date"):
        return pd.Timestamp(value)
    if column.dtype == "string":
        return str(value)
    return value


register("generic-csv", GenericCsvAdapter)
