"""The embedded demo city: a synthetic police service with five years of data and seven planted
signals (see :mod:`workbench.demo.signals` and ``docs/demo-city.md``).

    from workbench.demo import build_demo_city
    build_demo_city("duckdb:///tmp/demo.duckdb", scale=1.0, seed=42)
"""

from __future__ import annotations

from workbench.demo.errors import DemoCityError
from workbench.demo.generate import build_demo_city

__all__ = ["DemoCityError", "build_demo_city"]
