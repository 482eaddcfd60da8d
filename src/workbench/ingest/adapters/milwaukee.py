"""Milwaukee Police Department dispatched calls for service (the MPD "Call Data" CAD feed:
``id, time, location, latitude, longitude, district, nature, status``; one row per call)::

    workbench ingest --adapter milwaukee-calls mpd_calls_2018-05.csv

Mapping choices (see ``docs/ingest.md``):

- ``call_id`` = ``id`` (MPD's call number); ``received_at`` = ``time``, Milwaukee local time.
  The feed has this one timestamp: dispatch, arrival and clear times stay NULL, and there is
  no priority.
- ``call_type``: the canonical name where MPD's nature has one (:data:`MILWAUKEE_CALL_TYPES`:
  ``WELFARE CITIZEN`` → ``wellness_check``, ``SHOTS FIRED``/``SHOTSPOTTER`` → ``shots_fired``,
  ``BATTERY DV`` → ``domestic_dispute`` …); any other nature in lower snake case
  (``TRBL W/SUBJ`` → ``trbl_w_subj``). Officer-initiated activity (traffic stops, business
  checks, patrol) keeps its own types, so demand figures can leave it out.
- ``disposition``: ``status`` in lower snake case, with ``Cleared by Arrest`` → ``arrest`` and
  ``To be Filed`` → ``report_taken`` (the San Diego adapter's words).
- ``division``: the police district ``1``–``7``; the feed's other codes (``CITY``, ``SPD``,
  ``OUT`` …: units and places outside the districts) → NULL, the call kept.
- Coordinates from ``latitude``/``longitude`` (geocoded by the feed's archiver); ``location_key``
  an opaque hash of ``location`` (the address itself is not loaded).
"""

from __future__ import annotations

from workbench.ingest.adapters.sandiego import snake_case
from workbench.ingest.base import Adapter, Mapped, SourceRows, map_distinct
from workbench.ingest.registry import register

MILWAUKEE_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "ISO8601", "%m/%d/%Y %I:%M:%S %p")

#: MPD natures with a canonical call type (the demo city's and San Diego's words).
MILWAUKEE_CALL_TYPES = {
    "WELFARE CITIZEN": "wellness_check", "WELFARE CHECK": "wellness_check",
    "SHOTS FIRED": "shots_fired", "SHOTSPOTTER": "shots_fired",
    "SUBJ WITH GUN": "weapons", "SUBJ WITH WEAPON": "weapons",
    "BATTERY": "assault", "BATTERY CUTTING": "assault", "BATTERY SHOOTING": "assault",
    "BATTERY DV": "domestic_dispute", "TRBL W/SUBJ-DV": "domestic_dispute",
    "FAMILY TROUBLE": "domestic_dispute",
    "ACC PDO": "motor_vehicle_collision", "ACC PI": "motor_vehicle_collision",
    "HIT AND RUN": "motor_vehicle_collision", "HIT AND RUN PI": "motor_vehicle_collision",
    "ENTRY": "break_and_enter", "ENTRY AUTOS": "theft_report", "THEFT": "theft_report",
    "STOLEN VEHICLE": "theft_report", "ROBBERY": "robbery", "ARMED ROBBERY": "robbery",
    "NOISE NUISANCE": "noise", "FIGHT": "disturbance", "TRBL W/SUBJ": "disturbance",
    "PROPERTY DAMAGE": "mischief", "SUSP PERS/AUTO": "suspicious_person",
    "MENTAL OBSERVATION": "mental_health", "EMERGENCY DETENTION": "mental_health",
    "MISSING PERSON": "missing_person", "MISSING JUVENILE": "missing_person",
    "TRAFFIC STOP": "traffic", "TS TARGETED": "traffic", "TRAFFIC HAZARD": "traffic",
}

#: MPD statuses with the San Diego adapter's outcome words; others in snake case.
MILWAUKEE_DISPOSITIONS = {"cleared by arrest": "arrest", "to be filed": "report_taken",
                          "false alarm": "unfounded"}

#: The seven police districts.
MILWAUKEE_DISTRICTS = tuple(str(n) for n in range(1, 8))


class MilwaukeeCallsAdapter(Adapter):
    """Milwaukee PD dispatched calls for service (MPD Call Data feed), one row per call."""

    source = "milwaukee_calls"
    targets = ("calls_for_service",)
    required_columns = ("id", "time", "nature", "district")

    def map_rows(self, rows: SourceRows) -> Mapped:
        district = rows.code("district")
        values: dict[str, object] = {
            "call_id": rows.text("id"),
            "received_at": rows.timestamp("time", MILWAUKEE_DATE_FORMATS),
            "call_type": map_distinct(rows.text("nature"), _call_type).rename("nature"),
            "division": district.where(district.isin(MILWAUKEE_DISTRICTS)),
        }
        if rows.has("status"):
            values["disposition"] = map_distinct(rows.text("status"), _disposition) \
                .rename("status")
        if rows.has("latitude") and rows.has("longitude"):
            values["latitude"], values["longitude"] = rows.coordinates("latitude", "longitude")
        if rows.has("location"):
            key = rows.content_id(["location"], prefix="mke-")
            values["location_key"] = key.mask(rows.text("location").isna().to_numpy())
        return {"calls_for_service": values}


def _call_type(nature: str) -> str:
    return MILWAUKEE_CALL_TYPES.get(nature.upper().strip()) or snake_case(nature) or nature


def _disposition(status: str) -> str:
    return MILWAUKEE_DISPOSITIONS.get(status.lower().strip()) or snake_case(status) or status


register("milwaukee-calls", MilwaukeeCallsAdapter)
