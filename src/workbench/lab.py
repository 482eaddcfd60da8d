"""``workbench lab``: JupyterLab on the project, for analysts.

- Listens on 127.0.0.1 only, behind a token (a random one unless ``--token`` or
  ``WORKBENCH_LAB_TOKEN`` gives it); the root folder is the project.
- Kernels run this very interpreter (a ``python3`` kernel spec written for it), so
  ``import workbench`` works and the versions match the renderer's.
- Jupytext's contents manager serves ``.py`` percent files as notebooks, and a default-settings
  override makes "Jupytext Notebook" the default viewer of Python files, so
  ``notebooks/*.py`` open as notebooks with a double click. The override is written to a config
  folder under the data folder and added to ``JUPYTER_CONFIG_PATH`` for this server only; the
  user's own Lab settings still win.
- The settings (warehouse, data folder, today) are passed to the server, hence to kernels.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

DEFAULT_VIEWER_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {
        "defaultViewers": {"python": "Jupytext Notebook"}
    }
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8888, help="port (default 8888)")
    parser.add_argument("--token", default=None,
                        help="access token (default: WORKBENCH_LAB_TOKEN, else a random one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")


def prepare_lab_config(data_dir: Path) -> tuple[Path, Path]:
    """Write the Lab config and kernel spec folders; returns (config folder, data folder)."""
    config_dir = data_dir / "lab" / "jupyter-config"
    jupyter_data = data_dir / "lab" / "jupyter-data"
    labconfig = config_dir / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "default_setting_overrides.json").write_text(
        json.dumps(DEFAULT_VIEWER_OVERRIDES, indent=2) + "\n", encoding="utf-8")
    kernel_dir = jupyter_data / "kernels" / "python3"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (workbench)",
        "language": "python",
        "metadata": {"debugger": True},
    }, indent=2) + "\n", encoding="utf-8")
    return config_dir, jupyter_data


def lab_command(*, home: Path, port: int, token: str, open_browser: bool) -> list[str]:
    """The JupyterLab command line (``--allow-root`` when run as root, e.g. in a container)."""
    root_flag = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    return [
        sys.executable, "-m", "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home}",
        f"--ServerApp.open_browser={open_browser}",
        "--ServerApp.contents_manager_class=jupytext.TextFileContentsManager",
        *root_flag,
    ]


def lab_environment(*, config_dir: Path, jupyter_data: Path) -> dict[str, str]:
    """The server's environment: our config first in the Jupyter paths, settings exported."""
    from workbench.settings import get_settings

    settings = get_settings()
    env = dict(os.environ)

    def prepend(name: str, folder: Path) -> str:
        current = env.get(name)
        return str(folder) + (os.pathsep + current if current else "")

    env["JUPYTER_CONFIG_PATH"] = prepend("JUPYTER_CONFIG_PATH", config_dir)
    env["JUPYTER_PATH"] = prepend("JUPYTER_PATH", jupyter_data)
    env.update({
        "WORKBENCH_HOME": str(settings.home),
        "WORKBENCH_DATA_DIR": str(settings.data_dir),
        "WORKBENCH_WAREHOUSE": settings.warehouse_url,
        "WORKBENCH_SITE_DIR": str(settings.site_dir),
    })
    return env


def run(args: argparse.Namespace) -> int:
    from workbench.settings import get_settings

    settings = get_settings()
    token = args.token or os.environ.get("WORKBENCH_LAB_TOKEN") or secrets.token_urlsafe(24)
    config_dir, jupyter_data = prepare_lab_config(settings.data_dir)
    command = lab_command(home=settings.home, port=args.port, token=token,
                          open_browser=not args.no_browser)
    print(f"JupyterLab on the project: http://127.0.0.1:{args.port}/lab?token={token}",
          flush=True)
    print("Python files in notebooks/ open as notebooks; stop with Ctrl+C.", flush=True)
    env = lab_environment(config_dir=config_dir, jupyter_data=jupyter_data)
    if os.name == "posix":
        # Become the server (same process id): signals such as Ctrl+C or a service manager's
        # SIGTERM reach JupyterLab itself, and no orphan server is left behind.
        os.chdir(settings.home)
        os.execve(sys.executable, command, env)
    process = subprocess.Popen(command, cwd=settings.home, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return 130
