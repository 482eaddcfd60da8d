"""The crime, calls and collision analyses give the same answers on Spark as on DuckDB.

One random but fixed set of tables is written to Parquet and opened both ways; every analysis
runs unchanged on each engine (a real local[2] Spark session, no mocks).
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import calls, collisions, crime, csi, hotspots
from workbench.warehouse import Warehouse

pytestmark = pytest.mark.spark

AS_OF = dt.date(2024, 6, 30)


def _random_tables(seed=2024):
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-06-01")
    span_minutes = int((pd.Timestamp("2024-07-05") - start).total_seconds() // 60)
    n = 4000
    occurred = start + pd.to_timedelta(rng.integers(0, span_minutes, n), unit="m")
    neighbourhood = rng.choice(["N1", "N2", "N3", "N4"], n)
    division = np.where(np.isin(neighbourhood, ["N1", "N2"]), "D1", "D2")
    code = rng.choice(["A", "B", "C"], n)
    incidents = [{"occurred_at": o, "neighbourhood_id": nb, "division": d, "offence_code": c,
                  "offence_category": {"A": "assault", "B": "break_and_enter", "C": "fraud"}[c],
                  "latitude": 45.0 + rng.random() * 0.05, "longitude": -75.0 + rng.random() * 0.05}
                 for o, nb, d, c in zip(occurred, neighbourhood, division, code, strict=True)]
    received = start + pd.to_timedelta(rng.integers(0, span_minutes, n), unit="m")
    response = rng.gamma(3.0, 3.0, n)
    calls_rows = [{"received_at": r, "dispatched_at": r + pd.Timedelta(minutes=1),
                   "arrived_at": r + pd.Timedelta(seconds=int(m * 60)) if i % 17 else None,
                   "cleared_at": r + pd.Timedelta(seconds=int(m * 60) + 2400),
                   "priority": int(rng.integers(1, 4)), "division": rng.choice(["D1", "D2"]),
                   "call_type": rng.choice(["noise", "mental_health", "assault"])}
                  for i, (r, m) in enumerate(zip(received, response, strict=True))]
    collision_rows = [{"occurred_at": o, "road_user": rng.choice(["pedestrian", "driver"]),
                       "killed": int(rng.random() < 0.05), "seriously_injured": int(rng.random() < 0.2),
                       "location_name": rng.choice(["Ring Rd", "Main St & 1st Ave", "Bank St"]),
                       "division": "D1", "severity": "minor_injury"}
                      for o in occurred[:800]]
    neighbourhoods = [{"neighbourhood_id": n, "name": n, "division": "D1" if n in ("N1", "N2")
                       else "D2"} for n in ("N1", "N2", "N3", "N4")]
    population = [{"neighbourhood_id": n, "year": y, "population": 1000 * (i + 1) + y - 2020}
                  for i, n in enumerate(("N1", "N2", "N3", "N4")) for y in (2022, 2023, 2024)]
    codes = [{"offence_code": "A", "offence_category": "assault", "violent": True,
              "csi_weight": 100.0},
             {"offence_code": "B", "offence_category": "break_and_enter", "violent": False,
              "csi_weight": 30.0},
             {"offence_code": "C", "offence_category": "fraud", "violent": False,
              "csi_weight": 10.0}]
    return {"incidents": incidents, "calls_for_service": calls_rows,
            "collisions": collision_rows, "neighbourhoods": neighbourhoods,
            "population": population, "offence_codes": codes}


@pytest.fixture(scope="module")
def engines(warehouse_with, tmp_path_factory):
    duck = warehouse_with(**_random_tables())
    lake = tmp_path_factory.mktemp("lake") / "warehouse"
    duck.export_parquet(lake)
    spark = Warehouse.open(f"pyspark://?master=local[2]&parquet={lake}")
    assert spark.con.name == "pyspark"
    return duck, spark


def _same(run, engines, sort_by):
    duck, spark = engines
    on_duckdb = run(duck).sort_values(sort_by).reset_index(drop=True)
    on_spark = run(spark).sort_values(sort_by).reset_index(drop=True)
    assert len(on_duckdb) > 0
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False, check_exact=False,
                                  rtol=1e-9)
    return on_duckdb


def test_compstat_grid(engines):
    grid = _same(lambda w: crime.compstat_grid(w.table("incidents"), as_of=AS_OF,
                                               by=("offence_category", "division")),
                 engines, ["period", "offence_category", "division"])
    assert grid["current"].sum() > 0


def test_counts_rates_and_weekly_control_chart(engines):
    _same(lambda w: crime.incident_counts(w.table("incidents"), start=dt.date(2023, 1, 1),
                                          as_of=AS_OF, period="month"),
          engines, ["offence_category", "period_start"])
    _same(lambda w: crime.incident_rates(*w.tables("incidents", "population", "neighbourhoods"),
                                         start=dt.date(2023, 1, 1), as_of=AS_OF,
                                         geography="division"),
          engines, ["division", "offence_category", "period_start"])
    chart = _same(lambda w: crime.control_chart(w.table("incidents"), as_of=AS_OF, periods=20),
                  engines, ["offence_category", "division", "period_start"])
    assert (chart["period_start"].dt.dayofweek == 0).all()  # Monday weeks on both engines


def test_response_times_demand_and_alternative_share(engines):
    _same(lambda w: calls.response_times(w.table("calls_for_service"),
                                         start=dt.date(2024, 1, 1), as_of=AS_OF),
          engines, ["priority", "division"])
    _same(lambda w: calls.hour_of_week_demand(w.table("calls_for_service"),
                                              start=dt.date(2024, 1, 1), as_of=AS_OF),
          engines, ["hour_of_week"])
    _same(lambda w: calls.alternative_response_share(
        w.table("calls_for_service"), start=dt.date(2024, 1, 1), as_of=AS_OF,
        call_types=["noise", "mental_health"]), engines, ["period_start"])


def test_hot_spots_csi_and_collisions(engines):
    _same(lambda w: hotspots.neighbourhood_hot_spots(
        *w.tables("incidents", "population", "neighbourhoods"), as_of=AS_OF),
        engines, ["neighbourhood_id"])
    _same(lambda w: hotspots.grid_hot_spots(w.table("incidents"), as_of=AS_OF, top=None,
                                            origin=(45.0, -75.0)),
          engines, ["cell_row", "cell_column"])
    _same(lambda w: csi.crime_severity_index(
        *w.tables("incidents", "offence_codes", "population", "neighbourhoods"),
        as_of=AS_OF, years=[2023], geography="division"), engines, ["division"])
    _same(lambda w: collisions.ksi_trend(w.table("collisions"), start=dt.date(2023, 1, 1),
                                         as_of=AS_OF, period="month"),
          engines, ["road_user", "period_start"])
