"""Disclosure control for every output meant for a lower audience: one package.

Anything that leaves the analysts' own workspace for a wider :class:`Audience` goes through
here first, and public outputs cannot be built any other way: whatever writes a public file or
page (:mod:`workbench.public`) accepts only a :class:`Protected` value, which only this package
makes.

============================  ==================================================================
module                        what it holds
============================  ==================================================================
``audience``                  :class:`Audience` (public < internal < restricted, defined once),
                              :class:`PrivacyError`, :func:`small_cell_threshold`
``protected``                 the exit type :class:`Protected`, :func:`require_protected`,
                              :func:`derived`
``suppression``               :func:`suppress_small_cells` (complementary suppression) and
                              :class:`SuppressedTable`; the pattern search in ``_patterns``
``audit``                     the attacker's :func:`audit_public_table` and :class:`Exposure`
``linked``                    linked tables: a family of counts protected once
                              (:func:`protect_counts`, :func:`audit_counts`, :data:`ALL`)
``small_groups``              figures about fewer than *k* people: :func:`protect_small_groups`,
                              the report's one :class:`SmallGroupGuard`
``identifiers``               :data:`IDENTIFIER_COLUMNS`, :func:`drop_identifiers`
``masking``                   :func:`random_round`, :func:`geomask_points`,
                              :func:`protect_points`
============================  ==================================================================

Sources (see ``design/DOMAIN.md``, "Open data and disclosure control"): the Ontario
Anti-Racism Data Standards require de-identification before public release but set no numeric
rule; privacy-commissioner guidance implies minimum groups of about 11, 15 or 20 by
sensitivity; Statistics Canada randomly rounds counts to base 5. Suppression must be
complementary: a hidden cell must not be recoverable from published totals.

Everything here is pure: no I/O, no printing, inputs are never modified. Importing the package
is light: the modules needing scipy (suppression, audit, linked tables, small groups) load on
first use of one of their names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from workbench.privacy.audience import (
    DEFAULT_SMALL_CELL_THRESHOLD,
    SMALL_CELL_THRESHOLD_VARIABLE,
    Audience,
    PrivacyError,
    small_cell_threshold,
)

if TYPE_CHECKING:
    from workbench.geometry import EARTH_RADIUS_METRES
    from workbench.privacy.audit import Exposure, audit_public_table
    from workbench.privacy.identifiers import IDENTIFIER_COLUMNS, drop_identifiers
    from workbench.privacy.linked import ALL, audit_counts, protect_counts, split_entries
    from workbench.privacy.masking import (
        DEFAULT_GEOMASK_CELL_METRES,
        DEFAULT_ROUNDING_BASE,
        geomask_points,
        protect_points,
        random_round,
    )
    from workbench.privacy.protected import Protected, derived, require_protected
    from workbench.privacy.small_groups import (
        PERSON_LEVEL_AUDIENCE,
        SmallGroupGuard,
        protect_small_groups,
        require_person_level,
    )
    from workbench.privacy.suppression import SuppressedTable, suppress_small_cells

__all__ = [
    "ALL",
    "DEFAULT_GEOMASK_CELL_METRES",
    "DEFAULT_ROUNDING_BASE",
    "DEFAULT_SMALL_CELL_THRESHOLD",
    "EARTH_RADIUS_METRES",
    "IDENTIFIER_COLUMNS",
    "PERSON_LEVEL_AUDIENCE",
    "SMALL_CELL_THRESHOLD_VARIABLE",
    "Audience",
    "Exposure",
    "PrivacyError",
    "Protected",
    "SmallGroupGuard",
    "SuppressedTable",
    "audit_counts",
    "audit_public_table",
    "derived",
    "drop_identifiers",
    "geomask_points",
    "protect_counts",
    "protect_points",
    "protect_small_groups",
    "random_round",
    "require_person_level",
    "require_protected",
    "small_cell_threshold",
    "split_entries",
    "suppress_small_cells",
]

#: Names loaded on first use, and the module holding each: everything but the audience needs
#: pandas, numpy or scipy, and loading the jobs of a render (which only need the audience)
#: should not pay for them.
_LAZY = {
    "EARTH_RADIUS_METRES": "workbench.geometry",
    "Exposure": "audit",
    "audit_public_table": "audit",
    "IDENTIFIER_COLUMNS": "identifiers",
    "drop_identifiers": "identifiers",
    "ALL": "linked",
    "audit_counts": "linked",
    "protect_counts": "linked",
    "split_entries": "linked",
    "DEFAULT_GEOMASK_CELL_METRES": "masking",
    "DEFAULT_ROUNDING_BASE": "masking",
    "geomask_points": "masking",
    "protect_points": "masking",
    "random_round": "masking",
    "Protected": "protected",
    "derived": "protected",
    "require_protected": "protected",
    "PERSON_LEVEL_AUDIENCE": "small_groups",
    "SmallGroupGuard": "small_groups",
    "protect_small_groups": "small_groups",
    "require_person_level": "small_groups",
    "SuppressedTable": "suppression",
    "suppress_small_cells": "suppression",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = _LAZY[name]
        path = module if module.startswith("workbench.") else f"{__name__}.{module}"
        value = getattr(importlib.import_module(path), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
