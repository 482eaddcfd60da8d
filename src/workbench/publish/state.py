"""Render state on disk: when each job last succeeded, with which inputs, and its last runs.

State lives under the data folder, one JSON file per job, in a folder per site
(``$WORKBENCH_DATA_DIR/render-state/<site-id>/<job>.json``) so that renders into a scratch site
never disturb the schedule of the real one. This module also holds the pure pieces the runner
decides with: :func:`is_due` (cron schedule against the last success) and :func:`cache_key`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import platform
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from croniter import croniter

from workbench.publish.atomic import write_json_atomic

#: Packages whose versions go into provenance and the cache key.
TRACKED_PACKAGES = ("workbench", "papermill", "nbclient", "nbconvert", "ipykernel", "jupytext",
                    "altair", "vegafusion", "vl-convert-python", "ibis-framework", "duckdb",
                    "pandas", "numpy", "pyarrow", "pydantic")


def state_dir(data_dir: Path, site_dir: Path) -> Path:
    """The state folder for renders into ``site_dir``."""
    site_id = hashlib.sha256(str(Path(site_dir).resolve()).encode()).hexdigest()[:12]
    return Path(data_dir) / "render-state" / site_id


def load_job_state(folder: Path, job_name: str) -> dict[str, Any]:
    """The saved state of ``job_name`` (empty when it never ran or the file is unreadable)."""
    path = folder / f"{job_name}.json"
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def save_job_state(folder: Path, job_name: str, state: dict[str, Any]) -> None:
    """Save the state of ``job_name`` atomically."""
    write_json_atomic(folder / f"{job_name}.json", state)


def _parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.astimezone()


def next_due(schedule: str, last_success: dt.datetime) -> dt.datetime:
    """The first time ``schedule`` fires strictly after ``last_success``."""
    return croniter(schedule, last_success).get_next(dt.datetime)


def is_due(schedule: str, last_success: dt.datetime | str | None, now: dt.datetime) -> bool:
    """Whether ``schedule`` came due since ``last_success``: a job that never succeeded is due;
    otherwise it is due once the first cron time after its last success is at or before ``now``.

    Both times must be timezone-aware (or both naive); cron fields are read in their zone.
    """
    last = _parse_time(last_success) if isinstance(last_success, str) else last_success
    if last is None:
        return True
    if (last.tzinfo is None) != (now.tzinfo is None):
        raise ValueError("is_due needs both times aware or both naive")
    if last.tzinfo is not None and now.tzinfo is not None:
        last = last.astimezone(now.tzinfo)
    return next_due(schedule, last) <= now


def cache_key(*, notebook_source: str, parameters: dict[str, Any], warehouse_fingerprint: str,
              package_versions: dict[str, str], audience: str, source_digest: str) -> str:
    """A hash of everything a page depends on: when it is unchanged the page would be too.

    ``source_digest`` covers the workbench code the report ran (:func:`source_digest`).
    """
    payload = json.dumps({
        "source": source_digest,
        "notebook": notebook_source,
        "parameters": parameters,
        "warehouse": warehouse_fingerprint,
        "packages": package_versions,
        "audience": audience,
    }, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


#: Files of the renderer itself, always part of the source digest (relative to the package).
_RENDERER_PATTERNS = ("publish/*.py", "publish/templates/**/*", "publish/assets/**/*",
                      "charts/__init__.py", "settings.py", "warehouse.py")


def source_digest(modules: Iterable[str], *, root: Path | None = None) -> str:
    """A short hash of the workbench files a report ran (``modules``, relative to the package,
    as reported by :mod:`workbench.publish.provenance`) plus the renderer's own files."""
    import workbench

    root = root or Path(workbench.__file__).resolve().parent
    files = {root / m for m in modules}
    for pattern in _RENDERER_PATTERNS:
        files.update(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.relative_to(root)).encode())
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()[:12]


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a page depends on."""
    versions = {"python": platform.python_version()}
    versions.update({package: _version(package) for package in TRACKED_PACKAGES})
    return versions


def git_commit(home: Path) -> dict[str, Any]:
    """The project's git commit and whether the work tree had changes (None outside git)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=home, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=home, capture_output=True, text=True, timeout=10,
                                check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit or None, "dirty": bool(status.strip())}
