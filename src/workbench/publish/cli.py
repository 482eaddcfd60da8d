"""``workbench render [JOB…] [--all | --due] [--site DIR] [--force] [--workers N]``.

Renders report jobs from ``params/`` into the static site. Exit status: 0 when every selected
job rendered or was unchanged, 1 when any job failed (each failure is listed with its error and
the path of its restricted run log; the site only says that the run failed, and when), 2 for a
problem found before any kernel started (invalid job file, unknown job, missing warehouse).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from workbench.errors import WorkbenchError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("jobs", nargs="*", metavar="JOB",
                        help="job names (file names in params/ without .yaml)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="render every job")
    which.add_argument("--due", action="store_true",
                       help="render the jobs whose schedule came due since their last success")
    parser.add_argument("--site", type=Path, default=None,
                        help="site folder (default: WORKBENCH_SITE_DIR, else ./site)")
    parser.add_argument("--params", type=Path, default=None,
                        help="folder of job files (default: params/ in the project)")
    parser.add_argument("--force", action="store_true",
                        help="render even when the inputs did not change since the last success")
    parser.add_argument("--workers", type=int, default=None,
                        help="kernels to run at once (default: the number of cores)")
    parser.add_argument("--list", action="store_true",
                        help="list the jobs with their schedule and state, render nothing")


class ConsoleProgress:
    """Per-job progress: one tqdm bar per running job on a terminal, else a line per job
    (and a cell count every 15 seconds for long renders)."""

    def __init__(self, stream: TextIO, *, interactive: bool) -> None:
        self.stream = stream
        self.interactive = interactive
        self.lock = threading.Lock()
        self.bars: dict[str, Any] = {}
        self.last_line: dict[str, float] = {}
        self.slot = 0

    def _line(self, text: str) -> None:
        with self.lock:
            print(text, file=self.stream, flush=True)

    def job_started(self, job: Any, cells: int) -> None:
        if self.interactive:
            from tqdm import tqdm

            with self.lock:
                self.bars[job.name] = tqdm(total=cells, desc=f"{job.name:<28}", unit="cell",
                                           file=self.stream, position=self.slot, leave=False)
                self.slot += 1
        else:
            self.last_line[job.name] = time.monotonic()
            self._line(f"render {job.name}: started ({cells} cells)")

    def cells_done(self, job: Any, done: int, total: int) -> None:
        if self.interactive:
            bar = self.bars.get(job.name)
            if bar is not None:
                with self.lock:
                    bar.n = min(done, total)
                    bar.refresh()
        elif time.monotonic() - self.last_line.get(job.name, 0) >= 15:
            self.last_line[job.name] = time.monotonic()
            self._line(f"render {job.name}: {done}/{total} cells")

    def job_finished(self, outcome: Any) -> None:
        bar = self.bars.pop(outcome.job.name, None)
        if bar is not None:
            with self.lock:
                bar.close()
        detail = f"{outcome.duration_seconds:.1f} s" if outcome.status != "unchanged" \
            else "inputs unchanged, skipped"
        if outcome.failure is not None:
            detail += f" — {outcome.failure.summary()}"
        self._line(f"render {outcome.job.name}: {outcome.status} ({detail})")


def _list_jobs(jobs: list[Any], folder: Path, now: Any) -> int:
    from workbench.publish.runner import is_due, load_job_state

    for job in jobs:
        state = load_job_state(folder, job.name)
        due = "due" if is_due(job.schedule, state.get("last_success_at"), now) else "not due"
        print(f"{job.name:<28} {job.audience:<10} {job.schedule:<16} "
              f"{state.get('last_outcome', 'never'):<10} {due}")
    return 0


def run(args: argparse.Namespace) -> int:
    from workbench.publish.jobs import load_jobs, select_jobs
    from workbench.publish.runner import (
        due_jobs,
        local_now,
        prepare_context,
        render_jobs,
        state_dir,
    )
    from workbench.settings import get_settings

    settings = get_settings()
    params_dir = (args.params or settings.params_dir).resolve()
    site_dir = (args.site or settings.site_dir).resolve()
    all_jobs = load_jobs(params_dir, site_dir=site_dir)  # every job, before any kernel starts
    if not all_jobs:
        raise WorkbenchError(f"no job files (*.yaml) in {params_dir}")
    now = local_now()
    if args.list:
        return _list_jobs(all_jobs, state_dir(settings.data_dir, site_dir), now)
    if args.jobs and (args.all or args.due):
        raise WorkbenchError("name jobs, or use --all or --due, not both")
    if args.jobs:
        selected = select_jobs(all_jobs, args.jobs)
    elif args.all:
        selected = all_jobs
    elif args.due:
        selected = due_jobs(all_jobs, state_dir(settings.data_dir, site_dir), now)
    else:
        raise WorkbenchError("say which jobs to render: JOB names, --all or --due "
                             f"(jobs: {', '.join(j.name for j in all_jobs)})")
    if args.workers is not None and args.workers < 1:
        raise WorkbenchError("--workers must be at least 1")

    for noisy in ("papermill", "traitlets", "nbclient"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    context = prepare_context(settings, site_dir=site_dir)
    if not selected:
        print("render: no job is due", file=sys.stderr)
    progress = ConsoleProgress(sys.stderr, interactive=sys.stderr.isatty()
                               and not os.environ.get("CI"))
    outcomes = render_jobs(selected, context, all_jobs=all_jobs, force=args.force,
                           workers=args.workers, progress=progress)
    failed = [o for o in outcomes if o.status == "failed"]
    rendered = sum(1 for o in outcomes if o.status == "ok")
    unchanged = sum(1 for o in outcomes if o.status == "unchanged")
    print(f"render: {rendered} rendered, {unchanged} unchanged, {len(failed)} failed; "
          f"site: {context.site_dir / 'index.html'}")
    if failed:
        print(f"render: {len(failed)} job(s) failed:", file=sys.stderr)
        for outcome in failed:
            where = outcome.failure.summary() if outcome.failure else "unknown error"
            logs = [f"{name}: {path}" for name, path in (("run log", outcome.run_log),
                                                         ("kernel log", outcome.kernel_log))
                    if path]
            log = f" ({'; '.join(logs)})" if logs else ""
            print(f"  {outcome.job.name} ({outcome.job.path}): {where}{log}", file=sys.stderr)
        return 1
    return 0
