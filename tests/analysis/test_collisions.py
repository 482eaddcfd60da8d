"""Collisions: KSI trend by road user and locations ranked."""

import datetime as dt

import pandas as pd
import pytest

from workbench.analysis import collisions
from workbench.analysis._common import AnalysisInputError


def _row(when, road_user, killed=0, injured=0, location="Main St & 1st Ave", division="D1",
         latitude=None, longitude=None):
    return {"occurred_at": when, "road_user": road_user, "killed": killed,
            "seriously_injured": injured, "location_name": location, "division": division,
            "severity": "fatal" if killed else ("serious_injury" if injured else "minor_injury"),
            "latitude": latitude, "longitude": longitude}


@pytest.fixture(scope="module")
def collision_table(warehouse_with):
    rows = [
        _row("2022-03-01", "pedestrian", killed=1, latitude=45.0, longitude=-75.0),
        _row("2022-04-01", "pedestrian", injured=2, latitude=45.2, longitude=-75.2),
        _row("2022-05-01", "driver"),  # no KSI casualty
        _row("2023-01-10", "cyclist", injured=1, location="Bank St & Elm St"),
        _row("2023-02-10", "pedestrian", injured=1, location="Bank St & Elm St"),
        _row("2023-06-10", "driver", killed=1, location="Ring Rd"),
        _row("2023-07-10", "driver", injured=1, location=None),  # no location name
        _row("2024-01-02", "pedestrian", killed=1, location="Ring Rd"),  # after as_of
    ]
    return warehouse_with(collisions=rows).table("collisions")


def test_ksi_trend_by_year_and_road_user(collision_table):
    trend = collisions.ksi_trend(collision_table, start=dt.date(2022, 1, 1),
                                 as_of=dt.date(2023, 12, 31))
    table = trend.set_index(["road_user", "period_start"])
    pedestrians_2022 = table.loc[("pedestrian", pd.Timestamp("2022-01-01"))]
    assert (pedestrians_2022["killed"], pedestrians_2022["seriously_injured"],
            pedestrians_2022["ksi"], pedestrians_2022["ksi_records"]) == (1, 2, 3, 2)
    assert table.loc[("pedestrian", pd.Timestamp("2023-01-01")), "ksi"] == 1
    assert table.loc[("cyclist", pd.Timestamp("2022-01-01")), "ksi"] == 0  # zero-filled
    assert table.loc[("driver", pd.Timestamp("2022-01-01")), "records"] == 1
    assert table.loc[("driver", pd.Timestamp("2023-01-01")), "ksi"] == 2
    assert trend["ksi"].sum() == 7  # the 2024 fatality is after as_of
    assert trend["complete"].all()


def test_ksi_locations_ranked_with_ties_sharing_a_rank(collision_table):
    locations = collisions.ksi_locations(collision_table, start=dt.date(2022, 1, 1),
                                         as_of=dt.date(2023, 12, 31))
    assert locations["location_name"].tolist() == ["Main St & 1st Ave", "Bank St & Elm St",
                                                   "Ring Rd"]
    # Main St: KSI 3; Bank St: KSI 2 (0 killed); Ring Rd: KSI 1 (1 killed)
    assert locations["ksi"].tolist() == [3, 2, 1]
    assert locations["rank"].tolist() == [1, 2, 3]
    main = locations.iloc[0]
    assert main["latitude"] == pytest.approx(45.1) and main["records"] == 3

    tied = collisions.ksi_locations(collision_table, start=dt.date(2023, 1, 1),
                                    as_of=dt.date(2024, 12, 31))
    # Ring Rd: 2 killed; Bank St: 2 seriously injured -> Ring Rd first (more killed)
    assert tied["location_name"].tolist()[:2] == ["Ring Rd", "Bank St & Elm St"]
    assert tied["rank"].tolist()[:2] == [1, 2]


def test_ksi_locations_for_vulnerable_road_users_only(collision_table):
    locations = collisions.ksi_locations(collision_table, start=dt.date(2022, 1, 1),
                                         as_of=dt.date(2023, 12, 31),
                                         road_users=("pedestrian", "cyclist"), top=1)
    assert len(locations) == 1
    assert locations.iloc[0]["location_name"] == "Main St & 1st Ave"
    with pytest.raises(AnalysisInputError, match="top"):
        collisions.ksi_locations(collision_table, start=dt.date(2022, 1, 1),
                                 as_of=dt.date(2023, 12, 31), top=0)
