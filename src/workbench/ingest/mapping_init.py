"""``workbench mapping init FILE``: a starter generic-csv mapping from a file's header and rows.

    workbench mapping init export.csv                       # incidents, printed
    workbench mapping init calls.json --table calls_for_service --out calls-mapping.yaml

It reads the header and up to 500 rows (CSV, JSON, JSON Lines, Excel or Parquet), and for each
column of the canonical table guesses the source column by its name, the timestamp format from
the values, and a value map for categories from the distinct values. What it could not guess is
marked ``TODO``: such a mapping is refused by ``workbench ingest`` until each TODO is replaced,
so nothing is loaded on a guess nobody checked.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench import schema
from workbench.errors import WorkbenchError
from workbench.ingest.formats import open_source

SAMPLE_ROWS = 500

#: Name fragments (lower case, letters and digits only) suggesting a canonical column.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "incident_id": ("incidentid", "eventuniqueid", "eventid", "casenumber", "caseno", "case",
                    "occurrenceid", "reportnumber", "incidentnumber", "incidentnum", "id"),
    "call_id": ("callid", "incidentnum", "eventnumber", "callnumber", "cadnumber", "id"),
    "occurred_at": ("occurredat", "occdate", "occurrencedate", "offencedate", "offensedate",
                    "incidentdate", "datetime", "date", "time", "when"),
    "reported_at": ("reportedat", "reportdate", "reporteddate"),
    "received_at": ("receivedat", "received", "calltime", "datetime", "date", "time"),
    "dispatched_at": ("dispatched", "dispatchtime"),
    "arrived_at": ("arrived", "arrivaltime", "onscene"),
    "cleared_at": ("cleared", "cleartime", "closed"),
    "offence_category": ("offencecategory", "offensecategory", "mcicategory", "primarytype",
                         "crimetype", "offencetype", "offensetype", "category", "offence",
                         "offense", "type"),
    "offence_code": ("offencecode", "offensecode", "ucrcode", "iucr", "ucr", "code"),
    "offence_description": ("description", "offencedescription", "offensedescription"),
    "call_type": ("calltype", "nature", "type"),
    "disposition": ("disposition", "status", "outcome"),
    "priority": ("priority",),
    "division": ("division", "district", "precinct", "zone"),
    "neighbourhood_id": ("neighbourhoodid", "neighborhoodid", "hood158", "neighbourhood",
                         "neighborhood", "hood", "communityarea", "beat"),
    "latitude": ("latitude", "latwgs84", "lat"),
    "longitude": ("longitude", "longwgs84", "lon", "long", "lng"),
    "domestic": ("domestic",),
}

#: Timestamp formats tried on the sample values, in order.
CANDIDATE_FORMATS = ("ISO8601", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                     "%m/%d/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y",
                     "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%Y%m%d%H%M%S", "%Y%m%d")

#: Words suggesting an offence category (checked in order on the lower-case value).
CATEGORY_WORDS: tuple[tuple[str, str], ...] = (
    ("homicide", "homicide"), ("murder", "homicide"), ("manslaughter", "homicide"),
    ("shoot", "shooting"), ("firearm discharge", "shooting"), ("sexual", "sexual_assault"),
    ("robbery", "robbery"), ("break and enter", "break_and_enter"), ("burglary",
                                                                      "break_and_enter"),
    ("b&e", "break_and_enter"), ("auto theft", "auto_theft"), ("theft of vehicle", "auto_theft"),
    ("motor vehicle theft", "auto_theft"), ("theft over", "theft_over"), ("theft",
                                                                           "theft_under"),
    ("larceny", "theft_under"), ("shoplift", "theft_under"), ("fraud", "fraud"),
    ("deceptive", "fraud"), ("mischief", "mischief"), ("damage", "mischief"),
    ("arson", "mischief"), ("hate", "hate_crime"), ("weapon", "weapons"), ("drug", "drugs"),
    ("narcotic", "drugs"), ("impaired", "impaired_driving"), ("dui", "impaired_driving"),
    ("harass", "criminal_harassment"), ("threat", "criminal_harassment"),
    ("stalk", "criminal_harassment"), ("disturb", "disturbance"), ("breach",
                                                                   "administration_of_justice"),
    ("assault", "assault"), ("battery", "assault"), ("person", "assault"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``workbench mapping init FILE``."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write a starter mapping from a file's header and "
                              "sample rows", description=__doc__.splitlines()[0])
    init.add_argument("file", type=Path, help="a sample export (CSV, JSON, JSONL, xlsx, Parquet)")
    init.add_argument("--table", default="incidents", choices=sorted(schema.TABLES),
                      metavar="TABLE", help="canonical target table (default incidents)")
    init.add_argument("--source", default=None,
                      help="value of the source column (default: from the file name)")
    init.add_argument("--out", type=Path, default=None, metavar="FILE.yaml",
                      help="write the mapping to a new file (default: print it)")


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def guess_column(canonical: str, header: Sequence[str], taken: set[str]) -> str | None:
    """The source column whose name best suggests ``canonical`` (earlier synonyms first)."""
    normals = {name: _normal(name) for name in header if name not in taken}
    for synonym in SYNONYMS.get(canonical, (_normal(canonical),)):
        for name, normal in normals.items():
            if normal == synonym:
                return name
    for synonym in SYNONYMS.get(canonical, ()):
        if len(synonym) < 4:
            continue
        for name, normal in normals.items():
            if synonym in normal:
                return name
    return None


def guess_format(values: pd.Series) -> str | None:
    """The first candidate format that reads every sample value, or None."""
    sample = values.dropna().astype(str).str.strip()
    sample = sample[sample != ""].head(200)
    if sample.empty:
        return None
    for fmt in CANDIDATE_FORMATS:
        parsed = pd.to_datetime(sample, format=fmt, errors="coerce", utc=True)
        if parsed.notna().all():
            return fmt
    return None


def guess_category(value: str) -> str | None:
    lower = value.lower()
    for word, category in CATEGORY_WORDS:
        if word in lower:
            return category
    return None


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def starter_mapping(path: Path, table_name: str = "incidents",
                    source: str | None = None) -> str:
    """The text of a starter mapping file for ``path`` (see the module docstring)."""
    reader = open_source(path)
    header = list(reader.header)
    table = schema.table(table_name)
    sample, distinct = _sample(reader, header)
    source = source or re.sub(r"[^a-z0-9]+", "_", path.name.split(".")[0].lower()).strip("_")
    lines = [
        f"# Starter mapping for {path.name} → {table_name}, written by `workbench mapping init`.",
        "# Check every line; replace each TODO (ingest refuses a mapping that still has one).",
        "# The format is described in docs/ingest.md (\"The generic-csv mapping file\").",
        f"# Source columns: {', '.join(header)}",
        f"table: {table_name}",
        f"source: {source or 'TODO'}",
        "columns:",
    ]
    taken: set[str] = set()
    date_parts = _date_part_columns(header)
    for column in table.columns:
        if column.name == "source" or column.name == "neighbourhood_scheme":
            continue
        if column.dtype == "timestamp" and not column.nullable and date_parts:
            names, fmt = date_parts
            taken.update(names)
            lines.append(f"  {column.name}: {{columns: [{', '.join(names)}], format: "
                         f"{_quote(fmt)}}}  # date and time split over columns")
            continue
        found = guess_column(column.name, header, taken)
        if found is None:
            if not column.nullable:
                if column.name.endswith("_id") and column.name in table.key:
                    lines[lines.index("columns:"):lines.index("columns:")] = [
                        "repeated_ids: number  # identical rows are separate records (#2, #3)"]
                    lines += [f"  {column.name}: {{hash_of: all}}  # no id column found: an id "
                              "from each row's content"]
                else:
                    lines.append(f"  {column.name}: TODO  # required: the source column for "
                                 f"{column.description.lower()}")
            continue
        taken.add(found)
        lines += _column_lines(column, found, sample[found] if found in sample else None,
                               distinct.get(found, []))
    return "\n".join(lines) + "\n"


def _sample(reader: object, header: list[str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The first rows, and up to 60 distinct values of every column over the whole file."""
    first: pd.DataFrame | None = None
    distinct: dict[str, dict[str, None]] = {name: {} for name in header}
    for chunk in reader.chunks():  # type: ignore[attr-defined]
        if first is None:
            first = chunk.head(SAMPLE_ROWS)
        for name in header:
            seen = distinct[name]
            if len(seen) >= 60:
                continue
            for value in chunk[name].dropna().astype(str).str.strip().unique()[:60]:
                if value:
                    seen.setdefault(value, None)
    return (first if first is not None else pd.DataFrame(columns=header),
            {name: sorted(values)[:60] for name, values in distinct.items()})


_PARTS = (("year", "%Y"), ("month", "%m"), ("day", "%d"), ("hour", "%H"), ("minute", "%M"))


def _date_part_columns(header: Sequence[str]) -> tuple[list[str], str] | None:
    """Columns named year, month, day (and hour, minute) with the format joining them."""
    by_name = {_normal(name): name for name in header}
    names: list[str] = []
    codes: list[str] = []
    for part, code in _PARTS:
        found = next((by_name[key] for key in (part, f"occ{part}") if key in by_name), None)
        if found is None:
            break
        names.append(found)
        codes.append(code)
    return (names, " ".join(codes)) if len(names) >= 3 else None


def _column_lines(column: schema.Column, found: str, values: pd.Series | None,
                  distinct: list[str]) -> list[str]:
    if column.dtype in ("timestamp", "date"):
        fmt = guess_format(values) if values is not None else None
        if fmt is None:
            return [f"  {column.name}: {{column: {_quote(found)}, format: TODO}}  # no known "
                    "format reads every sample value: give a strftime format"]
        return [f"  {column.name}: {{column: {_quote(found)}, format: {_quote(fmt)}}}"]
    if column.vocabulary and distinct:
        lines = [f"  {column.name}:", f"    column: {_quote(found)}", "    values:"]
        for value in distinct:
            guess = guess_category(value) if column.name == "offence_category" else None
            if guess is None and value.lower().replace(" ", "_") in column.vocabulary:
                guess = value.lower().replace(" ", "_")
            lines.append(f"      {_quote(value)}: {guess or 'TODO'}"
                         + ("" if guess else "  # not guessed"))
        lines.append("    unmapped: reject  # values not listed are quarantined")
        return lines
    return [f"  {column.name}: {_quote(found)}"]


def run(args: argparse.Namespace) -> int:
    """Run ``workbench mapping init``."""
    text = starter_mapping(args.file, args.table, args.source)
    if args.out is None:
        print(text, end="")
        return 0
    if args.out.exists():
        raise WorkbenchError(f"{args.out} already exists; give a new file name")
    args.out.write_text(text, encoding="utf-8")
    todo = sum(1 for line in text.splitlines() if re.search(r":\s*TODO\b", line))
    print(f"starter mapping written to {args.out} ({todo} TODO to fill in)")
    return 0
