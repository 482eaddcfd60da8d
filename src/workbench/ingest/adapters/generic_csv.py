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

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workbench import schema
from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows, map_distinct
from workbench.ingest.formats import open_source
from workbench.ingest.reading import RAW_STRING, Source
from workbench.ingest.registry import register
from workbench.ingest.validation import quoted

#: Formats tried when a mapping gives none: any ISO 8601 date or timestamp (``2023-01-05``,
#: ``2023-01-05 14:30``, ``2023-01-05T14:30:00.123Z``, ``2023-01-05T14:30:00-05:00``).
DEFAULT_FORMATS = {"timestamp": ["ISO8601"], "date": ["ISO8601"]}


class LookupSpec(BaseModel):
    """Code → value from a CSV file beside the mapping file."""

    model_config = ConfigDict(extra="forbid")

    file: str
    key: str
    value: str
    unmapped: str = "reject"  # or "keep" (the code itself), or a value for every unlisted code


class ColumnSpec(BaseModel):
    """Where one canonical column's values come from."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    column: str | None = None
    columns: list[str] | None = None
    constant: Any = None
    hash_of: Literal["all"] | list[str] | None = None
    file_name: str | bool | None = None
    extract: str | None = None
    lookup: LookupSpec | None = None
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
        given = [name for name in ("column", "columns", "constant", "hash_of", "file_name")
                 if getattr(self, name) is not None and getattr(self, name) is not False]
        if len(given) != 1:
            raise ValueError("give exactly one of column, columns, constant, hash_of, file_name"
                             + (f" (got {', '.join(given)})" if given else ""))
        if (self.extract or self.lookup) and not (self.column or self.columns):
            raise ValueError("extract and lookup apply to a source column (column: …)")
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
    format: Literal["auto", "csv", "json", "jsonl", "excel", "parquet"] = "auto"
    sheet: str | None = None
    delimiter: str = ","
    missing_values: list[str] = Field(default_factory=list)
    repeated_ids: Literal["reject", "number"] = "reject"
    neighbourhood_scheme: str | None = None
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
    todo = _first_todo(document)
    if todo is not None:
        raise IngestError(path, f"key {todo} is still TODO: replace it (see docs/ingest.md)")
    try:
        mapping = ColumnMapping.model_validate(document)
    except ValidationError as exc:
        problems = [_describe_error(error) for error in exc.errors()[:3]]
        raise IngestError(path, "; ".join(problems)) from None
    _check_against_schema(path, mapping)
    return mapping


def _first_todo(document: Any, where: str = "") -> str | None:
    """The key path of the first value (or value-map key) still marked TODO, if any."""
    if isinstance(document, dict):
        for key, value in document.items():
            path = f"{where}.{key}" if where else str(key)
            if value == "TODO":
                return path
            found = _first_todo(value, path)
            if found is not None:
                return found
    elif isinstance(document, list):
        for position, value in enumerate(document):
            if value == "TODO":
                return f"{where}[{position}]"
    return None


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
        if spec.extract is not None:
            try:
                pattern = re.compile(spec.extract)
            except re.error as exc:
                raise IngestError(path, f"key columns.{name}.extract: not a regular expression "
                                  f"({exc})") from None
            if pattern.groups > 1:
                raise IngestError(path, f"key columns.{name}.extract: use at most one (group)")
        if isinstance(spec.file_name, str):
            try:
                re.compile(spec.file_name)
            except re.error as exc:
                raise IngestError(path, f"key columns.{name}.file_name: not a regular "
                                  f"expression ({exc})") from None
        if spec.lookup is not None:
            _read_lookup(path, name, spec.lookup)
    if mapping.neighbourhood_scheme is not None \
            and "neighbourhood_scheme" not in table.column_names:
        raise IngestError(path, f"key neighbourhood_scheme: {mapping.table} has no "
                          "neighbourhood_scheme column")
    missing = [c.name for c in table.columns
               if not c.nullable and c.name != "source" and c.name not in mapping.columns]
    if missing:
        raise IngestError(path, f"key columns: no mapping for the required column(s) "
                          f"{', '.join(missing)} of {mapping.table}")


def _read_lookup(mapping_path: Path, name: str, spec: LookupSpec) -> dict[str, str]:
    """The code → value table of a lookup file (relative to the mapping file's folder)."""
    where = f"key columns.{name}.lookup"
    file = (mapping_path.parent / spec.file).resolve()
    if not file.is_file():
        raise IngestError(mapping_path, f"{where}.file: no such file {file}")
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames or []
            for column in (spec.key, spec.value):
                if column not in fields:
                    raise IngestError(mapping_path, f"{where}: {file.name} has no column "
                                      f"{column!r} (columns: {', '.join(fields)})")
            table: dict[str, str] = {}
            for row in reader:
                key = (row.get(spec.key) or "").strip()
                if key and key not in table:
                    table[key] = (row.get(spec.value) or "").strip()
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(mapping_path, f"{where}.file: cannot read {file} ({exc})") from None
    return table


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
        self.lookups = {name: _read_lookup(mapping_path, name, spec.lookup)
                        for name, spec in mapping.columns.items() if spec.lookup is not None}

    @classmethod
    def create(cls, mapping: Path | None = None) -> Adapter:
        if mapping is None:
            raise IngestError("generic-csv", "needs a mapping file: --mapping FILE "
                              "(see docs/ingest.md)")
        return cls(load_mapping(mapping), mapping)

    def read(self, path: Path) -> Source:
        return open_source(path, self.mapping.format, delimiter=self.mapping.delimiter,
                           sheet=self.mapping.sheet)

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
            values[name] = self._values(rows, self.table.column(name), spec, name)
        if self.mapping.neighbourhood_scheme is not None and "neighbourhood_scheme" not in specs:
            values["neighbourhood_scheme"] = self.mapping.neighbourhood_scheme
        if self._paired_coordinates():
            latitude, longitude = specs["latitude"].column, specs["longitude"].column
            assert latitude and longitude
            values["latitude"], values["longitude"] = rows.coordinates(latitude, longitude)
        return {self.table.name: values}

    def _paired_coordinates(self) -> bool:
        specs = self.mapping.columns
        return all(name in specs and specs[name].column for name in ("latitude", "longitude"))

    def _values(self, rows: SourceRows, column: schema.Column, spec: ColumnSpec,
                name: str) -> Any:
        if spec.constant is not None:
            return _constant(column, spec.constant)
        if spec.hash_of is not None:
            return rows.content_id(None if spec.hash_of == "all" else spec.hash_of)
        if spec.file_name is not None and spec.file_name is not False:
            return _constant(column, self._from_file_name(rows, name, spec.file_name))
        if spec.column and (spec.extract or spec.lookup):
            spec = spec.model_copy(update={"column": self._transformed(rows, spec, name)})
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


    def _from_file_name(self, rows: SourceRows, name: str, pattern: str | bool) -> str:
        file_name = rows.path.name if rows.path is not None else ""
        if pattern is True:
            return file_name
        match = re.search(str(pattern), file_name)
        if match is None:
            raise IngestError(rows.path or file_name, f"the file name does not match "
                              f"columns.{name}.file_name ({pattern}) of {self.mapping_path}")
        return match.group(1) if match.re.groups else match.group(0)

    def _transformed(self, rows: SourceRows, spec: ColumnSpec, name: str) -> str:
        """The spec's source column after ``extract`` and ``lookup``, as a derived column."""
        assert spec.column is not None
        values = rows.extract(spec.column, spec.extract) if spec.extract else rows.text(spec.column)
        if spec.lookup is not None:
            table = self.lookups[name]
            looked_up = map_distinct(values, table.get)
            unknown = values.notna() & looked_up.isna()
            if spec.lookup.unmapped == "keep":
                looked_up = looked_up.mask(unknown, values)
            elif spec.lookup.unmapped != "reject":
                looked_up = looked_up.mask(unknown, spec.lookup.unmapped)
            elif unknown.any():
                where = f"not in the lookup {spec.lookup.file} (column {spec.lookup.key})"
                rows.flag(unknown, spec.column, f"{where}: " + quoted(values[unknown])
                          + f" in {spec.column}", problem=f"{where} in {spec.column}",
                          value=values)
            values = pd.Series(looked_up, index=values.index).astype(RAW_STRING)
        return rows.derive(spec.column if self._uses(spec.column) == 1
                           else f"{spec.column} ({name})", values)

    def _uses(self, source_column: str) -> int:
        return sum(1 for spec in self.mapping.columns.values()
                   if source_column in spec.source_columns())


def _constant(column: schema.Column, value: Any) -> Any:
    if column.dtype in ("timestamp", "date"):
        return pd.Timestamp(value)
    if column.dtype == "string":
        return str(value)
    return value


register("generic-csv", GenericCsvAdapter)
