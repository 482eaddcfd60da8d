"""E-test p-values of a CompStat grid: Workbench's vectorised sum by totals against a loop of
per-pair calls (statsmodels' ``etest_poisson_2indep``, and Workbench's own scalar ``e_test``),
side by side in one run.

Workload: the exact E-tests of the CompStat grid of ``bench_analysis.py`` at 1M incidents over
three years (20 offence categories × 7 divisions × 7, 28, 182 and 365 days against a year
earlier; cells above 1,000 combined incidents use the normal approximation there and are left
out here, as in :func:`workbench.analysis.compstat.change_statistics`). Counts are Poisson
draws with the same means, from a fixed seed.

Variants (each checked against the first, and reported as a speed-up against the slowest):

- ``vectorised``: :func:`workbench.stats.e_test_p_values` on every cell at once;
- ``scalar loop``: :func:`workbench.stats.e_test` cell by cell (the same sum, one test at a
  time);
- ``statsmodels loop``: ``statsmodels.stats.rates.etest_poisson_2indep`` cell by cell (exposures
  are equal in these windows, so it agrees once the (0, 0) pair it counts for equal counts,
  probability ``exp(−(k1 + k2))``, is taken off; see ``e_test``).

Times are medians of ``--runs`` repetitions, the variants alternating in each repetition so
that load on the machine hits them alike. Not a test: numbers depend on the machine and its load.

    .venv/bin/python benchmarks/bench_etest.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

INCIDENTS_PER_DAY = 1_000_000 / (3 * 365.25)
EXACT_TEST_LIMIT = 1_000


def grid(seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Current and past counts and the window length (days) of the exactly tested cells."""
    rng = np.random.default_rng(seed)
    weights = np.linspace(3.0, 0.2, 20)
    weights /= weights.sum()
    current, past, days = [], [], []
    for length in (7, 28, 182, 365):
        for weight in weights:
            mean = INCIDENTS_PER_DAY * length * weight / 7
            for _ in range(7):
                current.append(rng.poisson(mean))
                past.append(rng.poisson(mean))
                days.append(length)
    current_array, past_array, days_array = (np.array(v, dtype=float)
                                             for v in (current, past, days))
    exact = (current_array + past_array > 0) & (current_array + past_array <= EXACT_TEST_LIMIT)
    return current_array[exact], past_array[exact], days_array[exact]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()

    from statsmodels.stats.rates import etest_poisson_2indep

    from workbench import stats

    current, past, days = grid()
    cells = list(zip(current, past, days, strict=True))
    variants = {
        "vectorised": lambda: stats.e_test_p_values(current, past, days, days),
        "scalar loop": lambda: np.array([stats.e_test(k1, k2, n, n) for k1, k2, n in cells]),
        "statsmodels loop": lambda: np.array([
            etest_poisson_2indep(k1, n, k2, n)[1] - (np.exp(-(k1 + k2)) if k1 == k2 else 0.0)
            for k1, k2, n in cells]),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    results: dict[str, np.ndarray] = {}
    for _ in range(arguments.runs):
        for name, run in variants.items():
            started = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - started)
    reference = results["vectorised"]
    for name, values in results.items():
        difference = float(np.max(np.abs(values - reference)))
        if difference > 1e-9:
            raise SystemExit(f"{name} differs from the vectorised p-values by {difference:g}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    slowest = max(medians.values())
    print(f"E-tests of a CompStat grid at 1M incidents: {len(cells)} cells tested exactly; "
          f"median of {arguments.runs} runs; p-values agree to 1e-9")
    header = f"{'variant':<17} | {'median s':>8} | {'ms per cell':>11} | {'speed-up':>8}"
    print(header)
    print("-" * len(header))
    for name, seconds in medians.items():
        print(f"{name:<17} | {seconds:>8.3f} | {1000 * seconds / len(cells):>11.2f} | "
              f"{slowest / seconds:>7.1f}x")


if __name__ == "__main__":
    main()
