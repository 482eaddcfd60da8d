"""Workbench: an analytics workspace for police services.

Analysts start with::

    import workbench
    wh = workbench.connect()            # the warehouse, one call away (read-only)
    incidents = wh.table("incidents")   # an Ibis table; aggregate in the engine
"""

from __future__ import annotations

__version__ = "0.1.0"


def connect(url: str | None = None, *, read_only: bool = True):  # noqa: ANN201
    """Open the warehouse named by ``WORKBENCH_WAREHOUSE`` (or ``url``); read-only by default."""
    from workbench.warehouse import Warehouse

    return Warehouse.open(url, read_only=read_only)


__all__ = ["__version__", "connect"]
