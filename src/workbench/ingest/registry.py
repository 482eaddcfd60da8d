"""The one table of adapters, looked up by name (``register(name, adapter)``).

Adding an adapter is a class and a line: ``register("my-format", MyFormatAdapter)`` at the
bottom of a module in ``workbench/ingest/adapters/`` — every public module there is imported
on first look-up (or import your own module before use, for a plugin).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from workbench.errors import UnknownNameError
from workbench.ingest.base import Adapter


def _adapter_modules() -> tuple[str, ...]:
    """Every public module of ``workbench.ingest.adapters`` (their import registers them)."""
    import pkgutil

    from workbench.ingest import adapters

    return tuple(f"{adapters.__name__}.{info.name}" for info in pkgutil.iter_modules(adapters.__path__)
                 if not info.name.startswith("_"))


#: Modules whose import registers the built-in adapters.
BUILTIN_MODULES = _adapter_modules()

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
