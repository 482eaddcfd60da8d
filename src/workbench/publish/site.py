"""The static site: layout, shared assets, index and archive pages. Every write is atomic.

Layout::

    site/
      index.html                      every job: title, audience, last run, status, duration,
                                      parameters, data freshness, headline figures and change
      assets/                         ONE shared copy of everything pages load
        vega/vega-bundle.js           Vega + Vega-Lite + vega-embed (vl-convert's offline bundle)
        charts.js                     draws each page's charts (pages run no inline script)
        notebook.css                  JupyterLab's notebook styles (from nbconvert's lab template)
        workbench.css                 site styles
        manifest.json                 versions the assets were made from
      <job>/
        index.html                    stable page: the latest successful run
        summary.json                  its headline figures and provenance
        runs/
          index.html                  every run of the job, newest first
          <run-id>/index.html         archived page of that run (failed runs: that it failed, when)
          <run-id>/summary.json       that run's figures and provenance

A failed run never touches ``<job>/index.html``: the last good page stays published. No page
says why a run failed (see :mod:`~workbench.publish.runlog`). Every page is rendered from an
autoescaping template of ``workbench.present`` (``present/templates/publish/``) and carries the
site's Content-Security-Policy (:data:`~workbench.publish.convert.CONTENT_SECURITY_POLICY`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from workbench.present.html import render
from workbench.publish.atomic import publish_folder_atomic, write_json_atomic, write_text_atomic
from workbench.publish.convert import CONTENT_SECURITY_POLICY, SITE_ROOT_TOKEN, localize
from workbench.publish.headline import format_value

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
VEGA_BUNDLE = "assets/vega/vega-bundle.js"
CHARTS_SCRIPT = "assets/charts.js"
NOTEBOOK_CSS = "assets/notebook.css"
WORKBENCH_CSS = "assets/workbench.css"
ASSET_MANIFEST = "assets/manifest.json"

STABLE_PAGE_ROOT = "../"
"""Relative path from ``<job>/index.html`` to the site root."""
ARCHIVE_PAGE_ROOT = "../../../"
"""Relative path from ``<job>/runs/<run-id>/index.html`` to the site root."""


# ------------------------------------------------------------------------------ assets


def _vega_lite_version() -> str | None:
    """The Vega-Lite minor version Altair targets, if vl-convert bundles it (else its latest)."""
    import altair as alt
    import vl_convert

    wanted = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    return wanted if wanted in vl_convert.get_vegalite_versions() else None


def _lab_css() -> str:
    """JupyterLab's notebook CSS as nbconvert's lab template ships it (light theme)."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates", "lab", "static"):
        index = Path(folder) / "index.css"
        theme = Path(folder) / "theme-light.css"
        if index.is_file() and theme.is_file():
            return index.read_text(encoding="utf-8") + "\n" + theme.read_text(encoding="utf-8")
    return ""


_BUNDLE_VERSIONS = ("vega-lite", "vega", "vega-embed")


def asset_manifest(previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the shared assets are made from; they are rebuilt when this changes.

    The Vega versions come from Altair and vl-convert; when the installed versions of both
    are those ``previous`` (the site's manifest) records, its Vega versions are reused rather
    than importing Altair (seconds), so a render that has nothing to do stays quick.
    """
    import importlib.metadata

    css = (ASSETS_DIR / "workbench.css").read_bytes()
    script = (ASSETS_DIR / "charts.js").read_bytes()
    manifest: dict[str, Any] = {
        "altair": importlib.metadata.version("altair"),
        "vl-convert-python": importlib.metadata.version("vl-convert-python"),
        "nbconvert": importlib.metadata.version("nbconvert"),
        "workbench.css": hashlib.sha256(css).hexdigest()[:12],
        "charts.js": hashlib.sha256(script).hexdigest()[:12],
    }
    if (previous and all(previous.get(key) == value for key, value in manifest.items())
            and all(isinstance(previous.get(key), str) for key in _BUNDLE_VERSIONS)):
        return {**manifest, **{key: previous[key] for key in _BUNDLE_VERSIONS}}
    import vl_convert

    return {**manifest, "vega-lite": _vega_lite_version() or "latest",
            "vega": vl_convert.get_vega_version(),
            "vega-embed": vl_convert.get_vega_embed_version()}


def ensure_assets(site_dir: Path) -> bool:
    """Write the shared assets into ``site_dir`` unless they are there and current.

    Returns whether anything was written.
    """
    manifest_path = site_dir / ASSET_MANIFEST
    files = [site_dir / VEGA_BUNDLE, site_dir / CHARTS_SCRIPT, site_dir / NOTEBOOK_CSS,
             site_dir / WORKBENCH_CSS]
    try:
        current = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    manifest = asset_manifest(current if isinstance(current, dict) else None)
    if current == manifest and all(f.is_file() for f in files):
        return False
    import vl_convert

    write_text_atomic(site_dir / VEGA_BUNDLE,
                      vl_convert.javascript_bundle(  # stub wrongly requires snippet
                          vl_version=_vega_lite_version()))  # type: ignore[call-arg]
    write_text_atomic(site_dir / NOTEBOOK_CSS, _lab_css())
    write_text_atomic(site_dir / WORKBENCH_CSS,
                      (ASSETS_DIR / "workbench.css").read_text(encoding="utf-8"))
    write_text_atomic(site_dir / CHARTS_SCRIPT,
                      (ASSETS_DIR / "charts.js").read_text(encoding="utf-8"))
    write_json_atomic(manifest_path, manifest)
    return True


# ------------------------------------------------------------------------------ text helpers


def _time_text(value: Any) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` (local time as recorded)."""
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return str(value)


def _duration_text(seconds: Any) -> str:
    if seconds is None:
        return ""
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def _parameters_text(parameters: dict[str, Any]) -> str:
    if not parameters:
        return "defaults"
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in parameters.items())


def freshness_text(freshness: Iterable[dict[str, Any]]) -> str:
    """One line: the newest record in the warehouse and the table furthest behind."""
    rows = [r for r in freshness if r.get("latest")]
    if not rows:
        return "no dated records"
    newest = max(rows, key=lambda r: str(r["latest"]))
    oldest = min(rows, key=lambda r: str(r["latest"]))
    text = f"to {str(newest['latest'])[:10]} ({newest['table']})"
    if oldest is not newest and str(oldest["latest"])[:10] != str(newest["latest"])[:10]:
        text += f"; oldest {oldest['table']} {str(oldest['latest'])[:10]}"
    return text


def headline_change(current: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The change of a headline figure since the previous run: ``delta``, ``direction``
    (``up``/``down``/``same``/None) and ``judgement`` (``good``/``bad``/``same``/None)."""
    value = current.get("value")
    before = previous.get("value") if previous else None
    if value is None or before is None:
        return {"delta": None, "direction": None, "judgement": None}
    delta = value - before
    if delta == 0:
        return {"delta": 0, "direction": "same", "judgement": "same"}
    direction = "up" if delta > 0 else "down"
    better = current.get("better")
    judgement = None
    if better in ("lower", "higher"):
        improved = (delta < 0) if better == "lower" else (delta > 0)
        judgement = "good" if improved else "bad"
    return {"delta": delta, "direction": direction, "judgement": judgement}


def _figures(headlines: list[dict[str, Any]],
             previous: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Headline figures as the templates show them, with their change when ``previous`` is
    given (a list, possibly empty; None: no comparison)."""
    before = {h["name"]: h for h in previous or []}
    shown = []
    for figure in headlines:
        change = None
        if previous is not None:
            prior = before.get(figure["name"])
            change = {**headline_change(figure, prior), "new": prior is None}
            if change["direction"] in ("up", "down"):
                change.update(arrow="▲" if change["direction"] == "up" else "▼",
                              sign="+" if change["delta"] > 0 else "−",
                              amount=format_value(abs(change["delta"]), figure.get("unit", "")))
        shown.append({"name": figure["name"], "label": figure["label"],
                      "value": format_value(figure.get("value"), figure.get("unit", "")),
                      "change": change})
    return shown


def _page(template: str, **context: Any) -> str:
    return str(render(template, policy=CONTENT_SECURITY_POLICY, **context))


# ------------------------------------------------------------------------------ pages


def page_header_html(summary: dict[str, Any]) -> str:
    """The header of a report page (links written with the site-root placeholder)."""
    provenance = summary.get("provenance", {})
    git = provenance.get("git", {})
    packages = provenance.get("package_versions", {})
    rows = [
        ("Report", summary.get("report")),
        ("Parameters", _parameters_text(summary.get("parameters", {}))),
        ("Run", summary.get("run_id")),
        ("Started", _time_text(summary.get("started_at"))),
        ("Duration", _duration_text(summary.get("duration_seconds"))),
        ("Data freshness", freshness_text(summary.get("data_freshness", []))),
        ("Warehouse", f"fingerprint {provenance.get('warehouse_fingerprint', '')}"),
        ("Git commit", f"{git.get('commit') or 'unknown'}"
                       f"{' (uncommitted changes)' if git.get('dirty') else ''}"),
        ("Packages", ", ".join(f"{k} {v}" for k, v in packages.items())),
    ]
    return str(render("publish/page_header.html.j2", root=SITE_ROOT_TOKEN, job=summary["job"],
                      title=summary.get("title"), audience_name=summary.get("audience"),
                      run_id=summary.get("run_id"),
                      finished=_time_text(summary.get("finished_at")),
                      freshness=freshness_text(summary.get("data_freshness", [])),
                      provenance=rows))


def failure_page_html(summary: dict[str, Any]) -> str:
    """The archived page of a failed run: that it failed and when (see :mod:`runlog`)."""
    return _page("publish/failure.html.j2", title=f"{summary.get('title')}: failed run",
                 root=ARCHIVE_PAGE_ROOT, job=summary["job"], job_title=summary.get("title"),
                 run_id=summary.get("run_id"), started=_time_text(summary.get("started_at")),
                 failed_at=_time_text(summary.get("finished_at")),
                 parameters=_parameters_text(summary.get("parameters", {})))


def runs_index_html(job_name: str, title: str, runs: list[dict[str, Any]]) -> str:
    """The list of a job's runs, newest first."""
    shown = [{"run_id": run["run_id"], "started": _time_text(run.get("started_at")),
              "status": run.get("status", ""), "failed": run.get("status") == "failed",
              "duration": _duration_text(run.get("duration_seconds")),
              "figures": _figures(run.get("headlines", []), None)} for run in runs]
    return _page("publish/runs.html.j2", title=f"{title}: past runs", root="../../",
                 job_title=title, runs=shown)


def index_row(entry: dict[str, Any]) -> dict[str, Any]:
    """One job's row of the index, from its entry (see :func:`index_html`)."""
    state = entry.get("state") or {}
    last_run = state.get("last_run")
    success = state.get("last_success")
    previous = state.get("previous_success")
    outcome = state.get("last_outcome") or "never"
    shown = last_run or {}
    failed_run_id = shown.get("run_id") if outcome == "failed" else None
    return {
        "name": entry["name"], "title": entry["title"], "description": entry.get("description"),
        "schedule": entry["schedule"], "audience": entry["audience"], "outcome": outcome,
        "has_page": bool(success), "has_success": bool(success),
        "last_run_id": shown.get("run_id", ""),
        "last_success_id": (success or {}).get("run_id", ""),
        "failed_run_id": failed_run_id,
        "checked": _time_text(state.get("last_outcome_at")),
        "started": _time_text(shown.get("started_at")),
        "duration": _duration_text(shown.get("duration_seconds")),
        "parameters": _parameters_text(entry.get("parameters", {})),
        "freshness": freshness_text((success or shown).get("data_freshness", []))
        if (success or shown) else "",
        "figures": _figures(success.get("headlines", []),
                            previous.get("headlines", []) if previous else None)
        if success else [],
    }


def index_html(entries: list[dict[str, Any]], *, generated_at: str) -> str:
    """The site's front page: one row per job.

    Each entry holds ``name, title, audience, schedule, description, parameters`` of the job
    and its ``state``: ``last_outcome`` (ok, failed, unchanged), ``last_outcome_at``, and the
    summaries ``last_run``, ``last_success`` and ``previous_success`` (see
    :func:`workbench.publish.runner.index_entries`).
    """
    return _page("publish/index.html.j2", title="Workbench reports", root="",
                 generated_at=_time_text(generated_at),
                 rows=[index_row(entry) for entry in entries])


# ------------------------------------------------------------------------------ publishing


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, default=str) + "\n").encode("utf-8")


def publish_success(site_dir: Path, summary: dict[str, Any], page_html: str) -> None:
    """Publish a successful run: archive folder first, then the stable page and summary."""
    job, run_id = summary["job"], summary["run_id"]
    job_dir = site_dir / job
    publish_folder_atomic(
        {"index.html": localize(page_html, ARCHIVE_PAGE_ROOT).encode("utf-8"),
         "summary.json": _json_bytes(summary)},
        job_dir / "runs" / run_id,
    )
    write_text_atomic(job_dir / "index.html", localize(page_html, STABLE_PAGE_ROOT))
    write_json_atomic(job_dir / "summary.json", summary)
    write_runs_index(site_dir, job, summary.get("title", job))


def publish_failure(site_dir: Path, summary: dict[str, Any]) -> None:
    """Archive a failed run (error page + summary); the stable page is left as it was."""
    job, run_id = summary["job"], summary["run_id"]
    publish_folder_atomic(
        {"index.html": failure_page_html(summary).encode("utf-8"),
         "summary.json": _json_bytes(summary)},
        site_dir / job / "runs" / run_id,
    )
    write_runs_index(site_dir, job, summary.get("title", job))


def _read_summary(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) and value.get("run_id") else None


def _archived_runs(site_dir: Path, job_name: str) -> Iterator[dict[str, Any]]:
    """The archived runs of ``job_name``, newest first (run ids sort by start time), read lazily."""
    folder = site_dir / job_name / "runs"
    names = sorted((p.name for p in folder.iterdir() if p.is_dir()
                    and not p.name.startswith(".")), reverse=True) if folder.is_dir() else []
    for name in names:
        summary = _read_summary(folder / name / "summary.json")
        if summary is not None:
            yield summary


def list_runs(site_dir: Path, job_name: str) -> list[dict[str, Any]]:
    """Every archived run of ``job_name`` (their summaries), newest first."""
    return sorted(_archived_runs(site_dir, job_name), key=lambda r: str(r.get("run_id", "")),
                  reverse=True)


def published_state(site_dir: Path, job_name: str) -> dict[str, Any]:
    """What the site holds for ``job_name``, read from the site itself: ``last_run`` (the newest
    archived run), ``last_success`` (the stable page's summary), ``previous_success`` (the
    newest successful run before it) and ``last_outcome`` (``ok``, ``failed`` or ``never``).

    The index is built from this, so it always matches the pages, whatever happened to the
    render that wrote them (a killed render leaves no index describing other pages)."""
    stable = site_dir / job_name / "index.html"
    success = _read_summary(site_dir / job_name / "summary.json") if stable.is_file() else None
    last_run = previous = None
    for run in _archived_runs(site_dir, job_name):
        if last_run is None:
            last_run = run
        if success is None:
            break
        if run.get("status") == "ok" and str(run["run_id"]) < str(success["run_id"]):
            previous = run
            break
    last_run = last_run or success
    return {"last_run": last_run, "last_success": success, "previous_success": previous,
            "last_outcome": (last_run or {}).get("status") or "never"}


def write_runs_index(site_dir: Path, job_name: str, title: str) -> None:
    write_text_atomic(site_dir / job_name / "runs" / "index.html",
                      runs_index_html(job_name, title, list_runs(site_dir, job_name)))


def write_index(site_dir: Path, entries: list[dict[str, Any]], *, generated_at: str) -> None:
    """Rewrite ``site/index.html`` atomically."""
    write_text_atomic(site_dir / "index.html", index_html(entries, generated_at=generated_at))
