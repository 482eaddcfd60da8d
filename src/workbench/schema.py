"""The canonical schema: every table an analysis may rely on.

This module is the single owner of table and column names. ``docs/data-model.md`` is generated
from it (``python -m workbench.schema > docs/data-model.md``) and a test checks the two agree.

Conventions
-----------
- Names are lower snake case; times are ``timestamp`` (local time of the service, no zone);
  categories are lower snake case strings from a documented vocabulary.
- Every event table carries ``source`` (the adapter or generator that produced the row) and an
  id that is unique within its source; the pair ``(source, <id>)`` is the natural key used to
  refuse duplicates on re-ingest.
- ``neighbourhood_id`` is NULL when the source has no usable location (never a fake code).
  ``neighbourhood_scheme`` names the set of boundaries an id belongs to when a warehouse holds
  more than one (a city's 140- and 158-neighbourhood schemes share ids such as ``023``): rows of
  events, boundaries and populations join on ``(neighbourhood_scheme, neighbourhood_id)``, and
  NULL is the single scheme of a warehouse that holds one.
- No table holds names, addresses or dates of birth. Officers are known by an opaque
  ``officer_id``; subjects of use of force and enforcement actions by a per-report sequence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import ibis
import ibis.expr.schema as sch

# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------

OFFENCE_CATEGORIES: dict[str, str] = {
    "homicide": "Murder, manslaughter, infanticide",
    "shooting": "Shooting or firearm discharge (an incident in which a firearm was discharged)",
    "assault": "Assault, all levels, incl. assault on police",
    "sexual_assault": "Sexual assault, all levels",
    "robbery": "Robbery (theft with violence or threat), incl. carjacking",
    "break_and_enter": "Break and enter: residential, commercial, other",
    "auto_theft": "Theft of motor vehicle",
    "theft_over": "Theft over $5,000 (not motor vehicle)",
    "theft_under": "Theft $5,000 or under, incl. shoplifting and theft from vehicle",
    "fraud": "Fraud, identity theft",
    "mischief": "Mischief, property damage, arson",
    "hate_crime": "Criminal offence motivated by hate or bias (the motivation is the category)",
    "weapons": "Weapons offences other than discharge",
    "drugs": "Drug offences",
    "impaired_driving": "Impaired or dangerous operation of a vehicle",
    "criminal_harassment": "Criminal harassment, threats, indecent/harassing communications",
    "disturbance": "Disturbing the peace, causing a disturbance",
    "administration_of_justice": "Breach of conditions, failure to appear",
    "other_criminal_code": "Other Criminal Code offences",
    "other": "Anything a source could not map more precisely",
}

CLEARANCE_STATUSES = (
    "open", "charged", "cleared_otherwise", "youth_diversion", "youth_referral", "unfounded",
)

LOCATION_TYPES = (
    "residence", "apartment", "commercial", "educational", "outside", "transit", "other",
)

COLLISION_SEVERITIES = ("fatal", "serious_injury", "minor_injury", "property_damage")
ROAD_USERS = ("pedestrian", "cyclist", "motorcyclist", "driver", "passenger")

ABSENCE_CODES = {
    "sick": "Own illness",
    "injury": "Injured on duty (WSIB)",
    "vacation": "Vacation / annual leave",
    "training": "Training away from post",
    "court": "Court attendance during a scheduled shift",
    "family": "Family or bereavement leave",
    "other": "Other approved absence",
}

# Ontario Anti-Racism Data Standards perceived-race categories.
RACE_GROUPS = (
    "black", "east_southeast_asian", "indigenous", "latino", "middle_eastern",
    "south_asian", "white", "other",
)

AUDIENCES = ("public", "internal", "restricted")


# --------------------------------------------------------------------------------------------
# Table definitions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    dtype: str
    description: str
    nullable: bool = True
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, its natural key, and who may see its rows."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    person_level: bool = False  # rows describe identifiable people: restricted outputs only
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ibis_schema(self) -> sch.Schema:
        """The Ibis schema, with NOT NULL for non-nullable columns."""
        return ibis.schema(
            {c.name: ibis.dtype(c.dtype).copy(nullable=c.nullable) for c in self.columns}
        )

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name} has no column {name!r}")


def _c(name: str, dtype: str, description: str, nullable: bool = True,
       vocabulary: Iterable[str] = ()) -> Column:
    return Column(name, dtype, description, nullable, tuple(vocabulary))


_LOCATION = (
    _c("division", "string", "Police division (patrol district) the location falls in"),
    _c("neighbourhood_id", "string", "Neighbourhood id; NULL when the source has no location"),
    _c("neighbourhood_scheme", "string", "Neighbourhood scheme the id belongs to (e.g. "
       "`toronto_158`, `toronto_140`); NULL = the warehouse's one scheme. Neighbourhood ids "
       "join only within a scheme"),
    _c("latitude", "float64", "WGS84 latitude; NULL when unknown or withheld at source"),
    _c("longitude", "float64", "WGS84 longitude; NULL when unknown or withheld at source"),
)

_SCHEME = _c("neighbourhood_scheme", "string", "Neighbourhood scheme the id belongs to (e.g. "
       "`toronto_158`, `toronto_140`); NULL = the warehouse's one scheme. Neighbourhood ids "
       "join only within a scheme")

_SOURCE = _c("source", "string", "Adapter or generator that produced the row", nullable=False)

TABLES: dict[str, Table] = {}


def _register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


INCIDENTS = _register(Table(
    "incidents",
    "Criminal incidents (one row per incident and offence category), counted by occurrence date.",
    (
        _c("incident_id", "string", "Id unique within the source", nullable=False),
        _SOURCE,
        _c("occurred_at", "timestamp", "When the offence occurred (start of window)", nullable=False),
        _c("reported_at", "timestamp", "When it was reported to police; report lag = reported - occurred"),
        _c("offence_category", "string", "Offence category", nullable=False,
           vocabulary=OFFENCE_CATEGORIES),
        _c("offence_code", "string", "Offence code, joins offence_codes.offence_code"),
        *_LOCATION,
        _c("offence_description", "string", "The source's own offence wording, kept for reference"),
        _c("location_type", "string", "Premises type", vocabulary=LOCATION_TYPES),
        _c("domestic", "boolean", "Intimate-partner or family violence"),
        _c("clearance", "string", "Clearance status", vocabulary=CLEARANCE_STATUSES),
    ),
    key=("source", "incident_id"),
))

CALLS_FOR_SERVICE = _register(Table(
    "calls_for_service",
    "Calls for service from CAD, with the four response timestamps.",
    (
        _c("call_id", "string", "Id unique within the source", nullable=False),
        _SOURCE,
        _c("received_at", "timestamp", "Call received (answered) time", nullable=False),
        _c("dispatched_at", "timestamp", "First unit dispatched; NULL if none was"),
        _c("arrived_at", "timestamp", "First unit on scene; NULL if none arrived"),
        _c("cleared_at", "timestamp", "Last unit cleared"),
        _c("priority", "int64", "Priority, 1 (emergency) to 5 (lowest)"),
        _c("call_type", "string", "Call type, lower snake case (e.g. mental_health, break_and_enter)"),
        _c("disposition", "string", "Disposition / outcome code"),
        *_LOCATION,
        _c("location_key", "string", "Opaque id of the address or block, for repeat-call analysis"),
        _c("unit_id", "string", "Unit of the primary responding officer"),
        _c("officer_id", "string", "Primary responding officer (opaque id)"),
    ),
    key=("source", "call_id"),
    person_level=True,
))

COLLISIONS = _register(Table(
    "collisions",
    "Traffic collisions, one row per collision and road user involved.",
    (
        _c("collision_id", "string", "Id unique within the source, with the road user", nullable=False),
        _SOURCE,
        _c("occurred_at", "timestamp", "When the collision occurred", nullable=False),
        _c("severity", "string", "Worst injury to this road user", nullable=False,
           vocabulary=COLLISION_SEVERITIES),
        _c("road_user", "string", "Road user", vocabulary=ROAD_USERS),
        _c("killed", "int64", "Number killed", nullable=False),
        _c("seriously_injured", "int64", "Number seriously injured", nullable=False),
        _c("location_name", "string", "Intersection or road segment (never a civic address)"),
        *_LOCATION,
        _c("officer_id", "string", "Officer driving, when a police vehicle was involved"),
    ),
    key=("source", "collision_id"),
))

USE_OF_FORCE = _register(Table(
    "use_of_force",
    "Use-of-force reports (Ontario Use of Force Report, or the source's equivalent).",
    (
        _c("report_id", "string", "Id unique within the source", nullable=False),
        _SOURCE,
        _c("occurred_at", "timestamp", "When force was used", nullable=False),
        _c("incident_type", "string", "What police were doing (arrest, mental_health, ...)"),
        _c("highest_force", "string", "Highest level of force in the report "
           "(firearm_pointed, firearm_discharged, conducted_energy_weapon, physical, baton, ...)"),
        _c("subject_count", "int64", "Number of subjects in the report"),
        *_LOCATION,
        _c("unit_id", "string", "Unit of the reporting officer"),
        _c("officer_id", "string", "Reporting officer (opaque id); never joined to race data"),
    ),
    key=("source", "report_id"),
    person_level=True,
))

USE_OF_FORCE_SUBJECTS = _register(Table(
    "use_of_force_subjects",
    "People force was used on: one row per subject per report. Multiple-race subjects have "
    "race_group 'multiple' and their groups listed in race_groups.",
    (
        _c("report_id", "string", "Report id", nullable=False),
        _SOURCE,
        _c("subject_number", "int64", "1, 2, ... within the report", nullable=False),
        _c("perceived_race", "string", "Officer-perceived race (ARDS categories, 'multiple' or NULL)",
           vocabulary=(*RACE_GROUPS, "multiple")),
        _c("race_groups", "string", "All perceived groups, ' | '-separated, when more than one"),
        _c("gender", "string", "Perceived gender"),
        _c("age_group", "string", "Age group (e.g. 18-24)"),
        _c("force_type", "string", "Highest force used on this subject"),
        _c("subject_injured", "boolean", "Subject injured"),
        _c("weapon_perceived", "boolean", "Officer perceived the subject to carry a weapon"),
    ),
    key=("source", "report_id", "subject_number"),
    person_level=True,
))

ENFORCEMENT_ACTIONS = _register(Table(
    "enforcement_actions",
    "Enforcement actions (arrests, charges, tickets) with perceived race: the ARDS second stage.",
    (
        _c("action_id", "string", "Id unique within the source", nullable=False),
        _SOURCE,
        _c("occurred_at", "timestamp", "When", nullable=False),
        _c("action_type", "string", "arrest, charge, summons, ticket, ..."),
        _c("perceived_race", "string", "Officer-perceived race", vocabulary=(*RACE_GROUPS, "multiple")),
        _c("gender", "string", "Perceived gender"),
        _c("age_group", "string", "Age group"),
        _c("strip_search", "boolean", "A strip search was conducted"),
        _c("use_of_force", "boolean", "Force was used in the event"),
        *_LOCATION,
    ),
    key=("source", "action_id"),
    person_level=True,
))

UNITS = _register(Table(
    "units",
    "Organisational units (platoons, squads, sections) and their minimum staffing.",
    (
        _c("unit_id", "string", "Unit id", nullable=False),
        _c("unit_name", "string", "Unit name"),
        _c("division", "string", "Division the unit belongs to (NULL for service-wide units)"),
        _c("unit_type", "string", "patrol, investigative, traffic, community, support"),
        _c("minimum_staffing", "int64", "Minimum officers on duty per shift (patrol units)"),
        _c("cost_centre", "string", "Finance cost centre"),
    ),
    key=("unit_id",),
))

PERSONNEL = _register(Table(
    "personnel",
    "Sworn and civilian members, by opaque id. No names or dates of birth.",
    (
        _c("officer_id", "string", "Opaque member id", nullable=False),
        _c("unit_id", "string", "Current unit"),
        _c("division", "string", "Division of the unit"),
        _c("rank", "string", "constable, sergeant, staff_sergeant, inspector, ..., civilian"),
        _c("sworn", "boolean", "Sworn officer"),
        _c("hired_on", "date", "Start date"),
        _c("left_on", "date", "End date, NULL while employed"),
        _c("shift_pattern", "string", "Platoon / schedule code"),
    ),
    key=("officer_id",),
    person_level=True,
))

SHIFTS = _register(Table(
    "shifts",
    "One row per member per scheduled shift: hours scheduled and worked, absence and overtime.",
    (
        _c("officer_id", "string", "Member", nullable=False),
        _c("shift_date", "date", "Date the shift starts", nullable=False),
        _c("unit_id", "string", "Unit worked for"),
        _c("shift_start", "timestamp", "Scheduled start"),
        _c("scheduled_hours", "float64", "Scheduled hours", nullable=False),
        _c("worked_hours", "float64", "Hours actually worked (0 on a full-day absence)", nullable=False),
        _c("absence_code", "string", "NULL when present", vocabulary=ABSENCE_CODES),
        _c("absence_hours", "float64", "Hours of the shift lost to the absence"),
        _c("overtime_hours", "float64", "Overtime hours on this date"),
        _c("overtime_reason", "string", "backfill, court, investigation, event, other"),
        _c("overtime_cost", "float64", "Overtime cost in dollars"),
    ),
    key=("officer_id", "shift_date"),
    person_level=True,
))

COMPLAINTS = _register(Table(
    "complaints",
    "Public complaints about officers (for early-intervention views; restricted).",
    (
        _c("complaint_id", "string", "Id", nullable=False),
        _SOURCE,
        _c("received_at", "timestamp", "When received", nullable=False),
        _c("officer_id", "string", "Officer complained about"),
        _c("complaint_type", "string", "conduct, service, policy"),
        _c("outcome", "string", "substantiated, unsubstantiated, withdrawn, open, ..."),
    ),
    key=("source", "complaint_id"),
    person_level=True,
))

COMPLAINT_COUNTS = _register(Table(
    "complaint_counts",
    "Public complaints counted by year, how they were handled and their type, as services "
    "publish them in annual statistical reports (aggregates, no officer).",
    (
        _c("year", "int64", "Year the complaints were received", nullable=False),
        _c("handling", "string", "investigated, not_investigated, ...", nullable=False),
        _c("complaint_type", "string", "conduct_serious, conduct_less_serious, service, policy, "
           "or the reason a complaint was not investigated (frivolous, withdrawn, ...)",
           nullable=False),
        _c("complaints", "int64", "Number of complaints", nullable=False),
        _SOURCE,
    ),
    key=("source", "year", "handling", "complaint_type"),
))

FINANCE = _register(Table(
    "finance",
    "Budget and actual by cost centre, account and month.",
    (
        _c("cost_centre", "string", "Cost centre id", nullable=False),
        _c("cost_centre_name", "string", "Cost centre name"),
        _c("account", "string", "salaries, overtime, benefits, premises, fleet, equipment, "
           "contracts, other, revenue; total when a source publishes one amount per cost "
           "centre", nullable=False),
        _c("month", "date", "First day of the month", nullable=False),
        _c("budget", "float64", "Budget for the month"),
        _c("actual", "float64", "Actual spend (NULL for months not yet closed)"),
        _SOURCE,
    ),
    key=("source", "cost_centre", "account", "month"),
))

STAFFING = _register(Table(
    "staffing",
    "Approved vs actual staffing (FTE) by command or unit and year.",
    (
        _c("year", "int64", "Year", nullable=False),
        _c("command", "string", "Command, bureau or unit", nullable=False),
        _c("category", "string", "sworn, civilian, ...", nullable=False),
        _c("approved", "float64", "Approved (budgeted) strength"),
        _c("actual", "float64", "Actual strength"),
        _SOURCE,
    ),
    key=("source", "year", "command", "category"),
))

NEIGHBOURHOODS = _register(Table(
    "neighbourhoods",
    "Neighbourhoods, their division and their boundary (GeoJSON polygon, WGS84). An id is unique "
    "within its neighbourhood_scheme: ingest refuses duplicates on (neighbourhood_scheme, "
    "neighbourhood_id), so a city's old and new schemes can share ids.",
    (
        _c("neighbourhood_id", "string", "Neighbourhood id", nullable=False),
        _SCHEME,
        _c("name", "string", "Neighbourhood name"),
        _c("division", "string", "Division"),
        _c("area_km2", "float64", "Area in km²"),
        _c("boundary_geojson", "string", "GeoJSON geometry (Polygon or MultiPolygon)"),
        _SOURCE,
    ),
    key=("neighbourhood_id",),
))

DIVISIONS = _register(Table(
    "divisions",
    "Police divisions and their boundary.",
    (
        _c("division", "string", "Division id", nullable=False),
        _c("name", "string", "Division name"),
        _c("boundary_geojson", "string", "GeoJSON geometry (Polygon or MultiPolygon)"),
        _SOURCE,
    ),
    key=("division",),
))

POPULATION = _register(Table(
    "population",
    "Resident population by neighbourhood and year (denominators for rates); unique per "
    "(neighbourhood_scheme, neighbourhood_id, year).",
    (
        _c("neighbourhood_id", "string", "Neighbourhood id", nullable=False),
        _SCHEME,
        _c("year", "int64", "Year", nullable=False),
        _c("population", "int64", "Residents", nullable=False),
        _SOURCE,
    ),
    key=("neighbourhood_id", "year"),
))

POPULATION_BY_RACE = _register(Table(
    "population_by_race",
    "Resident population by neighbourhood, year and race group (ARDS benchmarks); unique per "
    "(neighbourhood_scheme, neighbourhood_id, year, race_group).",
    (
        _c("neighbourhood_id", "string", "Neighbourhood id", nullable=False),
        _SCHEME,
        _c("year", "int64", "Census year", nullable=False),
        _c("race_group", "string", "Race group", nullable=False, vocabulary=RACE_GROUPS),
        _c("population", "int64", "Residents", nullable=False),
        _SOURCE,
    ),
    key=("neighbourhood_id", "year", "race_group"),
))

OFFENCE_CODES = _register(Table(
    "offence_codes",
    "Offence codes with category, UCR code, violent flag and Crime Severity Index weight, loaded "
    "from the versioned file src/workbench/data/offence_codes.csv.",
    (
        _c("offence_code", "string", "Offence code", nullable=False),
        _c("description", "string", "Offence"),
        _c("offence_category", "string", "Category", nullable=False, vocabulary=OFFENCE_CATEGORIES),
        _c("ucr_code", "string", "Statistics Canada UCR2 code"),
        _c("violent", "boolean", "Violent violation (counts in the violent CSI)", nullable=False),
        _c("csi_weight", "float64", "CSI weight: incarceration rate x mean sentence (days)"),
        _c("weights_version", "string", "Version of the weights file", nullable=False),
    ),
    key=("offence_code",),
))

QUARANTINE = _register(Table(
    "quarantine",
    "Rows rejected at ingest, with the reason and where they came from. Nothing is dropped silently.",
    (
        _c("batch_id", "string", "Ingest batch", nullable=False),
        _c("adapter", "string", "Adapter name", nullable=False),
        _c("target_table", "string", "Table the row was meant for", nullable=False),
        _c("file", "string", "Source file path", nullable=False),
        _c("line_number", "int64", "Line in the file (header is line 1)", nullable=False),
        _c("column", "string", "Column at fault, when one is"),
        _c("reason", "string", "Why the row was rejected", nullable=False),
        _c("raw", "string", "The source row as JSON", nullable=False),
        _c("quarantined_at", "timestamp", "When", nullable=False),
        _c("problem", "string", "The reason without the rejected value, the same for every row "
           "rejected for the same kind of problem (group by it)"),
        _c("value", "string", "The rejected value, when one value is at fault (first 1,000 "
           "characters)"),
    ),
    key=("batch_id", "line_number"),
))

INGEST_BATCHES = _register(Table(
    "ingest_batches",
    "One row per ingest batch (file): counts and fingerprint.",
    (
        _c("batch_id", "string", "Batch id", nullable=False),
        _c("adapter", "string", "Adapter name", nullable=False),
        _c("file", "string", "Source file path", nullable=False),
        _c("file_sha256", "string", "SHA-256 of the file", nullable=False),
        _c("started_at", "timestamp", "Start", nullable=False),
        _c("finished_at", "timestamp", "End"),
        _c("rows_read", "int64", "Data rows read"),
        _c("rows_loaded", "int64", "Rows loaded"),
        _c("rows_quarantined", "int64", "Rows quarantined"),
        _c("rows_duplicate", "int64", "Rows skipped as already loaded"),
    ),
    key=("batch_id",),
))


def table(name: str) -> Table:
    """The canonical definition of table ``name``."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"no canonical table {name!r}; known: {', '.join(TABLES)}") from None


def to_markdown() -> str:
    """The data-model documentation page, generated from the definitions above."""
    lines = [
        "# Data model",
        "",
        "Generated from `src/workbench/schema.py` by `python -m workbench.schema`; "
        "a test checks this page matches. Do not edit by hand.",
        "",
        (__doc__ or "").split("Conventions\n-----------\n", 1)[-1].strip(),
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.description, ""]
        lines.append(f"Key: `({', '.join(t.key)})`" + (" · person-level: restricted outputs only"
                                                       if t.person_level else ""))
        lines += ["", "| column | type | null | description |", "|---|---|---|---|"]
        for c in t.columns:
            desc = c.description
            if c.vocabulary and len(c.vocabulary) <= 12 and not isinstance(c.vocabulary, dict):
                desc += ": " + ", ".join(f"`{v}`" for v in c.vocabulary)
            elif c.vocabulary:
                desc += " (see vocabulary below)"
            lines.append(f"| `{c.name}` | {c.dtype} | {'yes' if c.nullable else 'no'} | {desc} |")
        lines.append("")
    lines += ["## Vocabularies", "", "### offence_category", "", "| value | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in OFFENCE_CATEGORIES.items()]
    lines += ["", "### absence_code", "", "| value | meaning |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in ABSENCE_CODES.items()]
    lines += ["", "### perceived race (ARDS)", "", ", ".join(f"`{r}`" for r in RACE_GROUPS)
              + ", and `multiple` for a person perceived as more than one group.", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - exercised by the docs test
    print(to_markdown())
