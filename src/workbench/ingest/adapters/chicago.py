"""City of Chicago "Crimes - 2001 to Present" exports (full 22 columns or a column subset).

Mapping choices (see ``docs/ingest.md``):

- ``incident_id``: the ``ID`` column when present. Extracts without it (the repository's
  "slim" file) get an id from the row's content — the MD5 of ``Date``, ``Block``,
  ``Primary Type``, ``Description``, ``Location Description`` and ``Community Area`` — and
  identical rows, which are separate records in Chicago's data (e.g. one row per homicide
  victim), are numbered ``#2``, ``#3`` rather than rejected. Re-ingesting the same rows adds
  nothing; a row whose content changed in a later export is a new row.
- ``neighbourhood_id``: the community area (1–77, the city's standard neighbourhoods, which
  population tables use); 0 is treated as "no location" (NULL). ``division``: the police
  district (``District``, leading zeros removed) when the export has it, else NULL.
- ``offence_category``: ``Primary Type`` through :data:`CHICAGO_CATEGORIES` (Illinois
  battery and assault both map to ``assault``; theft has no $5,000 split in Chicago's types,
  so all of it is ``theft_under``); ``offence_code``: the IUCR code when present.
- ``clearance``: ``Arrest`` true → ``charged``, false → ``open`` (the export says only whether
  an arrest was made). ``domestic`` from ``Domestic``. ``location_type`` from
  ``Location Description`` by keyword.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.ingest.base import Adapter, Mapped, SourceRows, classify_premises
from workbench.ingest.reading import Source
from workbench.ingest.registry import register

CHICAGO_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%dT%H:%M:%S.%f",
                        "%Y-%m-%dT%H:%M:%S")
CHICAGO_COMMUNITY_AREAS = 77

CHICAGO_CATEGORIES = {
    "HOMICIDE": "homicide",
    "BATTERY": "assault",
    "ASSAULT": "assault",
    "CRIMINAL SEXUAL ASSAULT": "sexual_assault",
    "CRIM SEXUAL ASSAULT": "sexual_assault",
    "SEX OFFENSE": "sexual_assault",
    "ROBBERY": "robbery",
    "BURGLARY": "break_and_enter",
    "MOTOR VEHICLE THEFT": "auto_theft",
    "THEFT": "theft_under",
    "DECEPTIVE PRACTICE": "fraud",
    "CRIMINAL DAMAGE": "mischief",
    "ARSON": "mischief",
    "WEAPONS VIOLATION": "weapons",
    "CONCEALED CARRY LICENSE VIOLATION": "weapons",
    "NARCOTICS": "drugs",
    "OTHER NARCOTIC VIOLATION": "drugs",
    "STALKING": "criminal_harassment",
    "INTIMIDATION": "criminal_harassment",
    "PUBLIC PEACE VIOLATION": "disturbance",
    "INTERFERENCE WITH PUBLIC OFFICER": "administration_of_justice",
    "CRIMINAL TRESPASS": "other_criminal_code",
    "OFFENSE INVOLVING CHILDREN": "other_criminal_code",
    "KIDNAPPING": "other_criminal_code",
    "HUMAN TRAFFICKING": "other_criminal_code",
    "PROSTITUTION": "other_criminal_code",
    "OBSCENITY": "other_criminal_code",
    "PUBLIC INDECENCY": "other_criminal_code",
    "GAMBLING": "other_criminal_code",
    "OTHER OFFENSE": "other_criminal_code",
    "LIQUOR LAW VIOLATION": "other",
    "NON-CRIMINAL": "other",
    "NON - CRIMINAL": "other",
    "NON-CRIMINAL (SUBJECT SPECIFIED)": "other",
    "RITUALISM": "other",
    "DOMESTIC VIOLENCE": "assault",
}

#: Columns the content id is built from when the export has no ``ID`` (stable fields only:
#: ``Arrest`` and ``Domestic`` can be updated after the first publication).
CONTENT_ID_COLUMNS = ("Date", "Block", "Primary Type", "Description", "Location Description",
                      "Community Area")


class ChicagoCrimesAdapter(Adapter):
    """City of Chicago 'Crimes - 2001 to Present' (one row per incident; full or slim export)."""

    source = "chicago_crimes"
    required_columns = ("Date", "Primary Type", ("ID", "Block"))

    def sequenced_columns(self, source: Source) -> Mapping[str, str]:
        return {} if "ID" in source.header else {"incidents": "incident_id"}

    def map_rows(self, rows: SourceRows) -> Mapped:
        values = {
            "incident_id": self._incident_id(rows),
            "occurred_at": rows.timestamp("Date", CHICAGO_DATE_FORMATS),
            "offence_category": rows.category("Primary Type", CHICAGO_CATEGORIES,
                                              what="Primary Type"),
        }
        if rows.has("IUCR"):
            values["offence_code"] = rows.text("IUCR")
        if rows.has("District"):
            district = rows.code("District").str.replace(r"\.0+$", "", regex=True).str.lstrip("0")
            values["division"] = district.mask(district == "")
        if rows.has("Community Area"):
            values["neighbourhood_id"] = self._community_area(rows)
        if rows.has("Latitude") and rows.has("Longitude"):
            values["latitude"], values["longitude"] = rows.coordinates("Latitude", "Longitude")
        if rows.has("Location Description"):
            values["location_type"] = classify_premises(rows.text("Location Description"))
        if rows.has("Domestic"):
            values["domestic"] = rows.boolean("Domestic")
        if rows.has("Arrest"):
            arrested = rows.boolean("Arrest")
            values["clearance"] = arrested.map({True: "charged", False: "open"}).astype(object) \
                .where(arrested.notna(), None)
        return {"incidents": values}

    @staticmethod
    def _incident_id(rows: SourceRows) -> pd.Series:
        if rows.has("ID"):
            return rows.text("ID")
        columns = [c for c in CONTENT_ID_COLUMNS if rows.has(c)]
        return rows.content_id(columns, prefix="content-")

    @staticmethod
    def _community_area(rows: SourceRows) -> pd.Series:
        area = rows.integer("Community Area", minimum=0, maximum=CHICAGO_COMMUNITY_AREAS)
        area = area.mask(area == 0)  # 0: no community area recorded
        return area.astype("string[pyarrow]").rename("Community Area")


register("chicago-crimes", ChicagoCrimesAdapter)
