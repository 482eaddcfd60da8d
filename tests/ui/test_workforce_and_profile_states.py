"""The workforce dashboard's and the neighbourhood profile's states, on the demo city."""

from __future__ import annotations

import datetime as dt

import pytest
import traitlets

from workbench.analysis import cswb
from workbench.demo.signals import SICK_LEAVE_UNIT
from workbench.ui.neighbourhood_profile import NeighbourhoodProfileState
from workbench.ui.workforce_dashboard import PERIOD_DAYS, WorkforceDashboardState

# ------------------------------------------------------------------------------ workforce


@pytest.fixture
def workforce_state(demo_warehouse) -> WorkforceDashboardState:  # noqa: ANN001
    state = WorkforceDashboardState(demo_warehouse)
    state.start()
    return state


def _unplanned_absence_rate(warehouse, start: dt.date, end: dt.date,  # noqa: ANN001
                            unit: str | None = None) -> float:
    unit_filter = f"AND unit_id = '{unit}'" if unit else ""
    query = f"""
        SELECT sum(CASE WHEN absence_code IN ('sick', 'injury', 'family')
                        THEN absence_hours ELSE 0 END) / sum(scheduled_hours)
        FROM shifts WHERE scheduled_hours > 0 AND shift_date BETWEEN DATE '{start}'
        AND DATE '{end}' {unit_filter}"""
    return float(warehouse.con.raw_sql(query).fetchone()[0])


def test_absence_kpi_is_hours_lost_over_hours_scheduled(workforce_state,  # noqa: ANN001
                                                         demo_warehouse) -> None:
    kpis = {kpi.key: kpi for kpi in workforce_state.kpis}
    days = PERIOD_DAYS[workforce_state.period][1]
    start = workforce_state.as_of - dt.timedelta(days=days - 1)
    assert workforce_state.message == ""
    assert kpis["absence_rate"].number == pytest.approx(
        _unplanned_absence_rate(demo_warehouse, start, workforce_state.as_of))


def test_the_planted_sick_unit_stands_out(workforce_state, demo_warehouse) -> None:  # noqa: ANN001
    service = next(k for k in workforce_state.kpis if k.key == "absence_rate").number
    workforce_state.unit = SICK_LEAVE_UNIT.unit_id
    unit = next(k for k in workforce_state.kpis if k.key == "absence_rate").number
    start = workforce_state.window_start
    assert unit == pytest.approx(_unplanned_absence_rate(
        demo_warehouse, start, workforce_state.as_of, SICK_LEAVE_UNIT.unit_id))
    assert unit > 1.3 * service


def test_units_without_minimum_staffing_have_no_turnout(workforce_state) -> None:  # noqa: ANN001
    workforce_state.view = "turnout"
    assert workforce_state.frame["availability"].between(0.5, 1).all()
    workforce_state.unit = "EXE-CMD"  # an executive unit: no minimum staffing
    turnout = next(k for k in workforce_state.kpis if k.key == "turnout")
    assert turnout.value == "n/a" and "no minimum staffing" in turnout.note
    assert workforce_state.frame.empty
    assert workforce_state.message == ""


def test_every_workforce_view_draws(workforce_state) -> None:  # noqa: ANN001
    for view in ("absence", "turnout", "relief", "staffing_gap"):
        workforce_state.view = view
        assert workforce_state.message == ""
        assert len(workforce_state.frame) > 0
        workforce_state.chart().to_dict()
    workforce_state.unit = "D2-PLT-A"
    assert set(workforce_state.frame["division"]) == {"D2"}  # the unit's division only
    workforce_state.chart().to_dict()


def test_relief_factors_hide_units_below_the_threshold(workforce_state,  # noqa: ANN001
                                                        monkeypatch) -> None:
    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", "40")
    state = WorkforceDashboardState(workforce_state.warehouse, view="relief")
    state.start()
    small = state.frame.loc[state.frame["suppressed"]]
    assert len(small) > 0
    assert small["relief_factor"].isna().all()


def test_unknown_unit_is_refused(workforce_state) -> None:  # noqa: ANN001
    with pytest.raises(traitlets.TraitError, match="unknown unit"):
        workforce_state.unit = "NOPE"


# ------------------------------------------------------------------------------ profile


@pytest.fixture(scope="module")
def profile_state(demo_warehouse) -> NeighbourhoodProfileState:  # noqa: ANN001
    state = NeighbourhoodProfileState(demo_warehouse)
    state.start()
    return state


def test_profile_rates_are_counts_per_thousand_residents(profile_state,  # noqa: ANN001
                                                         demo_warehouse) -> None:
    profile_state.neighbourhood = "N058"
    year = profile_state.year
    row = profile_state.profile.indicators.set_index("indicator").loc["hate_incidents"]
    query = f"""SELECT count(*) FROM incidents WHERE neighbourhood_id = 'N058'
                AND offence_category = 'hate_crime' AND year(occurred_at) = {year}"""
    count = int(demo_warehouse.con.raw_sql(query).fetchone()[0])
    population = int(demo_warehouse.con.raw_sql(
        f"SELECT population FROM population WHERE neighbourhood_id = 'N058' "
        f"AND year <= {year} ORDER BY year DESC LIMIT 1").fetchone()[0])
    assert row["count"] == count
    assert row["rate"] == pytest.approx(count / population * 1000)


def test_changing_neighbourhood_reuses_the_counts(profile_state) -> None:  # noqa: ANN001
    profile_state.neighbourhood = "N010"
    size = profile_state.memo_size
    profile_state.neighbourhood = "N011"
    assert profile_state.memo_size == size + 1  # one new profile; the counts were reused
    assert profile_state.profile.neighbourhood_id == "N011"
    kpis = {kpi.key: kpi for kpi in profile_state.kpis}
    higher = (profile_state.profile.indicators["compared_with_city"] == "higher").sum()
    assert kpis["higher"].number == higher


def test_profile_views_and_trend(profile_state) -> None:  # noqa: ANN001
    profile_state.view = "trend"
    profile_state.indicator = "overdose_calls"
    assert list(profile_state.frame["year"]) == profile_state.years
    assert set(profile_state.frame["indicator"]) == {"overdose_calls"}
    profile_state.chart().to_dict()
    profile_state.view = "compared"
    assert set(profile_state.frame["indicator"]) <= set(cswb.INDICATORS)
    profile_state.chart().to_dict()


def test_profile_refuses_a_year_without_complete_data(profile_state) -> None:  # noqa: ANN001
    with pytest.raises(traitlets.TraitError, match="no complete data"):
        profile_state.year = profile_state.as_of.year


def test_service_relief_factor_counts_every_unit_whatever_the_threshold(  # noqa: ANN001
        workforce_state, monkeypatch) -> None:
    """The whole service's relief factor is computed over every member (the analysis's
    service_relief_factor), not from the per-unit table once small units are hidden: raising the
    small-cell threshold hides units from that table but must not move the service figure."""
    from workbench.analysis import workforce

    service = next(k for k in workforce_state.kpis if k.key == "relief_factor").number
    units = workforce.relief_factors(
        workforce_state._shifts, workforce_state._personnel, start=workforce_state.window_start,
        end=workforce_state.as_of)
    fte = units["fte"].sum()  # the unsuppressed per-unit rows, combined by FTE
    net = (units["net_available_hours_per_fte"] * units["fte"]).sum() / fte
    assert service == pytest.approx(workforce.DEFAULT_POST_HOURS_PER_YEAR / net)

    monkeypatch.setenv("WORKBENCH_SMALL_CELL_THRESHOLD", "40")
    strict = WorkforceDashboardState(workforce_state.warehouse)
    strict.start()
    assert strict.relief()["suppressed"].any()  # some units are hidden from the table …
    hidden = next(k for k in strict.kpis if k.key == "relief_factor").number
    assert hidden == pytest.approx(service)  # … and the service figure does not move
