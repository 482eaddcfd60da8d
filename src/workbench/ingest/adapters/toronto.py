"""Toronto Police Service and City of Toronto open data.

Shared conventions of these files (see ``docs/ingest.md``):

- Files written by R (``opendatatoronto`` downloads) use the text ``NA`` for missing values.
- ``HOOD_158`` neighbourhood ids are kept zero-padded to three digits (``'023'``, as TPS
  publishes them); ``NSA`` ("not specified area": no usable location) becomes a NULL
  ``neighbourhood_id``; a ``DIVISION`` of ``NSA`` becomes a NULL ``division``.
- Dates: ``YYYY-MM-DD`` values are local dates. Values carrying a time of day
  (``M/D/YYYY h:mm:ss AM`` in the ArcGIS layers, ``YYYY-MM-DDThh:mm:ss`` in older CKAN CSVs) are
  the UTC instant of local midnight, so they are converted to Toronto time before the date is
  taken; the hour comes from the separate ``*_HOUR`` / ``*_TIME`` column.
- Coordinates of (0, 0) (and float noise around it) are TPS's placeholder for an offset or
  withheld location: stored as NULL, the row is kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows, classify_premises
from workbench.ingest.reading import FrameSource, Source, check_readable_file, file_sha256
from workbench.ingest.registry import register

TORONTO_ZONE = "America/Toronto"
NO_LOCATION = ("NSA",)
TPS_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S",
                    "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S+00")

#: MCI_CATEGORY (older files) / CSI_CATEGORY (current layers) → offence_category.
MCI_CATEGORIES = {
    "Assault": "assault",
    "Break and Enter": "break_and_enter",
    "Auto Theft": "auto_theft",
    "Robbery": "robbery",
    "Theft Over": "theft_over",
    "Theft From Motor Vehicle": "theft_under",
}

#: PREMISES_TYPE → location_type.
TPS_PREMISES = {
    "House": "residence",
    "Apartment": "apartment",
    "Commercial": "commercial",
    "Educational": "educational",
    "Outside": "outside",
    "Transit": "transit",
    "Other": "other",
}

YES_NO = {"true_values": ("YES", "Y"), "false_values": ("NO", "N")}


def tps_date(rows: SourceRows, column: str) -> pd.Series:
    """A TPS date column as local dates (see the module docstring for the formats)."""
    parsed = rows.timestamp(column, TPS_DATE_FORMATS)
    has_time = rows.text(column).str.contains(":", regex=False).fillna(False).astype(bool)
    if has_time.any():
        local = (parsed.dt.tz_localize("UTC").dt.tz_convert(TORONTO_ZONE).dt.tz_localize(None))
        parsed = parsed.mask(has_time, local)
    return parsed.dt.normalize().rename(column)


def tps_division(rows: SourceRows, column: str = "DIVISION") -> pd.Series:
    """Division as published (``D31``); ``NSA`` → NULL."""
    return rows.code(column, absent=NO_LOCATION)


def tps_neighbourhood(rows: SourceRows, column: str = "HOOD_158") -> pd.Series:
    """158-scheme neighbourhood id, zero-padded to 3 digits; ``NSA`` → NULL."""
    return rows.code(column, absent=NO_LOCATION, zero_pad=3)


class TorontoShootingsAdapter(Adapter):
    """TPS Shootings & Firearm Discharges (one row per occurrence, 2004 on)."""

    source = "toronto_shootings"
    missing_values = ("NA",)
    required_columns = ("EVENT_UNIQUE_ID", "OCC_DATE", "OCC_HOUR", "DIVISION", "HOOD_158",
                        "LAT_WGS84", "LONG_WGS84")

    def map_rows(self, rows: SourceRows) -> Mapped:
        latitude, longitude = rows.coordinates("LAT_WGS84", "LONG_WGS84")
        return {"incidents": {
            "incident_id": rows.text("EVENT_UNIQUE_ID"),
            "occurred_at": rows.with_hour(tps_date(rows, "OCC_DATE"), "OCC_HOUR"),
            "offence_category": "shooting",
            "division": tps_division(rows),
            "neighbourhood_id": tps_neighbourhood(rows),
            "latitude": latitude,
            "longitude": longitude,
        }}


class TorontoHateCrimesAdapter(Adapter):
    """TPS Hate Crimes open data (one row per occurrence, 2018 on; category hate_crime)."""

    source = "toronto_hate_crimes"
    missing_values = ("NA",)
    required_columns = ("EVENT_UNIQUE_ID", "OCCURRENCE_DATE", "OCCURRENCE_TIME", "REPORTED_DATE",
                        "REPORTED_TIME", "DIVISION", "LOCATION_TYPE", "HOOD_158", "ARREST_MADE")

    def map_rows(self, rows: SourceRows) -> Mapped:
        arrested = rows.boolean("ARREST_MADE", **YES_NO)
        return {"incidents": {
            "incident_id": rows.text("EVENT_UNIQUE_ID"),
            "occurred_at": rows.with_clock(tps_date(rows, "OCCURRENCE_DATE"), "OCCURRENCE_TIME"),
            "reported_at": rows.with_clock(tps_date(rows, "REPORTED_DATE"), "REPORTED_TIME"),
            "offence_category": "hate_crime",
            "division": tps_division(rows),
            "neighbourhood_id": tps_neighbourhood(rows),
            "location_type": classify_premises(rows.text("LOCATION_TYPE")),
            "clearance": arrested.map({True: "charged", False: "open"}).astype(object)
                                 .where(arrested.notna(), None),
        }}


class TorontoMciAdapter(Adapter):
    """TPS Major Crime Indicators (one row per offence): portal CSV or the Parquet extract.

    Accepted vintages: the portal CSV (``EVENT_UNIQUE_ID``, ``OCC_DATE``, ``HOOD_158``,
    coordinates, ``MCI_CATEGORY`` or ``CSI_CATEGORY``), and the column-reduced Parquet extract
    (date parts, division and premises only). ``incident_id`` is
    ``EVENT_UNIQUE_ID/UCR_CODE-UCR_EXT`` (or ``/OFFENCE`` without UCR columns): an event has one
    row per offence *and victim*, so repeats of that id within a file are numbered ``#2``,
    ``#3`` in file order. A file without event ids uses the portal's row id (``row-<_id>``),
    which is only stable for one download of the data.
    """

    source = "toronto_mci"
    missing_values = ("NA",)
    file_format = "auto"
    required_columns: tuple[str | tuple[str, ...], ...] = (
        ("MCI_CATEGORY", "CSI_CATEGORY"), "OFFENCE", "DIVISION", "PREMISES_TYPE",
        ("OCC_DATE", "OCC_YEAR"), "OCC_HOUR", ("EVENT_UNIQUE_ID", "_id", "OBJECTID"),
    )
    sequenced_ids = {"incidents": "incident_id"}

    def map_rows(self, rows: SourceRows) -> Mapped:
        category_column = "MCI_CATEGORY" if rows.has("MCI_CATEGORY") else "CSI_CATEGORY"
        values = {
            "incident_id": self._incident_id(rows),
            "occurred_at": rows.with_hour(self._day(rows, "OCC"), "OCC_HOUR"),
            "offence_category": rows.category(category_column, MCI_CATEGORIES,
                                              what="MCI category"),
            "division": tps_division(rows),
            "location_type": rows.category("PREMISES_TYPE", TPS_PREMISES, unmapped="other"),
        }
        if rows.has("REPORT_DATE") or rows.has("REPORT_YEAR"):
            reported = self._day(rows, "REPORT")
            values["reported_at"] = rows.with_hour(reported, "REPORT_HOUR") \
                if rows.has("REPORT_HOUR") else reported
        if rows.has("UCR_CODE") and rows.has("UCR_EXT"):
            values["offence_code"] = rows.join(rows.text("UCR_CODE"), "-", rows.text("UCR_EXT"))
        if rows.has("HOOD_158"):
            values["neighbourhood_id"] = tps_neighbourhood(rows)
        if rows.has("LAT_WGS84") and rows.has("LONG_WGS84"):
            values["latitude"], values["longitude"] = rows.coordinates("LAT_WGS84", "LONG_WGS84")
        return {"incidents": values}

    @staticmethod
    def _day(rows: SourceRows, prefix: str) -> pd.Series:
        if rows.has(f"{prefix}_DATE"):
            return tps_date(rows, f"{prefix}_DATE")
        return rows.date_parts(f"{prefix}_YEAR", f"{prefix}_MONTH", f"{prefix}_DAY")

    @staticmethod
    def _incident_id(rows: SourceRows) -> pd.Series:
        if rows.has("EVENT_UNIQUE_ID"):
            if rows.has("UCR_CODE") and rows.has("UCR_EXT"):
                offence = rows.join(rows.text("UCR_CODE"), "-", rows.text("UCR_EXT"))
            else:
                offence = rows.text("OFFENCE")
            return rows.join(rows.text("EVENT_UNIQUE_ID"), "/", offence)
        row_id = "_id" if rows.has("_id") else "OBJECTID"
        return rows.join("row-", rows.text(row_id)).rename(row_id)


class TorontoAssaultAdapter(TorontoMciAdapter):
    """TPS Assault open data, current 31-column schema (an MCI-family layer; source toronto_mci,
    so an offence loaded from either file is loaded once)."""

    required_columns: tuple[str | tuple[str, ...], ...] = (
        "EVENT_UNIQUE_ID", "OCC_DATE", "OCC_HOUR", "REPORT_DATE", "REPORT_HOUR", "DIVISION",
        "PREMISES_TYPE", "UCR_CODE", "UCR_EXT", "OFFENCE", "CSI_CATEGORY", "HOOD_158",
        "LAT_WGS84", "LONG_WGS84",
    )


class TorontoNeighbourhoodsAdapter(Adapter):
    """City of Toronto neighbourhood profiles (2021 Census, xlsx): the 158 neighbourhoods and
    their population, for rates per resident.

    Records are the workbook's neighbourhood *columns*; the quarantine's line number is the
    spreadsheet column number. Population is the profile's total population (25% sample data).
    """

    source = "toronto_neighbourhood_profiles"
    targets = ("neighbourhoods", "population")
    census_year = 2021
    sheet = "hd2021_census_profile"
    name_row = "Neighbourhood Name"
    number_row = "Neighbourhood Number"
    population_row = "Total - Age groups of the population"

    def read(self, path: Path) -> Source:
        from zipfile import BadZipFile  # noqa: PLC0415

        import openpyxl  # noqa: PLC0415 - only this adapter needs it
        from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

        check_readable_file(path)
        with path.open("rb") as handle:
            head = handle.read(4)
        if head != b"PK\x03\x04":
            kind = "text (a CSV export?)" if _looks_like_text(path) else "not a workbook"
            raise IngestError(path, f"is not an Excel workbook (.xlsx): its content is {kind}; "
                              "this adapter reads the City's neighbourhood-profiles .xlsx file")
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
            raise IngestError(path, f"is not a readable Excel workbook ({exc})") from None
        try:
            if self.sheet not in workbook.sheetnames:
                raise IngestError(path, f"has no sheet {self.sheet!r} (sheets: "
                                  f"{', '.join(workbook.sheetnames)})")
            found: dict[str, tuple] = {}
            wanted = (self.name_row, self.number_row, self.population_row)
            for row in workbook[self.sheet].iter_rows(values_only=True):
                label = str(row[0]).strip() if row and row[0] is not None else ""
                for prefix in wanted:
                    if prefix not in found and label.startswith(prefix):
                        found[prefix] = row
                if len(found) == len(wanted):
                    break
        finally:
            workbook.close()
        missing = [prefix for prefix in wanted if prefix not in found]
        if missing:
            raise IngestError(path, f"sheet {self.sheet!r} lacks the rows: {', '.join(missing)}")
        columns = range(1, len(found[self.number_row]))
        frame = pd.DataFrame({
            label: [None if found[label][i] is None else str(found[label][i]) for i in columns]
            for label in wanted
        }, dtype="string[pyarrow]")
        frame = frame.rename(columns={self.population_row: "population"})
        return FrameSource(path=path, sha256=file_sha256(path), frame=frame,
                           positions=[i + 1 for i in columns])

    def check_columns(self, source: Source) -> None:
        return None  # the reader already required its rows

    def map_rows(self, rows: SourceRows) -> Mapped:
        neighbourhood = rows.code(self.number_row, zero_pad=3)
        return {
            "neighbourhoods": {
                "neighbourhood_id": neighbourhood,
                "name": rows.text(self.name_row),
            },
            "population": {
                "neighbourhood_id": neighbourhood,
                "year": self.census_year,
                "population": rows.integer("population", minimum=0),
            },
        }


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    return b"\x00" not in sample and all(32 <= b < 127 or b in b"\t\r\n" or b >= 128
                                           for b in sample)


register("toronto-shootings", TorontoShootingsAdapter)
register("toronto-hate-crimes", TorontoHateCrimesAdapter)
register("toronto-mci", TorontoMciAdapter)
register("toronto-assault", TorontoAssaultAdapter)
register("toronto-neighbourhoods", TorontoNeighbourhoodsAdapter)
