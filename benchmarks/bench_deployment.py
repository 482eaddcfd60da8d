"""Solve time of the shift-schedule optimiser: one division and the whole service, at the demo
city's demand and at 10 × that demand, against the LP relaxation measured in the same run.

For each case the hour-of-week requirement is built from the demo city's forecast demand
(``prepare_inputs``, computed once and not timed here; its time is printed separately) and
the schedule is solved three ways:

- **milp** — the integer program (SciPy ``milp`` / HiGHS), stopping when proven within 2 % of
  the optimum or after 20 s, as the planner runs it;
- **quick** — the LP relaxation rounded by diving and pruned (whole officers, no proof);
- **lp** — the LP relaxation alone: the **baseline**, a lower bound on any schedule, solved
  by the same HiGHS (simplex) on the same model.

Two requirements: *today's rules* (the platoons' minimum staffing binds every hour: a flat
requirement) and *workload-based* (minimum share 0, shifts starting at any hour: the response
target and proactive time set a peaked requirement, the harder case). "10 ×" multiplies the
forecast calls by ten (``demand_growth = 9``). The **app redraw** rows time what a slider move
needs for one division: the requirement alone; a whole scenario evaluation with officers on
duty equal to the need (``method="ideal"``: response, saturation, positions and cost, no
shifts); and the same with the LP bound of the shift schedule (``method="lp"``).

Times are medians of ``--repeats`` runs, wall clock and CPU time of this process (HiGHS runs
in-process; on a shared machine CPU time is the steadier figure). ``gap`` is (officer-hours −
LP bound) ÷ officer-hours.

    .venv/bin/python benchmarks/bench_deployment.py [--repeats 3] [--warehouse URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DIVISION = "D1"  # the largest division of the demo city


def demo_warehouse(explicit: str | None, scratch: Path) -> str:
    """A URL of a copy of the demo city (never hold a lock on the tests' cache)."""
    if explicit:
        return explicit
    from workbench.settings import get_settings

    settings = get_settings()
    cached = sorted((settings.home / "data" / "test-cache").glob("demo-*.duckdb"),
                    key=lambda path: path.stat().st_mtime)
    copy = scratch / "demo.duckdb"
    if cached:
        shutil.copy(cached[-1], copy)
    else:
        from workbench.demo import build_demo_city

        build_demo_city(f"duckdb://{copy}", scale=1.0, seed=42, end_date=settings.today)
    return f"duckdb://{copy}"


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--warehouse", default=None, help="Ibis URL of a demo-city warehouse")
    arguments = parser.parse_args()

    from workbench.analysis import deployment as dp
    from workbench.analysis.deployment.requirement import hourly_requirement
    from workbench.warehouse import Warehouse

    with tempfile.TemporaryDirectory(prefix="bench-deployment-") as folder:
        warehouse = Warehouse.open(demo_warehouse(arguments.warehouse, Path(folder)),
                                   read_only=True)
        tables = warehouse.tables("calls_for_service", "shifts", "units", "personnel",
                                  "finance")
        as_of = max(warehouse.table("calls_for_service").received_at.max().to_pandas().date(),
                    dt.date(2000, 1, 1))
        start = as_of - dt.timedelta(weeks=13) + dt.timedelta(days=1)
        wall, cpu = time.perf_counter(), time.process_time()
        inputs = dp.prepare_inputs(*tables, start=start, as_of=as_of)
        print(f"prepare_inputs (13 weeks to {as_of}, ETS with a 12-month back-test, once): "
              f"wall {time.perf_counter() - wall:.1f} s, CPU {time.process_time() - cpu:.1f} s")
        warehouse.close()

    rules = {"today's rules": {}, "workload-based": {"minimum_staffing_share": 0.0}}
    header = ("| requirement | scope | demand | method | wall s | CPU s | officer-hours/week "
              "| gap vs LP | wall ÷ LP |")
    print()
    print(header)
    print("|---|---|---:|---|---:|---:|---:|---:|---:|")
    for label, changes in rules.items():
        for demand, growth in (("1×", 0.0), ("10×", 9.0)):
            scenario = dp.Scenario(name=f"{label} {demand}", demand_growth=growth, **changes)
            for scope, divisions in (("one division", [DIVISION]),
                                     ("whole service", list(inputs.divisions))):
                rows = {}
                for method in ("lp", "quick", "milp"):
                    wall, cpu, result = timed(
                        lambda method=method, scenario=scenario, divisions=divisions:
                        dp.evaluate_scenario(inputs, scenario, divisions=divisions,
                                             method=method),
                        arguments.repeats)
                    summary = result.summary.set_index("division")  # type: ignore[attr-defined]
                    rows[method] = (wall, cpu, float(summary["staffed_hours"].iloc[:-1].sum()))
                bound = rows["lp"][2]
                for method, (wall, cpu, hours) in rows.items():
                    gap = (hours - bound) / hours if hours else 0.0
                    print(f"| {label} | {scope} | {demand} | {method} | {wall:.2f} | {cpu:.2f} "
                          f"| {hours:,.0f} | {gap:.1%} | {wall / rows['lp'][0]:.1f} |")

    row = inputs.index_of(DIVISION)
    scenario = dp.Scenario(name="slider", minimum_staffing_share=0.0)

    def requirement_only() -> object:
        return hourly_requirement(inputs.calls_per_hour[row], inputs.handling_hours[row],
                                  proactive_share=0.45, minimum_officers=0.0)

    wall, cpu, _ = timed(requirement_only, max(arguments.repeats, 5))
    print(f"| app redraw | one division | 1× | requirement only | {wall:.3f} | {cpu:.3f} "
          f"| | | |")
    for method, what in (("ideal", "requirement + staffing = need + response + cost"),
                         ("lp", "requirement + LP bound + response + cost")):
        wall, cpu, _ = timed(lambda method=method: dp.evaluate_scenario(
            inputs, scenario, divisions=[DIVISION], method=method), max(arguments.repeats, 7))
        print(f"| app redraw | one division | 1× | {what} | {wall:.3f} | {cpu:.3f} | | | |")


if __name__ == "__main__":
    main()
