"""Kernel-side provenance: which workbench modules a report actually ran.

``workbench render`` appends a hidden last cell calling :func:`show_loaded_modules`; the renderer
reads the list from the executed notebook and hashes those files (plus its own) into the job's
cache key. A change to a module the report used renders it again; a change to an unrelated
module (another report's analysis) does not. Imported inside kernels: keep it light.
"""

from __future__ import annotations

import sys
from pathlib import Path

MODULES_MIMETYPE = "application/vnd.workbench.modules+json"


def loaded_workbench_modules() -> list[str]:
    """Files of the ``workbench`` package imported in this process, relative to the package."""
    import workbench

    root = Path(workbench.__file__).resolve().parent
    found = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = Path(file).resolve()
        if path.is_relative_to(root):
            found.add(path.relative_to(root).as_posix())
    return sorted(found)


def show_loaded_modules() -> None:
    """Display the loaded workbench modules as a machine-readable output (hidden on pages)."""
    from IPython.display import display

    modules = loaded_workbench_modules()
    display({MODULES_MIMETYPE: modules, "text/plain": f"{len(modules)} workbench modules"},
            raw=True)
