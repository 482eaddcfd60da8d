"""The one hour-of-week grid (``workbench.analysis.hour_of_week``), and the measures built on it:
incidents (the crime explorer's heatmap) and calls (demand) share it cell for cell."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbench.analysis import calls
from workbench.analysis._common import AnalysisInputError
from workbench.analysis.hour_of_week import (
    HOURS_IN_WEEK,
    complete_grid,
    incidents_by_hour_of_week,
    weekday_occurrences,
)

MONDAY = dt.date(2024, 6, 3)


def test_weekday_occurrences_count_each_weekday_in_the_window() -> None:
    # Monday 3 June to Wednesday 12 June: two Mondays, Tuesdays and Wednesdays, one of the rest
    assert weekday_occurrences(MONDAY, dt.date(2024, 6, 12)) == {
        0: 2, 1: 2, 2: 2, 3: 1, 4: 1, 5: 1, 6: 1}
    assert weekday_occurrences(MONDAY, MONDAY) == {0: 1, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}
    with pytest.raises(AnalysisInputError, match="after"):
        weekday_occurrences(MONDAY, MONDAY - dt.timedelta(days=1))


def test_complete_grid_gives_every_group_all_cells() -> None:
    counts = pd.DataFrame({"division": ["D1", "D2"], "day_of_week": [0, 6], "hour": [14, 23],
                           "events": [3, 1]})
    grid = complete_grid(counts, by=["division"], fill={"events": 0},
                         groups=pd.DataFrame({"division": ["D1", "D2", "D3"]}))
    assert grid.groupby("division").size().to_dict() == {"D1": 168, "D2": 168, "D3": 168}
    cells = grid.set_index(["division", "hour_of_week"])
    assert cells.loc[("D1", 14), "events"] == 3 and cells.loc[("D1", 14), "day_name"] == "Monday"
    assert cells.loc[("D2", 167), "events"] == 1
    assert cells.loc[("D2", 167), "day_name"] == "Sunday"
    assert grid["events"].sum() == 4 and grid["events"].dtype == "int64"
    assert list(counts.columns) == ["division", "day_of_week", "hour", "events"]  # untouched


def test_incidents_by_hour_of_week_counts_the_window_in_the_engine(warehouse_with) -> None:  # noqa: ANN001
    warehouse = warehouse_with(incidents=[
        {"occurred_at": "2024-06-03 14:05", "division": "D1"},  # Monday 14:00
        {"occurred_at": "2024-06-10 14:59", "division": "D1"},  # Monday 14:00, next week
        {"occurred_at": "2024-06-09 23:30", "division": "D2"},  # Sunday 23:00
        {"occurred_at": "2024-06-13 09:00", "division": "D2"},  # after the window
    ])
    incidents = warehouse.table("incidents")
    cells = incidents_by_hour_of_week(incidents, start=MONDAY, end=dt.date(2024, 6, 12))
    assert list(cells["hour_of_week"]) == list(range(HOURS_IN_WEEK))
    counted = cells.set_index("hour_of_week")["incidents"]
    assert counted[14] == 2 and counted[167] == 1 and counted.sum() == 3
    by_division = incidents_by_hour_of_week(incidents, start=MONDAY, end=dt.date(2024, 6, 12),
                                            by=["division"])
    assert by_division.groupby("division")["incidents"].sum().to_dict() == {"D1": 2, "D2": 1}
    assert len(by_division) == 2 * HOURS_IN_WEEK


def test_incidents_and_calls_share_one_grid(warehouse_with) -> None:  # noqa: ANN001
    warehouse = warehouse_with(
        incidents=[{"occurred_at": "2024-06-04 01:10"}],
        calls_for_service=[{"received_at": "2024-06-04 01:20"}])
    start, end = MONDAY, dt.date(2024, 6, 9)
    incidents = incidents_by_hour_of_week(warehouse.table("incidents"), start=start, end=end)
    demand = calls.hour_of_week_demand(warehouse.table("calls_for_service"), start=start,
                                       as_of=end)
    grid = ["day_of_week", "day_name", "hour", "hour_of_week"]
    pd.testing.assert_frame_equal(incidents[grid], demand[grid])
    assert incidents.loc[incidents["incidents"] > 0, "hour_of_week"].tolist() == \
        demand.loc[demand["calls"] > 0, "hour_of_week"].tolist() == [25]
