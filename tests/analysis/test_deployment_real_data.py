"""Deployment planning on real calls files (../shared/data/real): what they permit (the
hour-of-week demand model against a held-out week; how call arrivals scatter compared with
Poisson) and what they do not (response times, handling times, rosters), said plainly.

San Diego (20 days of January 2023) goes through the ``sandiego-calls`` adapter. Milwaukee
(May 2018, one timestamp per dispatched call) is read from its CSV here, the received time
and district only, until its adapter lands; the check needs nothing else.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd
import pytest

from workbench.analysis import deployment as dp
from workbench.analysis.deployment import validation
from workbench.errors import InsufficientDataError
from workbench.ingest import ingest_file

pytestmark = pytest.mark.realdata

SANDIEGO = "sandiego_pd_calls_for_service_2023_jan/pd_calls_for_service_2023_datasd_first20days.csv"
MILWAUKEE = "milwaukee_pd_calls_for_service_2018_05/mpd_calls_2018-05.csv"


@pytest.fixture(scope="module")
def sandiego(real_data: Path, tmp_path_factory):
    from workbench.warehouse import Warehouse

    warehouse = Warehouse.open(f"duckdb://{tmp_path_factory.mktemp('sd') / 'w.duckdb'}")
    warehouse.ensure_tables()
    ingest_file(warehouse, "sandiego-calls", real_data / SANDIEGO)
    yield warehouse
    warehouse.close()


def test_sandiego_hour_of_week_demand_beats_the_naive_forecast_but_is_overdispersed(sandiego):
    summary, hourly = validation.demand_forecast_check(
        sandiego.table("calls_for_service"), start=dt.date(2023, 1, 1),
        as_of=dt.date(2023, 1, 20))
    divisions = summary.loc[summary["division"] != "All"].set_index("division")
    assert len(divisions) == 9 and "Central" in divisions.index
    service = summary.set_index("division").loc["All"]
    # the held-out week 14-20 January: every call of it is counted once
    assert service["observed_calls"] == hourly["observed"].sum() == 9_200
    assert service["training_weeks"] == pytest.approx(13 / 7)
    assert (divisions["wape"] < divisions["naive_wape"]).all()
    assert abs(service["bias"]) < 0.05
    # Poisson around an estimated mean would give about 1 + 1/1.9 ≈ 1.5; real calls scatter
    # more: Erlang C's Poisson arrivals understate the peaks a roster must absorb
    assert service["dispersion"] > 2.0
    assert divisions["dispersion"].median() > 2.0


def test_sandiego_has_no_times_for_response_or_staffing_and_says_so(sandiego):
    calls, shifts, units, personnel = sandiego.tables("calls_for_service", "shifts", "units",
                                                      "personnel")
    with pytest.raises(InsufficientDataError, match="dispatched calls"):
        dp.prepare_inputs(calls, shifts, units, personnel, start=dt.date(2023, 1, 7),
                          as_of=dt.date(2023, 1, 20))
    with pytest.raises(InsufficientDataError, match="response times"):
        validation.response_model_check(
            calls, shifts, units, calibration_start=dt.date(2023, 1, 1),
            calibration_end=dt.date(2023, 1, 10), start=dt.date(2023, 1, 11),
            end=dt.date(2023, 1, 20))


def test_milwaukee_districts_demand_check(real_data: Path):
    raw = pd.read_csv(real_data / MILWAUKEE, usecols=["time", "district"],
                      dtype={"district": str})
    calls = ibis.memtable(pd.DataFrame({"received_at": pd.to_datetime(raw["time"]),
                                        "division": raw["district"]}))
    districts = [str(number) for number in range(1, 8)]
    summary, _ = validation.demand_forecast_check(
        calls, start=dt.date(2018, 5, 1), as_of=dt.date(2018, 5, 20), groups=districts)
    by_district = summary.set_index("division")
    assert list(by_district.index) == [*districts, "All"]
    # 14-20 May, districts 1-7: counted from the raw file
    received = pd.to_datetime(raw["time"])
    held = raw.loc[(received >= "2018-05-14") & (received < "2018-05-21")
                   & raw["district"].isin(districts)]
    assert by_district.loc["All", "observed_calls"] == len(held)
    assert (by_district.loc[districts, "wape"] <= by_district.loc[districts, "naive_wape"]).all()
    assert by_district.loc[districts, "dispersion"].min() > 2.0
