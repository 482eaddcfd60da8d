"""Who an output is for (:class:`Audience`, defined once) and the small-cell threshold.

Settings: the default small-cell threshold is ``WORKBENCH_SMALL_CELL_THRESHOLD`` (default
``10``), read by :func:`small_cell_threshold`.
"""

from __future__ import annotations

import enum
from typing import Any

from workbench.errors import WorkbenchError

__all__ = [
    "DEFAULT_SMALL_CELL_THRESHOLD",
    "SMALL_CELL_THRESHOLD_VARIABLE",
    "Audience",
    "PrivacyError",
    "small_cell_threshold",
]

#: Smallest count shown to a lower audience when ``WORKBENCH_SMALL_CELL_THRESHOLD`` is unset.
DEFAULT_SMALL_CELL_THRESHOLD = 10
#: The environment variable holding the small-cell threshold.
SMALL_CELL_THRESHOLD_VARIABLE = "WORKBENCH_SMALL_CELL_THRESHOLD"


class PrivacyError(WorkbenchError):
    """Raised when a table or coordinates cannot be protected as asked (duplicate or negative
    counts, a table too large to check, published totals that do not add up, coordinates out
    of range), when an output for a lower audience was not protected, or when person-level data
    is asked for below the restricted audience. The message names the column or value at fault."""


_RANK = {"public": 1, "internal": 2, "restricted": 3}


class Audience(enum.StrEnum):
    """Who an output is for, ordered by trust: ``PUBLIC < INTERNAL < RESTRICTED``.

    The one definition: parameters files, job files, apps and the privacy checks all use it.
    A member *is* its lower-case name (``Audience.PUBLIC == "public"``, so it reads and writes
    as that text in YAML, JSON and the environment) and compares by trust, not alphabetically.
    An output may go to its own audience or a more trusted one; anything meant for a lower
    audience than its source goes through :mod:`workbench.privacy` first.
    """

    PUBLIC = "public"
    INTERNAL = "internal"
    RESTRICTED = "restricted"

    @classmethod
    def parse(cls, value: str | Audience) -> Audience:
        """Return the audience named ``value`` (case-insensitive), e.g. ``"public"``."""
        if isinstance(value, Audience):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            names = ", ".join(member.label for member in cls)
            raise PrivacyError(f"unknown audience {value!r}; expected one of {names}") from None

    @property
    def label(self) -> str:
        """The lower-case name used in parameters files (``"public"``)."""
        return self.value

    @property
    def rank(self) -> int:
        """1 for public, 2 for internal, 3 for restricted."""
        return _RANK[self.value]

    def _other_rank(self, other: Any) -> int:
        if isinstance(other, Audience):
            return other.rank
        if isinstance(other, str) and other in _RANK:
            return _RANK[other]
        raise TypeError(f"cannot compare an audience with {other!r}")

    def __lt__(self, other: Any) -> bool:
        return self.rank < self._other_rank(other)

    def __le__(self, other: Any) -> bool:
        return self.rank <= self._other_rank(other)

    def __gt__(self, other: Any) -> bool:
        return self.rank > self._other_rank(other)

    def __ge__(self, other: Any) -> bool:
        return self.rank >= self._other_rank(other)



def small_cell_threshold() -> int:
    """Return the smallest count shown to a lower audience.

    Read from ``WORKBENCH_SMALL_CELL_THRESHOLD`` through the settings object (default
    ``10``); an unusable value raises :class:`~workbench.errors.SettingsError`.
    """
    from workbench.settings import get_settings

    return get_settings().small_cell_threshold
