"""File formats besides CSV, read into the same raw-text rows: JSON, JSON Lines, Excel, Parquet.

Every reader gives a :class:`~workbench.ingest.reading.Source` whose columns are the file's
field names and whose values are text (numbers without a spurious ``.0``, nested objects and
lists as JSON text, dates and times as ISO 8601), so one mapping file reads a source in any of
these formats the same way. What the quarantine's ``line_number`` holds:

- JSON: the record's position in the file (1 = the first record; for ``{group: [records]}``,
  positions run on across the groups);
- JSON Lines: the line number;
- Excel: the worksheet's row number (the header row is usually 1);
- Parquet: the row position + 1, as if the file had a header line.

Shapes of JSON accepted: a list of records (``[{…}, {…}]``); an object whose values are lists of
records (``{"Assault": [{…}], "Robbery": [{…}]}``: each key becomes the value of the column
``_group`` of its records, so a mapping can read a category from it); an object with one key
holding a list of records (``{"data": […]}``, likewise).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.reading import (
    RAW_STRING,
    FrameSource,
    InvalidRecord,
    ParquetSource,
    Source,
    check_readable_file,
    file_sha256,
    open_csv_source,
)

#: The formats a mapping's ``format`` key accepts (``auto``: from the name, else the content).
FORMATS = ("auto", "csv", "json", "jsonl", "excel", "parquet")

#: Column holding the key of a ``{group: [records]}`` JSON file.
GROUP_COLUMN = "_group"

_EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".gz": "csv",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xlsx": "excel", ".xlsm": "excel",
    ".parquet": "parquet", ".pq": "parquet",
}


def detect_format(path: Path) -> str:
    """The format of ``path``: from its extension, else from its first bytes."""
    by_name = _EXTENSIONS.get(path.suffix.lower())
    if by_name is not None:
        return by_name
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return "csv"  # the CSV reader gives the clear error
    if head.startswith(b"PK\x03\x04"):
        return "excel"
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0].strip()
        return "jsonl" if first_line.endswith(b"}") and b"\n{" in text else "json"
    return "csv"


def open_source(path: Path, fmt: str = "auto", *, delimiter: str = ",",
                sheet: str | None = None) -> Source:
    """Open ``path`` in format ``fmt`` (see :data:`FORMATS`); IngestError if unreadable."""
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "csv":
        return open_csv_source(path, delimiter=delimiter)
    if fmt == "json":
        return open_json_source(path)
    if fmt == "jsonl":
        return open_json_lines_source(path)
    if fmt == "excel":
        return open_excel_source(path, sheet=sheet)
    if fmt == "parquet":
        return ParquetSource(path)
    raise IngestError(path, f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")


# ------------------------------------------------------------------------------------- values


def as_text(value: Any) -> str | None:
    """One value of a JSON or spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _frame(records: list[dict[str, Any]], columns: Iterable[str]) -> pd.DataFrame:
    names = list(columns)
    data = {name: [as_text(record.get(name)) for record in records] for name in names}
    return pd.DataFrame(data, columns=names, dtype=RAW_STRING)


def _union_of_keys(records: Iterable[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for record in records:
        for name in record:
            names.setdefault(str(name), None)
    return list(names)


# --------------------------------------------------------------------------------------- JSON


def _read_text(path: Path) -> str:
    check_readable_file(path)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(path, f"is not UTF-8 text (byte offset {exc.start}); JSON files are "
                          "UTF-8") from None


def open_json_source(path: Path) -> FrameSource:
    """A JSON file of records (see the module docstring for the shapes accepted)."""
    text = _read_text(path)
    if not text.strip():
        raise IngestError(path, "the file is empty (only blank space)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                          f"{exc.colno}") from None
    records, groups = _records_of(path, document)
    invalid = [InvalidRecord(position, [], 0, reason="the record is not a JSON object")
               for position, record in enumerate(records, start=1)
               if not isinstance(record, dict)]
    kept = [(position, record, group) for position, (record, group)
            in enumerate(zip(records, groups, strict=True), start=1) if isinstance(record, dict)]
    columns = _union_of_keys(record for _, record, _ in kept)
    frame = _frame([record for _, record, _ in kept], columns)
    if any(group is not None for group in groups):
        if GROUP_COLUMN in frame.columns:
            raise IngestError(path, f"its records already have a field {GROUP_COLUMN!r}")
        frame[GROUP_COLUMN] = pd.array([group for _, _, group in kept], dtype=RAW_STRING)
    return FrameSource(path=path, sha256=file_sha256(path), frame=frame,
                       positions=[position for position, _, _ in kept], encoding="utf-8",
                       invalid=invalid)


def _records_of(path: Path, document: Any) -> tuple[list[Any], list[str | None]]:
    if isinstance(document, list):
        return document, [None] * len(document)
    if isinstance(document, dict) and document and all(isinstance(v, list)
                                                       for v in document.values()):
        records: list[Any] = []
        groups: list[str | None] = []
        for key, items in document.items():
            records += items
            groups += [str(key)] * len(items)
        return records, groups
    raise IngestError(path, "holds no list of records: expected [{…}, …] or "
                      "{\"group\": [{…}, …], …}")


def open_json_lines_source(path: Path) -> FrameSource:
    """A JSON Lines file: one JSON object per line (blank lines are skipped)."""
    text = _read_text(path)
    records: list[dict[str, Any]] = []
    positions: list[int] = []
    invalid: list[InvalidRecord] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            invalid.append(InvalidRecord(number, [line[:200]], 0,
                                         reason=f"not valid JSON: {exc.msg}"))
            continue
        if not isinstance(record, dict):
            invalid.append(InvalidRecord(number, [line[:200]], 0,
                                         reason="the line is not a JSON object"))
            continue
        records.append(record)
        positions.append(number)
    if not records and not invalid:
        raise IngestError(path, "the file is empty (only blank space)")
    frame = _frame(records, _union_of_keys(records))
    return FrameSource(path=path, sha256=file_sha256(path), frame=frame, positions=positions,
                       encoding="utf-8", invalid=invalid)


# -------------------------------------------------------------------------------------- Excel


def open_excel_source(path: Path, *, sheet: str | None = None) -> FrameSource:
    """One worksheet of an .xlsx workbook (the first, or ``sheet``): the first non-empty row is
    the header; each later non-empty row a record, numbered by its worksheet row."""
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_readable_file(path)
    with path.open("rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise IngestError(path, "is not an Excel workbook (.xlsx); give CSV with format "
                              "csv, or re-save the workbook as .xlsx")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise IngestError(path, f"is not a readable Excel workbook ({exc})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise IngestError(path, f"has no sheet {sheet!r} (sheets: "
                              f"{', '.join(workbook.sheetnames)})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        header: list[str] | None = None
        records: list[dict[str, Any]] = []
        positions: list[int] = []
        for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
            if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row):
                continue
            if header is None:
                header = [as_text(cell) or f"column_{i + 1}" for i, cell in enumerate(row)]
                header = [name.strip() for name in header]
                continue
            records.append(dict(zip(header, row, strict=False)))
            positions.append(number)
    finally:
        workbook.close()
    if header is None:
        raise IngestError(path, f"the sheet {worksheet.title!r} is empty")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise IngestError(path, f"the header repeats the column {name!r}")
        seen.add(name)
    return FrameSource(path=path, sha256=file_sha256(path), frame=_frame(records, header),
                       positions=positions)
