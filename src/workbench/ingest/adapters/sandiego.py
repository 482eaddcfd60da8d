"""San Diego Police Department calls for service (City of San Diego open data,
``pd_calls_for_service_<year>_datasd.csv``: one row per CAD incident)::

    workbench ingest --adapter sandiego-calls pd_calls_for_service_2023_datasd.csv

Load the calls file; when the portal's call-type lookup ``pd_cfs_calltypes_datasd.csv`` lies
in the same folder, codes without a canonical name are named from its descriptions.

Mapping choices (see ``docs/ingest.md``):

- ``call_id``: ``incident_num``; ``received_at``: ``date_time`` (local time; the export has
  this one timestamp only, so ``dispatched_at``, ``arrived_at`` and ``cleared_at`` stay NULL
  and response times cannot be computed from it).
- ``priority``: SDPD's 0 (emergency) to 4 become the canonical 1 to 5 (0 → 1, …, 4 → 5);
  SDPD's 9 (reports taken without dispatch, e.g. by telephone) is the lowest, 5. Other values
  reject the row.
- ``call_type``: the canonical name where SDPD's code has one (:data:`SANDIEGO_CALL_TYPES`:
  ``5150`` → ``mental_health``, ``CW`` → ``wellness_check``, ``1140OD`` → ``overdose``,
  ``415N`` → ``noise``…); any other code is named from the lookup's description in lower
  snake case (``586`` ILLEGAL PARKING → ``illegal_parking``), or, without the lookup, is the
  code itself in lower case. A blank call type is NULL (the row is kept).
- ``disposition``: SDPD's codes through :data:`SANDIEGO_DISPOSITIONS` (``A`` → ``arrest``,
  ``K`` → ``no_action_required``, ``W`` → ``not_dispatched``…); unknown codes are kept in
  lower case.
- ``neighbourhood_id``: the beat (SDPD's 125 neighbourhood beats); ``division``: the patrol
  division its first digit names (1 Northern … 9 Northwestern). Beat ``-1`` (no location) →
  both NULL.
- ``location_key``: an opaque hash of the block address and cross street (for repeat-call
  analysis); the address itself is not loaded.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from workbench.errors import IngestError
from workbench.ingest.base import Adapter, Mapped, SourceRows, map_distinct
from workbench.ingest.reading import Source
from workbench.ingest.registry import register

SANDIEGO_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %H:%M:%S",
                         "%m/%d/%Y %H:%M")

#: The call-type lookup the portal publishes beside the calls.
CALL_TYPES_FILE = "pd_cfs_calltypes_datasd.csv"

#: SDPD priority → canonical priority (1 emergency … 5 lowest).
SANDIEGO_PRIORITIES = {0: 1, 1: 2, 2: 3, 3: 4, 4: 5, 9: 5}

#: SDPD patrol divisions by the first digit of the beat.
SANDIEGO_DIVISIONS = {
    "1": "Northern", "2": "Northeastern", "3": "Eastern", "4": "Southeastern", "5": "Central",
    "6": "Western", "7": "Southern", "8": "Mid-City", "9": "Northwestern",
}

#: SDPD call-type codes with a canonical name (the demo city's vocabulary); the others are
#: named from the portal's description.
SANDIEGO_CALL_TYPES = {
    "5150": "mental_health", "5150V": "mental_health",
    "CW": "wellness_check",
    "1140OD": "overdose",
    "415N": "noise", "415CN": "noise", "415N-CR": "noise", "PARTY": "noise", "PARTY-CR": "noise",
    "415": "disturbance", "415V": "disturbance", "415W": "disturbance", "415PP": "disturbance",
    "415DV": "domestic_dispute", "245DV": "domestic_dispute",
    "242": "assault", "242R": "assault", "245": "assault", "245R": "assault",
    "245-SUSP": "assault", "245-CR": "assault",
    "459": "break_and_enter", "459R": "break_and_enter", "459HP": "break_and_enter",
    "459-SUSP": "break_and_enter",
    "459A": "alarm", "211A": "alarm", "10852A": "alarm", "VARDA": "alarm",
    "211": "robbery", "211R": "robbery", "211-SUSP": "robbery", "215": "robbery",
    "215R": "robbery",
    "11-6": "shots_fired", "11-6SPT": "shots_fired", "246": "shots_fired",
    "246R": "shots_fired", "247": "shots_fired",
    "417": "weapons", "417R": "weapons", "CCW": "weapons",
    "1180": "motor_vehicle_collision", "1181": "motor_vehicle_collision",
    "1181R": "motor_vehicle_collision", "1182": "motor_vehicle_collision",
    "1183": "motor_vehicle_collision", "20001": "motor_vehicle_collision",
    "20002": "motor_vehicle_collision", "20002R": "motor_vehicle_collision",
    "T": "traffic", "1149": "traffic", "1150": "traffic", "MPSSTP": "traffic",
    "SELENF": "traffic", "23103": "traffic", "23152": "traffic",
    "11-7": "suspicious_person", "1151": "suspicious_person",
    "487": "theft_report", "487R": "theft_report", "488": "theft_report",
    "488R": "theft_report", "10851": "theft_report", "10851R": "theft_report",
    "594": "mischief", "594R": "mischief", "594GR": "mischief", "TAGGER": "mischief",
    "530": "fraud", "470": "fraud", "470R": "fraud", "532": "fraud",
    "MP": "missing_person", "MJ": "missing_person", "MS": "missing_person",
    "AU-MP": "missing_person",
    "911": "unknown_trouble_911", "911P": "unknown_trouble_911",
    "MUTAID": "assist_other_agency",
}

#: SDPD disposition codes → the canonical wording of outcomes.
SANDIEGO_DISPOSITIONS = {
    "A": "arrest", "AB": "arrest", "AHR": "arrest",
    "R": "report_taken", "RB": "report_taken", "RHR": "report_taken",
    "K": "no_action_required", "KB": "no_action_required", "KHR": "no_action_required",
    "U": "unfounded",
    "O": "other", "OHR": "other",
    "S": "stolen_vehicle",
    "W": "not_dispatched",
    "X": "cancelled_en_route",
    "CAN": "cancelled",
    "DUP": "duplicate", "V": "duplicate",
}

#: Address columns the opaque location key is built from.
ADDRESS_COLUMNS = ("address_number_primary", "address_dir_primary", "address_road_primary",
                   "address_sfx_primary", "address_road_intersecting")


def snake_case(text: str) -> str:
    """``'PTU (PRISONER TRANSPORT)'`` → ``'ptu_prisoner_transport'``."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def read_call_type_names(path: Path) -> dict[str, str]:
    """Code → lower-snake-case name from the portal's call-type lookup (the first description
    of a code listed twice wins)."""
    names: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = (row.get("call_type") or "").strip()
                description = (row.get("description") or "").strip()
                if code and description and code not in names:
                    names[code] = snake_case(description)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(path, f"is not a readable call-type lookup ({exc})") from None
    return names


class SanDiegoCallsAdapter(Adapter):
    """San Diego PD calls for service (City of San Diego open data), one row per CAD incident."""

    source = "sandiego_calls"
    targets = ("calls_for_service",)
    required_columns = ("incident_num", "date_time", "call_type", "priority", "beat")

    def __init__(self) -> None:
        self._described: dict[str, str] = {}

    def read(self, path: Path) -> Source:
        lookup = path.with_name(CALL_TYPES_FILE)
        self._described = read_call_type_names(lookup) if lookup.is_file() else {}
        return super().read(path)

    def map_rows(self, rows: SourceRows) -> Mapped:
        beat = rows.code("beat", absent=("-1", "0"))
        division = beat.str.slice(0, 1).map(SANDIEGO_DIVISIONS)
        values = {
            "call_id": rows.text("incident_num"),
            "received_at": rows.timestamp("date_time", SANDIEGO_DATE_FORMATS),
            "priority": self._priority(rows),
            "call_type": self._call_type(rows),
            "neighbourhood_id": beat,
            "division": division.astype(object).where(division.notna(), None),
            "location_key": self._location_key(rows),
        }
        if rows.has("disposition"):
            disposition = rows.text("disposition")
            values["disposition"] = map_distinct(
                disposition, lambda code: SANDIEGO_DISPOSITIONS.get(code.upper(), code.lower()))
        return {"calls_for_service": values}

    @staticmethod
    def _priority(rows: SourceRows) -> pd.Series:
        priority = rows.integer("priority", minimum=0, maximum=9)
        mapped = priority.map(SANDIEGO_PRIORITIES, na_action="ignore")
        unknown = priority.notna() & mapped.isna()
        if unknown.any():
            rows.flag(unknown, "priority", "unknown priority " + rows.text("priority")[unknown]
                      .map(repr) + " in priority (SDPD uses 0–4 and 9)")
        return mapped.astype("Int64").rename("priority")

    def _call_type(self, rows: SourceRows) -> pd.Series:
        described = self._described

        def name(code: str) -> str:
            upper = code.upper()
            return SANDIEGO_CALL_TYPES.get(upper) or described.get(code) or \
                described.get(upper) or snake_case(code) or code.lower()

        return map_distinct(rows.text("call_type"), name).rename("call_type")

    @staticmethod
    def _location_key(rows: SourceRows) -> pd.Series:
        columns = [c for c in ADDRESS_COLUMNS if rows.has(c)]
        key = rows.content_id(columns, prefix="sd-")
        if rows.has("address_road_primary"):
            key = key.mask(rows.text("address_road_primary").isna().to_numpy())
        return key


register("sandiego-calls", SanDiegoCallsAdapter)
