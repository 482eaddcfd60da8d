"""Toronto Police Service race and identity based data: arrests and strip searches (City of
Toronto open data ``police-race-and-identity-based-data-collection-arrests-strip-searches``),
the second ARDS stage (``enforcement_actions``).

Two vintages are accepted:

- the **full** TPS file (``Arrest_Year``, ``Arrest_Month``, ``ArrestID``, ``PersonID``,
  ``Perceived_Race``, ``Sex``, ``Age_group__at_arrest_``, ``ArrestLocDiv``, ``StripSearch``,
  ``ObjectId`` …): one row per person arrested;
- the **reduced** extract kept in this project's real data (``id``, ``race``, ``gender``,
  ``strip_search``, ``items_found``): the same rows, with the dates, division and age dropped
  by its author.

Mapping choices:

- ``action_id``: ``ObjectId`` (full) or ``id`` (reduced); ``action_type``: ``arrest``.
- ``occurred_at``: the first day of ``Arrest_Month`` (a month name or a quarter such as
  ``Apr-Jun``) of ``Arrest_Year``. The reduced extract has no date at all: its rows get
  :attr:`TorontoRbdcArrestsAdapter.undated_period_start` (1 January 2020, the start of the
  2020–2021 period it covers) so they can load; do not use that source for time trends.
- ``perceived_race`` through :data:`TPS_RACE` (TPS already uses the ARDS groups);
  ``Unknown or Legacy`` and ``None`` → NULL; a value naming several groups → ``multiple``.
- ``gender``: M → male, F → female, U/X → NULL; ``strip_search``: Yes/No (or 1/0).
- Not loaded: ``PersonID`` / ``EventID`` / ``ArrestID`` as such (person and event numbers),
  reasons for the search, items found, youth flag.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from workbench.ingest.adapters.chicago_trr import perceived_race
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.registry import register

TPS_RACE: dict[str, str] = {
    "Black": "black",
    "White": "white",
    "East/Southeast Asian": "east_southeast_asian",
    "South Asian": "south_asian",
    "Middle-Eastern": "middle_eastern",
    "Middle Eastern": "middle_eastern",
    "Indigenous": "indigenous",
    "Latino": "latino",
    "Other": "other",
}
TPS_RACE_ABSENT = ("Unknown or Legacy", "Unknown", "None", "Legacy")
TPS_GENDER = {"M": "male", "F": "female"}
TPS_GENDER_ABSENT = ("U", "X")
TPS_AGE_GROUPS = {
    "aged 17 years and younger": "12-17", "aged 17 years and under": "12-17",
    "aged 18 to 24 years": "18-24", "aged 25 to 34 years": "25-34",
    "aged 35 to 44 years": "35-44", "aged 45 to 54 years": "45-54",
    "aged 55 to 64 years": "55-64", "aged 65 years and older": "65+",
    "aged 65 and older": "65+",
}
_MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
    start=1)}


class TorontoRbdcArrestsAdapter(Adapter):
    """Toronto PS race-based data: arrests and strip searches (full file or reduced extract)."""

    source = "toronto_rbdc_arrests"
    targets = ("enforcement_actions",)
    required_columns = (("Perceived_Race", "race"), ("ObjectId", "_id", "id"))
    missing_values = ("NA",)
    #: Date given to rows of an extract without dates (see the module docstring).
    undated_period_start = dt.date(2020, 1, 1)

    def map_rows(self, rows: SourceRows) -> Mapped:
        race_column = "Perceived_Race" if rows.has("Perceived_Race") else "race"
        id_column = next(c for c in ("ObjectId", "_id", "id") if rows.has(c))
        race = perceived_race(rows, race_column, TPS_RACE, TPS_RACE_ABSENT,
                              several=r",|&|;| and ")
        values: dict[str, object] = {
            "action_id": rows.text(id_column),
            "occurred_at": self._occurred(rows),
            "action_type": "arrest",
            "perceived_race": race,
        }
        gender_column = "Sex" if rows.has("Sex") else "gender" if rows.has("gender") else None
        if gender_column:
            values["gender"] = perceived_race(rows, gender_column, TPS_GENDER,
                                              TPS_GENDER_ABSENT).rename(gender_column)
        search_column = "StripSearch" if rows.has("StripSearch") else \
            "strip_search" if rows.has("strip_search") else None
        if search_column:
            values["strip_search"] = rows.boolean(search_column, true_values=("yes", "1", "true"),
                                                  false_values=("no", "0", "false"))
        if rows.has("Age_group__at_arrest_"):
            values["age_group"] = rows.text("Age_group__at_arrest_").str.lower() \
                .map(TPS_AGE_GROUPS).astype(object).rename("Age_group__at_arrest_")
        if rows.has("ArrestLocDiv"):
            division = rows.text("ArrestLocDiv")
            values["division"] = division.mask(division.isin(["XX", "NSA"]))
        return {"enforcement_actions": values}

    def _occurred(self, rows: SourceRows) -> pd.Series | dt.datetime:
        if not (rows.has("Arrest_Year") and rows.has("Arrest_Month")):
            return dt.datetime.combine(self.undated_period_start, dt.time())
        years = rows.integer("Arrest_Year", minimum=1900, maximum=2100)
        month_text = rows.text("Arrest_Month").str.strip().str.lower().str[:3]
        months = month_text.map(_MONTHS)
        bad = rows.text("Arrest_Month").notna() & months.isna()
        if bad.any():
            rows.flag(bad, "Arrest_Month", "bad month " + rows.text("Arrest_Month")[bad].map(repr)
                      + " in Arrest_Month")
        parts = pd.DataFrame({"year": years.astype("float64"), "month": months.astype("float64"),
                              "day": 1.0})
        return pd.to_datetime(parts.dropna(), errors="coerce").reindex(rows.index) \
            .rename("Arrest_Year")


register("toronto-rbdc-arrests", TorontoRbdcArrestsAdapter)
