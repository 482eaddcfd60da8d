"""Chicago Police Department Tactical Response Reports (TRR: use of force), as released under
FOIA and cleaned by the Invisible Institute (``TRR-main_*``, ``TRR-subjects_*``,
``TRR-actions-responses_*`` …, one CSV per table, joined on ``row_id``/``trr_id``).

Load the **main** file; the adapter reads its two siblings from the same folder (the same
name with ``TRR-subjects`` and ``TRR-actions-responses`` instead of ``TRR-main``) and writes
both ``use_of_force`` (one report per TRR) and ``use_of_force_subjects`` (its subject)::

    workbench ingest chicago-trr TRR-main_2021-2023_2023-10_p877988.csv.gz

Mapping choices (see ``docs/privacy.md`` for what is deliberately left out):

- A TRR is one member's report of force on one subject: a subject handled by three members
  appears in three TRRs, so counts are of *reports* (as CPD publishes them), not of distinct
  people. ``report_id`` is ``trr_id``; the release repeats a few ``trr_id`` (7 of 9,338
  rows), numbered ``#2`` rather than dropped. ``subject_number`` is 1.
- ``occurred_at``: ``trr_date`` (a date; no time of day is released). ``division``: the police
  district, the beat number without its last two digits (beat 1233 → district 12).
- ``highest_force`` / ``force_type``: the most severe *member* action of the TRR on the scale
  :data:`FORCE_SEVERITY` (:data:`CHICAGO_FORCE` maps CPD's action names; presence, verbal
  direction and positioning alone give ``presence_verbal``). The firearm actions of the
  2021–2023 release coincide with its weapon-discharge records, so they map to
  ``firearm_discharged``.
- ``perceived_race``: CPD's ``race`` through :data:`CHICAGO_RACE` (US census wording:
  HISPANIC → latino; ASIAN/PACIFIC ISLANDER → east_southeast_asian, i.e. the US census
  "Asian" group; NATIVE AMERICAN/ALASKAN NATIVE → indigenous); blank → NULL. Benchmarks must
  use the same mapping (e.g. 2020 census shares, non-Hispanic by race, and Hispanic).
- ``age_group`` from ``birth_year`` and the TRR year; ``subject_injured`` from ``injured``;
  ``weapon_perceived`` from ``armed``.
- Not loaded: hashed report and central-booking numbers (``rd_no``, ``subject_cb_no``),
  addresses (``street``, ``block``), ZIP code, height and weight. The officer table (names)
  was never part of the release; ``officer_id`` and ``unit_id`` stay NULL.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows
from workbench.ingest.reading import FrameSource, Source, check_readable_file, file_sha256
from workbench.ingest.registry import register

#: Types of force from least to most severe (shared by the use-of-force adapters).
FORCE_SEVERITY: tuple[str, ...] = (
    "presence_verbal", "other", "physical", "oc_spray", "conducted_energy_weapon_displayed",
    "canine", "baton", "impact_weapon_less_lethal", "vehicle", "conducted_energy_weapon",
    "firearm_pointed", "firearm_discharged",
)

#: CPD member actions → force type (unlisted actions are ``other``).
CHICAGO_FORCE: dict[str, str] = {
    "MEMBER PRESENCE": "presence_verbal",
    "VERBAL DIR. / CONTROL TECHNIQUES": "presence_verbal",
    "ADDITIONAL UNIT MEMBERS": "presence_verbal",
    "TACTICAL POSITIONING": "presence_verbal",
    "ZONE OF SAFETY": "presence_verbal",
    "MOVEMENT TO AVOID ATTACK": "presence_verbal",
    "SPECIALIZED UNITS": "presence_verbal",
    "NONE": "presence_verbal",
    "HANDCUFFS / PHYSICAL RESTRAINTS": "physical",
    "TAKE DOWN": "physical",
    "ESCORT HOLDS": "physical",
    "PUSH/PHYSICAL REDIRECTION": "physical",
    "WRISTLOCK": "physical",
    "ARMBAR": "physical",
    "CLOSED HAND STRIKE / PUNCH": "physical",
    "OPEN HAND STRIKE": "physical",
    "PRESSURE SENSITIVE AREAS": "physical",
    "KNEE STRIKE": "physical",
    "KICKS": "physical",
    "ELBOW STRIKE": "physical",
    "CONTROL INSTRUMENT": "physical",
    "TASER": "conducted_energy_weapon",
    "OC/CHEMICAL WEAPON": "oc_spray",
    "OC/CHEM WPN W/AUTHORIZATION*": "oc_spray",
    "BATON / EXPANDABLE BATON": "baton",
    "IMPACT MUNITIONS (DESCIRBE)": "impact_weapon_less_lethal",
    "LESS LETHAL SHOTGUN": "impact_weapon_less_lethal",
    "SEMI-AUTO PISTOL": "firearm_discharged",
    "REVOLVER": "firearm_discharged",
    "RIFLE": "firearm_discharged",
    "OTHER": "other",
    "OTHER (DESCRIBE)": "other",
}

CHICAGO_RACE: dict[str, str] = {
    "BLACK": "black",
    "WHITE": "white",
    "HISPANIC": "latino",
    "WHITE HISPANIC": "latino",
    "BLACK HISPANIC": "latino",
    "ASIAN/PACIFIC ISLANDER": "east_southeast_asian",
    "NATIVE AMERICAN/ALASKAN NATIVE": "indigenous",
    "AMER IND/ALASKAN NATIVE": "indigenous",
}
#: Race values meaning "not recorded": NULL, the row is kept.
CHICAGO_RACE_ABSENT = ("UNKNOWN",)

CHICAGO_GENDER = {"MALE": "male", "FEMALE": "female"}

#: Age groups used by the canonical tables (the demo city's and ARDS reports').
AGE_GROUPS = ((0, 11, "under_12"), (12, 17, "12-17"), (18, 24, "18-24"), (25, 34, "25-34"),
              (35, 44, "35-44"), (45, 54, "45-54"), (55, 64, "55-64"), (65, 130, "65+"))

_SUBJECT_COLUMNS = ("gender", "race", "birth_year", "injured", "armed")
_SIBLINGS = {"subjects": "TRR-subjects", "actions": "TRR-actions-responses"}


def age_group(ages: pd.Series) -> pd.Series:
    """Ages in years → the canonical age groups (NULL when unknown or implausible)."""
    result = pd.Series(None, index=ages.index, dtype=object)
    for low, high, label in AGE_GROUPS:
        result = result.mask((ages >= low) & (ages <= high), label)
    return result


def highest_force(types: pd.Series, groups: pd.Series) -> pd.Series:
    """The most severe force type per group (``types`` on :data:`FORCE_SEVERITY`)."""
    rank = types.map({name: i for i, name in enumerate(FORCE_SEVERITY)})
    frame = pd.DataFrame({"group": groups.to_numpy(), "rank": rank.to_numpy()}).dropna()
    best = frame.groupby("group")["rank"].max().astype(int)
    return best.map(lambda i: FORCE_SEVERITY[i])


def perceived_race(rows: SourceRows, column: str, mapping: Mapping[str, str],
                   absent: tuple[str, ...] = (), *, several: str | None = None) -> pd.Series:
    """A race column through ``mapping`` (case-insensitive); ``absent`` values and blanks
    become NULL; values matching the regular expression ``several`` (a list of groups)
    become ``multiple``; any other value not in the map rejects the row, quoting it."""
    text = rows.text(column)
    lookup = {key.strip().lower(): value for key, value in mapping.items()}
    lowered = text.str.lower()
    missing = lowered.isin([a.lower() for a in absent]).fillna(False).astype(bool)
    mapped = lowered.map(lookup).astype(object)
    if several is not None:
        listed = text.str.contains(several, regex=True).fillna(False).astype(bool) & mapped.isna()
        mapped = mapped.mask(listed, "multiple")
    unknown = text.notna() & ~missing & mapped.isna()
    if unknown.any():
        rows.flag(unknown, column, "unknown race value " + text[unknown].map(repr)
                  + f" in {column} (not in the value map)")
    return mapped.where(~missing & mapped.notna(), None).rename(column)


def _sibling(path: Path, kind: str) -> Path:
    name = path.name
    if "TRR-main" not in name:
        raise IngestError(path, "the chicago-trr adapter loads the TRR-main file (its subjects "
                          "and actions files are read from the same folder)")
    sibling = path.with_name(name.replace("TRR-main", _SIBLINGS[kind], 1))
    if not sibling.is_file():
        raise IngestError(path, f"the {kind} file {sibling.name} is missing from {path.parent}: "
                          "TRR reports are loaded with their subjects and actions")
    return sibling


def _read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    check_readable_file(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise IngestError(path, f"is not a readable CSV file ({exc})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise IngestError(path, f"missing required column(s) {', '.join(missing)}")
    return frame


class ChicagoTrrAdapter(Adapter):
    """Chicago PD Tactical Response Reports (TRR-main with its subjects and actions files)."""

    source = "chicago_trr"
    targets = ("use_of_force", "use_of_force_subjects")
    required_columns = ("trr_id", "trr_date", "beat")
    sequenced_ids: Mapping[str, str] = {"use_of_force": "report_id",
                                        "use_of_force_subjects": "report_id"}

    def read(self, path: Path) -> Source:
        subjects_path, actions_path = _sibling(path, "subjects"), _sibling(path, "actions")
        main = _read_csv(path, ["row_id", "trr_id", "trr_date", "beat"])
        subjects = _read_csv(subjects_path, ["row_id", "trr_id", *_SUBJECT_COLUMNS])
        actions = _read_csv(actions_path, ["row_id", "person", "action"])
        members = actions.loc[(actions["person"].str.strip().str.lower() == "member action")
                              & (actions["action"].str.strip() != "")]
        force = highest_force(members["action"].str.strip().map(CHICAGO_FORCE).fillna("other"),
                              members["row_id"])
        frame = main[["row_id", "trr_id", "trr_status", "trr_date", "beat"]].merge(
            subjects[["row_id", *_SUBJECT_COLUMNS]], on="row_id", how="left",
            validate="one_to_one")
        frame["highest_force"] = frame["row_id"].map(force).fillna("presence_verbal")
        frame = frame.astype("string[pyarrow]")
        return FrameSource(path=path, sha256=file_sha256(path), frame=frame,
                           positions=list(range(2, len(frame) + 2)))

    def map_rows(self, rows: SourceRows) -> Mapped:
        occurred = rows.timestamp("trr_date", ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"])
        beat = rows.number("beat")
        district = (beat // 100).astype("Int64").astype("string[pyarrow]").rename("beat")
        report_id = rows.text("trr_id")
        force = rows.text("highest_force")
        birth_year = rows.number("birth_year")
        age = occurred.dt.year - birth_year
        age = age.where((age >= 0) & (age < 110))
        return {
            "use_of_force": {
                "report_id": report_id,
                "occurred_at": occurred,
                "highest_force": force,
                "subject_count": 1,
                "division": district.mask(district == "0"),
            },
            "use_of_force_subjects": {
                "report_id": report_id,
                "subject_number": 1,
                "perceived_race": perceived_race(rows, "race", CHICAGO_RACE,
                                                 CHICAGO_RACE_ABSENT),
                "gender": rows.category("gender", CHICAGO_GENDER, unmapped="other"),
                "age_group": age_group(age).rename("birth_year"),
                "force_type": force,
                "subject_injured": rows.boolean("injured"),
                "weapon_perceived": rows.boolean("armed"),
            },
        }


register("chicago-trr", ChicagoTrrAdapter)

