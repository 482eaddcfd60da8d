"""The default demo city (scale 1, seed 42): volumes, realistic structure, referential integrity
and geometry, measured from the warehouse."""

from __future__ import annotations

import datetime as dt
import json

import ibis
import numpy as np
import pandas as pd
import pytest

from workbench import schema

EVENT_TABLES = (
    "incidents",
    "calls_for_service",
    "collisions",
    "use_of_force",
    "enforcement_actions",
)


def _last_full_year(end: dt.date) -> tuple[dt.date, dt.date]:
    """The 365 days ending a year before ``end``: complete, and old enough to be fully reported."""
    last = end - dt.timedelta(days=365)
    return last - dt.timedelta(days=364), last


def _count_between(
    table: ibis.Table, column: str, first: dt.date, last: dt.date, *predicates
) -> int:
    day = table[column].date()
    return int(table.filter(day.between(first, last), *predicates).count().execute())


# --------------------------------------------------------------------------------------------
# Volumes
# --------------------------------------------------------------------------------------------


def test_every_canonical_table_exists_and_the_demo_tables_have_rows(demo_warehouse):
    present = set(demo_warehouse.list_tables())
    assert set(schema.TABLES) <= present
    for name in schema.TABLES:
        rows = int(demo_warehouse.table(name).count().execute())
        if name in ("quarantine", "ingest_batches"):
            assert rows == 0
        else:
            assert rows > 0, name


def test_yearly_volumes_are_in_the_documented_ranges(demo_warehouse, demo_end_date):
    first, last = _last_full_year(demo_end_date)
    incidents = demo_warehouse.table("incidents")
    assert 40_000 <= _count_between(incidents, "occurred_at", first, last) <= 60_000
    by_category = (
        incidents.filter(incidents.occurred_at.date().between(first, last))
        .group_by("offence_category")
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("offence_category")["n"]
    )
    assert set(by_category.index) == set(schema.OFFENCE_CATEGORIES)
    assert set(by_category.nlargest(2).index) == {"theft_under", "assault"}
    assert 8 <= by_category["homicide"] <= 35
    assert 100 <= by_category["shooting"] <= 200
    assert 100 <= by_category["hate_crime"] <= 300

    calls = demo_warehouse.table("calls_for_service")
    assert 250_000 <= _count_between(calls, "received_at", first, last) <= 350_000
    force = demo_warehouse.table("use_of_force")
    assert 300 <= _count_between(force, "occurred_at", first, last) <= 460
    actions = demo_warehouse.table("enforcement_actions")
    assert 10_000 <= _count_between(actions, "occurred_at", first, last) <= 60_000
    complaints = demo_warehouse.table("complaints")
    assert 100 <= _count_between(complaints, "received_at", first, last) <= 220
    collisions = demo_warehouse.table("collisions")
    year = collisions.filter(collisions.occurred_at.date().between(first, last))
    totals = (
        year.aggregate(killed=year.killed.sum(), serious=year.seriously_injured.sum())
        .execute()
        .iloc[0]
    )
    assert 10 <= totals.killed <= 60
    assert 150 <= totals.serious <= 500


def test_the_city_has_a_million_residents_growing_about_one_percent(demo_warehouse, demo_end_date):
    population = demo_warehouse.table("population")
    by_year = (
        population.group_by("year")
        .aggregate(total=population.population.sum())
        .execute()
        .set_index("year")["total"]
        .sort_index()
    )
    assert by_year.index.max() == demo_end_date.year
    assert by_year.iloc[-1] == pytest.approx(1_000_000, rel=0.02)
    growth = by_year.pct_change().dropna()
    assert ((growth > 0.005) & (growth < 0.02)).all()
    neighbourhoods = demo_warehouse.table("neighbourhoods").execute()
    assert len(neighbourhoods) == 100
    assert neighbourhoods.division.nunique() == 7


def test_population_by_race_adds_up_to_the_census_year_population(demo_warehouse):
    by_race = demo_warehouse.table("population_by_race")
    census = int(by_race.year.max().execute())
    assert census % 5 == 1
    race_totals = (
        by_race.group_by("neighbourhood_id")
        .aggregate(n=by_race.population.sum())
        .execute()
        .set_index("neighbourhood_id")["n"]
    )
    population = demo_warehouse.table("population")
    census_population = (
        population.filter(population.year == census)
        .execute()
        .set_index("neighbourhood_id")["population"]
    )
    pd.testing.assert_series_equal(
        race_totals.sort_index(), census_population.sort_index(), check_names=False
    )
    groups = set(by_race.race_group.execute())
    assert groups == set(schema.RACE_GROUPS)
    shares = (
        by_race.group_by("neighbourhood_id")
        .aggregate(
            black=(by_race.population * (by_race.race_group == "black").cast("int64")).sum()
            / by_race.population.sum()
        )
        .execute()["black"]
    )
    assert shares.max() > 1.5 * shares.min()  # composition varies by neighbourhood


def test_workforce_has_about_1500_sworn_officers_in_units(demo_warehouse, demo_end_date):
    personnel = demo_warehouse.table("personnel")
    current = personnel.filter(personnel.left_on.isnull())
    sworn = int(current.filter(current.sworn).count().execute())
    civilians = int(current.filter(~current.sworn).count().execute())
    assert 1_350 <= sworn <= 1_650
    assert 200 <= civilians <= 500
    units = demo_warehouse.table("units").execute()
    assert set(units.unit_type) == {"patrol", "investigative", "traffic", "community", "support"}
    patrol = units[units.unit_type == "patrol"]
    assert patrol.minimum_staffing.notnull().all() and len(patrol) == 28
    ranks = set(personnel.rank.execute())
    assert {"constable", "sergeant", "staff_sergeant", "inspector", "civilian"} <= ranks
    hired = personnel.hired_on.execute()
    assert (pd.to_datetime(hired) <= pd.Timestamp(demo_end_date)).all()


# --------------------------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------------------------


def test_violence_and_break_and_enter_peak_in_summer(demo_warehouse):
    incidents = demo_warehouse.table("incidents")
    month = incidents.occurred_at.month()
    counts = (
        incidents.filter(incidents.offence_category.isin(["assault", "break_and_enter"]))
        .group_by([incidents.offence_category, month.name("month")])
        .aggregate(n=lambda t: t.count())
        .execute()
        .pivot(index="month", columns="offence_category", values="n")
    )
    for category in ("assault", "break_and_enter"):
        summer = counts.loc[[7, 8], category].sum()
        winter = counts.loc[[1, 2], category].sum() * 62 / 59  # same number of days
        assert summer > 1.1 * winter, category


def test_calls_follow_the_daily_cycle(demo_warehouse):
    calls = demo_warehouse.table("calls_for_service")
    by_hour = (
        calls.group_by(calls.received_at.hour().name("hour"))
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("hour")["n"]
    )
    assert by_hour.idxmax() in range(15, 21)
    assert by_hour.idxmin() in range(2, 7)
    assert by_hour.max() > 3 * by_hour.min()
    incidents = demo_warehouse.table("incidents")
    weekday = (
        incidents.filter(incidents.offence_category == "assault")
        .group_by(incidents.occurred_at.day_of_week.index().name("weekday"))
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("weekday")["n"]
    )
    assert weekday[[5, 6]].mean() > 1.1 * weekday[[0, 1, 2]].mean()  # weekend violence


def test_response_times_by_priority(demo_warehouse):
    calls = demo_warehouse.table("calls_for_service")
    minutes = (calls.arrived_at.epoch_seconds() - calls.received_at.epoch_seconds()) / 60
    by_priority = (
        calls.filter(calls.arrived_at.notnull())
        .group_by("priority")
        .aggregate(median=minutes.median())
        .execute()
        .set_index("priority")["median"]
    )
    assert 7.5 <= by_priority[1] <= 10.5
    assert list(by_priority.sort_index()) == sorted(by_priority)  # slower as priority drops
    assert by_priority[3] > 2 * by_priority[1]
    undispatched = (
        calls.group_by("priority")
        .aggregate(share=calls.dispatched_at.isnull().cast("float64").mean())
        .execute()
        .set_index("priority")["share"]
    )
    assert undispatched[1] < 0.03 and undispatched[5] > 0.2
    order = (
        calls.filter(calls.arrived_at.notnull())
        .aggregate(
            bad=(
                (calls.dispatched_at < calls.received_at)
                | (calls.arrived_at < calls.dispatched_at)
                | (calls.cleared_at < calls.arrived_at)
            )
            .cast("int64")
            .sum()
        )
        .execute()
        .iloc[0, 0]
    )
    assert order == 0
    no_unit = (
        calls.filter(calls.dispatched_at.isnull())
        .aggregate(with_officer=calls.officer_id.notnull().cast("int64").sum())
        .execute()
        .iloc[0, 0]
    )
    assert no_unit == 0


def test_call_types_include_the_community_safety_vocabulary(demo_warehouse):
    types = set(demo_warehouse.table("calls_for_service").call_type.execute().unique())
    assert {
        "mental_health",
        "wellness_check",
        "overdose",
        "domestic_dispute",
        "noise",
        "suspicious_person",
        "alarm",
        "theft_report",
        "traffic",
        "break_and_enter",
        "assault",
    } <= types


def test_a_few_addresses_draw_many_repeat_calls(demo_warehouse):
    calls = demo_warehouse.table("calls_for_service")
    per_location = (
        calls.filter(calls.location_key.notnull())
        .group_by("location_key")
        .aggregate(n=lambda t: t.count())
        .execute()["n"]
    )
    assert per_location.max() > 50 * per_location.median()
    assert (per_location > 1_000).sum() >= 5


def test_late_reporting_and_the_not_yet_reported_lag(demo_warehouse, demo_end_date):
    incidents = demo_warehouse.table("incidents")
    lag_days = (
        incidents.reported_at.epoch_seconds() - incidents.occurred_at.epoch_seconds()
    ) / 86400
    shares = (
        incidents.group_by("offence_category")
        .aggregate(
            same_day=(lag_days < 1).cast("float64").mean(),
            weeks_later=(lag_days > 7).cast("float64").mean(),
            negative=(lag_days < 0).cast("int64").sum(),
        )
        .execute()
        .set_index("offence_category")
    )
    assert (shares.negative == 0).all()
    assert shares.same_day["assault"] > 0.8
    assert shares.weeks_later["fraud"] > 0.25 and shares.weeks_later["sexual_assault"] > 0.25
    # Recent fraud is under-counted: the last 4 weeks hold fewer than the same weeks a year earlier.
    fraud = incidents.filter(incidents.offence_category == "fraud")
    recent = _count_between(
        fraud, "occurred_at", demo_end_date - dt.timedelta(days=27), demo_end_date
    )
    year_earlier = _count_between(
        fraud,
        "occurred_at",
        demo_end_date - dt.timedelta(days=27 + 365),
        demo_end_date - dt.timedelta(days=365),
    )
    assert recent < 0.8 * year_earlier
    latest = incidents.reported_at.max().execute()
    assert latest.date() <= demo_end_date


def test_incident_attributes(demo_warehouse):
    incidents = demo_warehouse.table("incidents")
    summary = (
        incidents.aggregate(
            no_location=incidents.neighbourhood_id.isnull().cast("float64").mean(),
            mismatched=(
                (incidents.neighbourhood_id.isnull() != incidents.latitude.isnull())
                | (incidents.latitude.isnull() != incidents.longitude.isnull())
            )
            .cast("int64")
            .sum(),
            no_division=incidents.division.isnull().cast("int64").sum(),
        )
        .execute()
        .iloc[0]
    )
    assert 0.01 <= summary.no_location <= 0.08
    assert summary.mismatched == 0 and summary.no_division == 0
    clearance = set(incidents.clearance.execute().unique())
    assert set(schema.CLEARANCE_STATUSES) <= clearance
    domestic = (
        incidents.group_by("offence_category")
        .aggregate(share=incidents.domestic.cast("float64").mean())
        .execute()
        .set_index("offence_category")["share"]
    )
    assert 0.2 <= domestic["assault"] <= 0.4 and domestic["theft_under"] == 0
    location_types = set(incidents.location_type.execute().unique())
    assert {"residence", "apartment", "commercial", "outside"} <= location_types


def test_shifts_absences_and_overtime(demo_warehouse):
    shifts = demo_warehouse.table("shifts")
    codes = set(shifts.absence_code.execute().dropna().unique())
    assert codes == set(schema.ABSENCE_CODES)
    reasons = (
        shifts.filter(shifts.overtime_hours > 0)
        .group_by("overtime_reason")
        .aggregate(n=lambda t: t.count())
        .execute()
        .set_index("overtime_reason")["n"]
    )
    assert {"backfill", "court", "investigation", "event"} <= set(reasons.index)
    bad = (
        shifts.aggregate(
            hours=(
                (
                    shifts.worked_hours
                    - (
                        shifts.scheduled_hours
                        - shifts.absence_hours.fill_null(0)
                        + shifts.overtime_hours.fill_null(0)
                    )
                ).abs()
                > 1e-6
            )
            .cast("int64")
            .sum(),
            cost=((shifts.overtime_hours > 0) & ~(shifts.overtime_cost > 0)).cast("int64").sum(),
        )
        .execute()
        .iloc[0]
    )
    assert bad.hours == 0 and bad.cost == 0
    # Injury spells are long: the longest run of injury shifts is weeks, not days.
    injured = (
        shifts.filter(shifts.absence_code == "injury")
        .group_by("officer_id")
        .aggregate(n=lambda t: t.count())
        .execute()["n"]
    )
    assert injured.max() >= 20


def test_backfill_is_called_when_a_platoon_is_below_minimum(demo_warehouse):
    shifts = demo_warehouse.table("shifts")
    units = demo_warehouse.table("units")
    present = shifts.filter(
        shifts.scheduled_hours > 0, shifts.absence_code.isnull() | (shifts.absence_code == "court")
    )
    by_shift = (
        present.group_by(["unit_id", "shift_date"])
        .aggregate(present=lambda t: t.count())
        .join(units, "unit_id")
        .filter(lambda t: t.unit_type == "patrol")
    )
    short = by_shift.filter(by_shift.present < by_shift.minimum_staffing)
    backfill = (
        shifts.filter(shifts.overtime_reason == "backfill")
        .group_by(["unit_id", "shift_date"])
        .aggregate(called=lambda t: t.count())
    )
    joined = short.left_join(backfill, ["unit_id", "shift_date"]).execute()
    assert len(joined) > 100
    filled = joined.present + joined.called.fillna(0)
    assert (filled >= joined.minimum_staffing).mean() > 0.95


def test_finance_overtime_matches_the_shifts_and_open_months_have_no_actuals(
    demo_warehouse, demo_end_date
):
    finance = demo_warehouse.table("finance")
    current_month = dt.date(demo_end_date.year, demo_end_date.month, 1)
    open_rows = finance.filter(finance.month >= current_month)
    assert int(open_rows.count().execute()) > 0
    assert int(open_rows.filter(open_rows.actual.notnull()).count().execute()) == 0
    closed = finance.filter(finance.month < current_month)
    assert int(closed.filter(closed.actual.isnull()).count().execute()) == 0
    first_month = dt.date(demo_end_date.year - 4, 1, 1)
    overtime = (
        closed.filter(closed.account == "overtime", closed.month >= first_month)
        .actual.sum()
        .execute()
    )
    shifts = demo_warehouse.table("shifts")
    shift_cost = (
        shifts.filter(shifts.shift_date >= first_month, shifts.shift_date < current_month)
        .overtime_cost.sum()
        .execute()
    )
    assert overtime == pytest.approx(shift_cost, rel=0.02)
    accounts = set(finance.account.execute().unique())
    assert accounts == {
        "salaries",
        "overtime",
        "benefits",
        "premises",
        "fleet",
        "equipment",
        "contracts",
        "other",
        "revenue",
    }
    centres = demo_warehouse.table("finance").cost_centre.execute().unique()
    assert set(demo_warehouse.table("units").cost_centre.execute()) <= set(centres)


def test_use_of_force_subjects(demo_warehouse):
    force = demo_warehouse.table("use_of_force")
    subjects = demo_warehouse.table("use_of_force_subjects")
    per_report = subjects.group_by("report_id").aggregate(
        n=lambda t: t.count(), top=lambda t: t.subject_number.max()
    )
    joined = force.join(per_report, "report_id").execute()
    assert len(joined) == int(force.count().execute())
    assert (joined.subject_count == joined.n).all() and (joined.top == joined.n).all()
    assert set(joined.n.unique()) == {1, 2, 3}
    multiple = subjects.filter(subjects.perceived_race == "multiple").race_groups.execute()
    assert len(multiple) > 10 and multiple.str.contains(" | ", regex=False).all()
    single = subjects.filter(subjects.perceived_race != "multiple")
    assert int(single.filter(single.race_groups.notnull()).count().execute()) == 0


# --------------------------------------------------------------------------------------------
# Referential integrity
# --------------------------------------------------------------------------------------------


def _orphans(child: ibis.Table, column: str, parent: ibis.Table, parent_column: str) -> int:
    keys = child.filter(child[column].notnull()).select(key=child[column]).distinct()
    return int(keys.anti_join(parent, keys.key == parent[parent_column]).count().execute())


@pytest.mark.parametrize("table", [*EVENT_TABLES])
def test_event_locations_exist(demo_warehouse, table):
    child = demo_warehouse.table(table)
    assert (
        _orphans(
            child, "neighbourhood_id", demo_warehouse.table("neighbourhoods"), "neighbourhood_id"
        )
        == 0
    )
    assert _orphans(child, "division", demo_warehouse.table("divisions"), "division") == 0
    neighbourhoods = demo_warehouse.table("neighbourhoods")
    located = child.filter(child.neighbourhood_id.notnull())
    wrong = located.join(
        neighbourhoods, located.neighbourhood_id == neighbourhoods.neighbourhood_id
    ).filter(lambda t: t.division != t.division_right)
    assert int(wrong.count().execute()) == 0


@pytest.mark.parametrize(
    ("table", "column", "parent", "parent_column"),
    [
        ("incidents", "offence_code", "offence_codes", "offence_code"),
        ("shifts", "officer_id", "personnel", "officer_id"),
        ("shifts", "unit_id", "units", "unit_id"),
        ("calls_for_service", "officer_id", "personnel", "officer_id"),
        ("calls_for_service", "unit_id", "units", "unit_id"),
        ("use_of_force", "officer_id", "personnel", "officer_id"),
        ("use_of_force", "unit_id", "units", "unit_id"),
        ("use_of_force_subjects", "report_id", "use_of_force", "report_id"),
        ("complaints", "officer_id", "personnel", "officer_id"),
        ("collisions", "officer_id", "personnel", "officer_id"),
        ("personnel", "unit_id", "units", "unit_id"),
        ("population", "neighbourhood_id", "neighbourhoods", "neighbourhood_id"),
        ("population_by_race", "neighbourhood_id", "neighbourhoods", "neighbourhood_id"),
        ("units", "division", "divisions", "division"),
        ("neighbourhoods", "division", "divisions", "division"),
    ],
)
def test_foreign_keys_resolve(demo_warehouse, table, column, parent, parent_column):
    assert (
        _orphans(demo_warehouse.table(table), column, demo_warehouse.table(parent), parent_column)
        == 0
    )


def test_offence_codes_match_their_incident_category(demo_warehouse):
    incidents = demo_warehouse.table("incidents")
    codes = demo_warehouse.table("offence_codes")
    joined = incidents.join(codes, "offence_code")
    mismatched = joined.filter(joined.offence_category != joined.offence_category_right)
    assert int(mismatched.count().execute()) == 0


def test_calls_are_answered_by_patrol_officers_of_their_division_on_shift(demo_warehouse):
    calls = demo_warehouse.table("calls_for_service")
    units = demo_warehouse.table("units")
    answered = calls.filter(calls.officer_id.notnull())
    joined = answered.join(units, answered.unit_id == units.unit_id)
    wrong = joined.filter(
        (joined.unit_type != "patrol") | (joined.division != joined.division_right)
    )
    assert int(wrong.count().execute()) == 0
    # the responder worked a shift for that unit that day or the night before
    shifts = demo_warehouse.table("shifts")
    worked = shifts.filter(shifts.worked_hours > 0).select("officer_id", "shift_date")
    sample = answered.filter(answered.received_at.hour().between(8, 18))
    on_shift = sample.semi_join(
        worked,
        (sample.officer_id == worked.officer_id) & (sample.received_at.date() == worked.shift_date),
    )
    assert int(on_shift.count().execute()) == int(sample.count().execute())


def test_keys_are_unique(demo_warehouse):
    for name, table in schema.TABLES.items():
        data = demo_warehouse.table(name)
        keys = list(table.key)
        duplicates = data.group_by(keys).aggregate(n=lambda t: t.count()).filter(lambda t: t.n > 1)
        assert int(duplicates.count().execute()) == 0, name


# --------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------


def _inside(x: np.ndarray, y: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd ray casting of points against one closed ring (independent of the generator)."""
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    crosses = ((y1[None, :] > y[:, None]) != (y2[None, :] > y[:, None])) & (
        x[:, None]
        < (x2 - x1)[None, :] * (y[:, None] - y1[None, :]) / (y2 - y1)[None, :] + x1[None, :]
    )
    return crosses.sum(axis=1) % 2 == 1


def _boundaries(demo_warehouse) -> dict[str, np.ndarray]:
    frame = demo_warehouse.table("neighbourhoods").execute()
    rings = {}
    for row in frame.itertuples():
        geometry = json.loads(row.boundary_geojson)
        assert geometry["type"] == "Polygon"
        ring = np.array(geometry["coordinates"][0])
        assert (ring[0] == ring[-1]).all()
        rings[row.neighbourhood_id] = ring
    return rings


@pytest.mark.parametrize(
    "table", ["incidents", "calls_for_service", "collisions", "enforcement_actions"]
)
def test_points_lie_inside_their_neighbourhood(demo_warehouse, table):
    rings = _boundaries(demo_warehouse)
    data = demo_warehouse.table(table)
    points = (
        data.filter(data.latitude.notnull())
        .select("neighbourhood_id", "latitude", "longitude")
        .distinct()
        .execute()
    )
    assert len(points) >= 500  # collisions sit on ~900 named intersections
    for neighbourhood, group in points.groupby("neighbourhood_id"):
        inside = _inside(
            group.longitude.to_numpy(), group.latitude.to_numpy(), rings[neighbourhood]
        )
        assert inside.all(), f"{(~inside).sum()} {table} points outside {neighbourhood}"


def test_neighbourhoods_are_near_the_made_up_centre_and_tile_their_divisions(demo_warehouse):
    rings = _boundaries(demo_warehouse)
    everything = np.vstack(list(rings.values()))
    assert 45.2 < everything[:, 1].min() and everything[:, 1].max() < 45.6
    assert -76.0 < everything[:, 0].min() and everything[:, 0].max() < -75.4

    def area(ring: np.ndarray) -> float:
        x, y = ring[:, 0], ring[:, 1]
        return 0.5 * abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])))

    neighbourhoods = demo_warehouse.table("neighbourhoods").execute()
    divisions = demo_warehouse.table("divisions").execute()
    for row in divisions.itertuples():
        geometry = json.loads(row.boundary_geojson)
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        division_area = sum(
            area(np.array(p[0])) - sum(area(np.array(h)) for h in p[1:]) for p in polygons
        )
        members = neighbourhoods[neighbourhoods.division == row.division].neighbourhood_id
        assert division_area == pytest.approx(sum(area(rings[n]) for n in members), rel=1e-6)
        outer = np.array(polygons[0][0])
        centres = np.array([rings[n][:-1].mean(axis=0) for n in members])
        assert _inside(centres[:, 0], centres[:, 1], outer).all() or len(polygons) > 1
    assert neighbourhoods.area_km2.sum() == pytest.approx(440, rel=0.1)
