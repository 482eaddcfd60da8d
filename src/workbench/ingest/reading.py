"""Reading source files: streaming in chunks, after the inspection of :mod:`.inspection`.

A *source* is what an adapter reads: it knows its header, yields the data as pandas frames of
raw values in chunks (index = the record's ordinal in the file, 0-based), and afterwards turns
ordinals into line numbers for the quarantine table.

Everything that makes a file unreadable as a whole is detected by
:func:`~workbench.ingest.inspection.inspect_text_file` and :func:`open_csv_source` *before* the
warehouse is touched, and raised as :class:`~workbench.errors.IngestError` naming the file and
the problem (see :mod:`workbench.ingest.inspection` for the encoding rule). A header that repeats
a column, or that is a data row (a file without header), is refused here.

A file cut short in the middle of a row (the last record has too few fields and the file does
not end with a line break, or ends inside a quoted value) is also an error for the whole file;
that can only be seen while reading, so it is raised from inside the load's transaction and the
warehouse is rolled back.

Reads of a CSV file: one pass of inspection (hash, encoding, line count, all at once) and one
pass of parsing; Python's csv module re-reads it only for files whose records are not one line
each (line breaks inside quoted values, blank lines, bad rows), to number their lines.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from workbench.errors import IngestError
from workbench.ingest.inspection import (
    FileFacts,
    check_readable_file,
    file_sha256,
    inspect_text_file,
)

#: pandas dtype of raw text columns: Arrow-backed strings keep `.str` methods vectorised.
RAW_STRING = pd.StringDtype("pyarrow")

def _arrow_strings_to_pandas(table: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    mapping = {pa.string(): RAW_STRING, pa.large_string(): RAW_STRING}
    return table.to_pandas(types_mapper=mapping.get)


# ------------------------------------------------------------------------------------------
# Sources
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvalidRecord:
    """A record that could not be split into the header's fields (quarantined, never loaded)."""

    line_number: int
    fields: list[str]
    expected_fields: int
    reason: str | None = None  # set by readers of other formats (JSON Lines: "not valid JSON")


class Source(Protocol):
    """What the load pipeline needs from a readable input (see the module docstring)."""

    path: Path
    sha256: str
    encoding: str | None
    header: list[str]
    estimated_rows: int | None

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Raw rows in order; the index is each record's ordinal among the *valid* records."""
        ...

    def rows_read(self) -> int:
        """Records read by the last full pass of :meth:`chunks`, valid or not."""
        ...

    def finish(self) -> None:
        """After :meth:`chunks` is exhausted: raise IngestError if the file was truncated."""
        ...

    def line_numbers(self, ordinals: Sequence[int]) -> list[int]:
        """Line (or position) of each valid record, for the quarantine table."""
        ...

    def invalid_records(self) -> list[InvalidRecord]:
        """Records that had the wrong number of fields."""
        ...

    def raw_rows(self, ordinals: Sequence[int]) -> pd.DataFrame:
        """The raw values of the given valid records (re-reads the file; used for the few
        rows rejected after staging, e.g. duplicate ids)."""
        ...


_DATA_LIKE = re.compile(r"[-+]?[\d.,:/ ]*\d[\d.,:/ T+-]*(?:[AaPp][Mm])?|[-+]?\d*\.?\d+[eE][-+]?\d+")


def _is_data_like(name: str) -> bool:
    """A number, date, time or coordinate (or nothing): a value, not a column name."""
    return not name.strip() or _DATA_LIKE.fullmatch(name.strip()) is not None


def header_looks_like_data(header: Sequence[str]) -> bool:
    """True when a third or more of a header's names are numbers, dates or empty: the first
    line is a data row, so the file has no header (a real header may hold a year or two)."""
    names = list(header)
    data_like = sum(1 for name in names if _is_data_like(name))
    return len(names) > 2 and data_like * 3 >= len(names)


def no_header_message(header: Sequence[str]) -> str:
    shown = ", ".join(repr(name) for name in list(header)[:5]) + (" …" if len(header) > 5 else "")
    return (f"has no header row: its first line holds values ({shown}), not column names; "
            "add the export's header line (or re-export with column names)")


def _check_header(path: Path, header: list[str]) -> list[str]:
    if not header or all(not name.strip() for name in header):
        raise IngestError(path, "has no header row (the first line is empty)")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            if _is_data_like(name) and header_looks_like_data(header):
                raise IngestError(path, no_header_message(header))
            raise IngestError(path, f"the header repeats the column {name!r}")
        seen.add(name)
    return header


@contextlib.contextmanager
def _unlimited_csv_fields() -> Iterator[None]:
    """Python's csv module refuses fields over 128 KiB by default; pyarrow reads any size, so
    the line-number scans must too (or they stop early and lose every later line number)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class CsvSource:
    """A delimited text file (optionally gzip-compressed), read with pyarrow in blocks."""

    def __init__(self, facts: FileFacts, *, delimiter: str = ",",
                 block_size: int = 8 << 20) -> None:
        self.path = facts.path
        self.facts = facts
        self.sha256 = facts.sha256
        self.encoding: str | None = facts.encoding
        self.delimiter = delimiter
        self.block_size = block_size
        self._header_lines = 1
        self.header = _check_header(self.path, self._read_header())
        self.estimated_rows: int | None = max(facts.newline_count, 1)
        self._valid_count = 0
        self._invalid: list[tuple[list[str], str]] = []  # (fields, raw text) in file order
        self._record_lines: tuple[list[int], list[int], list[int]] | None = None

    # -- reading ---------------------------------------------------------------------------
    def _text_stream(self) -> io.TextIOBase:
        opener = gzip.open if self.facts.compression == "gzip" else open
        return opener(self.path, "rt", encoding=self.facts.encoding, newline="")  # type: ignore[operator,return-value]

    def _read_header(self) -> list[str]:
        with self._text_stream() as text, _unlimited_csv_fields():
            reader = csv.reader(text, delimiter=self.delimiter)
            try:
                for record in reader:
                    if record:
                        self._header_lines = reader.line_num  # blank lines before it count
                        return [name.strip() for name in record]
            except csv.Error as exc:
                raise IngestError(self.path, f"the header row cannot be parsed as CSV: {exc}") from None
        raise IngestError(self.path, "has no header row")

    def _arrow_reader(self, invalid: list[tuple[list[str], str]]) -> pa_csv.CSVStreamingReader:
        def on_invalid_row(row: pa_csv.InvalidRow) -> str:
            fields = next(csv.reader(io.StringIO(row.text, newline=""), delimiter=self.delimiter), [])
            invalid.append((fields, row.text))
            return "skip"

        stream = pa.input_stream(str(self.path), compression=self.facts.compression)
        try:
            return pa_csv.open_csv(
                stream,
                read_options=pa_csv.ReadOptions(
                    block_size=self.block_size, encoding=self._arrow_encoding(),
                    column_names=self.header, skip_rows=self._header_lines,
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=self.delimiter, newlines_in_values=True,
                    invalid_row_handler=on_invalid_row,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types={name: pa.string() for name in self.header},
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc) or "Could not skip initial" in str(exc):
                return _HeaderOnlyReader()  # type: ignore[return-value]
            raise IngestError(self.path, f"cannot be parsed as CSV: {exc}") from None

    def _arrow_encoding(self) -> str:
        # pyarrow skips a UTF-8 byte-order mark itself
        return "utf8" if self.facts.encoding in ("utf-8", "utf-8-sig") else self.facts.encoding

    def _iterate(self, invalid: list[tuple[list[str], str]]) -> Iterator[pd.DataFrame]:
        reader = self._arrow_reader(invalid)
        ordinal = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as exc:
                raise IngestError(self.path, f"cannot be parsed as CSV: {exc}") from None
            frame = _arrow_strings_to_pandas(batch)
            frame.index = pd.RangeIndex(ordinal, ordinal + len(frame))
            ordinal += len(frame)
            yield frame

    def chunks(self) -> Iterator[pd.DataFrame]:
        self._invalid = []
        self._valid_count = 0
        self._record_lines = None
        for frame in self._iterate(self._invalid):
            self._valid_count += len(frame)
            yield frame

    def rows_read(self) -> int:
        return self._valid_count + len(self._invalid)

    # -- line numbers ----------------------------------------------------------------------
    def _simple_layout(self) -> bool:
        """True when every record is exactly one physical line (no blank lines, no line
        breaks inside quoted values, no invalid rows): then line = ordinal + header lines + 1."""
        data_lines = self.facts.newline_count - self._header_lines \
            + (0 if self.facts.ends_with_newline else 1)
        return not self._invalid and data_lines == self._valid_count

    def _scan_records(self) -> tuple[list[int], list[int], list[int]]:
        """Start line of every valid record, of every invalid one, and field counts of the
        invalid ones, from one pass of Python's csv module (only for irregular files)."""
        if self._record_lines is not None:
            return self._record_lines
        expected = len(self.header)
        valid_lines: list[int] = []
        invalid_lines: list[int] = []
        invalid_sizes: list[int] = []
        with self._text_stream() as text, _unlimited_csv_fields():
            reader = csv.reader(text, delimiter=self.delimiter)
            previous_end = 0
            header_seen = False
            try:
                for record in reader:
                    start = previous_end + 1
                    previous_end = reader.line_num
                    if not record:
                        continue
                    if not header_seen:
                        header_seen = True
                        continue
                    if len(record) == expected:
                        valid_lines.append(start)
                    else:
                        invalid_lines.append(start)
                        invalid_sizes.append(len(record))
            except csv.Error:  # e.g. a field larger than the csv module's limit
                pass
        self._record_lines = (valid_lines, invalid_lines, invalid_sizes)
        return self._record_lines

    def line_numbers(self, ordinals: Sequence[int]) -> list[int]:
        first_data_line = self._header_lines + 1
        if self._simple_layout():
            return [int(o) + first_data_line for o in ordinals]
        valid_lines, _, _ = self._scan_records()
        if len(valid_lines) != self._valid_count:  # the two parsers disagree: best effort
            return [int(o) + first_data_line for o in ordinals]
        return [valid_lines[int(o)] for o in ordinals]

    def invalid_records(self) -> list[InvalidRecord]:
        if not self._invalid:
            return []
        _, invalid_lines, _ = self._scan_records()
        records = []
        for order, (fields, _) in enumerate(self._invalid):
            line = invalid_lines[order] if order < len(invalid_lines) else 0
            records.append(InvalidRecord(line, fields, len(self.header)))
        return records

    def finish(self) -> None:
        if self.facts.quote_count % 2 == 1:
            self._check_final_quote()
        if not self._invalid:
            return
        valid_lines, invalid_lines, _ = self._scan_records()
        if not invalid_lines:
            return
        last_is_invalid = not valid_lines or invalid_lines[-1] > valid_lines[-1]
        fields, text = self._invalid[-1]
        short = len(fields) < len(self.header)
        unclosed_quote = text.count('"') % 2 == 1
        if last_is_invalid and short and (not self.facts.ends_with_newline or unclosed_quote):
            raise IngestError(
                self.path, f"the file ends in the middle of a row (line {invalid_lines[-1]} has "
                f"{len(fields)} of {len(self.header)} fields"
                + (", inside a quoted value" if unclosed_quote else "")
                + "): it looks truncated; re-export it",
            )

    def _check_final_quote(self) -> None:
        """An odd number of double quotes: a quoted value may be left open at the end of the
        file (a cut inside the last field still splits into the right number of fields)."""
        with self._text_stream() as text, _unlimited_csv_fields():
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            previous_end = 0
            try:
                for _ in reader:
                    previous_end = reader.line_num
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    raise IngestError(
                        self.path, f"the file ends inside a quoted value (the row starting at "
                        f"line {previous_end + 1}): it looks truncated; re-export it",
                    ) from None
                # other strictness complaints are quirks pyarrow reads fine

    def raw_rows(self, ordinals: Sequence[int]) -> pd.DataFrame:
        wanted = pd.Index(sorted(set(int(o) for o in ordinals)))
        pieces = [frame.loc[frame.index.intersection(wanted)] for frame in self._iterate([])]
        pieces = [piece for piece in pieces if len(piece)]
        if not pieces:
            return pd.DataFrame(columns=self.header)
        return pd.concat(pieces)


class _HeaderOnlyReader:
    """Stands in for pyarrow's reader on a file with a header and no data rows."""

    def read_next_batch(self) -> pa.RecordBatch:
        raise StopIteration


def open_csv_source(path: Path, *, delimiter: str = ",") -> CsvSource:
    """Inspect ``path`` and open it as a CSV source (raises IngestError if unreadable)."""
    return CsvSource(inspect_text_file(path), delimiter=delimiter)


class ParquetSource:
    """A Parquet file, read in row groups. Line numbers are row positions + 1 (as if the file
    had a header line), so the first row is 2, like a CSV."""

    def __init__(self, path: Path, *, batch_rows: int = 131_072) -> None:
        check_readable_file(path)
        try:
            self._file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(path, f"is not a readable Parquet file ({exc})") from None
        self.path = path
        self.sha256 = file_sha256(path)
        self.encoding: str | None = None
        self.header = _check_header(path, list(self._file.schema_arrow.names))
        self.estimated_rows: int | None = self._file.metadata.num_rows
        self.batch_rows = batch_rows
        self._count = 0

    def chunks(self) -> Iterator[pd.DataFrame]:
        self._count = 0
        ordinal = 0
        try:
            for batch in self._file.iter_batches(batch_size=self.batch_rows):
                frame = _arrow_strings_to_pandas(batch)
                frame.index = pd.RangeIndex(ordinal, ordinal + len(frame))
                ordinal += len(frame)
                self._count = ordinal
                yield frame
        except (pa.ArrowInvalid, OSError) as exc:
            raise IngestError(self.path, f"the Parquet data is damaged ({exc})") from None

    def rows_read(self) -> int:
        return self._count

    def finish(self) -> None:
        return None

    def line_numbers(self, ordinals: Sequence[int]) -> list[int]:
        return [int(o) + 2 for o in ordinals]

    def invalid_records(self) -> list[InvalidRecord]:
        return []

    def raw_rows(self, ordinals: Sequence[int]) -> pd.DataFrame:
        wanted = pd.Index(sorted(set(int(o) for o in ordinals)))
        pieces = [frame.loc[frame.index.intersection(wanted)] for frame in self.chunks()]
        return pd.concat([p for p in pieces if len(p)]) if any(len(p) for p in pieces) else \
            pd.DataFrame(columns=self.header)


@dataclass
class FrameSource:
    """A small source already in memory (e.g. records pulled out of a spreadsheet).

    ``positions`` gives, per record, the number stored as its line in the quarantine table
    (for a spreadsheet: the row or column number the record came from).
    """

    path: Path
    sha256: str
    frame: pd.DataFrame
    positions: list[int]
    encoding: str | None = None
    header: list[str] = field(default_factory=list)
    estimated_rows: int | None = None
    invalid: list[InvalidRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.frame = self.frame.reset_index(drop=True)
        self.header = list(self.frame.columns)
        self.estimated_rows = len(self.frame)

    def chunks(self) -> Iterator[pd.DataFrame]:
        yield self.frame

    def rows_read(self) -> int:
        return len(self.frame) + len(self.invalid)

    def finish(self) -> None:
        return None

    def line_numbers(self, ordinals: Sequence[int]) -> list[int]:
        return [self.positions[int(o)] for o in ordinals]

    def invalid_records(self) -> list[InvalidRecord]:
        return list(self.invalid)

    def raw_rows(self, ordinals: Sequence[int]) -> pd.DataFrame:
        return self.frame.loc[sorted(set(int(o) for o in ordinals))]
