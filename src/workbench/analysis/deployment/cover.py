"""A covering integer program: whole numbers of columns (tours, shifts…) covering a requirement
per period at least cost, solved with SciPy's ``milp`` (HiGHS), with a rounded-LP heuristic.

    minimise   cost · x  +  penalty · shortfall
    subject to coverage @ x + shortfall ≥ required,  budgets · x ≤ limits,  x ≥ 0 whole

plus optional groups of columns (a minimum in any group used, a maximum number of groups used).
Methods: ``"lp"`` (the relaxation: a lower bound), ``"quick"`` (the relaxation rounded by
diving, filled greedily and pruned) and ``"milp"`` (branch and bound started from the quick
schedule's cost). :mod:`.schedule` builds the police tours on top of it; the textbook
shift-covering cases are checked on it directly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

from workbench.analysis._common import AnalysisInputError

__all__ = ["METHODS", "CoverSolution", "solve_cover"]

METHODS = ("milp", "quick", "lp")
#: Most LP re-solves of the ``"quick"`` rounding.
_DIVE_ROUNDS = 50


@dataclass(frozen=True)
class CoverSolution:
    """Solution of :func:`solve_cover`.

    ``x``: officers per column; ``shortfall`` per period; ``objective``; ``bound``: a proven
    lower bound on the optimum (the solver's dual bound for ``"milp"``, the LP relaxation for
    ``"quick"``; equal to ``objective`` for ``"lp"``); ``gap`` = (objective − bound) ÷
    objective; ``status`` and ``message`` from HiGHS (0: solved to the gap asked); ``method``;
    ``seconds`` of wall time."""

    x: np.ndarray
    shortfall: np.ndarray
    objective: float
    bound: float
    status: int
    message: str
    seconds: float
    method: str

    @property
    def gap(self) -> float:
        return (self.objective - self.bound) / self.objective if self.objective > 0 else 0.0


@dataclass(frozen=True)
class _Model:
    objective: np.ndarray
    integrality: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    constraints: optimize.LinearConstraint
    columns: int
    periods: int
    slack: bool
    matrix: sparse.csr_array
    need: np.ndarray
    budgets: tuple[tuple[np.ndarray, float], ...]


def _build(coverage: sparse.sparray | np.ndarray, required: Sequence[float] | np.ndarray,
           cost: Sequence[float] | np.ndarray, *, groups: Sequence[int] | np.ndarray | None,
           minimum_per_group: int, maximum_groups: int | None,
           budgets: Sequence[tuple[np.ndarray, float]], shortfall_penalty: float | None,
           upper_bound: float | None) -> _Model:
    matrix = sparse.csr_array(coverage, dtype=float)
    need = np.asarray(required, dtype=float)
    price = np.asarray(cost, dtype=float)
    periods, count = matrix.shape
    if need.shape != (periods,) or price.shape != (count,):
        raise AnalysisInputError(f"coverage is {periods}×{count} but required has "
                                 f"{need.size} values and cost {price.size}")
    ceiling = float(upper_bound if upper_bound is not None else max(need.max(initial=0.0), 1.0))
    group_ids = np.asarray(groups if groups is not None else np.full(count, -1), dtype=np.int64)
    grouped = np.flatnonzero(group_ids >= 0)
    use_groups = grouped.size > 0 and (minimum_per_group > 1 or maximum_groups is not None)
    group_count = int(group_ids.max()) + 1 if use_groups else 0
    slack = shortfall_penalty is not None
    width = count + (periods if slack else 0) + group_count
    blocks = [matrix] + ([sparse.identity(periods, format="csr")] if slack else []) + (
        [sparse.csr_array((periods, group_count))] if use_groups else [])
    rows = [sparse.hstack(blocks, format="csr")]
    lower = [need]
    upper = [np.full(periods, np.inf)]

    def add(row: np.ndarray, low: float, high: float) -> None:
        rows.append(sparse.csr_array(row[None, :]))
        lower.append(np.array([low]))
        upper.append(np.array([high]))

    for coefficients, limit in budgets:
        row = np.zeros(width)
        row[:count] = coefficients
        add(row, -np.inf, float(limit))
    if use_groups:
        offset = count + (periods if slack else 0)
        membership = sparse.csr_array((np.ones(grouped.size), (group_ids[grouped], grouped)),
                                      shape=(group_count, count))
        rows.append(sparse.hstack(
            [membership] + ([sparse.csr_array((group_count, periods))] if slack else [])
            + [-float(minimum_per_group) * sparse.identity(group_count, format="csr")],
            format="csr"))
        lower.append(np.zeros(group_count))
        upper.append(np.full(group_count, np.inf))
        rows.append(sparse.csr_array(
            (np.concatenate([np.ones(grouped.size), np.full(grouped.size, -ceiling)]),
             (np.concatenate([np.arange(grouped.size)] * 2),
              np.concatenate([grouped, offset + group_ids[grouped]]))),
            shape=(grouped.size, width)))
        lower.append(np.full(grouped.size, -np.inf))
        upper.append(np.zeros(grouped.size))
        if maximum_groups is not None:
            row = np.zeros(width)
            row[offset:] = 1.0
            add(row, -np.inf, float(maximum_groups))
    penalty = np.full(periods if slack else 0, float(shortfall_penalty or 0.0))
    return _Model(
        objective=np.concatenate([price, penalty, np.zeros(group_count)]),
        integrality=np.concatenate([np.ones(count), np.zeros(penalty.size),
                                    np.ones(group_count)]),
        lower=np.zeros(width),
        upper=np.concatenate([np.full(count, ceiling), np.full(penalty.size, np.inf),
                              np.ones(group_count)]),
        constraints=optimize.LinearConstraint(sparse.vstack(rows, format="csr"),
                                              np.concatenate(lower), np.concatenate(upper)),
        columns=count, periods=periods, slack=slack, matrix=matrix, need=need,
        budgets=tuple((np.asarray(c, dtype=float), float(v)) for c, v in budgets))


def _run(model: _Model, *, integral: bool, lower: np.ndarray | None = None,
         upper: np.ndarray | None = None, time_limit: float = 60.0,
         mip_gap: float = 0.0) -> optimize.OptimizeResult:
    return optimize.milp(
        model.objective, integrality=model.integrality if integral else None,
        bounds=optimize.Bounds(model.lower if lower is None else lower,
                               model.upper if upper is None else upper),
        constraints=model.constraints,
        options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap),
                 "disp": False})


def _dive(model: _Model, relaxation: optimize.OptimizeResult,
          time_limit: float) -> np.ndarray:
    """Round the LP solution: fix fractional officers up and re-solve, until whole; where a
    budget forbids rounding up, round everything down instead. Then drop officers whose hours
    are not needed."""
    count = model.columns
    lower, upper = model.lower.copy(), model.upper.copy()
    values = np.asarray(relaxation.x)
    started = time.perf_counter()
    for _ in range(_DIVE_ROUNDS):
        x = values[:count]
        fraction = x - np.floor(x + 1e-9)
        fractional = np.flatnonzero(fraction > 1e-6)
        if fractional.size == 0 or time.perf_counter() - started > time_limit:
            break
        lower[:count] = np.maximum(lower[:count], np.floor(x + 1e-9))
        chosen = fractional[fraction[fractional] >= 0.5]
        if chosen.size == 0:
            chosen = fractional[[int(np.argmax(fraction[fractional]))]]
        lower[chosen] = np.ceil(x[chosen])
        result = _run(model, integral=False, lower=lower, upper=upper)
        if result.x is None:  # a budget binds: rounding down keeps within it
            break
        values = np.asarray(result.x)
    officers = _fill(model, np.floor(values[:count] + 1e-9))
    covered = model.matrix @ officers
    shortfall = np.clip(model.need - covered, 0.0, None)
    price = model.objective[:count]
    by_column = sparse.csc_array(model.matrix)
    for column in np.argsort(-price, kind="stable"):
        if officers[column] <= 0:
            continue
        hours = by_column[:, [column]].toarray().ravel()
        while officers[column] > 0 and np.all(covered - hours >= model.need - shortfall - 1e-9):
            officers[column] -= 1
            covered -= hours
    return officers


def _fill(model: _Model, officers: np.ndarray) -> np.ndarray:
    """Greedily add the officer covering most uncovered officer-hours per unit of cost, while
    the budgets allow and an hour is uncovered."""
    officers = officers.copy()
    price = np.maximum(model.objective[:model.columns], 1e-12)
    transposed = sparse.csr_array(model.matrix.T)
    used = [float(coefficients @ officers) for coefficients, _ in model.budgets]
    for _ in range(int(model.need.sum()) + 1):
        short = (model.need - model.matrix @ officers) > 1e-9
        if not short.any():
            break
        gain = transposed @ short.astype(float)
        for (coefficients, limit), spent in zip(model.budgets, used, strict=True):
            gain = np.where(spent + coefficients <= limit + 1e-9, gain, 0.0)
        best = int(np.argmax(gain / price))
        if gain[best] <= 0:
            break
        officers[best] += 1
        used = [spent + coefficients[best] for (coefficients, _), spent
                in zip(model.budgets, used, strict=True)]
    return officers


def solve_cover(
    coverage: sparse.sparray | np.ndarray,
    required: Sequence[float] | np.ndarray,
    cost: Sequence[float] | np.ndarray,
    *,
    groups: Sequence[int] | np.ndarray | None = None,
    minimum_per_group: int = 1,
    maximum_groups: int | None = None,
    budgets: Sequence[tuple[np.ndarray, float]] = (),
    shortfall_penalty: float | None = None,
    upper_bound: float | None = None,
    method: str = "milp",
    time_limit: float = 60.0,
    mip_gap: float = 0.0,
    absolute_gap: float = 0.0,
) -> CoverSolution:
    """Minimise ``cost · x`` subject to ``coverage @ x (+ shortfall) ≥ required``, ``x ≥ 0``
    whole, plus the optional rules of the module docstring.

    ``budgets`` are ``(coefficients over columns, limit)`` rows ``coefficients · x ≤ limit``.
    Without ``shortfall_penalty`` cover is a hard constraint (and an infeasible problem an
    :class:`AnalysisInputError`). ``method``: ``"milp"`` (HiGHS branch and bound, stopping at
    ``mip_gap`` or ``time_limit`` seconds), ``"quick"`` (the LP relaxation rounded by diving
    and pruned: whole officers in a fraction of the time, with the LP bound; it ignores
    ``minimum_per_group`` and ``maximum_groups``) or ``"lp"`` (the relaxation itself:
    fractional officers, a lower bound on any schedule).
    """
    if method not in METHODS:
        raise AnalysisInputError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    grouped = groups is not None and (minimum_per_group > 1 or maximum_groups is not None)
    model = _build(coverage, required, cost, groups=None if method == "quick" else groups,
                   minimum_per_group=minimum_per_group,
                   maximum_groups=None if method == "quick" else maximum_groups,
                   budgets=budgets, shortfall_penalty=shortfall_penalty,
                   upper_bound=upper_bound)
    started = time.perf_counter()
    relaxation = _run(model, integral=False)
    if relaxation.x is None:
        raise AnalysisInputError(f"the shift-covering problem has no solution: "
                                 f"{relaxation.message}")
    count, lp_bound = model.columns, float(relaxation.fun)
    if method == "lp":
        values = np.asarray(relaxation.x)
        return CoverSolution(x=values[:count], shortfall=_shortfall(model, values[:count]),
                             objective=lp_bound, bound=lp_bound, status=int(relaxation.status),
                             message=str(relaxation.message),
                             seconds=time.perf_counter() - started, method=method)
    x, objective, status, message, bound = None, math.inf, 0, "", lp_bound
    if not grouped:  # the rounded LP: the answer of "quick", an incumbent for "milp"
        x = _dive(model, relaxation, time_limit)
        objective = _objective(model, x)
        status, message = 0, "LP relaxation rounded by diving"
    tolerance = max(mip_gap, absolute_gap / lp_bound if lp_bound > 0 else 0.0)
    if method == "milp" and x is not None and objective - lp_bound <= tolerance * objective:
        message = "the rounded LP schedule is within the gap asked of the LP bound"
    elif method == "milp":
        remaining = max(time_limit - (time.perf_counter() - started), 1.0)
        constraints = model.constraints
        if x is not None:  # only schedules at least as good as the incumbent
            constraints = optimize.LinearConstraint(
                sparse.vstack([constraints.A, sparse.csr_array(model.objective[None, :])],
                              format="csr"),
                np.append(constraints.lb, -np.inf),
                np.append(constraints.ub, objective + 1e-6 * max(abs(objective), 1.0)))
        result = optimize.milp(
            model.objective, integrality=model.integrality,
            bounds=optimize.Bounds(model.lower, model.upper), constraints=constraints,
            options={"time_limit": float(remaining), "mip_rel_gap": float(tolerance),
                     "disp": False})
        dual = getattr(result, "mip_dual_bound", None)
        if dual is not None and np.isfinite(dual):
            bound = max(bound, float(dual))
        status, message = int(result.status), str(result.message)
        if result.x is not None and float(result.fun) <= objective:
            x, objective = np.round(np.asarray(result.x)[:count]), float(result.fun)
        elif x is None:
            raise AnalysisInputError(f"the shift-covering problem has no solution: "
                                     f"{result.message}")
        else:
            message += "; the rounded LP schedule is kept (no better schedule found)"
    assert x is not None
    return CoverSolution(x=x, shortfall=_shortfall(model, x), objective=objective,
                         bound=min(bound, objective), status=status, message=message,
                         seconds=time.perf_counter() - started, method=method)


def _shortfall(model: _Model, x: np.ndarray) -> np.ndarray:
    return np.clip(model.need - model.matrix @ x, 0.0, None)


def _objective(model: _Model, x: np.ndarray) -> float:
    value = float(model.objective[:model.columns] @ x)
    if model.slack:
        value += float(model.objective[model.columns:model.columns + model.periods]
                       @ _shortfall(model, x))
    return value
