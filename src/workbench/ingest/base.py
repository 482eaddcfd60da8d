"""The adapter base class and the vectorised parsers adapters are written with.

An adapter maps one source format to canonical tables (:mod:`workbench.schema`). Writing one is
setting a few class attributes and one method::

    class ExampleCrimesAdapter(Adapter):
        \"\"\"Example PD crimes export (one row per incident).\"\"\"

        source = "example_pd"
        required_columns = ("Case", "Date", "Offence")

        def map_rows(self, rows: SourceRows) -> Mapped:
            return {"incidents": {
                "incident_id": rows.text("Case"),
                "occurred_at": rows.timestamp("Date", ["%Y-%m-%d %H:%M"]),
                "offence_category": rows.category("Offence", EXAMPLE_CATEGORIES),
            }}

    register("example-crimes", ExampleCrimesAdapter)

``map_rows`` receives a chunk of raw rows and returns, per target table, canonical column →
values (a Series aligned with the chunk, or a constant). Canonical columns left out are NULL;
``source`` is filled from the class attribute. Every parser of :class:`SourceRows` flags the
rows it cannot read (with the source column and a reason quoting the value); the load pipeline
then applies the schema checks, quarantines flagged rows and loads the rest.

A record may produce several rows in a secondary table (e.g. one row per subject of a
use-of-force report): return a frame whose index repeats the record's index. The first target
table must have exactly one row per record; the file's counts are counted on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import IngestError
from workbench.ingest.hashing import md5_ids
from workbench.ingest.reading import (
    RAW_STRING,
    ParquetSource,
    Source,
    header_looks_like_data,
    no_header_message,
    open_csv_source,
)
from workbench.ingest.validation import RowIssues, as_mask, quoted

#: What ``map_rows`` returns: table name → canonical column → Series or constant.
Mapped = dict[str, Mapping[str, Any] | pd.DataFrame]

#: Years outside this range are "implausible" dates (typos such as 0202 or 2202).
PLAUSIBLE_YEARS = (1900, 2100)

MONTH_NUMBERS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")], start=1)
    for name in names
}

_FORMAT_WORDS = (("%Y", "YYYY"), ("%m", "MM"), ("%d", "DD"), ("%H", "hh"), ("%I", "hh"),
                 ("%M", "mm"), ("%S", "ss"), ("%p", "AM/PM"), ("%y", "YY"), ("%b", "Mon"),
                 ("%B", "Month"), ("%f", "ffffff"), ("%z", "+hhmm"))


#: A UTC offset (or ``Z``) after a clock time, at the end of a timestamp.
_OFFSET_AT_END = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?)$"


def describe_format(fmt: str) -> str:
    """A strftime format as a reader would write it: '%Y-%m-%d' → 'YYYY-MM-DD'."""
    if fmt == "ISO8601":
        return "ISO 8601 (YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z or ±hh:mm])"
    for code, word in _FORMAT_WORDS:
        fmt = fmt.replace(code, word)
    return fmt


class SourceRows:
    """One chunk of raw source rows, with parsers that flag what they cannot read.

    Every parser returns a Series aligned with the chunk and named after its source column,
    so a later "missing required value" names the column to fix. Missing values (the adapter's
    ``missing_values``, plus the empty string) become NA. Text is stripped of surrounding
    spaces.
    """

    def __init__(self, frame: pd.DataFrame, issues: RowIssues, *,
                 missing_values: Iterable[str] = ("",), time_zone: str | None = None,
                 path: Path | None = None) -> None:
        self._frame = frame
        self.issues = issues
        self.path = path  # the file the rows come from (for values taken from its name)
        if time_zone is None:
            from workbench.settings import get_settings

            time_zone = get_settings().time_zone
        self.time_zone = time_zone
        self._missing = sorted({"", *missing_values})
        self._text_cache: dict[str, pd.Series] = {}

    # -- basics ----------------------------------------------------------------------------
    @property
    def index(self) -> pd.Index:
        return self._frame.index

    @property
    def columns(self) -> list[str]:
        return list(self._frame.columns)

    def __len__(self) -> int:
        return len(self._frame)

    def has(self, column: str) -> bool:
        """Whether the source has ``column`` (for adapters accepting several vintages)."""
        return column in self._frame.columns

    def raw(self, column: str) -> pd.Series:
        """The column exactly as read."""
        return self._frame[column]

    def derive(self, name: str, values: pd.Series) -> str:
        """Add (or replace) column ``name`` with ``values`` (text aligned with the chunk), so
        the parsers can read a transformed column, e.g. a number extracted from a label;
        the quarantine's raw row keeps the file's own values. Returns ``name``."""
        self._frame = self._frame.assign(**{name: values.astype(RAW_STRING)})
        self._text_cache.pop(name, None)
        return name

    def extract(self, column: str, pattern: str | re.Pattern[str]) -> pd.Series:
        """The part of each value matching ``pattern`` (its first group, or the whole match):
        ``Riverside (12)`` with ``\\((\\d+)\\)`` gives ``12``. A value that does not match is
        flagged."""
        compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
        text = self.text(column)
        if not compiled.groups:
            compiled = re.compile(f"({compiled.pattern})", compiled.flags)
        extracted = text.str.extract(compiled, expand=True)[0]
        extracted = extracted.astype(RAW_STRING).str.strip()
        extracted = extracted.mask(extracted == "")
        self._reject(text.notna() & extracted.isna(), column, "no match for the extract "
                     "pattern: ", text, f" in {column} (pattern {compiled.pattern})")
        return extracted.rename(column)

    def flag(self, mask: Any, column: str | None, reason: str | pd.Series, *,
             problem: str | None = None, value: pd.Series | None = None) -> None:
        """Reject rows for an adapter-specific reason (see :meth:`RowIssues.flag`)."""
        self.issues.flag(mask, column, reason, problem=problem, value=value)

    def _reject(self, mask: Any, column: str, prefix: str, values: pd.Series,
                suffix: str = "") -> None:
        """Flag rows with a reason quoting each row's value (built only for those rows)."""
        where = as_mask(mask, len(self._frame))
        if where.any():
            problem = (prefix.rstrip().rstrip(":") + suffix).strip()
            self.issues.flag(where, column, prefix + quoted(values[where]) + suffix,
                             problem=problem, value=values)

    # -- text ------------------------------------------------------------------------------
    def text(self, column: str) -> pd.Series:
        """Stripped text; missing-value markers (e.g. R's ``NA``) become NA."""
        cached = self._text_cache.get(column)
        if cached is not None:
            return cached
        values = self._frame[column]
        if not isinstance(values.dtype, pd.StringDtype):
            values = _as_text(values)
        stripped = values.str.strip()
        result = stripped.mask(stripped.isna() | stripped.isin(self._missing)).rename(column)
        self._text_cache[column] = result
        return result

    def code(self, column: str, *, absent: Iterable[str] = (), zero_pad: int | None = None,
             prefix: str = "") -> pd.Series:
        """An identifier such as a neighbourhood or district code.

        ``absent`` lists values meaning "no location" (e.g. Toronto's ``NSA``): they become
        NA without rejecting the row. Numeric codes are zero-padded to ``zero_pad`` digits
        (``23`` → ``023``) and leading zeros are kept, so '023' and '23' give one id.
        """
        values = self.text(column)
        absent = list(absent)
        if absent:
            values = values.mask(values.isin(absent))
        if zero_pad:
            numeric = values.str.fullmatch(r"\d+(\.0+)?").fillna(False).astype(bool)
            padded = values.str.replace(r"\.0+$", "", regex=True).str.zfill(zero_pad)
            values = values.mask(numeric, padded)
        if prefix:
            values = prefix + values
        return values.rename(column)

    def join(self, *parts: pd.Series | str, separator: str = "") -> pd.Series:
        """Concatenate text columns and literals; NA where any column part is NA."""
        result: pd.Series | None = None
        name = None
        for part in parts:
            piece = part if isinstance(part, pd.Series) else pd.Series(
                part, index=self.index, dtype=RAW_STRING)
            if isinstance(part, pd.Series) and name is None:
                name = part.name
            piece = piece.astype(RAW_STRING)
            result = piece if result is None else result + separator + piece
        if result is None:
            raise ValueError("join needs at least one part")
        return result.rename(name)

    # -- numbers ---------------------------------------------------------------------------
    def number(self, column: str) -> pd.Series:
        """Float values; text that is not a number is flagged."""
        values = self._frame[column]
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
            return values.astype("float64").rename(column)
        text = self.text(column)
        numbers = _parse_floats(text)
        self._reject(text.notna() & numbers.isna(), column, "not a number: ", text, f" in {column}")
        return numbers.rename(column)

    def integer(self, column: str, *, minimum: float | None = None,
                maximum: float | None = None) -> pd.Series:
        """Whole numbers (``'2014.0'`` is accepted); fractions and values out of range are
        flagged."""
        numbers = self.number(column)
        fractional = numbers.notna() & (numbers % 1 != 0)
        self._reject(fractional, column, "not a whole number: ", self.text(column), f" in {column}")
        out_of_range = pd.Series(False, index=self.index)
        if minimum is not None:
            out_of_range |= numbers < minimum
        if maximum is not None:
            out_of_range |= numbers > maximum
        bounds = f" (expected {minimum:g} to {maximum:g})" if minimum is not None and \
            maximum is not None else ""
        self._reject(out_of_range, column, "value out of range: ", self.text(column),
                     f" in {column}{bounds}")
        return numbers.mask(fractional | out_of_range).round().astype("Int64").rename(column)

    # -- dates and times -------------------------------------------------------------------
    def timestamp(self, column: str | Sequence[str], formats: Sequence[str], *,
                  from_utc_to: str | None = None) -> pd.Series:
        """Timestamps parsed with the first of ``formats`` that fits each value.

        ``column`` may list several columns (e.g. year, month, day, hour): their values are
        joined with single spaces before parsing, so the format reads ``"%Y %m %d %H"``.
        A format may be ``"ISO8601"`` (any ISO 8601 date or time, with fractions of a second
        and a ``Z`` or ``±hh:mm`` offset, or none).

        Time zones: the warehouse stores the service's local time without zone. A value that
        carries a UTC offset or ``Z`` is an instant: it is converted to the service's time zone
        (the ``WORKBENCH_TIME_ZONE`` setting) and stored as that local time, whatever its
        offset (a file that mixes ``-05:00`` and ``-04:00`` across a DST change is fine). A
        value without offset is already local time and is kept as written. ``from_utc_to``
        (e.g. ``"America/Toronto"``) says that values *without* offset are UTC instants too.

        Unparsable values are flagged ``bad date``; years outside 1900–2100 are flagged
        ``implausible date``.
        """
        if isinstance(column, str):
            text = self.text(column)
        else:
            names = list(column)
            text = self.join(*[self.text(name) for name in names], separator=" ").rename(names[0])
            column = "+".join(names)
        zone = self.time_zone
        result = pd.Series(pd.NaT, index=self.index, dtype="datetime64[ns]")
        present = text.notna().to_numpy(dtype=bool)
        with_offset = present & text.str.contains(_OFFSET_AT_END, regex=True).fillna(False) \
            .to_numpy(dtype=bool)
        remaining = present.copy()
        for fmt in formats:
            if not remaining.any():
                break
            for aware in (True, False):
                subset_mask = remaining & (with_offset if aware else ~with_offset)
                if not subset_mask.any():
                    continue
                subset = text[subset_mask]
                if aware:
                    parsed = pd.to_datetime(subset, format=fmt, errors="coerce", utc=True)
                    if getattr(parsed.dt, "tz", None) is None:  # the format ignored the offset
                        continue
                    parsed = parsed.dt.tz_convert(zone).dt.tz_localize(None)
                else:
                    parsed = pd.to_datetime(subset, format=fmt, errors="coerce")
                    if getattr(parsed.dt, "tz", None) is not None:
                        parsed = parsed.dt.tz_convert(zone).dt.tz_localize(None)
                    elif from_utc_to:
                        parsed = (parsed.dt.tz_localize("UTC").dt.tz_convert(from_utc_to)
                                  .dt.tz_localize(None))
                result[subset_mask] = parsed.astype("datetime64[ns]")
            remaining &= result.isna().to_numpy()
        expected = " or ".join(describe_format(fmt) for fmt in formats)
        self._reject(remaining, column, "bad date ", text, f" in {column} (expected {expected})")
        return self._plausible(result, column, text).rename(text.name)

    def date_parts(self, year: str, month: str, day: str) -> pd.Series:
        """Dates built from separate year, month (number or name) and day columns."""
        years = self.number(year)
        month_text = self.text(month)
        months = _parse_floats(month_text)
        unnumbered = months.isna() & month_text.notna()
        if unnumbered.any():
            by_name = map_distinct(month_text[unnumbered],
                                   lambda value: MONTH_NUMBERS.get(value.lower()))
            months[unnumbered] = by_name.astype("float64")
        self._reject(month_text.notna() & months.isna(), month, "bad month ", month_text,
                     f" in {month}")
        days = self.number(day)
        present = (years.notna() & months.notna() & days.notna()).to_numpy()
        built = pd.Series(pd.NaT, index=self.index, dtype="datetime64[ns]")
        if present.any():
            parts = pd.DataFrame({"year": years[present], "month": months[present],
                                  "day": days[present]})
            built[present] = pd.to_datetime(parts, errors="coerce")
        bad = present & built.isna().to_numpy()
        texts = None
        if bad.any():
            texts = self.join(self.text(year).fillna(""), "-", month_text.fillna(""), "-",
                              self.text(day).fillna(""))
            self._reject(bad, year, "bad date ", texts, f" in {year}/{month}/{day}")
        return self._plausible(built, year, texts if texts is not None else self.text(year)) \
            .rename(year)

    def with_hour(self, timestamps: pd.Series, column: str) -> pd.Series:
        """``timestamps`` (dates) plus the hour (0–23) in ``column``; a missing hour adds 0."""
        hours = self.integer(column, minimum=0, maximum=23)
        return (timestamps + _offset(hours, 3600)).rename(timestamps.name)

    def with_clock(self, timestamps: pd.Series, column: str) -> pd.Series:
        """``timestamps`` (dates) plus a 24-hour clock time written as digits ``HHMM``
        (``'1757'``; short forms such as ``'5'`` = 00:05); a missing time adds 0."""
        clock = self.integer(column, minimum=0, maximum=2359)
        minutes = clock % 100
        bad = clock.notna() & (minutes >= 60)
        self._reject(bad, column, "bad time ", self.text(column), f" in {column} (expected HHMM)")
        total = (clock // 100 * 60 + minutes).astype("float64").where(~bad.astype(bool))
        return (timestamps + _offset(total, 60)).rename(timestamps.name)

    def _plausible(self, values: pd.Series, column: str, text: pd.Series) -> pd.Series:
        years = values.dt.year
        implausible = values.notna() & ((years < PLAUSIBLE_YEARS[0]) | (years > PLAUSIBLE_YEARS[1]))
        self._reject(implausible, column, "implausible date ", text,
                     f" in {column} (year outside {PLAUSIBLE_YEARS[0]}–{PLAUSIBLE_YEARS[1]})")
        return values.mask(implausible)

    # -- categories and flags --------------------------------------------------------------
    def category(self, column: str, mapping: Mapping[str, str], *,
                 unmapped: str | None = None, what: str | None = None) -> pd.Series:
        """Map source values to canonical ones (case-insensitive, spaces stripped).

        A value missing from ``mapping`` is flagged ``unknown value`` unless ``unmapped`` gives
        a canonical value for all of them.
        """
        text = self.text(column)
        lookup = {str(key).strip().lower(): value for key, value in mapping.items()}
        mapped = map_distinct(text, lambda value: lookup.get(value.lower()))
        unknown = text.notna() & mapped.isna()
        if unmapped is not None:
            mapped = mapped.mask(unknown, unmapped)
        else:
            label = what or column
            self._reject(unknown, column, f"unknown {label} value ", text,
                         f" in {column} (not in the value map)")
        return mapped.where(mapped.notna(), None).rename(column)

    def boolean(self, column: str, *,
                true_values: Iterable[str] = ("true", "t", "yes", "y", "1"),
                false_values: Iterable[str] = ("false", "f", "no", "n", "0")) -> pd.Series:
        """True/false from text (case-insensitive); anything else is flagged."""
        text = self.text(column).str.lower()
        truthy = text.isin([v.lower() for v in true_values])
        falsy = text.isin([v.lower() for v in false_values])
        self._reject(text.notna() & ~truthy & ~falsy, column, "not a yes/no value ",
                     self.text(column), f" in {column}")
        result = pd.Series(pd.NA, index=self.index, dtype="boolean")
        result[truthy.fillna(False).astype(bool)] = True
        result[falsy.fillna(False).astype(bool)] = False
        return result.rename(column)

    # -- locations -------------------------------------------------------------------------
    def coordinates(self, latitude: str, longitude: str) -> tuple[pd.Series, pd.Series]:
        """WGS84 latitude and longitude.

        - Outside ±90 / ±180: the row is rejected (``impossible coordinates``).
        - (0, 0), or both within 1e-6 of 0 (float noise of a zero placeholder): the location is
          treated as *missing* — both NULL, the row is kept.
        - Only one of the two present: both NULL, the row is kept.
        """
        lat = self.number(latitude)
        lon = self.number(longitude)
        impossible = (lat.abs() > 90) | (lon.abs() > 180)
        if impossible.any():
            pair = self.join(self.text(latitude).fillna("?"), ", ",
                             self.text(longitude).fillna("?"))
            self._reject(impossible, latitude, "impossible coordinates ", pair,
                         f" in {latitude}, {longitude}")
        placeholder = (lat.abs() < 1e-6) & (lon.abs() < 1e-6)
        incomplete = lat.isna() | lon.isna()
        unusable = (placeholder | incomplete | impossible).to_numpy()
        return lat.mask(unusable).rename(latitude), lon.mask(unusable).rename(longitude)

    # -- identifiers -----------------------------------------------------------------------
    def content_id(self, columns: Sequence[str] | None = None, *, prefix: str = "") -> pd.Series:
        """An id from the row's content, for sources without one: the first 20 hex digits of
        the MD5 of the raw values (columns in name order, so a reordered export gives the same
        ids). Identical rows get identical ids; declare the column in ``sequenced_ids`` so the
        loader numbers the repeats (``…#2``) instead of rejecting them."""
        names = sorted(columns if columns is not None else self.columns)
        arrays = []
        for name in names:
            values = self._frame[name]
            if not isinstance(values.dtype, pd.StringDtype):
                values = _as_text(values)
            arrays.append(pa.array(values, type=pa.string(), from_pandas=True))
        ids = md5_ids(arrays, prefix=prefix, length=20)
        return pd.Series(ids.to_pandas(types_mapper={pa.string(): RAW_STRING}.get),
                         dtype=RAW_STRING).set_axis(self.index).rename(None)


def _offset(amounts: pd.Series, seconds_each: int) -> np.ndarray:
    """``amounts`` (missing = 0) times ``seconds_each`` seconds, as timedelta64[ns]."""
    values = amounts.astype("float64").fillna(0).to_numpy()
    return (values * seconds_each * 1_000_000_000).astype("int64").astype("timedelta64[ns]")


_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def _parse_floats(text: pd.Series) -> pd.Series:
    """Floats from stripped text (NaN where missing or not a number), with Arrow kernels."""
    array = pa.array(text, type=pa.string(), from_pandas=True)
    valid = pc.match_substring_regex(array, _NUMBER)
    numbers = pc.cast(pc.if_else(valid, array, pa.scalar(None, pa.string())), pa.float64())
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def _as_text(values: pd.Series) -> pd.Series:
    """Non-text columns (Parquet numbers, spreadsheet cells) as text: whole floats lose '.0'."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        array = pa.array(values, from_pandas=True)
        if pa.types.is_floating(array.type):
            finite = pc.drop_null(array)
            if len(finite) == 0 or pc.all(pc.equal(pc.floor(finite), finite)).as_py():
                array = pc.cast(array, pa.int64(), safe=False)
        return _text_series(pc.cast(array, pa.string()), values.index)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.strftime("%Y-%m-%d %H:%M:%S").astype(RAW_STRING)
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                      else str(v), na_action="ignore").astype(RAW_STRING)


def _text_series(array: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as an Arrow-backed pandas Series (no copy)."""
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([array])), index=index)


# ------------------------------------------------------------------------------------------
# Adapters
# ------------------------------------------------------------------------------------------


class Adapter:
    """Base class of every adapter (see the module docstring for a complete example).

    Class attributes
    ----------------
    source
        Value of the canonical ``source`` column; with the row's id it is the natural key that
        refuses duplicates on re-ingest, so keep it stable.
    targets
        Canonical tables written, the first being the one the file's counts are counted on.
    required_columns
        Source columns that must be in the header; a tuple entry means "one of these".
    missing_values
        Text meaning "no value" besides the empty string (R writes ``NA``).
    file_format
        ``"csv"``, ``"parquet"``, or ``"auto"`` (Parquet if the file says so, else CSV).
    sequenced_ids
        Table → id column whose repeats within a file are distinct records (numbered ``#2``,
        ``#3`` in file order) rather than duplicates to reject.
    """

    description: ClassVar[str] = ""
    source: str = ""
    targets: tuple[str, ...] = ("incidents",)
    required_columns: tuple[str | tuple[str, ...], ...] = ()
    missing_values: tuple[str, ...] = ()
    file_format: str = "csv"
    delimiter: str = ","
    sequenced_ids: Mapping[str, str] = {}

    @classmethod
    def create(cls, mapping: Path | None = None) -> Adapter:
        """An instance; adapters configured by a mapping file override this."""
        if mapping is not None:
            raise IngestError(mapping, f"the adapter {cls.__name__} takes no mapping file; "
                              "--mapping is for generic-csv")
        return cls()

    @classmethod
    def summary(cls) -> str:
        """One line describing the adapter: ``description``, else its docstring's first line."""
        if cls.description:
            return cls.description
        paragraph = (cls.__doc__ or "").strip().split("\n\n", 1)[0]
        return " ".join(line.strip() for line in paragraph.splitlines())

    def open(self, path: Path) -> Source:
        """Inspect and open ``path``; IngestError if it cannot be read or lacks columns."""
        source = self.read(path)
        self.check_columns(source)
        return source

    def read(self, path: Path) -> Source:
        """Open the file in this adapter's format (override for spreadsheets and the like)."""
        fmt = self.file_format
        if fmt == "auto":
            fmt = "parquet" if _is_parquet(path) else "csv"
        if fmt == "parquet":
            return ParquetSource(path)
        return open_csv_source(path, delimiter=self.delimiter)

    def check_columns(self, source: Source) -> None:
        """IngestError naming every required column the header lacks."""
        header = set(source.header)
        missing = []
        for required in self.required_columns:
            options = (required,) if isinstance(required, str) else required
            if not any(option in header for option in options):
                missing.append(" or ".join(options))
        if missing and header_looks_like_data(source.header):
            raise IngestError(source.path, no_header_message(source.header))
        if missing:
            shown = ", ".join(source.header[:15]) + (" …" if len(source.header) > 15 else "")
            raise IngestError(
                source.path, f"missing required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (the header has: {shown}) — is this the right adapter?",
            )

    def sequenced_columns(self, source: Source) -> Mapping[str, str]:
        """Which id columns are numbered rather than deduplicated, for this file."""
        return self.sequenced_ids

    def map_rows(self, rows: SourceRows) -> Mapped:
        """Canonical values for one chunk of rows (see the module docstring)."""
        raise NotImplementedError


def _is_parquet(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"PAR1"
    except OSError:
        return False


def map_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """``function`` applied once per distinct non-missing value (object Series, None where the
    value is missing): Python work proportional to the distinct values, not the rows."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([function(value) for value in uniques] + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


# Adapters import these from here; they live in their own module.
from workbench.ingest.premises import (  # noqa: E402
    LOCATION_TYPES,
    PREMISES_RULES,
    classify_premises,
)

__all__ = ["LOCATION_TYPES", "PREMISES_RULES", "Adapter", "Mapped", "SourceRows",
           "classify_premises", "map_distinct"]
