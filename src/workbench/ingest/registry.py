"""The one table of adapters, looked up by name (``register(name, adapter)``).

Adding an adapter is a class and a line: ``register("my-format", MyFormatAdapter)`` at the
bottom of a module in ``workbench/ingest/adapters/`` — every public module there is imported
on first look-up. A service's own adapters can live in a package of their own, installed
beside Workbench, that declares them as entry points of the group ``workbench.adapters``
(see ``docs/ingest.md``, "Add your own adapter package").

:data:`ADAPTERS` is a :class:`workbench.registry.Registry`; the functions below are its
interface for ingest.
"""

from __future__ import annotations

from pathlib import Path

from workbench.ingest.base import Adapter
from workbench.registry import Registry, submodules

#: The entry-point group through which installed distributions add adapters.
ENTRY_POINT_GROUP = "workbench.adapters"

#: Modules whose import registers the built-in adapters.
BUILTIN_MODULES = submodules("workbench.ingest.adapters")


def _require_adapter(name: str, adapter: object) -> None:
    if not (isinstance(adapter, type) and issubclass(adapter, Adapter)):
        raise TypeError(f"adapter {name!r} must be an Adapter subclass, got {adapter!r}")


ADAPTERS: Registry[type[Adapter]] = Registry(
    "adapter", modules=BUILTIN_MODULES, entry_point_group=ENTRY_POINT_GROUP,
    check=_require_adapter)


def register(name: str, adapter: type[Adapter]) -> type[Adapter]:
    """Register ``adapter`` (an :class:`Adapter` subclass) under ``name``; returns it."""
    return ADAPTERS.register(name, adapter)


def get_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``; UnknownNameError lists the known names."""
    return ADAPTERS.get(name)


def create_adapter(name: str, mapping: str | Path | None = None) -> Adapter:
    """An instance of adapter ``name``, configured by ``mapping`` where it takes one."""
    return get_adapter(name).create(Path(mapping) if mapping is not None else None)


def list_adapters() -> dict[str, str]:
    """Registered adapter names (sorted) → one-line description."""
    return {name: ADAPTERS.get(name).summary() for name in ADAPTERS.names()}
