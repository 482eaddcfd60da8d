"""The static site: layout, shared assets, index and archive pages. Every write is atomic.

Layout::

    site/
      index.html                      every job: title, audience, last run, status, duration,
                                      parameters, data freshness, headline figures and change
      assets/                         ONE shared copy of everything pages load
        vega/vega-bundle.js           Vega + Vega-Lite + vega-embed (vl-convert's offline bundle)
        notebook.css                  JupyterLab's notebook styles (from nbconvert's lab template)
        workbench.css                 site styles
        manifest.json                 versions the assets were made from
      <job>/
        index.html                    stable page: the latest successful run
        summary.json                  its headline figures and provenance
        runs/
          index.html                  every run of the job, newest first
          <run-id>/index.html         archived page of that run (failed runs: the error)
          <run-id>/summary.json       that run's figures, provenance, failure

A failed run never touches ``<job>/index.html``: the last good page stays published.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from workbench.publish.atomic import publish_folder_atomic, write_json_atomic, write_text_atomic
from workbench.publish.convert import SITE_ROOT_TOKEN, localize
from workbench.publish.headline import format_value

ASSETS_DIR = Path(__file__).resolve().parent / "assets"
VEGA_BUNDLE = "assets/vega/vega-bundle.js"
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


def asset_manifest() -> dict[str, Any]:
    """What the shared assets are made from; they are rebuilt when this changes."""
    import importlib.metadata

    import vl_convert

    css = (ASSETS_DIR / "workbench.css").read_bytes()
    return {
        "vl-convert-python": importlib.metadata.version("vl-convert-python"),
        "vega-lite": _vega_lite_version() or "latest",
        "vega": vl_convert.get_vega_version(),
        "vega-embed": vl_convert.get_vega_embed_version(),
        "nbconvert": importlib.metadata.version("nbconvert"),
        "workbench.css": hashlib.sha256(css).hexdigest()[:12],
    }


def ensure_assets(site_dir: Path) -> bool:
    """Write the shared assets into ``site_dir`` unless they are there and current.

    Returns whether anything was written.
    """
    import vl_convert

    manifest = asset_manifest()
    manifest_path = site_dir / ASSET_MANIFEST
    files = [site_dir / VEGA_BUNDLE, site_dir / NOTEBOOK_CSS, site_dir / WORKBENCH_CSS]
    try:
        current = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    if current == manifest and all(f.is_file() for f in files):
        return False
    write_text_atomic(site_dir / VEGA_BUNDLE,
                      vl_convert.javascript_bundle(  # stub wrongly requires snippet
                          vl_version=_vega_lite_version()))  # type: ignore[call-arg]
    write_text_atomic(site_dir / NOTEBOOK_CSS, _lab_css())
    write_text_atomic(site_dir / WORKBENCH_CSS,
                      (ASSETS_DIR / "workbench.css").read_text(encoding="utf-8"))
    write_json_atomic(manifest_path, manifest)
    return True


# ------------------------------------------------------------------------------ small helpers


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


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


def _change_html(current: dict[str, Any], previous: dict[str, Any] | None) -> str:
    change = headline_change(current, previous)
    if change["direction"] is None:
        return '<span class="wb-change wb-change-same">(new)</span>' if previous is None else ""
    if change["direction"] == "same":
        return '<span class="wb-change wb-change-same">(no change)</span>'
    arrow = "▲" if change["direction"] == "up" else "▼"
    sign = "+" if change["delta"] > 0 else "−"
    amount = format_value(abs(change["delta"]), current.get("unit", ""))
    css = f"wb-change-{change['judgement']}" if change["judgement"] else "wb-change-same"
    return (f'<span class="wb-change {css}" title="change since the previous run">'
            f"{arrow} {sign}{_e(amount)}</span>")


def headlines_html(headlines: list[dict[str, Any]], previous: list[dict[str, Any]] | None) -> str:
    """The index's list of headline figures with their change since the previous run."""
    if not headlines:
        return '<span class="wb-small">none</span>'
    before = {h["name"]: h for h in previous or []}
    items = []
    for figure in headlines:
        value = format_value(figure.get("value"), figure.get("unit", ""))
        prior = before.get(figure["name"]) if previous is not None else None
        change = _change_html(figure, prior) if previous is not None else ""
        items.append(f'<li data-headline="{_e(figure["name"])}">{_e(figure["label"])}: '
                     f"<strong>{_e(value)}</strong>{change}</li>")
    return f'<ul class="wb-figures">{"".join(items)}</ul>'


def failure_html(failure: dict[str, Any] | None) -> str:
    if not failure:
        return ""
    where = (f"cell {failure['cell_number']}" if failure.get("cell_number")
             else "before the first cell")
    source = (failure.get("cell_source") or "").strip()
    first_line = source.splitlines()[0][:100] if source else ""
    code = f" <code>{_e(first_line)}</code>" if first_line else ""
    return (f'<div class="wb-failure">Failed at {where}{code}: '
            f"<strong>{_e(failure.get('error_name'))}</strong>: {_e(failure.get('error_message'))}"
            "</div>")


# ------------------------------------------------------------------------------ pages


def page_header_html(summary: dict[str, Any]) -> str:
    """The header of a report page (links written with the site-root placeholder)."""
    root = SITE_ROOT_TOKEN
    job = summary["job"]
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
        ("Warehouse", f"{provenance.get('warehouse_url', '')} "
                      f"(fingerprint {provenance.get('warehouse_fingerprint', '')})"),
        ("Git commit", f"{git.get('commit') or 'unknown'}"
                       f"{' (uncommitted changes)' if git.get('dirty') else ''}"),
        ("Packages", ", ".join(f"{k} {v}" for k, v in packages.items())),
    ]
    table = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return (
        '<header class="wb-page-header">\n'
        f'<nav class="wb-nav"><a href="{root}index.html">All reports</a>'
        f'<a href="{root}{_e(job)}/index.html">Latest</a>'
        f'<a href="{root}{_e(job)}/runs/index.html">Past runs</a>'
        '<a href="summary.json">summary.json</a></nav>\n'
        f"<h1>{_e(summary.get('title'))}</h1>\n"
        f'<p class="wb-meta"><span class="wb-audience wb-audience-{_e(summary.get("audience"))}">'
        f"{_e(summary.get('audience'))}</span> "
        f"Run {_e(summary.get('run_id'))}, finished {_e(_time_text(summary.get('finished_at')))}"
        f" · data {_e(freshness_text(summary.get('data_freshness', [])))}</p>\n"
        '<details class="wb-provenance"><summary>Parameters and provenance</summary>'
        f"<table>{table}</table></details>\n"
        "</header>"
    )


def _simple_page(title: str, root: str, body: str, *, body_class: str = "wb-index") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="stylesheet" href="{root}assets/workbench.css">\n'
        f"</head>\n<body class=\"{body_class}\">\n{body}\n</body>\n</html>\n"
    )


def failure_page_html(summary: dict[str, Any]) -> str:
    """The archived page of a failed run: which cell failed and the error."""
    failure = summary.get("failure") or {}
    job = summary["job"]
    root = ARCHIVE_PAGE_ROOT
    body = (
        '<header class="wb-index-header">'
        f'<nav class="wb-nav"><a href="{root}index.html">All reports</a>'
        f'<a href="{root}{_e(job)}/index.html">Latest good page</a>'
        f'<a href="{root}{_e(job)}/runs/index.html">Past runs</a>'
        '<a href="summary.json">summary.json</a></nav>'
        f"<h1>{_e(summary.get('title'))}: run failed</h1>"
        f'<p class="wb-meta">Run {_e(summary.get("run_id"))}, started '
        f"{_e(_time_text(summary.get('started_at')))}, "
        f"parameters {_e(_parameters_text(summary.get('parameters', {})))}</p></header>"
        '<main class="wb-index-main"><div class="wb-error-box">'
        f"<p><strong>{_e(failure.get('error_name'))}</strong>: {_e(failure.get('error_message'))}"
        f"</p><p>Kind: {_e(failure.get('kind'))}; cell {_e(failure.get('cell_number'))} of the "
        "notebook template:</p>"
        f"<pre>{_e(failure.get('cell_source'))}</pre>"
        f"<pre>{_e(failure.get('traceback'))}</pre></div></main>"
    )
    return _simple_page(f"{summary.get('title')}: failed run", root, body)


def runs_index_html(job_name: str, title: str, runs: list[dict[str, Any]]) -> str:
    """The list of a job's runs, newest first."""
    root = "../../"
    rows = []
    for run in runs:
        status = run.get("status", "")
        link = f'<a href="{_e(run["run_id"])}/index.html">{_e(run["run_id"])}</a>'
        rows.append(
            f"<tr><td>{link}</td><td>{_e(_time_text(run.get('started_at')))}</td>"
            f'<td class="wb-status wb-status-{_e(status)}">{_e(status)}</td>'
            f"<td>{_e(_duration_text(run.get('duration_seconds')))}</td>"
            f"<td>{headlines_html(run.get('headlines', []), None)}{failure_html(run.get('failure'))}"
            "</td></tr>")
    body = (
        '<header class="wb-index-header">'
        f'<nav class="wb-nav"><a href="{root}index.html">All reports</a>'
        f'<a href="../index.html">Latest</a></nav>'
        f"<h1>{_e(title)}: past runs</h1></header>"
        '<main class="wb-index-main"><table class="wb-jobs"><thead><tr><th>Run</th>'
        "<th>Started</th><th>Status</th><th>Duration</th><th>Headline figures</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></main>"
    )
    return _simple_page(f"{title}: past runs", root, body)


def index_html(entries: list[dict[str, Any]], *, generated_at: str) -> str:
    """The site's front page: one row per job.

    Each entry holds ``name, title, audience, schedule, description, parameters`` of the job
    and its render ``state`` (see :mod:`workbench.publish.runner`).
    """
    rows = []
    for entry in entries:
        state = entry.get("state") or {}
        last_run = state.get("last_run")
        success = state.get("last_success")
        previous = state.get("previous_success")
        name = entry["name"]
        outcome = state.get("last_outcome") or "never"
        title = _e(entry["title"])
        title_cell = (f'<a href="{_e(name)}/index.html">{title}</a>' if success else title)
        if entry.get("description"):
            title_cell += f'<div class="wb-small">{_e(entry["description"])}</div>'
        title_cell += f'<div class="wb-small">schedule <code>{_e(entry["schedule"])}</code></div>'
        status_cell = f'<span class="wb-status wb-status-{_e(outcome)}">{_e(outcome)}</span>'
        if outcome == "unchanged":
            status_cell += (f'<div class="wb-small">inputs unchanged; checked '
                            f"{_e(_time_text(state.get('last_outcome_at')))}</div>")
        if outcome == "failed" and last_run:
            status_cell += failure_html(last_run.get("failure"))
            status_cell += (f'<div class="wb-small"><a href="{_e(name)}/runs/'
                            f'{_e(last_run["run_id"])}/index.html">error details</a>'
                            f"{'; last good page kept' if success else ''}</div>")
        shown = last_run or {}
        figures = headlines_html(success.get("headlines", []),
                                 previous.get("headlines", []) if previous else None) \
            if success else '<span class="wb-small">none yet</span>'
        freshness = freshness_text((success or shown).get("data_freshness", [])) \
            if (success or shown) else ""
        rows.append(
            f'<tr data-job="{_e(name)}"><td>{title_cell}</td>'
            f'<td><span class="wb-audience wb-audience-{_e(entry["audience"])}">'
            f"{_e(entry['audience'])}</span></td>"
            f"<td>{_e(_time_text(shown.get('started_at')))}</td>"
            f"<td>{status_cell}</td>"
            f"<td>{_e(_duration_text(shown.get('duration_seconds')))}</td>"
            f'<td class="wb-params">{_e(_parameters_text(entry.get("parameters", {})))}</td>'
            f"<td>{_e(freshness)}</td>"
            f"<td>{figures}</td></tr>"
        )
    body = (
        '<header class="wb-index-header"><h1>Workbench reports</h1>'
        f'<p class="wb-meta">Index written {_e(_time_text(generated_at))}. Every page works '
        "offline: nothing is loaded from another host.</p></header>"
        '<main class="wb-index-main"><table class="wb-jobs"><thead><tr><th>Report</th>'
        "<th>Audience</th><th>Last run</th><th>Status</th><th>Duration</th><th>Parameters</th>"
        "<th>Data freshness</th><th>Headline figures (change since previous run)</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table></main>"
    )
    return _simple_page("Workbench reports", "", body)


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


def list_runs(site_dir: Path, job_name: str) -> list[dict[str, Any]]:
    """Every archived run of ``job_name`` (their summaries), newest first."""
    runs = []
    for path in (site_dir / job_name / "runs").glob("*/summary.json"):
        if path.parent.name.startswith("."):
            continue
        try:
            runs.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(runs, key=lambda r: str(r.get("run_id", "")), reverse=True)


def write_runs_index(site_dir: Path, job_name: str, title: str) -> None:
    write_text_atomic(site_dir / job_name / "runs" / "index.html",
                      runs_index_html(job_name, title, list_runs(site_dir, job_name)))


def write_index(site_dir: Path, entries: list[dict[str, Any]], *, generated_at: str) -> None:
    """Rewrite ``site/index.html`` atomically."""
    write_text_atomic(site_dir / "index.html", index_html(entries, generated_at=generated_at))
