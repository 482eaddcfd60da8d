"""Run one report notebook with Papermill, safely in parallel with others.

- The notebook is read from its percent ``.py`` source with ``jupytext.read`` and never written
  to disk; Papermill injects the job's parameters after the cell tagged ``parameters``.
- A hidden first cell (tag ``workbench-setup``) switches the kernel to site chart rendering;
  a hidden last cell reports the workbench modules the report loaded (see
  :mod:`workbench.publish.provenance`); the converter removes both from the page.
- Kernels talk to us over **IPC (Unix domain sockets)**, each in its own private folder,
  instead of TCP. With TCP, jupyter_client picks "free" ports by binding port 0 and closing
  the socket before the kernel binds it, so kernels started at the same moment can pick the
  same port (``ZMQError: Address already in use``, papermill#511). Socket files in a folder of
  our own cannot collide.
- Each kernel runs the interpreter running this code (``sys.executable``), so it has the same
  packages, whatever kernel specs the machine has; it gets the settings through its
  environment and the project folder as working directory (no ``os.chdir`` in this process,
  which would race between threads).
- The job's ``timeout`` is a budget for the whole notebook: each cell may use what is left.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: loading jobs and skipping unchanged ones stays quick
    import nbformat
    from jupyter_client.kernelspec import KernelSpec

SETUP_TAG = "workbench-setup"
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
SETUP_SOURCE = "import workbench.charts\nworkbench.charts.use_site_renderer()"
TEARDOWN_SOURCE = "import workbench.publish.provenance\nworkbench.publish.provenance.show_loaded_modules()"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

CellProgress = Callable[[int, int], None]
"""Called as ``progress(cells_done, cells_total)`` while a notebook runs."""


@dataclass(frozen=True)
class CellFailure:
    """Why a run failed: which cell of the template, and the error."""

    kind: str
    """``error`` (a cell raised), ``timeout``, ``kernel_died`` or ``kernel_start``."""
    cell_number: int | None
    """1-based position of the failing cell in the notebook template (None: before any cell)."""
    cell_source: str
    error_name: str
    error_message: str
    traceback: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "cell_number": self.cell_number,
                "cell_source": self.cell_source, "error_name": self.error_name,
                "error_message": self.error_message, "traceback": self.traceback}

    def summary(self) -> str:
        where = f"cell {self.cell_number}" if self.cell_number else "kernel start"
        first_line = self.cell_source.strip().splitlines()[0] if self.cell_source.strip() else ""
        code = f" [{first_line[:80]}]" if first_line else ""
        return f"{where}{code}: {self.error_name}: {self.error_message}"


@dataclass
class ExecutionResult:
    """An executed notebook (possibly partial) and the failure, if any."""

    notebook: nbformat.NotebookNode
    failure: CellFailure | None
    duration_seconds: float

    @property
    def succeeded(self) -> bool:
        return self.failure is None


def _venv_kernel_spec() -> KernelSpec:
    from jupyter_client.kernelspec import KernelSpec

    return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                            "{connection_file}"],
                      display_name="Workbench (Python)", language="python")


def kernel_manager_class(*, env: dict[str, str], cwd: Path, socket_dir: Path,
                         log: Any = None) -> type:
    """A kernel manager class whose kernels use IPC sockets in ``socket_dir``, the current
    interpreter, ``env`` as environment and ``cwd`` as working directory; the kernel process's
    own stdout and stderr go to the open file ``log`` (default: inherited).

    nbclient instantiates the class itself (so it owns, and shuts down, the kernel).
    """
    from jupyter_client.manager import AsyncKernelManager

    kernel_env = dict(env)

    class WorkbenchKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(socket_dir / "kernel")
            self._kernel_spec = _venv_kernel_spec()

        async def start_kernel(self, **kwargs: Any) -> None:  # type: ignore[override]
            kwargs["env"] = {**kernel_env, **kwargs.get("env", {})}
            kwargs.setdefault("cwd", str(cwd))
            if log is not None:
                kwargs.setdefault("stdout", log)
                kwargs.setdefault("stderr", log)
            await super().start_kernel(**kwargs)

    return WorkbenchKernelManager


def read_template(path: Path) -> nbformat.NotebookNode:
    """The notebook template ``path`` (percent ``.py`` or ``.ipynb``) as an in-memory notebook."""
    import jupytext

    notebook = jupytext.read(path)
    notebook.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3",
                                                "language": "python"})
    notebook.metadata.setdefault("language_info", {"name": "python"})
    return notebook


def _with_hidden_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    import nbformat

    copy = nbformat.from_dict(notebook)
    setup = nbformat.v4.new_code_cell(SETUP_SOURCE, metadata={"tags": [SETUP_TAG]})
    copy.cells.insert(0, setup)
    # and a hidden last cell reporting which workbench modules ran (for the cache key)
    copy.cells.append(nbformat.v4.new_code_cell(TEARDOWN_SOURCE, metadata={"tags": [SETUP_TAG]}))
    # The metadata Papermill expects on every notebook it parameterizes.
    copy.metadata.setdefault("papermill", {"default_parameters": {}, "parameters": {},
                                           "environment_variables": {}})
    for cell in copy.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    return copy


def template_cell_number(notebook: nbformat.NotebookNode, index: int) -> int | None:
    """The 1-based position in the template of executed cell ``index`` (skipping the cells the
    runner and Papermill added); None for an added cell."""
    number = 0
    for position, cell in enumerate(notebook.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        added = SETUP_TAG in tags or INJECTED_TAG in tags
        if not added:
            number += 1
        if position == index:
            return None if added else number
    return None


def _clean_traceback(lines: Any) -> str:
    text = "\n".join(lines) if isinstance(lines, list) else str(lines or "")
    text = _ANSI.sub("", text)
    tail = text.splitlines()[-40:]
    return "\n".join(tail)


def _failure_from_exception(exc: BaseException, notebook: nbformat.NotebookNode,
                            current_index: int | None) -> CellFailure:
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    cell_number = (template_cell_number(notebook, current_index)
                   if current_index is not None else None)
    source = notebook.cells[current_index].source if current_index is not None else ""
    if isinstance(exc, CellTimeoutError):
        return CellFailure("timeout", cell_number, source, "Timeout",
                           "the job's time budget ran out while this cell ran")
    if isinstance(exc, DeadKernelError):
        return CellFailure("kernel_died", cell_number, source, "DeadKernelError",
                           "the kernel process died while this cell ran")
    ename = getattr(exc, "ename", None)
    if ename is not None:  # PapermillExecutionError
        index = getattr(exc, "cell_index", current_index)
        if isinstance(index, int) and 0 <= index < len(notebook.cells):
            cell_number = template_cell_number(notebook, index)
            source = notebook.cells[index].source
        return CellFailure("error", cell_number, source, str(ename),
                           str(getattr(exc, "evalue", "")),
                           _clean_traceback(getattr(exc, "traceback", "")))
    kind = "kernel_start" if current_index is None else "error"
    return CellFailure(kind, cell_number, source, type(exc).__name__, str(exc) or repr(exc))


def execute_notebook(template: nbformat.NotebookNode, parameters: dict[str, Any], *,
                     env: dict[str, str], cwd: Path, timeout_seconds: int | None = None,
                     progress: CellProgress | None = None, kernel_log: Path | None = None,
                     start_timeout: int = 120) -> ExecutionResult:
    """Execute ``template`` with ``parameters``; never raises for a failing notebook.

    The returned notebook holds every output produced up to the failure, if any. The kernel
    process's own output (not the cells') goes to ``kernel_log`` when given.
    """
    import papermill
    from papermill.parameterize import parameterize_notebook

    # Parameterize here (not inside execute_notebook) so that cell indices reported by the
    # hooks and errors refer to this very notebook.
    notebook = parameterize_notebook(_with_hidden_cells(template), parameters, report_mode=False,
                                     kernel_name="python3", language="python")
    total_cells = sum(1 for c in notebook.cells if c.cell_type == "code")
    socket_dir = Path(tempfile.mkdtemp(prefix="wbk-"))
    started = time.monotonic()
    deadline = started + timeout_seconds if timeout_seconds else None
    tracker: dict[str, Any] = {"index": None, "done": 0, "notebook": notebook}

    def on_cell_start(cell: Any, cell_index: int) -> None:
        tracker["index"] = cell_index

    def on_cell_complete(cell: Any, cell_index: int) -> None:
        if cell.get("cell_type") == "code":
            tracker["done"] += 1
            if progress is not None:
                progress(tracker["done"], total_cells)

    def remaining_budget(cell: Any) -> int | None:
        if deadline is None:
            return None
        return max(1, int(deadline - time.monotonic() + 0.999))

    log_file = None
    if kernel_log is not None:
        kernel_log.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(kernel_log, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    engine_options: dict[str, Any] = {
        "kernel_manager_class": kernel_manager_class(env=env, cwd=cwd, socket_dir=socket_dir,
                                                     log=log_file),
        "on_cell_start": on_cell_start,
        "on_cell_complete": on_cell_complete,
    }
    if deadline is not None:
        engine_options["timeout_func"] = remaining_budget
    executed = notebook
    failure: CellFailure | None = None
    try:
        executed = papermill.execute_notebook(
            notebook, None, parameters=None, kernel_name="python3", language="python",
            progress_bar=False, request_save_on_cell_execute=False, start_timeout=start_timeout,
            **engine_options,
        )
    except Exception as exc:  # noqa: BLE001 - every failure becomes a CellFailure record
        failure = _failure_from_exception(exc, notebook, tracker["index"])
    finally:
        shutil.rmtree(socket_dir, ignore_errors=True)
        if log_file is not None:
            log_file.close()
    return ExecutionResult(executed, failure, time.monotonic() - started)
