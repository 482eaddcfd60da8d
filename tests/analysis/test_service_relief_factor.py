"""``workforce.service_relief_factor``: the whole service as one unit, on the demo city."""

from __future__ import annotations

import datetime as dt

import pytest

from workbench.analysis import workforce


def test_service_relief_factor_is_every_unit_combined(demo_warehouse) -> None:  # noqa: ANN001
    shifts, personnel = demo_warehouse.tables("shifts", "personnel")
    end = demo_warehouse.table("shifts").shift_date.max().execute()
    end = end if isinstance(end, dt.date) else end.date()
    start = end - dt.timedelta(days=364)
    units = workforce.relief_factors(shifts, personnel, start=start, end=end)
    service = workforce.service_relief_factor(shifts, personnel, start=start, end=end)
    assert len(service) == 1
    row = service.iloc[0]
    # full-time equivalents add up over units, and so do the hours they stand for
    assert row["fte"] == pytest.approx(units["fte"].sum())
    scheduled = (units["scheduled_hours_per_fte"] * units["fte"]).sum() / units["fte"].sum()
    absent = (units["absence_hours_per_fte"] * units["fte"]).sum() / units["fte"].sum()
    assert row["scheduled_hours_per_fte"] == pytest.approx(scheduled)
    assert row["absence_hours_per_fte"] == pytest.approx(absent)
    assert row["relief_factor"] == pytest.approx(
        workforce.DEFAULT_POST_HOURS_PER_YEAR / (scheduled - absent))
    # members are counted once, however many units they worked in
    members = demo_warehouse.con.raw_sql(
        f"SELECT count(DISTINCT officer_id) FROM shifts WHERE scheduled_hours > 0 AND "
        f"shift_date BETWEEN DATE '{start}' AND DATE '{end}'").fetchone()[0]
    assert row["people"] == members <= units["people"].sum()
