import datetime as dt

import pandas as pd

from workbench.analysis import quality


def _load(warehouse):
    frame = pd.DataFrame({
        "incident_id": ["a", "b", "b", "c"], "source": "t",
        "occurred_at": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-02-10"]),
        "reported_at": pd.to_datetime(["2024-01-05", "2024-01-01", None, "2024-04-10"]),
        "offence_category": ["assault", "not_a_category", "theft_under", "fraud"],
        "offence_code": None, "division": "D1", "neighbourhood_id": [None, "N1", "N1", "N2"],
        "latitude": [None, 95.0, 45.0, 45.1], "longitude": [None, -75.0, -75.0, -75.1],
        "location_type": None, "domestic": None, "clearance": None,
    })
    warehouse.append("incidents", frame)
    return warehouse.table("incidents")


def test_completeness_counts_nulls_per_column(empty_warehouse):
    result = quality.completeness(_load(empty_warehouse)).set_index("column")
    assert result.loc["reported_at", "non_null"] == 3
    assert result.loc["neighbourhood_id", "completeness"] == 0.75
    assert result.loc["incident_id", "completeness"] == 1.0


def test_validity_finds_each_planted_problem(empty_warehouse):
    result = quality.validity(_load(empty_warehouse), "incidents").set_index("rule")
    assert result.loc["offence_category not in vocabulary", "invalid"] == 1
    assert result.loc["reported before occurred", "invalid"] == 1
    assert result.loc["latitude out of range", "invalid"] == 1
    assert result.loc["longitude out of range", "invalid"] == 0


def test_duplicates_timeliness_and_lag(empty_warehouse):
    table = _load(empty_warehouse)
    assert quality.duplicate_keys(table, ["source", "incident_id"]) == 1
    assert quality.timeliness(table, "occurred_at", today=dt.date(2024, 3, 1)) == {
        "latest": dt.date(2024, 2, 10), "days_behind": 20}
    lag = quality.report_lag(table).set_index("offence_category")
    assert lag.loc["assault", "median_days"] == 4.0
    assert lag.loc["fraud", "share_over_30_days"] == 1.0


def test_table_quality_summarises_every_table(empty_warehouse):
    _load(empty_warehouse)
    summary = quality.table_quality(empty_warehouse, today=dt.date(2024, 3, 1)).set_index("table")
    assert summary.loc["incidents", "rows"] == 4
    assert summary.loc["incidents", "duplicate_keys"] == 1
    assert summary.loc["incidents", "rule_violations"] == 3
    assert summary.loc["calls_for_service", "rows"] == 0
