"""Vancouver Police Department crime data (VPD GeoDASH download,
``crimedata_csv_AllNeighbourhoods_<year>.csv``: ``TYPE, YEAR, MONTH, DAY, HOUR, MINUTE,
HUNDRED_BLOCK, NEIGHBOURHOOD, X, Y``) and the city's population by local area
(``NEIGHBOURHOOD, POPULATION``)::

    workbench ingest --adapter vancouver-crime crimedata_csv_AllNeighbourhoods_2025.csv
    workbench ingest --adapter vancouver-population van_pop_2016.csv

Mapping choices (see ``docs/ingest.md``):

- The export has no incident number: ``incident_id`` is ``content-`` + an MD5 of the row's
  values, and identical rows (separate incidents at one block in the same minute) are numbered
  ``#2``, ``#3``; the same rows always get the same ids.
- ``occurred_at`` from ``YEAR``…``MINUTE`` (local time). ``offence_category`` from ``TYPE``
  (:data:`VANCOUVER_CATEGORIES`; VPD's vehicle collisions → ``other``); an unknown type is
  quarantined. ``offence_description`` keeps VPD's type.
- ``neighbourhood_id``: VPD's neighbourhood (the city's 22 local areas, plus Stanley Park and
  Musqueam) by name, in the scheme ``vancouver_local_areas``, which the population file uses too.
- Coordinates: ``X``/``Y`` are UTM zone 10N metres (NAD83), converted to WGS84 latitude and
  longitude (the two datums differ by well under a metre here). VPD publishes ``0, 0`` for
  offences against a person (location withheld): stored as NULL, the row kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.registry import register

#: The scheme both Vancouver files' neighbourhood ids belong to.
VANCOUVER_SCHEME = "vancouver_local_areas"

VANCOUVER_CATEGORIES = {
    "Break and Enter Commercial": "break_and_enter",
    "Break and Enter Residential/Other": "break_and_enter",
    "Homicide": "homicide",
    "Mischief": "mischief",
    "Offence Against a Person": "assault",
    "Other Theft": "theft_under",
    "Theft from Vehicle": "theft_under",
    "Theft of Bicycle": "theft_under",
    "Theft of Vehicle": "auto_theft",
    "Vehicle Collision or Pedestrian Struck (with Fatality)": "other",
    "Vehicle Collision or Pedestrian Struck (with Injury)": "other",
}

#: UTM zone of Vancouver.
UTM_ZONE = 10


def utm_to_wgs84(easting: np.ndarray, northing: np.ndarray,
                 zone: int = UTM_ZONE) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (degrees) of northern-hemisphere UTM coordinates (metres), by
    the inverse transverse Mercator series on the GRS80 ellipsoid (Snyder, *Map Projections —
    A Working Manual*, USGS 1987, eq. 8-18 to 8-25; accurate to well under a metre in a zone)."""
    a = 6_378_137.0
    f = 1 / 298.257222101
    k0 = 0.9996
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    x = np.asarray(easting, dtype="float64") - 500_000.0
    m = np.asarray(northing, dtype="float64") / k0
    mu = m / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    e1 = (1 - np.sqrt(1 - e2)) / (1 + np.sqrt(1 - e2))
    phi1 = (mu + (3 * e1 / 2 - 27 * e1**3 / 32) * np.sin(2 * mu)
            + (21 * e1**2 / 16 - 55 * e1**4 / 32) * np.sin(4 * mu)
            + (151 * e1**3 / 96) * np.sin(6 * mu) + (1097 * e1**4 / 512) * np.sin(8 * mu))
    sin1, cos1, tan1 = np.sin(phi1), np.cos(phi1), np.tan(phi1)
    c1 = ep2 * cos1**2
    t1 = tan1**2
    n1 = a / np.sqrt(1 - e2 * sin1**2)
    r1 = a * (1 - e2) / (1 - e2 * sin1**2) ** 1.5
    d = x / (n1 * k0)
    latitude = phi1 - (n1 * tan1 / r1) * (
        d**2 / 2 - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720)
    longitude = (d - (1 + 2 * t1 + c1) * d**3 / 6
                 + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120) / cos1
    central = np.radians(zone * 6 - 183)
    return np.degrees(latitude), np.degrees(central + longitude)


class VancouverCrimeAdapter(Adapter):
    """Vancouver PD crime data (GeoDASH CSV download), one row per offence."""

    source = "vancouver_pd"
    required_columns = ("TYPE", "YEAR", "MONTH", "DAY", "NEIGHBOURHOOD")
    sequenced_ids = {"incidents": "incident_id"}

    def map_rows(self, rows: SourceRows) -> Mapped:
        parts = [c for c in ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE") if rows.has(c)]
        formats = [" ".join(["%Y", "%m", "%d", "%H", "%M"][: len(parts)])]
        neighbourhood = rows.text("NEIGHBOURHOOD")
        values: dict[str, object] = {
            "incident_id": rows.content_id(prefix="content-"),
            "occurred_at": rows.timestamp(parts, formats),
            "offence_category": rows.category("TYPE", VANCOUVER_CATEGORIES, what="TYPE"),
            "offence_description": rows.text("TYPE"),
            "neighbourhood_id": neighbourhood,
            "neighbourhood_scheme": pd.Series(VANCOUVER_SCHEME, index=rows.index,
                                              dtype=object).where(neighbourhood.notna(), None),
        }
        if rows.has("X") and rows.has("Y"):
            values["latitude"], values["longitude"] = self._coordinates(rows)
        return {"incidents": values}

    @staticmethod
    def _coordinates(rows: SourceRows) -> tuple[pd.Series, pd.Series]:
        easting, northing = rows.number("X"), rows.number("Y")
        usable = (easting > 100_000) & (easting < 900_000) & (northing > 0)
        latitude, longitude = utm_to_wgs84(easting.fillna(500_000).to_numpy(),
                                           northing.fillna(0).to_numpy())
        return (pd.Series(latitude, index=rows.index).where(usable).rename("Y"),
                pd.Series(longitude, index=rows.index).where(usable).rename("X"))


class VancouverPopulationAdapter(Adapter):
    """City of Vancouver population by local area (``NEIGHBOURHOOD, POPULATION``; census year
    from the file name, e.g. ``van_pop_2016.csv``, else 2016)."""

    source = "vancouver_population"
    targets = ("neighbourhoods", "population")
    required_columns = ("NEIGHBOURHOOD", "POPULATION")
    census_year = 2016

    def map_rows(self, rows: SourceRows) -> Mapped:
        year = self.census_year
        if rows.path is not None:
            found = pd.Series([rows.path.name]).str.extract(r"((?:19|20)\d\d)")[0].iloc[0]
            year = int(found) if isinstance(found, str) else year
        name = rows.text("NEIGHBOURHOOD")
        return {
            "neighbourhoods": {"neighbourhood_id": name, "name": name,
                               "neighbourhood_scheme": VANCOUVER_SCHEME},
            "population": {"neighbourhood_id": name, "year": year,
                           "population": rows.integer("POPULATION", minimum=0),
                           "neighbourhood_scheme": VANCOUVER_SCHEME},
        }


register("vancouver-crime", VancouverCrimeAdapter)
register("vancouver-population", VancouverPopulationAdapter)
