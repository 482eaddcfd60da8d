"""The one table of adapters, looked up by name (``register(name, adapter)``).

Adding an adapter is a class and a line: ``register("my-format", MyFormatAdapter)`` at the
bottom of its module, and the module listed in :data:`BUILTIN_MODULES` (or imported by a
plugin before use).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from workbench.errors import UnknownNameError
from workbench.ingest.base import Adapter

#: Modules whose import registers the built-in adapters.
BUILTIN_MODULES = (
    "workbench.ingest.adapters.generic_csv",
    "workbench.ingest.adapters.toronto",
    "workbench.ingest.adapters.chicago",
)

_ADAPTERS: dict[str, type[Adapter]] = {}
_builtins_loaded = False


def register(name: str, adapter: type[Adapter]) -> type[Adapter]:
    """Register ``adapter`` (an :class:`Adapter` subclass) under ``name``; returns it."""
    if not (isinstance(adapter, type) and issubclass(adapter, Adapter)):
        raise TypeError(f"adapter {name!r} must be an Adapter subclass, got {adapter!r}")
    existing = _ADAPTERS.get(name)
    if existing is not None and existing is not adapter:
        raise ValueError(f"an adapter named {name!r} is already registered ({existing.__name__})")
    _ADAPTERS[name] = adapter
    return adapter


def _load_builtins() -> None:
    global _builtins_loaded
    if not _builtins_loaded:
        _builtins_loaded = True
        for module in BUILTIN_MODULES:
            importlib.import_module(module)


def get_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``; UnknownNameError lists the known names."""
    _load_builtins()
    try:
        return _ADAPTERS[name]
    except KeyError:
        raise UnknownNameError(
            f"unknown adapter {name!r}; known adapters: {', '.join(sorted(_ADAPTERS))}"
        ) from None


def create_adapter(name: str, mapping: str | Path | None = None) -> Adapter:
    """An instance of adapter ``name``, configured by ``mapping`` where it takes one."""
    return get_adapter(name).create(Path(mapping) if mapping is not None else None)


def list_adapters() -> dict[str, str]:
    """Registered adapter names (sorted) → one-line description."""
    _load_builtins()
    return {name: _ADAPTERS[name].summary() for name in sorted(_ADAPTERS)}
