"""Early intervention: officer indicators normalised by exposure and compared with peers.

A PRIME-style early-intervention view (``design/DOMAIN.md``, "Early intervention") looks at
each officer's use of force, public complaints, police-vehicle collisions and sick time, each
divided by the officer's *exposure* to the situations that produce it, and compares it with
the officer's *peers*. Raw counts and fixed thresholds mostly flag officers on busy beats;
normalising by exposure and drawing a **funnel plot** (control limits that narrow as exposure
grows) flags officers whose rate is unusual *for the work they do*.

Indicators and exposures (:data:`INDICATORS`)
---------------------------------------------
- use-of-force reports and public complaints per call attended (``calls_for_service`` rows
  with the officer as primary responder and an arrival time);
- police-vehicle collisions per hour worked (``shifts.worked_hours``);
- sick spells (runs of consecutive scheduled shifts lost to own illness, counted when they
  start; :func:`workbench.analysis.workforce.officer_absence_spells`) per hour scheduled.

Peers and expected counts
-------------------------
An officer's *expected* count is the peer rate × the officer's exposure. The peer rate is the
rate of the rest of the officer's peer group, leaving the officer out (so an outlier does not
raise its own benchmark). Peer groups are tried from the narrowest to the widest in
``peer_levels`` — by default the officer's unit (platoon), then division, then the whole
service — and the first one with at least ``minimum_peers`` other officers and at least
``minimum_peer_events`` events among them is used (a unit whose other members had no
collision in the window would otherwise make a single collision look infinitely unusual).
The ``peer_group`` column says which level was used.

Funnel limits and flags
-----------------------
Under the hypothesis that nothing sets the officer apart, the count is Poisson with the
expected mean — or, when officers differ more than Poisson noise allows (sick leave: some people
fall ill more often than others), gamma-Poisson with a between-officer variance τ² fitted by
maximum likelihood (:func:`estimate_overdispersion`; D. Spiegelhalter (2005), "Funnel plots
for comparing institutional performance", *Statistics in Medicine* 24, section 3.5). The limits
at ``level`` (95 % "warning" and 99.8 % "alarm" by default) are that distribution's exact
quantiles (:func:`funnel_limits`): an officer is **above** the alarm limit only when the
chance of a count that high is at most 0.1 %. Counts are whole numbers, so for small expected
counts the exact limits are conservative, never looser than nominal. Every row carries
``null_flag_probability``, the exact probability of landing above the alarm limit when nothing
is wrong: the sum of that column is the number of flags expected by chance (at most 0.1 % of
the officer-indicators assessed).

Privacy
-------
Every frame here names officers: only the ``restricted`` audience may have it (a
:class:`~workbench.privacy.PrivacyError` otherwise). No race data is ever used at officer
level (Ontario's Anti-Racism Data Standards forbid it for individual performance management):
the functions read no table of subjects or enforcement actions, and refuse an input that
carries a race column.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as scipy_stats

from workbench.analysis._common import AnalysisInputError, require_columns, within_dates
from workbench.privacy import Audience, PrivacyError

__all__ = [
    "ALARM_LEVEL",
    "INDICATORS",
    "PEER_LEVELS",
    "WARNING_LEVEL",
    "Indicator",
    "estimate_overdispersion",
    "funnel_curve",
    "funnel_limits",
    "indicator_summary",
    "officer_event_counts",
    "officer_exposure",
    "officer_indicators",
    "review_list",
]

#: Inner ("warning") funnel limit: 95 % of officers like their peers fall inside.
WARNING_LEVEL = 0.95
#: Outer ("alarm") funnel limit: 99.8 % of officers like their peers fall inside.
ALARM_LEVEL = 0.998
#: Peer groups tried in order (narrowest first); ``"service"`` means every officer.
PEER_LEVELS: tuple[str, ...] = ("unit_id", "division", "service")

#: Column names that would carry race data; never accepted at officer level.
_RACE_COLUMNS = ("perceived_race", "race_groups", "race", "race_group", "ethnicity")


@dataclass(frozen=True)
class Indicator:
    """One early-intervention indicator: what is counted and what it is divided by."""

    name: str
    label: str
    exposure: str
    exposure_label: str
    per: float

    @property
    def rate_label(self) -> str:
        """E.g. ``"per 100 calls attended"``."""
        return f"per {self.per:,.0f} {self.exposure_label}"


INDICATORS: dict[str, Indicator] = {indicator.name: indicator for indicator in (
    Indicator("use_of_force", "Use-of-force reports", "calls_attended", "calls attended", 100),
    Indicator("complaints", "Public complaints", "calls_attended", "calls attended", 100),
    Indicator("collisions", "Police-vehicle collisions", "hours_worked", "hours worked", 1_000),
    Indicator("sick_spells", "Sick spells", "hours_scheduled", "hours scheduled", 1_000),
)}


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _require_restricted(audience: Audience | str, what: str) -> None:
    if Audience.parse(audience) < Audience.RESTRICTED:
        raise PrivacyError(
            f"{what} names individual officers: it may only be produced for the restricted "
            f"audience, not {Audience.parse(audience).label}")


def _require_no_race_columns(columns: Sequence[str], table_name: str) -> None:
    found = [column for column in columns if str(column).lower() in _RACE_COLUMNS]
    if found:
        raise PrivacyError(
            f"the {table_name} input carries race data ({', '.join(found)}); race data is never "
            "used for individual officers (Anti-Racism Data Standards): drop the column first")


def _require_window(start: dt.date, end: dt.date) -> None:
    if start > end:
        raise AnalysisInputError(f"start {start} is after end {end}")


def _require_level(level: float) -> None:
    if not 0 < level < 1:
        raise AnalysisInputError(f"a funnel level must be between 0 and 1; got {level}")


# --------------------------------------------------------------------------------------------
# Counting in the engine
# --------------------------------------------------------------------------------------------


def officer_exposure(
    calls_for_service: ibis.Table,
    shifts: ibis.Table,
    *,
    start: dt.date,
    end: dt.date,
) -> pd.DataFrame:
    """Each officer's exposure from ``start`` to ``end`` (inclusive), counted in the engine.

    Returns:
        ``officer_id, calls_attended`` (calls the officer was primary responder to and a unit
        arrived at), ``hours_worked``, ``hours_scheduled``; one row per officer with any.
    """
    _require_window(start, end)
    require_columns(calls_for_service, ["received_at", "arrived_at", "officer_id"],
                    "calls_for_service")
    require_columns(shifts, ["officer_id", "shift_date", "scheduled_hours", "worked_hours"],
                    "shifts")
    calls = calls_for_service.filter(within_dates(calls_for_service.received_at, start, end),
                                     calls_for_service.officer_id.notnull(),
                                     calls_for_service.arrived_at.notnull())
    attended = calls.group_by("officer_id").aggregate(calls_attended=calls.count()).to_pandas()
    lower, upper = ibis.literal(start), ibis.literal(end)
    rows = shifts.filter(shifts.shift_date >= lower, shifts.shift_date <= upper)
    hours = rows.group_by("officer_id").aggregate(
        hours_worked=rows.worked_hours.sum().fill_null(0.0),
        hours_scheduled=rows.scheduled_hours.sum().fill_null(0.0),
    ).to_pandas()
    frame = hours.merge(attended, on="officer_id", how="outer")
    frame["calls_attended"] = frame["calls_attended"].fillna(0).astype("int64")
    for column in ("hours_worked", "hours_scheduled"):
        frame[column] = frame[column].fillna(0.0).astype(float)
    return frame[["officer_id", "calls_attended", "hours_worked", "hours_scheduled"]] \
        .sort_values("officer_id").reset_index(drop=True)


def _counts_by_officer(table: ibis.Table, time_column: str, start: dt.date, end: dt.date,
                       name: str, distinct: str | None = None) -> pd.DataFrame:
    _require_no_race_columns(table.columns, name)
    require_columns(table, [time_column, "officer_id"], name)
    rows = table.filter(within_dates(table[time_column], start, end), table.officer_id.notnull())
    count = rows[distinct].nunique() if distinct else rows.count()
    frame = rows.group_by("officer_id").aggregate(**{name: count}).to_pandas()
    frame[name] = frame[name].astype("int64")
    return frame


def officer_event_counts(
    *,
    start: dt.date,
    end: dt.date,
    audience: Audience | str,
    use_of_force: ibis.Table | None = None,
    complaints: ibis.Table | None = None,
    collisions: ibis.Table | None = None,
    shifts: ibis.Table | None = None,
) -> pd.DataFrame:
    """Each officer's events from ``start`` to ``end`` (restricted): one column per indicator
    whose table is given (``use_of_force`` reports, ``complaints`` received, ``collisions``
    involving a police vehicle the officer drove, ``sick_spells`` starting in the window).

    Returns:
        ``officer_id`` and the indicator columns, one row per officer with any event.
    """
    _require_restricted(audience, "officer_event_counts")
    _require_window(start, end)
    frames: list[pd.DataFrame] = []
    if use_of_force is not None:
        frames.append(_counts_by_officer(use_of_force, "occurred_at", start, end, "use_of_force"))
    if complaints is not None:
        frames.append(_counts_by_officer(complaints, "received_at", start, end, "complaints"))
    if collisions is not None:
        require_columns(collisions, ["collision_id"], "collisions")
        frames.append(_counts_by_officer(collisions, "occurred_at", start, end, "collisions",
                                         distinct="collision_id"))
    if shifts is not None:
        frames.append(_sick_spells(shifts, start=start, end=end, audience=audience))
    if not frames:
        raise AnalysisInputError("give at least one of use_of_force, complaints, collisions, "
                                 "shifts")
    result = frames[0]
    for frame in frames[1:]:
        result = result.merge(frame, on="officer_id", how="outer")
    names = [column for column in result.columns if column != "officer_id"]
    result[names] = result[names].fillna(0).astype("int64")
    return result.sort_values("officer_id").reset_index(drop=True)


def _sick_spells(shifts: ibis.Table, *, start: dt.date, end: dt.date,
                 audience: Audience | str) -> pd.DataFrame:
    from workbench.analysis.workforce import officer_absence_spells

    spells = officer_absence_spells(shifts, start=start, end=end, audience=audience,
                                    absence_codes=("sick",))
    counts = spells.groupby("officer_id").size().rename("sick_spells").reset_index()
    counts["sick_spells"] = counts["sick_spells"].astype("int64")
    return counts


# --------------------------------------------------------------------------------------------
# Funnel limits
# --------------------------------------------------------------------------------------------


def _count_distribution(expected: np.ndarray, overdispersion: float):  # noqa: ANN202
    """Poisson(expected), or gamma-Poisson (negative binomial) with variance
    ``expected + overdispersion × expected²`` when ``overdispersion`` is positive."""
    if overdispersion > 0:
        size = 1.0 / overdispersion
        return scipy_stats.nbinom(size, size / (size + expected))
    return scipy_stats.poisson(expected)


def funnel_limits(expected: np.ndarray | pd.Series | float, level: float, *,
                  overdispersion: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact lower and upper funnel limits (counts) for counts with mean ``expected``.

    The upper limit is the largest count that is *not* unusual at ``level``: the smallest
    ``r`` with ``P(X ≤ r) ≥ (1 + level)/2``, so a count above it has an upper-tail probability
    of at most ``(1 − level)/2``. The lower limit is the smallest count that is not unusual
    (``P(X < l) ≤ (1 − level)/2``). ``X`` is Poisson, or negative binomial when
    ``overdispersion`` (τ², see :func:`estimate_overdispersion`) is positive. Counts are whole
    numbers, so the limits are steps; a count is flagged only when its exact tail probability
    is within the level (never more often than the level's nominal rate).
    NaN where ``expected`` is missing or not positive.
    """
    _require_level(level)
    if not overdispersion >= 0:
        raise AnalysisInputError(f"overdispersion must be non-negative; got {overdispersion}")
    mean = np.atleast_1d(np.asarray(expected, dtype=float))
    usable = np.isfinite(mean) & (mean > 0)
    lower = np.full(mean.shape, np.nan)
    upper = np.full(mean.shape, np.nan)
    if usable.any():
        distribution = _count_distribution(mean[usable], overdispersion)
        tail = (1.0 - level) / 2.0
        upper[usable] = distribution.ppf(1.0 - tail)
        lower[usable] = distribution.ppf(tail)
        # ppf(q) is the smallest k with F(k) >= q; the lower limit must have F(k - 1) <= tail
        lower[usable] = np.where(distribution.cdf(lower[usable]) <= tail, lower[usable] + 1,
                                 lower[usable])
    return lower, upper


def estimate_overdispersion(count: np.ndarray | pd.Series, expected: np.ndarray | pd.Series, *,
                            significance: float = 0.05) -> float:
    """Between-officer variance τ² beyond Poisson noise, by maximum likelihood.

    The counts are modelled as gamma-Poisson (negative binomial): each officer's true ratio to
    the expected count varies with variance τ², so ``Var(X) = E + τ²·E²``. τ² is fitted by
    maximum likelihood and kept only when the likelihood-ratio test against τ² = 0 is
    significant at ``significance`` (one-sided, the boundary-corrected χ²₁ critical value);
    otherwise 0 (pure Poisson). One far outlier barely moves the estimate; widespread
    variation between people (e.g. in sick leave) does, which keeps the funnel from flagging
    a large share of ordinary officers (Spiegelhalter 2005, section 3.5).
    """
    observed = np.asarray(count, dtype=float)
    mean = np.asarray(expected, dtype=float)
    usable = np.isfinite(mean) & (mean > 0) & np.isfinite(observed)
    observed, mean = observed[usable], mean[usable]
    if observed.size < 3:
        return 0.0
    poisson_log_likelihood = float(scipy_stats.poisson.logpmf(observed, mean).sum())

    def negative_log_likelihood(log_tau2: float) -> float:
        size = math.exp(-log_tau2)
        return -float(scipy_stats.nbinom.logpmf(observed, size, size / (size + mean)).sum())

    fit = optimize.minimize_scalar(negative_log_likelihood, bounds=(math.log(1e-6), math.log(10.0)),
                                   method="bounded")
    ratio_statistic = 2.0 * (-float(fit.fun) - poisson_log_likelihood)
    critical = float(scipy_stats.chi2.ppf(1.0 - 2.0 * significance, 1))
    if not ratio_statistic > critical:
        return 0.0
    return float(math.exp(fit.x))


def funnel_curve(expected_range: tuple[float, float], *,
                 levels: Sequence[float] = (WARNING_LEVEL, ALARM_LEVEL),
                 overdispersion: float = 0.0, points: int = 160) -> pd.DataFrame:
    """The funnel's limits on the ratio scale (observed ÷ expected) for plotting.

    Returns:
        ``expected, level, lower_ratio, upper_ratio``: ``points`` expected counts spaced
        evenly on a log scale over ``expected_range``, for every level. The limits are the
        exact steps of :func:`funnel_limits` divided by the expected count.
    """
    low, high = (float(value) for value in expected_range)
    if not 0 < low <= high:
        raise AnalysisInputError(f"expected_range must be positive and increasing; got "
                                 f"{expected_range}")
    grid = np.geomspace(low, max(high, low * 1.0001), int(points))
    parts = []
    for level in levels:
        lower, upper = funnel_limits(grid, level, overdispersion=overdispersion)
        parts.append(pd.DataFrame({"expected": grid, "level": float(level),
                                   "lower_ratio": lower / grid, "upper_ratio": upper / grid}))
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------------
# Indicators against peers
# --------------------------------------------------------------------------------------------


def officer_indicators(
    counts: pd.DataFrame,
    exposure: pd.DataFrame,
    personnel: pd.DataFrame | ibis.Table,
    *,
    audience: Audience | str,
    indicators: Sequence[str] | None = None,
    peer_levels: Sequence[str] = PEER_LEVELS,
    minimum_peers: int = 5,
    minimum_peer_events: int = 10,
    warning_level: float = WARNING_LEVEL,
    alarm_level: float = ALARM_LEVEL,
    overdispersion: Literal["estimate", "none"] = "estimate",
) -> pd.DataFrame:
    """Every officer's indicators against their peers, with funnel limits (restricted).

    Args:
        counts: :func:`officer_event_counts`.
        exposure: :func:`officer_exposure`.
        personnel: the ``personnel`` table (``officer_id, unit_id, division, rank``); an
            officer's peer group is their current unit and division.
        audience: must be ``restricted``.
        indicators: names from :data:`INDICATORS` (default: every one ``counts`` has).
        peer_levels: peer groups tried in order (see the module docstring).
        minimum_peers, minimum_peer_events: smallest peer group (other officers, their
            events) accepted at a level before the next wider one is tried.
        warning_level, alarm_level: the two funnel limits.
        overdispersion: ``"estimate"`` fits τ² per indicator across every officer assessed
            (:func:`estimate_overdispersion`; 0 when Poisson fits) and widens the limits by
            it; ``"none"`` keeps pure Poisson limits.

    Returns:
        One row per officer and indicator with positive exposure: ``officer_id, unit_id,
        division, rank, indicator, label, count, exposure, rate`` (per the indicator's
        ``per``), ``peer_group, peer_officers, peer_rate, expected, ratio`` (count ÷
        expected), ``p_above`` (exact P(X ≥ count)), ``warning_lower, warning_upper,
        alarm_lower, alarm_upper, status`` (``"above alarm"``, ``"above warning"``,
        ``"within"``, ``"below warning"``, ``"below alarm"``, or ``"no peers"``),
        ``above_alarm, null_flag_probability, overdispersion``.
    """
    _require_restricted(audience, "officer_indicators")
    _require_level(warning_level)
    _require_level(alarm_level)
    if overdispersion not in ("estimate", "none"):
        raise AnalysisInputError(f"overdispersion must be 'estimate' or 'none'; got "
                                 f"{overdispersion!r}")
    if not warning_level < alarm_level:
        raise AnalysisInputError(f"warning_level ({warning_level}) must be below alarm_level "
                                 f"({alarm_level})")
    unknown_levels = [level for level in peer_levels if level not in PEER_LEVELS]
    if unknown_levels or not peer_levels:
        raise AnalysisInputError(f"peer_levels must be taken from {', '.join(PEER_LEVELS)}; "
                                 f"got {list(peer_levels)}")
    for frame, name in ((counts, "counts"), (exposure, "exposure")):
        _require_no_race_columns(list(frame.columns), name)
    people = personnel.to_pandas() if isinstance(personnel, ibis.Table) else personnel
    _require_no_race_columns(list(people.columns), "personnel")
    missing = [c for c in ("officer_id", "unit_id", "division", "rank") if c not in people.columns]
    if missing:
        raise AnalysisInputError(f"the personnel input lacks column(s) {', '.join(missing)}")
    wanted = list(indicators) if indicators is not None else [
        name for name in INDICATORS if name in counts.columns]
    unknown = [name for name in wanted if name not in INDICATORS]
    if unknown:
        raise AnalysisInputError(f"unknown indicators: {', '.join(unknown)}; known: "
                                 f"{', '.join(INDICATORS)}")
    absent = [name for name in wanted if name not in counts.columns]
    if absent:
        raise AnalysisInputError(f"the counts have no column for {', '.join(absent)}")

    base = people[["officer_id", "unit_id", "division", "rank"]].merge(
        exposure, on="officer_id", how="inner").merge(
        counts[["officer_id", *wanted]], on="officer_id", how="left")
    base["service"] = "service"
    parts = []
    for name in wanted:
        indicator = INDICATORS[name]
        part = base.loc[base[indicator.exposure] > 0,
                        ["officer_id", "unit_id", "division", "rank", "service"]].copy()
        part["indicator"] = name
        part["label"] = indicator.label
        part["count"] = base.loc[part.index, name].fillna(0).astype("int64")
        part["exposure"] = base.loc[part.index, indicator.exposure].astype(float)
        part["rate"] = part["count"] / part["exposure"] * indicator.per
        parts.append(_against_peers(part.reset_index(drop=True), peer_levels, minimum_peers,
                                    minimum_peer_events))
    columns = ["officer_id", "unit_id", "division", "rank", "indicator", "label", "count",
               "exposure", "rate", "peer_group", "peer_officers", "peer_rate", "expected",
               "ratio", "p_above", "warning_lower", "warning_upper", "alarm_lower",
               "alarm_upper", "status", "above_alarm", "null_flag_probability",
               "overdispersion"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat([
        _with_limits(part, warning_level, alarm_level,
                     estimate_overdispersion(part["count"], part["expected"])
                     if overdispersion == "estimate" else 0.0)
        for part in parts], ignore_index=True)
    frame["peer_rate"] = frame["peer_rate"] * frame["indicator"].map(
        {name: INDICATORS[name].per for name in wanted})
    return frame[columns].sort_values(["indicator", "officer_id"]).reset_index(drop=True)


def _against_peers(part: pd.DataFrame, peer_levels: Sequence[str], minimum_peers: int,
                   minimum_peer_events: int) -> pd.DataFrame:
    """Leave-one-out peer rate from the first peer level large enough (rate per exposure)."""
    part["peer_group"] = None
    part["peer_officers"] = 0
    part["peer_rate"] = np.nan
    unresolved = np.ones(len(part), dtype=bool)
    for level in peer_levels:
        totals = part.groupby(level, dropna=False).agg(
            _officers=("officer_id", "size"), _events=("count", "sum"),
            _exposure=("exposure", "sum"))
        joined = part[[level]].join(totals, on=level)
        officers = joined["_officers"].to_numpy() - 1
        events = joined["_events"].to_numpy() - part["count"].to_numpy()
        exposure = joined["_exposure"].to_numpy() - part["exposure"].to_numpy()
        usable = (unresolved & part[level].notna().to_numpy() & (officers >= minimum_peers)
                  & (events >= minimum_peer_events) & (exposure > 0))
        if usable.any():
            if level == "service":
                label = np.full(len(part), "service", dtype=object)
            else:
                label = (level.removesuffix("_id") + " " + part[level].astype(str)).to_numpy()
            part.loc[usable, "peer_group"] = label[usable]
            part.loc[usable, "peer_officers"] = officers[usable]
            part.loc[usable, "peer_rate"] = events[usable] / exposure[usable]
            unresolved &= ~usable
    part["peer_officers"] = part["peer_officers"].astype("int64")
    part["expected"] = part["peer_rate"] * part["exposure"]
    with np.errstate(divide="ignore", invalid="ignore"):
        part["ratio"] = np.where(part["expected"] > 0, part["count"] / part["expected"], np.nan)
    return part


def _with_limits(frame: pd.DataFrame, warning_level: float, alarm_level: float,
                 overdispersion: float) -> pd.DataFrame:
    expected = frame["expected"].to_numpy(dtype=float)
    count = frame["count"].to_numpy(dtype=float)
    frame["overdispersion"] = overdispersion
    frame["warning_lower"], frame["warning_upper"] = funnel_limits(
        expected, warning_level, overdispersion=overdispersion)
    frame["alarm_lower"], frame["alarm_upper"] = funnel_limits(
        expected, alarm_level, overdispersion=overdispersion)
    assessed = np.isfinite(expected) & (expected > 0)
    distribution = _count_distribution(np.where(assessed, expected, 1.0), overdispersion)
    frame["p_above"] = np.where(assessed, distribution.sf(count - 1), np.nan)
    status = np.select(
        [~assessed, count > frame["alarm_upper"], count > frame["warning_upper"],
         count < frame["alarm_lower"], count < frame["warning_lower"]],
        ["no peers", "above alarm", "above warning", "below alarm", "below warning"],
        "within")
    frame["status"] = status
    frame["above_alarm"] = status == "above alarm"
    upper = np.where(assessed, frame["alarm_upper"].fillna(0).to_numpy(), 0.0)
    frame["null_flag_probability"] = np.where(assessed, distribution.sf(upper), np.nan)
    return frame


# --------------------------------------------------------------------------------------------
# Summaries for supervisors
# --------------------------------------------------------------------------------------------


def review_list(indicators: pd.DataFrame) -> pd.DataFrame:
    """Officer-indicators above the alarm limit, most unusual first (smallest ``p_above``):
    the supervisors' review list. Same columns as :func:`officer_indicators`."""
    required = {"above_alarm", "p_above", "officer_id", "indicator"}
    if not required <= set(indicators.columns):
        raise AnalysisInputError("review_list needs the frame of officer_indicators")
    flagged = indicators.loc[indicators["above_alarm"].astype(bool)]
    return flagged.sort_values(["p_above", "officer_id", "indicator"]).reset_index(drop=True)


def indicator_summary(indicators: pd.DataFrame, *, by: Sequence[str] = ("division",)
                      ) -> pd.DataFrame:
    """Per group and indicator: officers assessed, above the warning and alarm limits, and the
    number above the alarm limit expected by chance (sum of ``null_flag_probability``).

    Returns:
        ``*by, indicator, label, officers, events, above_warning, above_alarm,
        expected_by_chance``.
    """
    by = list(by)
    assessed = indicators.loc[indicators["status"] != "no peers"].copy()
    assessed["_warning"] = assessed["status"].isin(["above warning", "above alarm"])
    keys = [*by, "indicator", "label"]
    grouped = assessed.groupby(keys, dropna=False, sort=True).agg(
        officers=("officer_id", "nunique"), events=("count", "sum"),
        above_warning=("_warning", "sum"), above_alarm=("above_alarm", "sum"),
        expected_by_chance=("null_flag_probability", "sum")).reset_index()
    for column in ("officers", "events", "above_warning", "above_alarm"):
        grouped[column] = grouped[column].astype("int64")
    return grouped[[*keys, "officers", "events", "above_warning", "above_alarm",
                    "expected_by_chance"]]
