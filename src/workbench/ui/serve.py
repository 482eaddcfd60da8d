"""``workbench apps``: serve the manager apps (``widgets/``) with Voila.

- Listens on 127.0.0.1 only, behind a token (``--token``, else ``WORKBENCH_APPS_TOKEN``,
  else a random one); the URL printed carries it.
- Kernels are preheated: Voila keeps a pool of kernels per app that have already run the
  app's notebook (``preheat_kernel``, ``pool_size``), so a manager opening an app gets one
  that is ready. The notebooks depend on no request parameter, which preheating requires.
  Voila preheats ``.ipynb`` files only, so each ``widgets/*.py`` (the jupytext source) is
  written as a notebook into the data folder (``data/apps/notebooks``) at start.
- No source is shown (``strip_sources``) and no traceback either (``show_tracebacks=False``):
  the apps catch :class:`~workbench.errors.WorkbenchError` and show a message box.
- Kernels run this very interpreter (a kernel spec written for it) with the settings of this
  process; every app opens the warehouse read-only, so several kernels (and the reports) can
  read one DuckDB file at once.
- Charts need no other host: Altair's ``JupyterChart`` loads Vega from vl-convert's bundle in
  the kernel, and Voila serves its own static files.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from workbench.errors import WorkbenchError

DEFAULT_PORT = 8866
TOKEN_VARIABLE = "WORKBENCH_APPS_TOKEN"
#: Seconds Voila waits before refilling an app's kernel pool after handing a kernel out.
POOL_FILL_DELAY = 2.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--token", default=None,
                        help=f"access token (default: {TOKEN_VARIABLE}, else a random one)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--pool-size", type=int, default=1,
                        help="preheated kernels kept ready per app (default 1; 0 turns "
                             "preheating off)")


def app_urls(*, port: int, token: str) -> dict[str, str]:
    """The address of the app list and of each app, with the token."""
    from workbench.ui import APPS

    base = f"http://127.0.0.1:{port}"
    urls = {"index": f"{base}/?token={token}"}
    for name in APPS:
        urls[name] = f"{base}/voila/render/{name}.ipynb?token={token}"
    return urls


def build_notebooks(widgets_dir: Path, target: Path) -> list[Path]:
    """Write each registered app's ``widgets/*.py`` as ``<app name>.ipynb`` into ``target``
    (emptied first) with the ``python3`` kernel; returns the notebooks written."""
    import jupytext
    import nbformat

    from workbench.ui import APPS

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    written = []
    for name, spec in APPS.items():
        source = widgets_dir / spec.notebook
        if not source.is_file():
            raise WorkbenchError(f"the app {name} has no notebook: {source} is missing")
        notebook = jupytext.read(source)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                           "language": "python"}
        notebook.metadata.pop("jupytext", None)
        path = target / f"{name}.ipynb"
        nbformat.write(notebook, path)
        written.append(path)
    return written


def write_kernel_spec(jupyter_data: Path) -> Path:
    """A ``python3`` kernel spec running this interpreter (so kernels import ``workbench``)."""
    kernel_dir = jupyter_data / "kernels" / "python3"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    (kernel_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (workbench)",
        "language": "python",
    }, indent=2) + "\n", encoding="utf-8")
    return kernel_dir


#: Voila's "lab" template links two Font Awesome style sheets from a CDN, although its own
#: bundle already carries Font Awesome; this template removes those links, so a page never
#: asks another host for anything.
TEMPLATE_NAME = "workbench"
_CDN_LINKS = (
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/'
    'css/all.min.css" type="text/css" />',
    '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/'
    'css/v4-shims.min.css" type="text/css" />',
)
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block notebook_css -%}
{{ super() | replace(LINK_ONE, '') | replace(LINK_TWO, '') }}
<style>
body { background: #ffffff; }
#rendered_cells { padding: 8px 24px; }
</style>
{%- endblock notebook_css -%}
"""


def write_template(jupyter_data: Path) -> Path:
    """The ``workbench`` Voila template (the "lab" template without CDN links)."""
    folder = jupyter_data / "voila" / "templates" / TEMPLATE_NAME
    folder.mkdir(parents=True, exist_ok=True)
    text = _TEMPLATE.replace("LINK_ONE", repr(_CDN_LINKS[0])).replace("LINK_TWO",
                                                                       repr(_CDN_LINKS[1]))
    (folder / "index.html.j2").write_text(text, encoding="utf-8")
    (folder / "conf.json").write_text(json.dumps({"base_template": "lab"}) + "\n",
                                      encoding="utf-8")
    return folder


def voila_command(notebooks: Path, *, port: int, token: str, pool_size: int) -> list[str]:
    """The Voila command line serving ``notebooks``."""
    preheat = pool_size > 0
    return [
        sys.executable, "-m", "voila", str(notebooks),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        f"--Voila.token={token}",
        f"--VoilaConfiguration.template={TEMPLATE_NAME}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--VoilaConfiguration.preheat_kernel={preheat}",
        f"--VoilaConfiguration.default_pool_size={max(pool_size, 0)}",
        f"--VoilaKernelManager.fill_delay={POOL_FILL_DELAY}",
        # JupyterLab extensions an app does not use (jupytext's fails to load in Voila)
        "--VoilaConfiguration.extension_denylist=['jupyterlab-jupytext']",
    ]


def server_environment(jupyter_data: Path) -> dict[str, str]:
    """This process's environment with the settings exported (kernels inherit them) and the
    kernel spec folder first in ``JUPYTER_PATH``."""
    from workbench.settings import get_settings

    settings = get_settings()
    env = dict(os.environ)
    current = env.get("JUPYTER_PATH")
    env["JUPYTER_PATH"] = str(jupyter_data) + (os.pathsep + current if current else "")
    env.update({
        "WORKBENCH_HOME": str(settings.home),
        "WORKBENCH_DATA_DIR": str(settings.data_dir),
        "WORKBENCH_WAREHOUSE": settings.warehouse_url,
        "WORKBENCH_SITE_DIR": str(settings.site_dir),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    return env


def _require_free_port(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # as Voila's own listener does: a port in TIME-WAIT after a restart is free to use
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise WorkbenchError(f"port {port} on 127.0.0.1 is in use (another `workbench "
                                 "apps`?); stop it or choose another with --port") from None


def _check_warehouse() -> None:
    """Fail early, with the usual message, when the warehouse cannot be opened read-only."""
    from workbench.warehouse import Warehouse

    Warehouse.open(read_only=True).close()


def _open_browser_later(url: str) -> None:
    """Open ``url`` a few seconds from now, from a detached helper (this process becomes
    Voila)."""
    code = f"import time, webbrowser; time.sleep(4); webbrowser.open({url!r})"
    subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(args: argparse.Namespace) -> int:
    from workbench.settings import get_settings
    from workbench.ui import APPS

    settings = get_settings()
    if args.pool_size < 0:
        raise WorkbenchError(f"--pool-size must be 0 or more; got {args.pool_size}")
    token = args.token or os.environ.get(TOKEN_VARIABLE) or secrets.token_urlsafe(24)
    _require_free_port(args.port)
    _check_warehouse()
    folder = settings.data_dir / "apps"
    notebooks = folder / "notebooks"
    build_notebooks(settings.widgets_dir, notebooks)
    jupyter_data = folder / "jupyter-data"
    write_kernel_spec(jupyter_data)
    write_template(jupyter_data)
    urls = app_urls(port=args.port, token=token)
    print(f"apps:      {urls['index']}", flush=True)
    for name, spec in APPS.items():
        print(f"  {spec.title:<32} {urls[name]}", flush=True)
    preheat = (f"{args.pool_size} preheated kernel(s) per app" if args.pool_size
               else "no preheated kernels")
    print(f"warehouse: {settings.warehouse_url} (read-only); {preheat}; stop with Ctrl+C",
          flush=True)
    command = voila_command(notebooks, port=args.port, token=token, pool_size=args.pool_size)
    env = server_environment(jupyter_data)
    if not args.no_browser:
        _open_browser_later(urls["index"])
    if os.name == "posix":
        # Become the server (same process id): Ctrl+C or a service manager's SIGTERM reach
        # Voila itself, which shuts its kernels down; no orphan server is left behind.
        os.chdir(notebooks)
        os.execve(sys.executable, command, env)
    process = subprocess.Popen(command, cwd=notebooks, env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return 130
