"""Render jobs: decide what to run, run it in parallel, publish, record state.

For each job the runner computes a cache key (notebook source + parameters + warehouse
fingerprint + package versions + audience + a digest of the workbench files the report ran last
time and of the renderer's own files). Unless forced, a job whose key equals the key of its last
successful run, and whose page is still published, is skipped ("unchanged"). The
others run in a thread pool (``workers`` kernels at once; each kernel is its own process, so
threads only wait on them) and are published as soon as each finishes. A failure in one job
never stops the others.

The index is built from what the site holds (:func:`~workbench.publish.site.published_state`)
and rewritten atomically when the render starts and after each job, so it always describes the
pages beside it, even after a render killed halfway. What went wrong in a failed run goes to
the restricted run log (:mod:`~workbench.publish.runlog`), never to a page.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from workbench.errors import RenderError
from workbench.publish.convert import (
    collect_headlines,
    collect_loaded_modules,
    notebook_to_html,
)
from workbench.publish.execute import CellFailure, execute_notebook, read_template
from workbench.publish.jobs import Job
from workbench.publish.runlog import write_run_log
from workbench.publish.site import (
    ensure_assets,
    page_header_html,
    publish_failure,
    publish_success,
    published_state,
    write_index,
)
from workbench.publish.state import (
    cache_key,
    git_commit,
    is_due,
    load_job_state,
    package_versions,
    save_job_state,
    source_digest,
    state_dir,
)
from workbench.settings import Settings

Clock = Callable[[], dt.datetime]


def local_now() -> dt.datetime:
    """The current time, timezone-aware, in the machine's zone (cron schedules use it)."""
    return dt.datetime.now().astimezone()


@dataclass(frozen=True)
class RenderContext:
    """Everything shared by the jobs of one ``workbench render`` invocation."""

    home: Path
    notebooks_dir: Path
    site_dir: Path
    state_dir: Path
    warehouse_url: str
    warehouse_fingerprint: str
    data_freshness: list[dict[str, Any]]
    kernel_env: dict[str, str]
    package_versions: dict[str, str]
    git: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobOutcome:
    """What happened to one job: ``ok``, ``unchanged`` (skipped) or ``failed``."""

    job: Job
    status: str
    run_id: str | None = None
    duration_seconds: float = 0.0
    failure: CellFailure | None = None
    headlines: list[dict[str, Any]] = field(default_factory=list)
    kernel_log: Path | None = None
    run_log: Path | None = None
    """The restricted run log (:mod:`~workbench.publish.runlog`) holding the failure's detail."""


class RenderProgress(Protocol):
    """Receives progress while jobs render (the CLI shows it; library code never prints)."""

    def job_started(self, job: Job, cells: int) -> None: ...

    def cells_done(self, job: Job, done: int, total: int) -> None: ...

    def job_finished(self, outcome: JobOutcome) -> None: ...


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (safe for provenance)."""
    return re.sub(r"(//[^:/@]+:)[^@/]+@", r"\1***@", url)


def kernel_environment(settings: Settings, site_dir: Path) -> dict[str, str]:
    """The environment of report kernels: ours plus every resolved setting, so kernels read the
    same warehouse and "today" as the renderer whatever their working directory."""
    env = dict(os.environ)
    env.update({
        "WORKBENCH_HOME": str(settings.home),
        "WORKBENCH_DATA_DIR": str(settings.data_dir),
        "WORKBENCH_WAREHOUSE": settings.warehouse_url,
        "WORKBENCH_SITE_DIR": str(site_dir),
        "WORKBENCH_SMALL_CELL_THRESHOLD": str(settings.small_cell_threshold),
        "WORKBENCH_TODAY": settings.today.isoformat(),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "MPLBACKEND": "Agg",
    })
    return env


def _freshness_records(frame: Any) -> list[dict[str, Any]]:
    records = []
    for row in frame.to_dict("records"):
        latest = row.get("latest")
        records.append({"table": row["table"], "column": row.get("column"),
                        "latest": None if latest is None or str(latest) == "NaT" else str(latest),
                        "rows": int(row["rows"]) if row.get("rows") is not None else None})
    return records


def prepare_context(settings: Settings, *, site_dir: Path | None = None) -> RenderContext:
    """Open the warehouse once (read-only) for its fingerprint and freshness; gather provenance.

    Raises :class:`~workbench.errors.WarehouseError` before any kernel starts when the
    warehouse cannot be opened.
    """
    from workbench.warehouse import Warehouse

    site = Path(site_dir or settings.site_dir).resolve()
    with Warehouse.open(settings.warehouse_url, read_only=True) as warehouse:
        fingerprint = warehouse.fingerprint()
        freshness = _freshness_records(warehouse.freshness())
    return RenderContext(
        home=settings.home,
        notebooks_dir=settings.notebooks_dir,
        site_dir=site,
        state_dir=state_dir(settings.data_dir, site),
        warehouse_url=settings.warehouse_url,
        warehouse_fingerprint=fingerprint,
        data_freshness=freshness,
        kernel_env=kernel_environment(settings, site),
        package_versions=package_versions(),
        git=git_commit(settings.home),
    )


def due_jobs(jobs: list[Job], folder: Path, now: dt.datetime) -> list[Job]:
    """The jobs whose cron schedule came due since their last success (or that never succeeded)."""
    return [job for job in jobs
            if is_due(job.schedule, load_job_state(folder, job.name).get("last_success_at"), now)]


def job_cache_key(job: Job, context: RenderContext, modules: list[str]) -> str:
    """The cache key of ``job`` in ``context`` when its notebook runs the workbench files
    ``modules`` (see :func:`workbench.publish.state.cache_key`)."""
    source = (context.notebooks_dir / job.report.notebook).read_text(encoding="utf-8")
    return cache_key(notebook_source=source, parameters=job.parameters.notebook_values(),
                     warehouse_fingerprint=context.warehouse_fingerprint,
                     package_versions=context.package_versions, audience=job.audience,
                     source_digest=source_digest(modules))


def new_run_id(started: dt.datetime) -> str:
    """A sortable, unique run id: UTC start time plus a short random suffix."""
    stamp = started.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def _summary(job: Job, context: RenderContext, *, run_id: str, key: str, started: dt.datetime,
             finished: dt.datetime, duration: float) -> dict[str, Any]:
    parameters = job.parameters.notebook_values()
    return {
        "job": job.name,
        "title": job.title,
        "report": job.report.name,
        "audience": job.audience,
        "run_id": run_id,
        "status": "ok",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 3),
        "parameters": parameters,
        "headlines": [],
        "failure": None,
        "data_freshness": context.data_freshness,
        "provenance": {
            "git": context.git,
            "parameters": parameters,
            "job_file": job.path.name,
            "notebook": job.report.notebook,
            "warehouse_fingerprint": context.warehouse_fingerprint,
            "package_versions": context.package_versions,
            "cache_key": key,
        },
    }


def _run_log_record(job: Job, context: RenderContext, summary: dict[str, Any],
                    failure: CellFailure | None, kernel_log: Path) -> dict[str, Any]:
    """What the run log keeps beyond the published summary (see :mod:`runlog`)."""
    return {"job": job.name, "run_id": summary["run_id"], "status": summary["status"],
            "started_at": summary["started_at"], "finished_at": summary["finished_at"],
            "job_file": str(job.path), "notebook": str(context.notebooks_dir / job.report.notebook),
            "warehouse_url": redact_url(context.warehouse_url),
            "warehouse_fingerprint": context.warehouse_fingerprint,
            "kernel_log": str(kernel_log),
            "failure": failure.as_dict() if failure is not None else None}


def _record_skip(job: Job, context: RenderContext, state: dict[str, Any], now: dt.datetime) -> None:
    state.update({"job": job.name, "last_outcome": "unchanged",
                  "last_outcome_at": now.isoformat(timespec="seconds"),
                  "last_success_at": now.isoformat(timespec="seconds")})
    save_job_state(context.state_dir, job.name, state)


def render_job(job: Job, context: RenderContext, *, force: bool = False,
               progress: RenderProgress | None = None, clock: Clock = local_now) -> JobOutcome:
    """Render one job (or skip it when its inputs did not change); never raises for a failing
    notebook: the failure is published in the archive and recorded in the state."""
    state = load_job_state(context.state_dir, job.name)
    last_success = state.get("last_success") or {}
    previous_modules = last_success.get("provenance", {}).get("workbench_modules")
    stable_page = context.site_dir / job.name / "index.html"
    if (not force and isinstance(previous_modules, list) and stable_page.is_file()
            and job_cache_key(job, context, previous_modules)
            == last_success.get("provenance", {}).get("cache_key")):
        _record_skip(job, context, state, clock())
        outcome = JobOutcome(job, "unchanged", last_success.get("run_id"),
                             headlines=last_success.get("headlines", []))
        if progress:
            progress.job_finished(outcome)
        return outcome

    template = read_template(context.notebooks_dir / job.report.notebook)
    cells = sum(1 for c in template.cells if c.cell_type == "code") + 3  # + setup, injected,
    # teardown
    if progress:
        progress.job_started(job, cells)
    started = clock()
    run_id = new_run_id(started)
    timer = time.monotonic()
    env = {**context.kernel_env, "WORKBENCH_RENDER_JOB": job.name,
           "WORKBENCH_AUDIENCE": job.audience}
    kernel_log = context.state_dir / "logs" / f"{job.name}.log"
    result = execute_notebook(
        template, job.parameters.notebook_values(), env=env, cwd=context.home,
        timeout_seconds=job.timeout, kernel_log=kernel_log,
        progress=(lambda done, total: progress.cells_done(job, done, total)) if progress else None,
    )
    failure = result.failure
    headlines: list[dict[str, Any]] = []
    page_html = ""
    if failure is None:
        try:
            headlines = collect_headlines(result.notebook)
        except Exception as exc:  # noqa: BLE001 - a malformed output fails this job only
            failure = CellFailure("convert", None, "", type(exc).__name__, str(exc))
    finished = clock()
    modules = collect_loaded_modules(result.notebook) or []
    summary = _summary(job, context, run_id=run_id, key=job_cache_key(job, context, modules),
                       started=started, finished=finished, duration=time.monotonic() - timer)
    summary["headlines"] = headlines
    summary["provenance"]["workbench_modules"] = modules
    summary["provenance"]["source_digest"] = source_digest(modules)
    if failure is None:
        try:
            page_html = notebook_to_html(result.notebook, title=job.title,
                                         show_code=job.shows_code,
                                         header_html=page_header_html(summary))
        except Exception as exc:  # noqa: BLE001 - a conversion error fails this job only
            failure = CellFailure("convert", None, "", type(exc).__name__, str(exc))
    if failure is not None:
        summary.update({"status": "failed", "failure": {"failed_at": summary["finished_at"]},
                        "headlines": []})
    run_log = write_run_log(context.state_dir,
                            _run_log_record(job, context, summary, failure, kernel_log))
    if failure is not None:
        publish_failure(context.site_dir, summary)
        state.update({"job": job.name, "last_outcome": "failed",
                      "last_outcome_at": summary["finished_at"], "last_run": summary})
    else:
        publish_success(context.site_dir, summary, page_html)
        previous = state.get("last_success")
        state.update({"job": job.name, "last_outcome": "ok",
                      "last_outcome_at": summary["finished_at"], "last_run": summary,
                      "last_success": summary, "previous_success": previous,
                      "last_success_at": summary["finished_at"]})
    save_job_state(context.state_dir, job.name, state)
    outcome = JobOutcome(job, summary["status"], run_id, summary["duration_seconds"], failure,
                         headlines, kernel_log, run_log)
    if progress:
        progress.job_finished(outcome)
    return outcome


def _render_job_isolated(job: Job, context: RenderContext, *, force: bool,
                         progress: RenderProgress | None, clock: Clock) -> JobOutcome:
    """:func:`render_job`, with any unexpected error turned into this job's failure."""
    try:
        return render_job(job, context, force=force, progress=progress, clock=clock)
    except Exception as exc:  # noqa: BLE001 - one job's problem must not stop the others
        outcome = JobOutcome(job, "failed", failure=CellFailure(
            "render", None, "", type(exc).__name__, str(exc)))
        if progress:
            progress.job_finished(outcome)
        return outcome


def index_entries(jobs: list[Job], folder: Path, site_dir: Path) -> list[dict[str, Any]]:
    """The index rows of ``jobs``: what the site holds for each, plus the saved state's word
    that the last check found the inputs unchanged (when it refers to the published page)."""
    entries = []
    for job in jobs:
        state = published_state(site_dir, job.name)
        saved = load_job_state(folder, job.name)
        success_id = (state["last_success"] or {}).get("run_id")
        if saved.get("last_outcome") == "unchanged" and success_id \
                and (saved.get("last_success") or {}).get("run_id") == success_id:
            state.update(last_outcome="unchanged", last_outcome_at=saved.get("last_outcome_at"))
        entries.append({"name": job.name, "title": job.title, "audience": job.audience,
                        "schedule": job.schedule, "description": job.description,
                        "parameters": job.parameters.notebook_values(), "state": state})
    return entries


def check_notebooks(jobs: list[Job], notebooks_dir: Path) -> None:
    """:class:`RenderError` naming every job whose report notebook is missing."""
    missing = [f"{job.path}: report {job.report.name!r} needs {notebooks_dir / job.report.notebook}"
               for job in jobs if not (notebooks_dir / job.report.notebook).is_file()]
    if missing:
        raise RenderError("report notebooks not found:\n  " + "\n  ".join(missing))


def render_jobs(jobs: list[Job], context: RenderContext, *, all_jobs: list[Job] | None = None,
                force: bool = False, workers: int | None = None,
                progress: RenderProgress | None = None,
                clock: Clock = local_now) -> list[JobOutcome]:
    """Render ``jobs`` with up to ``workers`` kernels at once (default: the number of cores).
    The index, listing ``all_jobs`` (default: ``jobs``), is rewritten from the site's content
    before the first job (repairing one left behind by a killed render) and after each job.
    Outcomes keep job order."""
    check_notebooks(jobs, context.notebooks_dir)
    ensure_assets(context.site_dir)
    workers = max(1, workers or os.cpu_count() or 1)
    listed = all_jobs if all_jobs is not None else jobs
    lock = threading.Lock()

    def refresh_index() -> None:
        with lock:
            write_index(context.site_dir,
                        index_entries(listed, context.state_dir, context.site_dir),
                        generated_at=clock().isoformat(timespec="seconds"))

    def render_then_index(job: Job) -> JobOutcome:
        outcome = _render_job_isolated(job, context, force=force, progress=progress, clock=clock)
        refresh_index()
        return outcome

    refresh_index()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="render") as pool:
        futures = [pool.submit(render_then_index, job) for job in jobs]
        outcomes = [future.result() for future in futures]
    return outcomes
