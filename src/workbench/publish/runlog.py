"""The run log: everything about a run that must not be published, kept beside the render state.

Pages and the published ``summary.json`` say only that a run failed and when: an error message
can quote data, a path or a secret (a password in a connection string, a value from a
restricted table), and a traceback shows the code. The detail goes here instead, one JSON file
per run, outside the site folder::

    $WORKBENCH_DATA_DIR/render-state/<site-id>/runs/<job>/<run-id>.json   (mode 0600, folder 0700)

holding the job file, notebook and warehouse URL (password redacted), the kernel log's path and,
for a failed run, the failing cell's number and source, the error and its traceback.
``workbench render`` prints the error and the log's path when a job fails; read the file as
the user that renders the reports.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from workbench.publish.atomic import write_json_atomic

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def run_log_path(state_folder: Path, job_name: str, run_id: str) -> Path:
    """Where the log of run ``run_id`` of ``job_name`` is kept."""
    return Path(state_folder) / "runs" / job_name / f"{run_id}.json"


def write_run_log(state_folder: Path, record: dict[str, Any]) -> Path:
    """Write ``record`` (with ``job`` and ``run_id``) readable by its owner only; its path."""
    path = run_log_path(state_folder, record["job"], record["run_id"])
    for folder in (path.parent.parent, path.parent):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)
    write_json_atomic(path, record, mode=FILE_MODE)
    return path


def read_run_log(state_folder: Path, job_name: str, run_id: str) -> dict[str, Any]:
    """The log of one run (``FileNotFoundError`` when there is none)."""
    text = run_log_path(state_folder, job_name, run_id).read_text(encoding="utf-8")
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError(f"run log of {job_name} {run_id} is not a JSON object")
    return value
