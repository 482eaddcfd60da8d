"""Manager apps: a state object and a view per app, served by Voila (``workbench apps``).

Each app lives in one module: a :class:`traitlets.HasTraits` state (filters, options and
results; no widgets; unit-tested without a browser) and a view (``ipywidgets``) linked to it.
The ``widgets/`` folder holds one thin notebook per app: a parameters cell, ``app =
SomeApp(...)``, ``app``.

Apps are registered in :data:`APPS` (name → :class:`AppSpec`); adding one is a module, a
notebook and a :func:`register_app` line. The view classes are importable from here
(``from workbench.ui import CrimeExplorerApp``), loaded on first use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from workbench.privacy import Audience
from workbench.registry import Registry

__all__ = [
    "APPS",
    "AppSpec",
    "ChainOfCommandApp",
    "CrimeExplorerApp",
    "NeighbourhoodProfileApp",
    "WorkforceDashboardApp",
    "get_app",
    "register_app",
]


@dataclass(frozen=True)
class AppSpec:
    """One manager app: its view class (``module:Class``), its notebook in ``widgets/`` and
    the audience it is for."""

    name: str
    title: str
    view: str
    notebook: str
    audience: Audience = Audience.INTERNAL
    description: str = ""

    def view_class(self) -> type:
        module_name, class_name = self.view.split(":")
        return getattr(importlib.import_module(module_name), class_name)


#: Every manager app, by name (a :class:`workbench.registry.Registry`).
APPS: Registry[AppSpec] = Registry("app")


def register_app(spec: AppSpec) -> AppSpec:
    """Add ``spec`` to :data:`APPS`; a name can be registered once."""
    return APPS.register(spec.name, spec)


def get_app(name: str) -> AppSpec:
    """The app registered as ``name``; :class:`~workbench.errors.UnknownNameError` lists the
    known ones."""
    return APPS.get(name)


register_app(AppSpec("crime_explorer", "Crime explorer",
                     "workbench.ui.crime_explorer:CrimeExplorerApp", "crime_explorer.py",
                     description="Incidents by period, offence, division and neighbourhood"))
register_app(AppSpec("workforce_dashboard", "Workforce dashboard",
                     "workbench.ui.workforce_dashboard:WorkforceDashboardApp",
                     "workforce_dashboard.py",
                     description="Absence, turnout, relief factor and staffing gap by unit"))
register_app(AppSpec("neighbourhood_profile", "Neighbourhood profile",
                     "workbench.ui.neighbourhood_profile:NeighbourhoodProfileApp",
                     "neighbourhood_profile.py",
                     description="CSWB indicators of one neighbourhood against the city"))
register_app(AppSpec("chain_of_command", "Chain of command (restricted)",
                     "workbench.ui.chain_of_command:ChainOfCommandApp", "chain_of_command.py",
                     audience=Audience.RESTRICTED,
                     description="Early-intervention indicators, service to officer"))

_VIEW_NAMES = {spec.view.split(":")[1]: spec for spec in APPS.values()}


def __getattr__(name: str) -> Any:
    if name in _VIEW_NAMES:
        return _VIEW_NAMES[name].view_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
