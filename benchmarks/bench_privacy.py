"""Benchmark small-cell suppression: speed on large tables, and economy against the optimum.

Run with ``src`` importable::

    PYTHONPATH=src python benchmarks/bench_privacy.py

Prints two tables:

1. Three 100,000-cell 4-way tables (10 x 25 x 20 x 20, like division x offence x month x
   group) whose typical count differs, so that from a third down to a fiftieth of the cells
   are small: time to suppress (median of 5 runs), the share of cells and of margin entries
   hidden as primary and complementary, and the complementary entries hidden against a lower
   bound on what any safe pattern needs. The exact optimum is too costly at this size; the
   bound is the linear-programming relaxation of "every line (with its total) holding exactly
   one primary entry needs one more hidden entry". It is weak in four dimensions, where
   protecting an isolated small cell needs a block of 2**4 hidden entries.
2. Small 2-, 3- and 4-way tables: complementary entries hidden by the heuristic against the
   exact minimum, from an integer program (scipy ``milp``) with row generation: start from
   "no line holds exactly one hidden entry", solve, check the pattern exactly (a hidden entry
   is exposed when every null vector of the published totals' equations is zero on it), and
   for each exposed entry add the cut that a pattern hiding it must also hide another entry
   of its exposure certificate; repeat until the optimal pattern is safe. Like the heuristic,
   only non-zero entries may be hidden as complements. The optimum defends against linear
   recovery only; the heuristic also defends against an attacker who knows counts are whole
   and non-zero, which can need more, so the ratios overstate its excess.

Finishes in well under 2 minutes on 2 cores.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from workbench.privacy import suppress_small_cells

THRESHOLD = 10
LARGE_SHAPE = (10, 25, 20, 20)  # e.g. division x offence x month x group: 100,000 cells
LARGE_MEDIANS = (15.0, 40.0, 100.0)  # typical count per cell
SMALL_SHAPES = [
    (6, 5),
    (8, 6),
    (10, 8),
    (4, 4, 3),
    (5, 4, 3),
    (5, 5, 4),
    (3, 3, 3, 3),
    (4, 3, 3, 3),
]
SEEDS = (1, 2, 3)
RUNS = 5
MILP_SECONDS = 30.0  # per integer program; past it, the solver's bound is reported instead


def counts_table(shape: tuple[int, ...], seed: int, median: float) -> np.ndarray:
    """Return skewed synthetic counts (Poisson with log-normal means) of the given shape."""
    generator = np.random.default_rng(seed)
    means = np.exp(generator.normal(math.log(median), 1.1, size=shape))
    return generator.poisson(means).astype(np.int64)


def tidy(counts: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """Return ``counts`` as a tidy frame with dimensions d0, d1, ..."""
    names = [f"d{axis}" for axis in range(counts.ndim)]
    grid = np.indices(counts.shape).reshape(counts.ndim, -1).T
    frame = pd.DataFrame(grid, columns=names)
    frame["count"] = counts.ravel()
    return frame, names


def extended(counts: np.ndarray) -> np.ndarray:
    """Return the table with a total at the end of every axis (cells and all margins)."""
    values = np.zeros(tuple(size + 1 for size in counts.shape), dtype=np.int64)
    values[(slice(None, -1),) * counts.ndim] = counts
    for axis in range(counts.ndim):
        along = np.moveaxis(values, axis, -1)
        along[..., -1] = along[..., :-1].sum(axis=-1)
    return values


def lines(shape: tuple[int, ...]) -> list[np.ndarray]:
    """Return every line of an extended table as flat entry numbers (total last)."""
    flat = np.arange(math.prod(shape)).reshape(shape)
    found = []
    for axis in range(len(shape)):
        along = np.moveaxis(flat, axis, -1).reshape(-1, shape[axis])
        found.extend(along)
    return found


def line_matrix(shape: tuple[int, ...]) -> np.ndarray:
    """Return the equations 'entries - total = 0', one row per line, one column per entry."""
    all_lines = lines(shape)
    matrix = np.zeros((len(all_lines), math.prod(shape)))
    for row, line in enumerate(all_lines):
        matrix[row, line[:-1]] = 1.0
        matrix[row, line[-1]] = -1.0
    return matrix


def exposed_entries(matrix: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Return the hidden entries fixed by the published totals (exact, by SVD)."""
    columns = np.flatnonzero(hidden)
    block = matrix[:, columns]
    block = block[np.abs(block).sum(axis=1) > 0]
    null = linalg.null_space(block)
    if null.size == 0:
        return columns
    return columns[np.linalg.norm(null, axis=1) < 1e-7]


@dataclass
class Optimum:
    """The minimum complementary suppression of one small table (``exact`` false: the solver
    hit its time limit and ``complementary`` is only a lower bound)."""

    complementary: int
    rounds: int
    seconds: float
    exact: bool = True


def minimum_complementary(counts: np.ndarray) -> Optimum:
    """Solve the minimum complementary suppression exactly (MILP with row generation)."""
    started = time.perf_counter()
    values = extended(counts).ravel()
    shape = tuple(size + 1 for size in counts.shape)
    primary = (values > 0) & (values < THRESHOLD)
    eligible = values > 0
    matrix = line_matrix(shape)
    rows: list[np.ndarray] = []
    for line in lines(shape):
        for entry in line:
            if eligible[entry]:
                row = np.zeros(values.size)
                row[line] = 1.0
                row[entry] = -1.0  # the other entries of the line hold at least this one
                rows.append(row)
    lower = primary.astype(float)
    upper = eligible.astype(float)
    objective = np.where(primary | ~eligible, 0.0, 1.0)
    rounds = 0
    while True:
        rounds += 1
        constraint = LinearConstraint(sparse.csr_matrix(np.array(rows)), lb=0.0, ub=np.inf)
        result = milp(
            objective,
            constraints=constraint,
            integrality=np.ones(values.size),
            bounds=Bounds(lower, upper),
            options={"time_limit": MILP_SECONDS},
        )
        if result.status == 1:  # time limit: the solver's bound still bounds the optimum
            bound = math.ceil(result.mip_dual_bound - 1e-6)
            return Optimum(bound, rounds, time.perf_counter() - started, exact=False)
        if result.status != 0:
            raise RuntimeError(f"milp failed: {result.message}")
        hidden = result.x > 0.5
        exposed = exposed_entries(matrix, hidden)
        if exposed.size == 0:
            return Optimum(int(hidden[~primary].sum()), rounds, time.perf_counter() - started)
        restricted = matrix[:, hidden]
        for entry in exposed:
            unit = (np.flatnonzero(hidden) == entry).astype(float)
            certificate = np.linalg.lstsq(restricted.T, unit, rcond=None)[0]
            reach = matrix.T @ certificate
            row = ((np.abs(reach) > 1e-7) & ~hidden).astype(float)
            row[entry] = -1.0  # hiding ``entry`` needs one of its certificate's other entries
            rows.append(row)


def heuristic_complementary(counts: np.ndarray) -> tuple[int, int]:
    """Return (primary, complementary) entries hidden by the heuristic, cells and margins."""
    frame, names = tidy(counts)
    summary = suppress_small_cells(
        frame, dimensions=names, threshold=THRESHOLD
    ).suppression_summary()
    return int(summary["primary"].sum()), int(summary["complementary"].sum())


def line_cover_lower_bound(counts: np.ndarray) -> int:
    """Return a lower bound on the complements any safe pattern needs: every line holding
    exactly one primary entry needs another hidden entry (LP relaxation of that cover, or, if
    the LP does not finish in 30 s, the count of such lines over the lines through an entry)."""
    values = extended(counts)
    primary = (values > 0) & (values < THRESHOLD)
    candidates = (values > 0) & ~primary
    number = np.full(values.shape, -1, dtype=np.int64)
    number[candidates] = np.arange(int(candidates.sum()))
    row_parts, column_parts = [], []
    row_count = 0
    for axis in range(values.ndim):
        alone = np.moveaxis(primary, axis, -1).sum(axis=-1) == 1
        along = np.moveaxis(number, axis, -1)[alone]
        line_rows, slots = np.nonzero(along >= 0)
        row_parts.append(line_rows + row_count)
        column_parts.append(along[line_rows, slots])
        row_count += int(alone.sum())
    if row_count == 0:
        return 0
    rows, columns = np.concatenate(row_parts), np.concatenate(column_parts)
    cover = sparse.csr_matrix(
        (np.ones(rows.size), (rows, columns)), shape=(row_count, int(candidates.sum()))
    )
    result = linprog(
        np.ones(cover.shape[1]),
        A_ub=-cover,
        b_ub=-np.ones(row_count),
        bounds=(0, 1),
        method="highs",
        options={"time_limit": 30.0},
    )
    if result.status == 0:
        return math.ceil(result.fun - 1e-6)
    return math.ceil(row_count / values.ndim)


def large_table_rows() -> list[str]:
    """Time and measure the suppression of the large tables; one printed row each."""
    rows = []
    for median in LARGE_MEDIANS:
        counts = counts_table(LARGE_SHAPE, seed=2024, median=median)
        frame, names = tidy(counts)
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            result = suppress_small_cells(frame, dimensions=names, threshold=THRESHOLD)
            timings.append(time.perf_counter() - started)
        summary = result.suppression_summary()
        shares = summary[["primary", "complementary"]].div(summary["entries"], axis=0)
        exposures = result.audit(method="lines")
        complementary = int(summary["complementary"].sum())
        bound = line_cover_lower_bound(counts)
        ratio = f"{complementary / bound:7.2f}" if bound else f"{'-':>7}"
        rows.append(
            f"   {median:6g} {statistics.median(timings):8.2f} "
            f"{shares.loc['cells', 'primary']:8.1%} {shares.loc['cells', 'complementary']:8.1%} "
            f"{shares.loc['margins', 'primary']:8.1%} {shares.loc['margins', 'complementary']:8.1%} "
            f"{complementary:9,d} {bound:9,d} {ratio} {len(exposures):9d}"
        )
    return rows


def main() -> None:
    """Run the benchmark and print its tables."""
    cells = math.prod(LARGE_SHAPE)
    print(
        f"1. Suppressing {cells:,}-cell 4-way tables {LARGE_SHAPE}, threshold {THRESHOLD}, median of {RUNS} runs"
    )
    print("   seconds: time to suppress; shares of cells and of margin entries hidden; complements")
    print(
        "   hidden (cells + margins) against a lower bound on the minimum; exposures found by the"
    )
    print("   line-wise audit")
    print(
        f"   {'median':>6} {'seconds':>8} {'cell pri':>8} {'cell com':>8} {'marg pri':>8} "
        f"{'marg com':>8} {'complem.':>9} {'bound':>9} {'ratio<=':>7} {'exposures':>9}"
    )
    for row in large_table_rows():
        print(row)
    print()

    print("2. Heuristic vs exact minimum complementary suppression (MILP), cells + margins")
    print(
        f"   {'shape':12} {'seed':>4} {'primary':>8} {'heuristic':>10} {'optimum':>8} "
        f"{'ratio':>6} {'rounds':>7} {'milp s':>7}"
    )
    totals: dict[int, list[int]] = {}
    for shape in SMALL_SHAPES:
        for seed in SEEDS:
            counts = counts_table(shape, seed, median=20.0)
            primary, heuristic = heuristic_complementary(counts)
            optimum = minimum_complementary(counts)
            total = totals.setdefault(len(shape), [0, 0])
            total[0] += heuristic
            total[1] += optimum.complementary
            ratio = heuristic / optimum.complementary if optimum.complementary else float("nan")
            shown = (
                f"{optimum.complementary:d}" if optimum.exact else f">={optimum.complementary:d}"
            )
            print(
                f"   {'x'.join(map(str, shape)):12} {seed:4d} {primary:8d} {heuristic:10d} "
                f"{shown:>8} {ratio:6.2f} {optimum.rounds:7d} {optimum.seconds:7.2f}"
            )
    for ways, (heuristic, optimum) in sorted(totals.items()):
        print(
            f"   {f'all {ways}-way':12} {'':4} {'':8} {heuristic:10d} {optimum:8d} {heuristic / optimum:6.2f}"
        )


if __name__ == "__main__":
    main()
