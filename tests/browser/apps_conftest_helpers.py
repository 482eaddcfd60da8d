"""Fixtures and helpers for the apps' browser tests: a real ``workbench apps`` server on the
demo city, and pages that refuse (and record) every request to another host.

Imported by ``test_apps.py`` (fixtures are found in the test module's namespace); the site's
fixtures (``browser``) come from ``conftest.py`` next to this file.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "apps"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
#: Seconds a page may take to show its first chart (a kernel may still be warming up).
PAGE_TIMEOUT_MS = 180_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class AppsServer:
    """A running ``workbench apps`` (a Voila server) and how to reach it."""

    process: subprocess.Popen
    port: int
    token: str
    log: Path

    def url(self, app: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{app}.ipynb?token={self.token}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_apps_server(warehouse_path: Path, folder: Path, *, pool_size: int = 1,
                      port: int | None = None) -> AppsServer:
    """Start ``workbench apps`` on a free port and wait until it answers."""
    port = port or free_port()
    token = secrets.token_urlsafe(16)
    log = folder / "apps-server.log"
    env = dict(os.environ)
    env.update({"WORKBENCH_WAREHOUSE": f"duckdb://{warehouse_path}",
                "WORKBENCH_DATA_DIR": str(folder / "data"), "WORKBENCH_HOME": str(ROOT)})
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "workbench.cli", "apps", "--port", str(port), "--no-browser",
             "--token", token, "--pool-size", str(pool_size)],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    server = AppsServer(process, port, token, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"workbench apps exited ({process.returncode}):\n"
                               f"{server.log_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/?token={token}", timeout=5):
                return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    stop_apps_server(server)
    raise RuntimeError(f"workbench apps did not answer within 120 s:\n{server.log_text()}")


def stop_apps_server(server: AppsServer) -> None:
    """Stop the server by its process id (Voila shuts its kernels down on SIGTERM)."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=30)


@pytest.fixture(scope="module")
def apps_server(demo_warehouse_path: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppsServer]:
    """``workbench apps`` on the demo city (read-only), one preheated kernel per app."""
    server = start_apps_server(demo_warehouse_path, tmp_path_factory.mktemp("apps-server"))
    yield server
    stop_apps_server(server)


@dataclass
class GuardedPage:
    """A Playwright page whose requests to other hosts are refused and recorded."""

    page: object
    attempted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


def open_guarded(browser, url: str, *, wait_for: str | None = ".wb-chart svg.marks"  # noqa: ANN001
                 ) -> GuardedPage:
    """Open ``url`` in a new page (1280 px wide, downloads allowed) with the guard in place."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    guarded = GuardedPage(page)

    def guard(route) -> None:  # noqa: ANN001
        if is_local(route.request.url):
            route.continue_()
        else:
            guarded.attempted.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda error: guarded.errors.append(str(error)))
    page.goto(url)
    if wait_for:
        page.wait_for_selector(wait_for)
    return guarded


def screenshot(guarded: GuardedPage, name: str) -> Path:
    """Save a full-page screenshot under ``test-artifacts/apps/`` (kept as an artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    guarded.page.screenshot(path=str(path), full_page=True)
    return path
