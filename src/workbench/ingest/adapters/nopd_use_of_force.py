"""New Orleans Police Department "NOPD Use of Force Incidents" (data.nola.gov): one row per
use-of-force file (``PIB File Number``) with several values per cell separated by ``" | "``.

The file packs two kinds of list into its cells: **officer** lists (``Use of Force Type``,
``Use of Force Level``, ``Officer Race/Ethnicity``, … one entry per officer's force) and
**subject** lists (``Subject Ethnicity``, ``Subject Gender``, ``Subject Age``,
``Subject Injured``, … one entry per subject, in the same order across those columns). The
adapter writes one ``use_of_force`` row per file and one ``use_of_force_subjects`` row per
subject entry.

Mapping choices:

- ``highest_force``: the most severe entry of ``Use of Force Type`` on
  :data:`~workbench.ingest.adapters.chicago_trr.FORCE_SEVERITY` (:data:`NOPD_FORCE` maps
  NOPD's names). The file does not say which officer's force was used on which subject, so
  every subject's ``force_type`` is the file's highest force (stated again in
  ``docs/privacy.md``).
- ``perceived_race``: ``Subject Ethnicity`` through :data:`NOPD_RACE` (Hispanic → latino,
  Asian → east_southeast_asian — the US census "Asian" group —, Indian (American Indian) →
  indigenous); ``Race-Unknown`` and blanks → NULL. Each subject has one entry, so no subject
  is ``multiple``.
- ``subject_count``: the length of the longest subject list (0 when every subject cell is
  empty: the report is loaded without subjects).
- ``incident_type``: ``Service Type`` in lower snake case (``call_for_service``,
  ``arresting``, ``pedestrian_stop``, …); ``division``: the district number of
  ``Division level`` (``8th District`` → ``8``), else the unit's name in lower snake case.
- ``age_group`` from ``Subject Age`` (0 and negative ages are "unknown").
- Not loaded: every officer list (race, gender, age, years of service, injuries) — race data
  are never joined to officer data — and the free-text ``Subject Arrest Charges``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.ingest.adapters.chicago_trr import FORCE_SEVERITY, age_group
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.registry import register

SEPARATOR = " | "

NOPD_FORCE: dict[str, str] = {
    "firearm (exhibited)": "firearm_pointed",
    "rifle (pointed)": "firearm_pointed",
    "shotgun (pointed)": "firearm_pointed",
    "firearm (discharged)": "firearm_discharged",
    "rifle (discharged)": "firearm_discharged",
    "shotgun (discharged)": "firearm_discharged",
    "cew deployment": "conducted_energy_weapon",
    "cew": "conducted_energy_weapon",
    "cew exhibited/laser": "conducted_energy_weapon_displayed",
    "hands": "physical",
    "- hands (with injury)": "physical",
    "takedown (no injury)": "physical",
    "takedown (w/injury)": "physical",
    "force (take down)": "physical",
    "force (escort tech)": "physical",
    "force (defense tech)": "physical",
    "force (neck holds)": "physical",
    "head strike (no wep)": "physical",
    "handcuffed subject": "physical",
    "canine (no bite)": "canine",
    "canine (bite)": "canine",
    "canine (contact)": "canine",
    "baton (non-strike)": "baton",
    "baton/pr-24(nonstrk)": "baton",
    "baton/pr-24 (strike)": "baton",
    "baton/pr-24 (miss)": "baton",
    "nontrad impact weapon": "impact_weapon_less_lethal",
    "vehicle as weapon": "vehicle",
    "vehpursuits w/injury": "vehicle",
    "other": "other",
}

NOPD_RACE: dict[str, str] = {
    "black": "black", "b": "black",
    "white": "white", "w": "white",
    "hispanic": "latino",
    "asian": "east_southeast_asian",
    "indian": "indigenous", "native american": "indigenous", "american indian": "indigenous",
}
NOPD_RACE_ABSENT = ("Race-Unknown", "Unknown")
NOPD_GENDER = {"male": "male", "m": "male", "female": "female", "f": "female",
               "femaale": "female"}

_SUBJECT_COLUMNS = ("Subject Ethnicity", "Subject Gender", "Subject Age", "Subject Injured")


def split_cell(values: pd.Series) -> pd.Series:
    """Each cell as its list of entries (``" | "``-separated; blanks kept as ``""``)."""
    return values.fillna("").map(lambda text: [part.strip() for part in text.split("|")]
                                 if text.strip() else [])


class NopdUseOfForceAdapter(Adapter):
    """New Orleans PD use-of-force incidents (several values per cell, ' | '-separated)."""

    source = "nopd_use_of_force"
    targets = ("use_of_force", "use_of_force_subjects")
    required_columns = ("PIB File Number", "Date Occurred", "Use of Force Type",
                        "Subject Ethnicity")

    def map_rows(self, rows: SourceRows) -> Mapped:
        report_id = rows.text("PIB File Number")
        occurred = rows.timestamp("Date Occurred", ["%m/%d/%Y", "%Y-%m-%d", "%m/%d/%Y %H:%M"])
        force = self._highest_force(rows)
        subjects = self._subjects(rows)
        unknown = subjects["unknown_race"].groupby(level=0).any().reindex(rows.index,
                                                                           fill_value=False)
        if unknown.any():
            rows.flag(unknown, "Subject Ethnicity",
                      "unknown race value in Subject Ethnicity " + rows.text(
                          "Subject Ethnicity")[unknown].map(repr) + " (not in the value map)")
        counts = subjects.groupby(level=0).size().reindex(rows.index, fill_value=0)
        subjects = subjects.loc[~np.isin(subjects.index, rows.index[unknown.to_numpy()])]
        subject_rows = pd.DataFrame({
            "report_id": report_id.reindex(subjects.index),
            "subject_number": subjects["subject_number"],
            "perceived_race": subjects["perceived_race"],
            "gender": subjects["gender"],
            "age_group": subjects["age_group"],
            "force_type": force.reindex(subjects.index),
            "subject_injured": subjects["subject_injured"],
        }, index=subjects.index)
        values = {
            "report_id": report_id,
            "occurred_at": occurred,
            "highest_force": force,
            "subject_count": counts.astype("Int64").rename("Subject Ethnicity"),
        }
        if rows.has("Service Type"):
            values["incident_type"] = _snake(rows.text("Service Type").str.split("|").str[0])
        if rows.has("Division level"):
            values["division"] = self._division(rows.text("Division level"))
        return {"use_of_force": values, "use_of_force_subjects": subject_rows}

    @staticmethod
    def _highest_force(rows: SourceRows) -> pd.Series:
        entries = split_cell(rows.text("Use of Force Type")).explode()
        entries = entries[entries.notna() & (entries != "")]
        mapped = entries.str.lower().map(NOPD_FORCE).fillna("other")
        rank = mapped.map({name: i for i, name in enumerate(FORCE_SEVERITY)}).astype(int)
        best = rank.groupby(level=0).max()
        return best.map(lambda i: FORCE_SEVERITY[i]).reindex(rows.index) \
            .astype(object).rename("Use of Force Type")

    @staticmethod
    def _subjects(rows: SourceRows) -> pd.DataFrame:
        """One row per subject entry, the index repeating the record's index."""
        present = [c for c in _SUBJECT_COLUMNS if rows.has(c)]
        lists = {c: split_cell(rows.text(c)) for c in present}
        lengths = pd.concat([lists[c].map(len) for c in present], axis=1).max(axis=1)
        index = np.repeat(rows.index.to_numpy(), lengths.to_numpy())
        number = np.concatenate([np.arange(1, n + 1) for n in lengths.to_numpy()]) \
            if len(index) else np.array([], dtype=int)
        entries = {}
        for column in present:
            padded = [values + [""] * (n - len(values))
                      for values, n in zip(lists[column], lengths, strict=True)]
            flat = [value for values in padded for value in values]
            entries[column] = pd.Series(flat, index=index, dtype=object).replace("", None)
        frame = pd.DataFrame(entries, index=index)
        race_text = frame.get("Subject Ethnicity", pd.Series(None, index=index, dtype=object))
        lowered = race_text.str.lower()
        absent = lowered.isin([a.lower() for a in NOPD_RACE_ABSENT]).fillna(False).astype(bool)
        race = lowered.map(NOPD_RACE).astype(object)
        unknown_race = race_text.notna() & ~absent & race.isna()
        gender = frame.get("Subject Gender", pd.Series(None, index=index, dtype=object))
        ages = pd.to_numeric(frame.get("Subject Age", pd.Series(None, index=index)),
                             errors="coerce")
        injured = frame.get("Subject Injured", pd.Series(None, index=index, dtype=object))
        return pd.DataFrame({
            "subject_number": number,
            "perceived_race": race.where(race.notna(), None).to_numpy(),
            "unknown_race": unknown_race.to_numpy(dtype=bool),
            "gender": gender.str.lower().map(NOPD_GENDER).to_numpy(),
            "age_group": age_group(ages.where(ages > 0)).to_numpy(),
            "subject_injured": injured.str.lower().map({"yes": True, "no": False})
            .astype("boolean").to_numpy(),
        }, index=index)

    @staticmethod
    def _division(values: pd.Series) -> pd.Series:
        district = values.str.extract(r"^(\d+)(?:st|nd|rd|th) District$", expand=False)
        return district.fillna(_snake(values)).rename(values.name)


def _snake(values: pd.Series) -> pd.Series:
    text = values.str.strip().str.lower()
    return text.map(lambda v: re.sub(r"[^a-z0-9]+", "_", v).strip("_") or None
                    if isinstance(v, str) else None).rename(values.name)


register("nopd-use-of-force", NopdUseOfForceAdapter)
