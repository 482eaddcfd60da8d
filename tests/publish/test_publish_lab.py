"""``workbench lab`` starts JupyterLab on 127.0.0.1 with a token, percent files as notebooks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TOKEN = "test-token-123"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_lab_serves_the_project_with_a_token(tmp_path: Path) -> None:
    port = _free_port()
    env = dict(os.environ, WORKBENCH_DATA_DIR=str(tmp_path / "data"))
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "lab", "--port", str(port), "--no-browser",
         "--token", TOKEN], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        status = None
        for _ in range(120):  # up to a minute for the server to start
            if process.poll() is not None:
                break
            try:
                status, body = _get(f"{base}/api/status?token={TOKEN}")
            except OSError:
                status = None
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, process.stdout.read().decode() if process.poll() is not None else ""
        assert json.loads(body)["kernels"] == 0
        assert _get(f"{base}/api/status")[0] == 403  # no token, no access

        status, body = _get(f"{base}/api/contents/notebooks/starter.py?type=notebook"
                            f"&token={TOKEN}")
        assert status == 200
        notebook = json.loads(body)
        assert notebook["type"] == "notebook"
        tags = [c["metadata"].get("tags", []) for c in notebook["content"]["cells"]]
        assert ["parameters"] in tags

        status, body = _get(f"{base}/api/kernelspecs?token={TOKEN}")
        spec = json.loads(body)["kernelspecs"]["python3"]["spec"]
        assert spec["argv"][0] == sys.executable

        status, body = _get(f"{base}/lab/api/settings/@jupyterlab/docmanager-extension:plugin"
                            f"?token={TOKEN}")
        viewers = json.loads(body)["schema"]["properties"]["defaultViewers"]["default"]
        assert viewers == {"python": "Jupytext Notebook"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
