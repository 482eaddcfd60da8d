"""The exit type: :class:`Protected`, a value made safe for an audience by this package only.

Whatever writes a public file or a public page (:mod:`workbench.public`) accepts a
:class:`Protected` value and refuses anything else (:func:`require_protected`). Nothing outside
:mod:`workbench.privacy` can make one: the constructor refuses, and the functions that make one
are those that protect — suppressed families of counts (:func:`~workbench.privacy.linked.protect_counts`),
masked points without identifiers (:func:`~workbench.privacy.protect_points`) — so no call site
can forget to protect what it publishes.

Figures *computed from* protected values (a slice, a share, a rate, a file's bytes) are as safe
as those values (post-processing discloses nothing the inputs do not): :meth:`Protected.derive`
and :func:`derived` make them, on the understanding that ``compute`` reads only the protected
values it is given and published reference data (census populations, boundaries).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NoReturn, TypeVar, final

import pandas as pd

from workbench.privacy.audience import Audience, PrivacyError

__all__ = ["Protected", "derived", "require_protected"]

T = TypeVar("T")
U = TypeVar("U")


@final
class Protected(Generic[T]):
    """A value protected for ``audience`` (and every more trusted one) by :mod:`workbench.privacy`.

    ``value`` is the protected value (a data frame is handed out as a copy, so changing it
    cannot change what was protected); ``note`` says in plain words what protects it (a
    footnote for the page or file). Immutable; only this package constructs one.
    """

    __slots__ = ("_audience", "_note", "_value")
    _value: T
    _audience: Audience
    _note: str

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise PrivacyError(
            "a Protected value is made only by workbench.privacy (suppress the counts with "
            "workbench.privacy.protect_counts, or mask the points with protect_points); it "
            "cannot be built by hand")

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Protected value cannot be changed")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_protect, (self._value, self._audience, self._note))

    @property
    def value(self) -> T:
        """The protected value (a data frame as a copy)."""
        if isinstance(self._value, pd.DataFrame):
            return self._value.copy()  # type: ignore[return-value]
        return self._value

    @property
    def audience(self) -> Audience:
        """The least trusted audience the value may be shown to."""
        return self._audience

    @property
    def note(self) -> str:
        """What protects the value, in plain words (for a footnote)."""
        return self._note

    def derive(self, compute: Callable[[T], U], *, note: str | None = None) -> Protected[U]:
        """``compute(value)``, protected alike: for figures computed only from this value."""
        return _protect(compute(self.value), self._audience,
                        self._note if note is None else note)

    def __repr__(self) -> str:
        kind = type(self._value).__name__
        return f"<Protected {kind} for the {self._audience.label} audience: {self._note!r}>"


def _protect(value: T, audience: Audience | str, note: str) -> Protected[T]:
    """Make a :class:`Protected` (for the modules of this package only)."""
    protected: Protected[T] = object.__new__(Protected)
    stored = value.copy() if isinstance(value, pd.DataFrame) else value
    object.__setattr__(protected, "_value", stored)
    object.__setattr__(protected, "_audience", Audience.parse(audience))
    object.__setattr__(protected, "_note", str(note))
    return protected


def derived(compute: Callable[..., U], *sources: Protected[Any],
            note: str | None = None) -> Protected[U]:
    """``compute(*values)`` from several protected values: protected for the most trusted of
    their audiences (a figure from a public and an internal value is internal). ``note``
    defaults to the first source's."""
    if not sources:
        raise PrivacyError("derived() needs at least one protected source")
    for source in sources:
        require_protected(source, audience=Audience.RESTRICTED, what="a source of a derived figure")
    audience = max(source.audience for source in sources)
    return _protect(compute(*(source.value for source in sources)), audience,
                    sources[0].note if note is None else note)


def require_protected(value: object, *, audience: Audience | str = Audience.PUBLIC,
                      what: str = "this output") -> Protected[Any]:
    """Return ``value`` if it is :class:`Protected` for ``audience``; else raise
    :class:`PrivacyError` naming ``what`` (an unprotected frame, or one protected only for a
    more trusted audience)."""
    wanted = Audience.parse(audience)
    if not isinstance(value, Protected):
        raise PrivacyError(
            f"{what} is not protected for the {wanted.label} audience (got "
            f"{type(value).__name__}): pass it through workbench.privacy first")
    if value.audience > wanted:
        raise PrivacyError(
            f"{what} is protected for the {value.audience.label} audience only, not for the "
            f"{wanted.label} audience")
    return value
