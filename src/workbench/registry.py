"""One shape for every table of pluggable parts: a :class:`Registry` of named objects.

Ingest adapters (:mod:`workbench.ingest.registry`), reports (:mod:`workbench.publish.reports`),
manager apps (:mod:`workbench.ui`) and the ``workbench`` sub-commands (:mod:`workbench.cli`)
are each a ``Registry``: ``register(name, obj)`` adds a part, ``get(name)`` finds it (or raises
:class:`~workbench.errors.UnknownNameError` listing the known names), ``names()`` lists them.
This is papermill's pattern for its engines and I/O handlers.

Where parts come from, loaded on the first look-up (not at import, so importing a registry
stays cheap):

1. **Built-in modules** (``modules=``): importing each one registers its parts (an adapter
   module ends with ``register("my-format", MyFormatAdapter)``). :func:`submodules` lists the
   public modules of a package, so adding a module to it is enough.
2. **Entry points** (``entry_point_group=``): an installed distribution can add parts without
   touching Workbench, by declaring in its ``pyproject.toml``::

       [project.entry-points."workbench.adapters"]
       my-format = "my_service_adapters.cad:MyCadAdapter"

   Each entry point of the group is loaded with :mod:`importlib.metadata`; the object it names
   is registered under the entry point's name. An entry point may also name a module
   (``my-adapters = "my_service_adapters"``): importing it runs its own ``register`` calls.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
import types
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from workbench.errors import PluginError, UnknownNameError

__all__ = ["Registry", "submodules"]

T = TypeVar("T")


def submodules(package: str) -> tuple[str, ...]:
    """The public modules of ``package`` (names not starting with ``_``), fully qualified."""
    module = importlib.import_module(package)
    return tuple(f"{package}.{info.name}" for info in pkgutil.iter_modules(module.__path__)
                 if not info.name.startswith("_"))


def _with_article(kind: str) -> str:
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


class Registry(Generic[T]):
    """Named objects of one kind, looked up by name.

    It reads like a dictionary (``name in registry``, ``registry[name]``, iteration in
    registration order, ``items()``, ``values()``, ``len()``); every read first loads the
    built-in modules and entry points, once.

    Args:
        kind: what one entry is, for messages (``"adapter"``, ``"report"``).
        plural: its plural (default ``kind + "s"``).
        modules: modules whose import registers the built-in entries: names, or a function
            returning them (called on first use).
        entry_point_group: the :mod:`importlib.metadata` entry-point group other
            distributions add entries through (e.g. ``"workbench.adapters"``); None: none.
        check: called as ``check(name, obj)`` before an entry is added; raises (``TypeError``)
            when ``obj`` is not the kind of thing this registry holds.
    """

    def __init__(
        self,
        kind: str,
        *,
        plural: str | None = None,
        modules: Iterable[str] | Callable[[], Iterable[str]] = (),
        entry_point_group: str | None = None,
        check: Callable[[str, T], None] | None = None,
    ) -> None:
        self.kind = kind
        self.plural = plural or f"{kind}s"
        self.entry_point_group = entry_point_group
        self._modules = modules
        self._check = check
        self._entries: dict[str, T] = {}
        self._loaded = False

    def __repr__(self) -> str:
        return f"<Registry of {self.plural}: {', '.join(self._entries) or 'none loaded yet'}>"

    # ------------------------------------------------------------------ adding

    def register(self, name: str, obj: T) -> T:
        """Add ``obj`` under ``name`` and return it.

        Registering the same object under the same name again does nothing; another object
        under a name already taken raises :class:`ValueError`.
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"{_with_article(self.kind)} needs a non-empty name; got {name!r}")
        if self._check is not None:
            self._check(name, obj)
        existing = self._entries.get(name, obj)
        if existing is not obj:
            raise ValueError(f"{_with_article(self.kind)} named {name!r} is already registered "
                             f"({_describe(existing)})")
        self._entries[name] = obj
        return obj

    def registered(self, name: str) -> bool:
        """Whether ``name`` is registered already (without loading modules or plugins)."""
        return name in self._entries

    def pop(self, name: str, default: T | None = None) -> T | None:
        """Remove ``name`` and return its entry (``default`` when it is not registered)."""
        return self._entries.pop(name, default)

    # ------------------------------------------------------------------ loading

    def load(self) -> None:
        """Import the built-in modules and load the entry points (once; later calls do
        nothing)."""
        if self._loaded:
            return
        self._loaded = True  # set first: the modules imported below call register()
        try:
            modules = self._modules() if callable(self._modules) else self._modules
            for module in modules:
                importlib.import_module(module)
            if self.entry_point_group:
                for entry_point in importlib.metadata.entry_points(group=self.entry_point_group):
                    self._load_entry_point(entry_point)
        except BaseException:
            self._loaded = False  # the next look-up tries again (and fails the same way)
            raise

    def _load_entry_point(self, entry_point: importlib.metadata.EntryPoint) -> None:
        distribution = entry_point.dist.name if entry_point.dist is not None else "unknown"
        where = (f"entry point {entry_point.name} = {entry_point.value!r} of group "
                 f"{self.entry_point_group!r} in distribution {distribution!r}")
        try:
            loaded = entry_point.load()
        except Exception as error:  # noqa: BLE001 - any import failure of a plugin
            raise PluginError(f"the {self.kind} plugin {where} cannot be loaded: "
                              f"{type(error).__name__}: {error}") from error
        if isinstance(loaded, types.ModuleType):
            return  # importing the module ran its own register() calls
        try:
            self.register(entry_point.name, loaded)
        except (TypeError, ValueError) as error:
            raise PluginError(f"the {self.kind} plugin {where} cannot be registered: "
                              f"{error}") from error

    # ------------------------------------------------------------------ looking up

    def get(self, name: str) -> T:
        """The entry registered as ``name``.

        Raises:
            UnknownNameError: no entry has that name; the message lists the known ones.
        """
        self.load()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownNameError(f"unknown {self.kind} {name!r}; known {self.plural}: "
                                   f"{', '.join(self.names()) or 'none'}") from None

    def names(self) -> list[str]:
        """The registered names, sorted."""
        self.load()
        return sorted(self._entries)

    def __getitem__(self, name: str) -> T:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        self.load()
        return iter(list(self._entries))

    def __len__(self) -> int:
        self.load()
        return len(self._entries)

    def keys(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self)

    def values(self) -> list[T]:
        """The entries, in registration order."""
        self.load()
        return list(self._entries.values())

    def items(self) -> list[tuple[str, T]]:
        """``(name, entry)`` pairs, in registration order."""
        self.load()
        return list(self._entries.items())

    def copy(self) -> Registry[T]:
        """A registry with the same entries and sources (e.g. to register into in a test
        without touching this one)."""
        self.load()
        other: Registry[T] = Registry(self.kind, plural=self.plural, modules=self._modules,
                                      entry_point_group=self.entry_point_group,
                                      check=self._check)
        other._entries = dict(self._entries)
        other._loaded = True
        return other


def _describe(obj: object) -> str:
    return getattr(obj, "__name__", None) or type(obj).__name__
