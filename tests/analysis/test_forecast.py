"""Seasonal forecasts of monthly counts with a rolling-origin back-test."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import forecast
from workbench.analysis._common import AnalysisInputError, InsufficientDataError


def _seasonal_series(months=60, noise=1.0, seed=3, start="2019-01-01"):
    index = pd.date_range(start, periods=months, freq="MS")
    rng = np.random.default_rng(seed)
    expected = 100 + 20 * np.sin(2 * np.pi * np.arange(months) / 12)
    values = np.round(expected + rng.normal(0, noise, months))
    return pd.Series(values, index=index), expected


@pytest.fixture(scope="module")
def near_deterministic():
    series, _ = _seasonal_series(noise=1.0)
    return forecast.forecast_counts(series, horizon=6, backtest_months=12)


def test_forecast_continues_a_clear_seasonal_pattern(near_deterministic):
    months = np.arange(60, 66)
    truth = 100 + 20 * np.sin(2 * np.pi * months / 12)
    result = near_deterministic.forecast
    assert result["month"].tolist() == list(pd.date_range("2024-01-01", periods=6, freq="MS"))
    assert np.abs(result["forecast"].to_numpy() - truth).max() < 4
    assert (result["lower"] <= result["forecast"]).all()
    assert (result["forecast"] <= result["upper"]).all()
    assert "seasonality" in near_deterministic.method and "no seasonality" not in (
        near_deterministic.method)


def test_backtest_uses_rolling_origins_and_reports_its_error(near_deterministic):
    backtest = near_deterministic.backtest
    # 12 origins; from each, up to 6 months ahead but never past the data: 1+2+…+5 + 7×6
    assert len(backtest) == 57
    assert backtest["origin"].nunique() == 12
    assert backtest["step"].max() == 6
    assert (backtest["month"] > backtest["origin"]).all()
    assert near_deterministic.mean_absolute_error < 3
    assert 0 < near_deterministic.mean_absolute_percentage_error < 3


def test_model_beats_the_seasonal_naive_rule_on_noisy_seasonal_counts():
    index = pd.date_range("2018-01-01", periods=72, freq="MS")
    rng = np.random.default_rng(11)
    series = pd.Series(rng.poisson(200 + 40 * np.sin(2 * np.pi * np.arange(72) / 12)),
                       index=index)
    result = forecast.forecast_counts(series, horizon=3, backtest_months=12)
    assert result.mean_absolute_error < result.seasonal_naive_mean_absolute_error
    # 33 back-test months: a 90% interval that covered fewer than 70% would be too narrow
    assert 0.7 <= result.backtest_interval_coverage <= 1.0
    inside = result.backtest["observed"].between(result.backtest["lower"], result.backtest["upper"])
    assert result.backtest_interval_coverage == pytest.approx(inside.mean())


def test_tidy_frame_joins_history_and_forecast(near_deterministic):
    tidy = near_deterministic.tidy()
    assert list(tidy.columns) == ["month", "kind", "value", "lower", "upper"]
    assert (tidy["kind"] == "observed").sum() == 60 and (tidy["kind"] == "forecast").sum() == 6
    assert tidy.loc[tidy["kind"] == "observed", "lower"].isna().all()


def test_short_series_are_refused_or_fitted_without_seasonality():
    series, _ = _seasonal_series(months=20)
    with pytest.raises(InsufficientDataError, match="at least 24 months"):
        forecast.forecast_counts(series, backtest_months=12)
    result = forecast.forecast_counts(series, horizon=3, backtest_months=6)
    assert "no seasonality" in result.method
    with pytest.raises(InsufficientDataError, match="seasonal"):
        forecast.forecast_counts(series, backtest_months=6, seasonal=True)


def test_a_gap_in_the_months_is_refused():
    series, _ = _seasonal_series(months=40)
    with pytest.raises(AnalysisInputError, match="consecutive"):
        forecast.forecast_counts(series.drop(series.index[10]))


def test_monthly_incidents_forecast_uses_complete_months_only(warehouse_with):
    rng = np.random.default_rng(5)
    rows = []
    for month in pd.date_range("2021-01-01", "2024-03-01", freq="MS"):
        count = int(rng.poisson(30 + 10 * np.sin(2 * np.pi * month.month / 12)))
        rows += [{"occurred_at": month + pd.Timedelta(days=3)} for _ in range(count)]
    table = warehouse_with(incidents=rows).table("incidents")
    result = forecast.forecast_monthly_incidents(
        table, as_of=dt.date(2024, 3, 20), horizon=3, history_months=60, backtest_months=6)
    # March 2024 is still in progress; the data begin on 4 January 2021, so January is partial
    assert result.history["month"].iloc[-1] == pd.Timestamp("2024-02-01")
    assert result.history["month"].iloc[0] == pd.Timestamp("2021-02-01")
    assert result.forecast["month"].iloc[0] == pd.Timestamp("2024-03-01")
    counted = [r for r in rows if pd.Timestamp("2021-02-01") <= r["occurred_at"]
               < pd.Timestamp("2024-03-01")]
    assert result.history["observed"].sum() == len(counted)

    declared = forecast.forecast_monthly_incidents(
        table, as_of=dt.date(2024, 3, 20), horizon=3, backtest_months=6,
        data_start=dt.date(2021, 1, 1))
    assert declared.history["month"].iloc[0] == pd.Timestamp("2021-01-01")
