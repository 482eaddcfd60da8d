"""The base of every app's state object: warehouse access, memoised results, user messages.

A state object is a :class:`traitlets.HasTraits` model holding an app's filters, the options
each filter offers, and the results computed for the current filters. It imports no widget
library and is unit-tested without a browser; the view (``ipywidgets``) links its controls to
these traits.

**Inputs.** A filter is a trait tagged ``input=True``
(``division = traitlets.Unicode(ALL).tag(input=True)``). Declaring it is all it takes: every
input is observed (a change recomputes the results, batched inside :meth:`AppState.batch`),
and every memoised result is keyed on the values of all inputs. A result that does not depend
on some inputs says so (``memoised("trend", compute, ignoring=("period",))``) and is then
shared across their values; reading an ignored input while computing it raises
:class:`StaleResultError`, so a wrong ``ignoring`` fails loudly instead of serving a stale
result. Forgetting nothing is the default: a new input joins every key by itself.

Results are computed through :mod:`workbench.analysis` (queries run in the warehouse engine)
and memoised for the life of the state, so flipping a filter back is instant. Errors a user
can act on (:class:`~workbench.errors.WorkbenchError`) become :attr:`AppState.message`,
never a traceback.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Collection, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import traitlets

from workbench.errors import WorkbenchError
from workbench.warehouse import Warehouse

T = TypeVar("T")

log = logging.getLogger("workbench.ui")

#: Option value meaning "no filter" in every drop-down.
ALL = ""


@dataclass(frozen=True)
class Kpi:
    """One headline figure of an app: ``value`` as shown, with a note under it.

    ``key`` names the card (the view puts it in a ``data-kpi`` attribute), ``number`` is the
    raw value (None when there is none), ``tone`` is ``"up"``, ``"down"``, ``"alert"`` or
    ``""`` (the view colours the card by it).
    """

    key: str
    label: str
    value: str
    note: str = ""
    number: float | None = None
    tone: str = ""


class StaleResultError(RuntimeError):
    """Raised when a memoised result reads an input it was declared not to depend on (its
    memo key would then serve it stale for other values of that input)."""


#: Memo key of one result: its name, then (input, value) for every input it depends on.
MemoKey = tuple[Hashable, ...]


class AppState(traitlets.HasTraits):
    """Common traits and helpers of the app states (subclass it; see the module docstring).

    Subclasses tag their filters ``input=True`` and implement :meth:`_compute`, which reads
    the filters and sets the result traits; it runs once at :meth:`start` and again after every
    input change (batched: changes made inside :meth:`batch` trigger a single recomputation).
    Options that depend on another input (the units of a division) are narrowed in
    :meth:`_input_changed`, which runs before that recomputation. A state that must refuse
    some options before any warehouse is opened (an audience) checks them in
    :meth:`check_options`.
    """

    #: A message for the user about the last computation ("" when all went well).
    message = traitlets.Unicode("")
    #: True while results are being computed (the view shows that it is working).
    busy = traitlets.Bool(False)
    #: Incremented after every computation, successful or not (views refresh on it).
    revision = traitlets.Int(0)
    #: The headline figures for the current inputs.
    kpis: traitlets.List[Kpi] = traitlets.List()

    #: Inputs that the memoised computation under way must not read (see :meth:`memoised`).
    _forbidden: frozenset[str] = frozenset()

    def __init__(self, warehouse: Warehouse, **kwargs: Any) -> None:
        self._warehouse = warehouse
        self._memo: dict[MemoKey, Any] = {}
        self._batch_depth = 0
        self._stale = False
        self._started = False
        super().__init__(**kwargs)
        if self.input_names():  # (observing no names would observe every trait)
            self.observe(self._on_input, names=list(self.input_names()))

    @classmethod
    def check_options(cls, **options: Any) -> None:
        """Refuse options before a warehouse is opened (default: accept all)."""

    def __getattribute__(self, name: str) -> Any:
        forbidden = object.__getattribute__(self, "_forbidden")
        if forbidden and name in forbidden:
            raise StaleResultError(
                f"a memoised result read the input {name!r} although it was declared to "
                f"ignore it (ignoring={sorted(forbidden)}): drop {name!r} from its ignoring")
        return object.__getattribute__(self, name)

    # ------------------------------------------------------------------ inputs
    @classmethod
    def input_names(cls) -> tuple[str, ...]:
        """The traits tagged ``input=True``, in name order."""
        return tuple(sorted(cls.class_trait_names(input=True)))

    def inputs(self) -> dict[str, Any]:
        """The current value of every input."""
        forbidden, self._forbidden = self._forbidden, frozenset()
        try:
            return {name: getattr(self, name) for name in self.input_names()}
        finally:
            self._forbidden = forbidden

    def memo_key(self, name: str, *, ignoring: Collection[str] = ()) -> MemoKey:
        """The key of result ``name``: the value of every input but those in ``ignoring``."""
        unknown = set(ignoring) - set(self.input_names())
        if unknown:
            raise ValueError(f"{name}: ignoring names no input: {', '.join(sorted(unknown))}; "
                             f"inputs: {', '.join(self.input_names())}")
        return (name, *((input_name, value) for input_name, value in self.inputs().items()
                         if input_name not in ignoring))

    def _on_input(self, change: dict[str, Any]) -> None:
        with self.batch():
            self._input_changed(change)
            self._filters_changed(change)

    def _input_changed(self, change: dict[str, Any]) -> None:
        """Hook: narrow options that depend on the input that changed (default: nothing)."""

    # ------------------------------------------------------------------ computing
    @property
    def warehouse(self) -> Warehouse:
        return self._warehouse

    def start(self) -> None:
        """Compute the first results (call once, after the filters have their initial values)."""
        self._started = True
        self.refresh()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Change several filters with a single recomputation at the end."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._stale:
                self._stale = False
                self.refresh()

    def _filters_changed(self, change: dict[str, Any] | None = None) -> None:
        """Recompute after an input change (or defer to the end of :meth:`batch`)."""
        if not self._started:
            return
        if self._batch_depth:
            self._stale = True
            return
        self.refresh()

    def refresh(self) -> None:
        """Recompute the results for the current filters, turning errors into a message."""
        self.busy = True
        try:
            self._compute()
        except WorkbenchError as error:
            self.message = str(error)
        except Exception as error:  # noqa: BLE001 - the app must show a message, not crash
            log.exception("app computation failed")
            self.message = (f"Something went wrong while computing this view "
                            f"({type(error).__name__}: {error}). Try another filter; if it "
                            "persists, tell the analytics team.")
        else:
            self.message = ""
        finally:
            self.busy = False
            self.revision += 1

    def _compute(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def chart(self) -> alt.TopLevelSpec:  # pragma: no cover - abstract
        """The chart the app shows for the current inputs (also its PNG download)."""
        raise NotImplementedError

    def download(self) -> tuple[pd.DataFrame, str]:  # pragma: no cover - abstract
        """The data behind :meth:`chart` and a name for its files (the CSV download)."""
        raise NotImplementedError

    def memoised(self, name: str, compute: Callable[[], T], *,
                 ignoring: Collection[str] = ()) -> T:
        """``compute()`` once per value of the inputs it depends on, for the life of this state.

        The key is ``name`` and the value of every input not in ``ignoring``
        (:meth:`memo_key`). While ``compute`` runs, reading an input in ``ignoring`` raises
        :class:`StaleResultError` (and so does a nested memoised result keyed on one).
        """
        outer = self._forbidden
        key = self.memo_key(name, ignoring=ignoring)
        used = set(self.input_names()) - set(ignoring)
        if outer & used:
            raise StaleResultError(
                f"{name!r} depends on {sorted(outer & used)}, which the result being "
                "computed declared to ignore: drop them from its ignoring")
        if key not in self._memo:
            self._forbidden = outer | frozenset(ignoring)
            try:
                self._memo[key] = compute()
            finally:
                self._forbidden = outer
        return self._memo[key]

    @property
    def memo_size(self) -> int:
        """How many results are memoised (for tests and diagnostics)."""
        return len(self._memo)


def open_app_warehouse(url: str | None = None) -> Warehouse:
    """The warehouse at ``url`` (default: the setting) opened read-only for an app.

    Read-only, so any number of app kernels (and reports) can read one DuckDB file at once.
    On DuckDB the query progress bar is switched off: inside a kernel it would otherwise
    appear as a stray widget above the app during long queries.
    """
    warehouse = Warehouse.open(url, read_only=True)
    if warehouse.is_duckdb:
        warehouse.con.raw_sql("SET enable_progress_bar = false")
    return warehouse


# ---------------------------------------------------------------------- exports
def frame_to_csv(frame: pd.DataFrame) -> str:
    """A frame as CSV text (ISO dates, no index), as the app's download offers it."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d")


def chart_to_png(chart: alt.TopLevelSpec, *, scale: float = 2.0) -> bytes:
    """A chart as PNG bytes, rendered by vl-convert (offline, in this process)."""
    import vl_convert

    return bytes(vl_convert.vegalite_to_png(chart.to_dict(), scale=scale))


def data_uri(payload: bytes | str, media_type: str) -> str:
    """A ``data:`` URI holding ``payload`` (base64), for a download link."""
    raw = payload.encode("utf-8") if isinstance(payload, str) else payload
    return f"data:{media_type};base64,{base64.b64encode(raw).decode('ascii')}"


def latest_date(table: Any, column: str, *, not_after: dt.date | None = None) -> dt.date:
    """The latest date of ``column`` in ``table`` (an Ibis table), capped at ``not_after``."""
    latest = table[column].max().execute()
    if latest is None or pd.isna(latest):
        raise WorkbenchError(f"the {column} column has no values: load data first "
                             "(`workbench demo-data` or `workbench ingest`)")
    day = pd.Timestamp(latest).date()
    return min(day, not_after) if not_after else day


def options_with_all(values: list[str], all_label: str,
                     labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``[(all_label, ALL), (label, value), ...]`` for a drop-down."""
    labels = labels or {}
    return [(all_label, ALL), *[(labels.get(value, value), value) for value in values]]
