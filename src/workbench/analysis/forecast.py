"""Seasonal forecasts of monthly counts, with prediction intervals and a back-test error.

The model is an ETS (error-trend-seasonal) state-space model from statsmodels: additive
errors, a damped additive trend and additive 12-month seasonality (Holt-Winters with a
likelihood, so it has proper prediction intervals). Every forecast comes with a rolling-origin
back-test over the last months of history and the error of the seasonal naive forecast
("same month last year") over the same origins, so a reader can see whether the model beats
the obvious rule.

Counts are aggregated in the engine (one small monthly series); the model runs in pandas.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from workbench.analysis._common import (
    AnalysisInputError,
    InsufficientDataError,
    months_back,
    next_period_start,
    require_columns,
)
from workbench.analysis.crime import incident_counts

__all__ = ["CountForecast", "forecast_counts", "forecast_monthly_incidents"]

#: Seasonal period of monthly data.
MONTHS_PER_YEAR = 12
#: Fewest months a seasonal model is fitted on (two full seasons).
MINIMUM_SEASONAL_MONTHS = 24
#: Fewest months any model is fitted on.
MINIMUM_MONTHS = 12


@dataclass(frozen=True)
class CountForecast:
    """A forecast of monthly counts with its back-test.

    Attributes:
        history: ``month, observed`` — the series the model was fitted on.
        forecast: ``month, forecast, lower, upper`` — point forecast and prediction interval
            (lower bound floored at 0).
        backtest: ``origin, month, step, observed, predicted, lower, upper, seasonal_naive``
            — for each rolling origin (the last month of training data), forecasts ``step``
            months ahead with their prediction interval.
        mean_absolute_error: MAE of ``predicted`` over the back-test.
        mean_absolute_percentage_error: MAPE (in %) over back-test months with a non-zero
            count; NaN if every observed count was 0.
        seasonal_naive_mean_absolute_error: MAE of the same-month-last-year forecast over the
            same back-test (``mean_absolute_error`` below it means the model adds something).
        backtest_interval_coverage: share of back-test months whose count fell inside the
            prediction interval (compare with ``level``; the intervals ignore the uncertainty
            of the fitted parameters, so expect somewhat less than ``level``).
        level: coverage of the prediction interval (e.g. 0.9).
        method: a description of the model fitted.
    """

    history: pd.DataFrame
    forecast: pd.DataFrame
    backtest: pd.DataFrame
    mean_absolute_error: float
    mean_absolute_percentage_error: float
    seasonal_naive_mean_absolute_error: float
    backtest_interval_coverage: float
    level: float
    method: str

    def tidy(self) -> pd.DataFrame:
        """History and forecast in one long frame for charts:
        ``month, kind ("observed"|"forecast"), value, lower, upper``."""
        observed = self.history.rename(columns={"observed": "value"}).assign(
            kind="observed", lower=np.nan, upper=np.nan)
        predicted = self.forecast.rename(columns={"forecast": "value"}).assign(kind="forecast")
        return pd.concat([observed, predicted], ignore_index=True)[
            ["month", "kind", "value", "lower", "upper"]]


def _fit_and_forecast(values: np.ndarray, index: pd.DatetimeIndex, steps: int,
                      seasonal: bool, level: float) -> pd.DataFrame:
    """Fit the ETS model to ``values`` and return ``mean, lower, upper`` for ``steps`` months."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    series = pd.Series(values.astype(float), index=index)
    model = ETSModel(
        series, error="add", trend="add", damped_trend=True,
        seasonal="add" if seasonal else None,
        seasonal_periods=MONTHS_PER_YEAR if seasonal else None,
        # Heuristic start values (Hyndman et al. 2008, from the first seasons): the likelihood
        # is then maximised over the smoothing parameters only, which is faster and avoids
        # the poor local optima a joint search over start values falls into on short series.
        initialization_method="heuristic",
    )
    with warnings.catch_warnings():
        # Convergence chatter from the optimiser on short or flat series is not actionable.
        warnings.simplefilter("ignore")
        fitted = model.fit(disp=False)
        prediction = fitted.get_prediction(start=len(series), end=len(series) + steps - 1)
        frame = prediction.summary_frame(alpha=1.0 - level)
    return pd.DataFrame({
        "mean": frame["mean"].to_numpy(),
        "lower": np.maximum(frame["pi_lower"].to_numpy(), 0.0),
        "upper": frame["pi_upper"].to_numpy(),
    })


def forecast_counts(
    monthly_counts: pd.Series,
    *,
    horizon: int = 6,
    level: float = 0.9,
    backtest_months: int = 12,
    seasonal: bool | None = None,
) -> CountForecast:
    """Forecast a monthly count series ``horizon`` months ahead, with a rolling back-test.

    Args:
        monthly_counts: counts indexed by the first day of each month, consecutive, oldest
            first, complete months only (not modified).
        horizon: months to forecast, 1 to 24.
        level: prediction-interval coverage, between 0 and 1.
        backtest_months: rolling origins: the model is refitted with the series cut at each of
            the last ``backtest_months`` months and forecasts up to ``horizon`` months ahead
            from each (never past the end of the data). 0 skips the back-test.
        seasonal: fit 12-month seasonality; default: when every training series (the
            shortest is the one at the earliest back-test origin) has at least 24 months.

    Raises:
        InsufficientDataError: fewer than 12 months for the earliest fit, or a seasonal model
            asked for with fewer than 24.
        AnalysisInputError: bad options, or an index that is not consecutive months.
    """
    if not 1 <= horizon <= 24:
        raise AnalysisInputError(f"horizon must be between 1 and 24 months; got {horizon}")
    if not 0 < level < 1:
        raise AnalysisInputError(f"level must be between 0 and 1; got {level}")
    if backtest_months < 0:
        raise AnalysisInputError(f"backtest_months must be 0 or more; got {backtest_months}")
    index = pd.DatetimeIndex(pd.to_datetime(monthly_counts.index))
    expected = pd.date_range(index.min(), periods=len(index), freq="MS") if len(index) else index
    if len(index) and not index.equals(expected):
        raise AnalysisInputError("monthly_counts must be indexed by consecutive month starts")
    values = monthly_counts.to_numpy(dtype=float)
    if np.any(np.isnan(values)) or np.any(values < 0):
        raise AnalysisInputError("monthly_counts must be non-negative with no missing values")

    shortest_training = len(values) - backtest_months
    if shortest_training < MINIMUM_MONTHS:
        raise InsufficientDataError(
            f"a forecast with a {backtest_months}-month back-test needs at least "
            f"{MINIMUM_MONTHS + backtest_months} months of counts; got {len(values)}"
        )
    if seasonal is None:
        seasonal = shortest_training >= MINIMUM_SEASONAL_MONTHS
    elif seasonal and shortest_training < MINIMUM_SEASONAL_MONTHS:
        raise InsufficientDataError(
            f"a seasonal forecast with a {backtest_months}-month back-test needs at least "
            f"{MINIMUM_SEASONAL_MONTHS + backtest_months} months of counts; got {len(values)}"
        )
    index = pd.DatetimeIndex(index, freq="MS")

    rows = []
    for origin_position in range(len(values) - backtest_months, len(values)):
        steps = min(horizon, len(values) - origin_position)
        predicted = _fit_and_forecast(values[:origin_position], index[:origin_position], steps,
                                      seasonal, level)
        for step in range(1, steps + 1):
            target = origin_position + step - 1
            rows.append({
                "origin": index[origin_position - 1],
                "month": index[target],
                "step": step,
                "observed": values[target],
                "predicted": float(predicted["mean"].iloc[step - 1]),
                "lower": float(predicted["lower"].iloc[step - 1]),
                "upper": float(predicted["upper"].iloc[step - 1]),
                "seasonal_naive": (values[target - MONTHS_PER_YEAR]
                                   if target - MONTHS_PER_YEAR >= 0 else np.nan),
            })
    backtest = pd.DataFrame(rows, columns=["origin", "month", "step", "observed", "predicted",
                                           "lower", "upper", "seasonal_naive"])
    errors = (backtest["predicted"] - backtest["observed"]).abs()
    nonzero = backtest["observed"] != 0
    mae = float(errors.mean()) if len(backtest) else np.nan
    mape = (float((errors[nonzero] / backtest.loc[nonzero, "observed"]).mean() * 100.0)
            if nonzero.any() else np.nan)
    naive_errors = (backtest["seasonal_naive"] - backtest["observed"]).abs()
    naive_mae = float(naive_errors.mean()) if naive_errors.notna().any() else np.nan
    inside = (backtest["observed"] >= backtest["lower"]) & (backtest["observed"] <= backtest["upper"])
    coverage = float(inside.mean()) if len(backtest) else np.nan

    future = _fit_and_forecast(values, index, horizon, seasonal, level)
    future_months = pd.date_range(index[-1], periods=horizon + 1, freq="MS")[1:]
    forecast = pd.DataFrame({"month": future_months, "forecast": future["mean"],
                             "lower": future["lower"], "upper": future["upper"]})
    history = pd.DataFrame({"month": index, "observed": values})
    method = ("ETS(A,Ad,A): additive error, damped additive trend, additive 12-month seasonality"
              if seasonal else "ETS(A,Ad,N): additive error, damped additive trend, no seasonality")
    return CountForecast(history=history, forecast=forecast, backtest=backtest,
                         mean_absolute_error=mae, mean_absolute_percentage_error=mape,
                         seasonal_naive_mean_absolute_error=naive_mae,
                         backtest_interval_coverage=coverage, level=level,
                         method=method)


def forecast_monthly_incidents(
    incidents: ibis.Table,
    *,
    as_of: dt.date,
    horizon: int = 6,
    history_months: int = 60,
    level: float = 0.9,
    backtest_months: int = 12,
    seasonal: bool | None = None,
    data_start: dt.date | None = None,
) -> CountForecast:
    """Forecast monthly incident counts (by occurrence date) ``horizon`` months past ``as_of``.

    The series is the last ``history_months`` complete months ending on or before ``as_of``
    (a month still in progress is left out, so the first forecast month may be the current
    one) and starting no earlier than the first whole month of data: ``data_start`` is the
    first day the source covers, by default the date of the earliest incident in
    ``incidents`` (for a rare category filtered out of a longer history, give the history's
    start so that empty early months count as zeros). Filter ``incidents`` first for one category or division, e.g.
    ``incidents.filter(incidents.offence_category == "break_and_enter")``. See
    :func:`forecast_counts` for the model, the back-test and the errors raised.
    """
    require_columns(incidents, ["occurred_at"], "incidents")
    if history_months < MINIMUM_MONTHS:
        raise AnalysisInputError(
            f"history_months must be at least {MINIMUM_MONTHS}; got {history_months}")
    this_month = as_of.replace(day=1)
    month_complete = next_period_start(this_month, "month") - dt.timedelta(days=1) == as_of
    last_complete = this_month if month_complete else months_back(as_of, 1)
    first = months_back(last_complete, history_months - 1)
    last_day = next_period_start(last_complete, "month") - dt.timedelta(days=1)
    if data_start is None:
        earliest = incidents.occurred_at.min().to_pandas()
        if earliest is None or pd.isna(earliest):
            raise InsufficientDataError("there are no incidents to forecast")
        data_start = pd.Timestamp(earliest).date()
    first_full_month = (data_start if data_start.day == 1
                        else next_period_start(data_start.replace(day=1), "month"))
    first = max(first, first_full_month)
    if first > last_complete:
        raise InsufficientDataError(
            f"no complete month between the start of the data ({data_start}) and {as_of}")
    counts = incident_counts(incidents, start=first, as_of=last_day, period="month", by=())
    series = pd.Series(counts["incidents"].to_numpy(),
                       index=pd.DatetimeIndex(counts["period_start"]))
    return forecast_counts(series, horizon=horizon, level=level,
                           backtest_months=backtest_months, seasonal=seasonal)
