"""Neighbourhood schemes: rates use one set of boundaries at a time.

A warehouse may hold a city's neighbourhoods in more than one scheme (Toronto's 140 and 158
neighbourhoods share ids such as ``023``); rows of events, boundaries and populations carry
``neighbourhood_scheme`` (NULL: the warehouse's one scheme). Summing populations or joining ids
across schemes would count residents twice and match an event to the wrong place, so every rate
picks one scheme: the one asked for, else the warehouse's only one, else the scheme with the
most recent population year (a city's current boundaries).
"""

from __future__ import annotations

import ibis

from workbench.analysis._common import AnalysisInputError

__all__ = ["SCHEME_COLUMN", "choose_scheme", "in_scheme"]

SCHEME_COLUMN = "neighbourhood_scheme"


class _Unset:
    """The table has no scheme column (or holds a single scheme): nothing to filter."""


ALL = _Unset()


def choose_scheme(population: ibis.Table, scheme: str | None = None) -> str | None | _Unset:
    """The scheme rates should use, from the schemes ``population`` holds.

    Returns ``ALL`` when the table has no scheme column or holds one scheme only (nothing to
    filter), else the chosen scheme name (``None`` for the NULL scheme).

    Raises:
        AnalysisInputError: ``scheme`` is given and ``population`` has no rows of it.
    """
    if SCHEME_COLUMN not in population.columns:
        if scheme is not None:
            raise AnalysisInputError(
                f"neighbourhood scheme {scheme!r} asked for, but the population table has no "
                f"{SCHEME_COLUMN} column")
        return ALL
    held = (population.group_by(SCHEME_COLUMN)
            .aggregate(latest=population.year.max()).to_pandas())
    names = [None if value is None or value != value else str(value)
             for value in held[SCHEME_COLUMN]]
    if scheme is not None:
        if scheme not in names:
            known = ", ".join(sorted(n or "(none)" for n in names)) or "none"
            raise AnalysisInputError(
                f"the population table holds no rows of neighbourhood scheme {scheme!r} "
                f"(it holds: {known})")
        return scheme if len(names) > 1 else ALL
    if len(names) <= 1:
        return ALL
    ranked = sorted(zip(held["latest"].astype("int64"), names, strict=True),
                    key=lambda pair: (pair[0], pair[1] or ""))
    return ranked[-1][1]


def in_scheme(table: ibis.Table, scheme: str | None | _Unset) -> ibis.Table:
    """Rows of ``table`` in ``scheme`` (all rows when ``scheme`` is ``ALL`` or the table has no
    scheme column)."""
    if isinstance(scheme, _Unset) or SCHEME_COLUMN not in table.columns:
        return table
    column = table[SCHEME_COLUMN]
    return table.filter(column.isnull() if scheme is None else column == scheme)
