"""Disclosure control for every output meant for a lower audience.

Anything that leaves the analysts' own workspace for a wider :class:`Audience` goes through
this module first: small counts are suppressed with :func:`suppress_small_cells` (and the
result is checked by an attacker's :func:`audit_public_table`), counts may be randomly rounded
with :func:`random_round`, personal identifiers are dropped with :func:`drop_identifiers`, and
point locations are moved off the exact address with :func:`geomask_points`.

Sources (see ``design/DOMAIN.md``, "Open data and disclosure control"): the Ontario
Anti-Racism Data Standards require de-identification before public release but set no numeric
rule; privacy-commissioner guidance implies minimum groups of about 11, 15 or 20 by
sensitivity; Statistics Canada randomly rounds counts to base 5. Suppression must be
complementary: a hidden cell must not be recoverable from published totals.

Everything here is pure: no I/O, no printing, inputs are never modified.

Settings: the default small-cell threshold is ``WORKBENCH_SMALL_CELL_THRESHOLD`` (default
``10``), read by :func:`small_cell_threshold`.
"""

from __future__ import annotations

import enum
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg as _scipy_linalg
from scipy import sparse as _sparse
from scipy.optimize import linprog as _linprog
from scipy.sparse.csgraph import connected_components as _connected_components

from workbench.errors import WorkbenchError

__all__ = [
    "DEFAULT_GEOMASK_CELL_METRES",
    "DEFAULT_ROUNDING_BASE",
    "DEFAULT_SMALL_CELL_THRESHOLD",
    "EARTH_RADIUS_METRES",
    "IDENTIFIER_COLUMNS",
    "SMALL_CELL_THRESHOLD_VARIABLE",
    "Audience",
    "Exposure",
    "PrivacyError",
    "SuppressedTable",
    "audit_public_table",
    "drop_identifiers",
    "geomask_points",
    "random_round",
    "small_cell_threshold",
    "suppress_small_cells",
]

#: Smallest count shown to a lower audience when ``WORKBENCH_SMALL_CELL_THRESHOLD`` is unset.
DEFAULT_SMALL_CELL_THRESHOLD = 10
#: The environment variable holding the small-cell threshold.
SMALL_CELL_THRESHOLD_VARIABLE = "WORKBENCH_SMALL_CELL_THRESHOLD"
#: Base of random rounding (Statistics Canada rounds counts to base 5).
DEFAULT_ROUNDING_BASE = 5
#: Side of a geomasking grid cell, in metres.
DEFAULT_GEOMASK_CELL_METRES = 250.0
#: Mean Earth radius (IUGG), used by the local equirectangular projection of the geomask.
EARTH_RADIUS_METRES = 6_371_008.8

#: Personal identifier columns removed by :func:`drop_identifiers`. Names are compared after
#: normalising (lower case, camelCase split, spaces/hyphens/dots to ``_``), so ``Officer ID``,
#: ``officerId`` and ``OFFICER-ID`` all match ``officer_id``. A column is also an identifier
#: when a person role prefixes a personal field (``victim_name``, ``suspect_dob``,
#: ``caller_phone``; see ``_PERSON_ROLES`` and ``_PERSONAL_FIELDS``), but not when a thing
#: does (``division_name`` and ``offence_name`` are kept).
# fmt: off
IDENTIFIER_COLUMNS: frozenset[str] = frozenset(
    {
        # officers and staff
        "officer_id", "officerid", "officer_number", "officer_no", "badge", "badge_id",
        "badge_number", "badge_no", "badge_num", "badgeno", "badge_nbr", "report_officer",
        "reporting_officer", "reportofficer", "arresting_officer", "employee_id",
        "employeeid", "emp_id", "empid", "employee_number", "employee_no", "employee_num",
        "staff_id", "staff_number", "payroll_id", "payroll_number",
        # names
        "name", "full_name", "fullname", "first_name", "firstname", "given_name",
        "givenname", "forename", "last_name", "lastname", "surname", "family_name",
        "familyname", "middle_name", "middlename", "maiden_name", "alias", "nickname",
        # birth
        "date_of_birth", "dateofbirth", "dob", "birth_date", "birthdate", "birthday",
        # addresses
        "address", "street", "street_address", "streetaddress", "home_address",
        "homeaddress", "residential_address", "mailing_address", "address_line_1",
        "address_line1", "address1", "address_line_2", "address_line2", "address2",
        "street_name", "street_number", "house_number", "apartment", "unit_number",
        "postal_code", "postalcode", "postcode", "zip", "zip_code", "zipcode",
        # contact
        "phone", "phone_number", "phonenumber", "phone_no", "telephone", "telephone_number",
        "tel", "mobile", "mobile_number", "cell", "cell_phone", "cellphone", "fax", "email",
        "e_mail", "email_address", "emailaddress", "ip_address",
        # people in the record
        "subject_id", "subjectid", "person_id", "personid", "individual_id", "victim_id",
        "suspect_id", "accused_id", "complainant_id", "witness_id", "offender_id",
        "client_id",
        # government and other personal numbers
        "sin", "social_insurance_number", "ssn", "health_card", "health_card_number",
        "ohip", "ohip_number", "driver_licence", "drivers_licence", "driver_license",
        "drivers_license", "licence_number", "license_number", "passport",
        "passport_number", "licence_plate", "license_plate", "plate", "plate_number", "vin",
    }
)

_PERSON_ROLES = (
    "officer", "reporting_officer", "report_officer", "arresting_officer", "employee",
    "subject", "person", "victim", "suspect", "accused", "offender", "complainant",
    "witness", "caller", "driver", "owner", "parent", "guardian", "contact", "client",
)
_PERSONAL_FIELDS = (
    "name", "full_name", "first_name", "given_name", "last_name", "surname", "family_name",
    "middle_name", "dob", "date_of_birth", "birth_date", "birthdate", "address",
    "home_address", "street", "phone", "phone_number", "telephone", "mobile", "email",
    "email_address", "id", "badge", "badge_number", "postal_code",
)
# fmt: on

#: Largest extended table (cells plus every margin) :func:`suppress_small_cells` will hold.
_MAX_TABLE_ENTRIES = 5_000_000
#: Components of hidden cells up to this size are checked exactly (dense SVD); larger ones by
#: projecting a random vector onto the null space.
_DENSE_CHECK_LIMIT = 1_200
#: Iterations allowed to project a random vector onto a null space (CGLS), and the relative
#: size of the equations' residual at which the projection has converged.
_PROJECTION_ITERATIONS = 20_000
_PROJECTION_TOLERANCE = 1e-11
#: A null-space component below this marks a hidden entry as determined by the totals.
_NULL_TOLERANCE = 1e-7
#: Connected groups of hidden entries up to this size get unneeded complements shown again.
_PRUNE_LIMIT = 800
#: Patterns of up to this many hidden entries are also checked against an attacker who uses
#: linear programming and knows counts are whole numbers.
_LP_CHECK_LIMIT = 3_000
#: Linear programs with more unknowns than this are solved by interior point, not simplex.
_INTERIOR_POINT_FROM = 1_000
#: Linear programs with random objectives solved first by the checks (each certifies many).
_RANDOM_OBJECTIVES = 4
#: Tables with up to this many primary entries are also protected from two more starting
#: points (a looser line completion, and none); the pattern with fewest hidden entries is kept.
_MORE_STRATEGIES_LIMIT = 400
#: How many hypercube corners :class:`_HypercubeFinder` looks up for one entry (the number of
#: candidate blocks is this divided by ``2**k``).
_HYPERCUBE_CORNER_BUDGET = 20_000
#: Column names :func:`suppress_small_cells` adds, which dimensions must not use.
_FLAG_COLUMN = "suppressed"
_REASON_COLUMN = "reason"
_FOOTNOTE = (
    "Counts below {threshold} are suppressed; some other cells are suppressed so the hidden "
    "ones cannot be worked out from totals."
)
_FOOTNOTE_WITH_ZEROS = (
    "Counts below {threshold}, including zeros, are suppressed; some other cells are "
    "suppressed so the hidden ones cannot be worked out from totals."
)


class PrivacyError(WorkbenchError):
    """Raised when a table or coordinates cannot be protected as asked: duplicate or negative
    counts, a table too large to check, published totals that do not add up, coordinates out
    of range. The message names the column or value at fault."""


class Audience(enum.IntEnum):
    """Who an output is for, ordered by trust: ``PUBLIC < INTERNAL < RESTRICTED``.

    An output may go to its own audience or a more trusted one; anything meant for a lower
    audience than its source goes through this module first.
    """

    PUBLIC = 1
    INTERNAL = 2
    RESTRICTED = 3

    @classmethod
    def parse(cls, value: str | Audience) -> Audience:
        """Return the audience named ``value`` (case-insensitive), e.g. ``"public"``."""
        if isinstance(value, Audience):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            names = ", ".join(member.label for member in cls)
            raise PrivacyError(f"unknown audience {value!r}; expected one of {names}") from None

    @property
    def label(self) -> str:
        """The lower-case name used in parameters files (``"public"``)."""
        return self.name.lower()


def small_cell_threshold() -> int:
    """Return the smallest count shown to a lower audience.

    Read from ``WORKBENCH_SMALL_CELL_THRESHOLD`` through the settings object (default
    ``10``); an unusable value raises :class:`~workbench.errors.SettingsError`.
    """
    from workbench.settings import get_settings

    return get_settings().small_cell_threshold


# --------------------------------------------------------------------------------------------
# Small-cell suppression
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts made safe to publish, with its margins and the footnote to print.

    ``cells`` holds one row per input row: the dimension columns, the count as a nullable
    integer (``<NA>`` where suppressed), a boolean ``suppressed`` column and a ``reason``
    column (``"primary"`` for a count below the threshold, ``"complementary"`` for a cell
    hidden so that a primary one cannot be worked out from totals, ``<NA>`` when shown).

    ``margins`` maps every proper subset of the dimensions (as a tuple in the order of
    ``dimensions``; ``()`` is the grand total) to the sub-totals a publisher would print for
    it, in the same layout. Publish the margins from here, never recomputed from ``cells``.
    ``zeros_suppressed`` records whether zero counts were hidden too.
    """

    cells: pd.DataFrame
    margins: Mapping[tuple[str, ...], pd.DataFrame]
    dimensions: tuple[str, ...]
    count: str
    threshold: int
    footnote: str
    zeros_suppressed: bool = False

    @property
    def grand_total(self) -> int | None:
        """The published grand total, or None when it is suppressed."""
        value = self.margins[()][self.count].iloc[0]
        return None if pd.isna(value) else int(value)

    def suppression_summary(self) -> pd.DataFrame:
        """Count published, primary and complementary entries among cells and margins."""
        rows = {"cells": _reason_counts(self.cells)}
        rows["margins"] = _reason_counts(pd.concat(list(self.margins.values()), ignore_index=True))
        return pd.DataFrame.from_dict(rows, orient="index")

    def audit(self, *, method: Literal["auto", "lp", "lines"] = "auto") -> list[Exposure]:
        """Run :func:`audit_public_table` on this table as it would be published."""
        return audit_public_table(
            self.cells,
            self.margins,
            dimensions=self.dimensions,
            count=self.count,
            threshold=self.threshold,
            method=method,
            zeros_shown=not self.zeros_suppressed,
        )


def suppress_small_cells(
    table: pd.DataFrame,
    *,
    dimensions: Sequence[str],
    count: str = "count",
    threshold: int | None = None,
    suppress_zeros: bool = False,
) -> SuppressedTable:
    """Return ``table`` with small counts and enough others hidden that none can be recovered.

    ``table`` is tidy: one row per combination of ``dimensions`` (1 to about 6 of them) with a
    non-negative whole ``count``. Combinations missing from it are structural zeros (they are
    neither published nor counted). Columns other than the dimensions and the count are
    dropped from the result: a rate or share next to a hidden count would give it away.

    * **Primary suppression**: every count with ``0 < count < threshold`` — in the cells and
      in every margin a publisher prints (all sub-totals over every subset of the dimensions,
      down to the grand total). Zeros are shown unless ``suppress_zeros`` is true.
    * **Complementary suppression** (on cells and margins alike), so that no hidden entry can
      be worked out from the published totals along any dimension or the grand total:

      1. *Lines.* Along every line of the table with its totals (one dimension varying, the
         others fixed to a level or to "all"), a line holding exactly one hidden entry gives
         it away, so another entry of the line is hidden: a non-zero one that starts no new
         such line (an entry whose other lines already hold a hidden entry), the smallest
         first; to a fixed point.
      2. *Exact check and repair.* A hidden entry is exposed when the linear system of
         published totals fixes it: checked exactly by SVD for each connected group of hidden
         entries of up to 1,200, and for larger groups by projecting a random vector onto the
         null space (conjugate gradients, with convergence checked). For patterns of up to 3,000 hidden
         entries, an attacker who also knows counts are whole and at least 1 (0 when zeros
         are suppressed) is simulated with linear programs (as :func:`audit_public_table`
         does). Each exposed entry gets
         the cheapest "hypercube" through it hidden: a 2 x 2 x ... x 2 block of non-zero
         entries whose alternating +1/-1 change leaves every total unchanged, chosen so the
         exposed entry can move by one.
      3. *Pruning.* For those patterns of up to 3,000 hidden entries, complements that are
         not needed are shown again (largest first), then step 2 runs again.
      4. Tables with up to 400 primary entries also start from a looser line step and from
         the primary entries alone; the pattern hiding fewest entries is kept.

    Guarantee: no hidden entry is determined by the published totals. For patterns of up to
    3,000 hidden entries, none is pinned to a single whole number either by an attacker using
    the totals, whole numbers and the least value a hidden count can have (1 when zeros are
    shown, since a hidden count is then non-zero; else 0): :func:`audit_public_table` with
    ``method="lp"`` finds nothing. Above 3,000 hidden entries, with zeros shown, every hidden
    range under the totals and non-negativity still has positive width. Not modelled: other
    releases an attacker could combine with this one (overlapping tables, earlier periods).

    ``threshold`` defaults to :func:`small_cell_threshold`. Raises :class:`PrivacyError` on
    duplicate combinations, missing, negative or fractional counts, or a table whose cells and
    margins exceed five million entries (suppress a coarser table).
    """
    dims = _validated_dimensions(table, dimensions, count)
    limit = small_cell_threshold() if threshold is None else _validated_threshold(threshold)
    counts = _validated_counts(table, count)
    codes, levels = _factorize_dimensions(table, dims)
    _require_unique_combinations(table, dims, codes, levels)
    values, present = _extended_table(codes, [len(level) for level in levels], counts)
    eligible = values > 0
    if suppress_zeros:
        primary = present & (values < limit)
    else:
        primary = eligible & (values < limit)
    hidden = _suppression_pattern(values, primary, eligible, floor=0 if suppress_zeros else 1)
    template = _FOOTNOTE_WITH_ZEROS if suppress_zeros else _FOOTNOTE
    return SuppressedTable(
        cells=_cells_frame(table, dims, count, counts, codes, hidden, primary),
        margins=_margin_frames(dims, count, levels, values, present, hidden, primary),
        dimensions=dims,
        count=count,
        threshold=limit,
        footnote=template.format(threshold=limit),
        zeros_suppressed=suppress_zeros,
    )


def _suppression_pattern(
    values: np.ndarray, primary: np.ndarray, eligible: np.ndarray, *, floor: int
) -> np.ndarray:
    """Return which entries of the extended table to hide (see :func:`suppress_small_cells`).

    ``floor`` is the least value an attacker knows a hidden entry has: 1 when zeros are
    shown (a hidden count is then non-zero), else 0.
    """
    starts = [_complete_lines(values, primary, eligible, max_new_lines=0)]
    if primary.sum() <= _MORE_STRATEGIES_LIMIT:
        starts += [_complete_lines(values, primary, eligible, max_new_lines=1), primary]
    patterns = [
        _safe_economical_pattern(values, start, primary, eligible, floor) for start in starts
    ]
    return min(patterns, key=lambda pattern: (int(pattern.sum()), int(values[pattern].sum())))


def _validated_dimensions(
    table: pd.DataFrame, dimensions: Sequence[str], count: str
) -> tuple[str, ...]:
    """Return ``dimensions`` as a tuple after checking they and ``count`` are usable columns."""
    if isinstance(dimensions, str):
        raise PrivacyError(
            f"dimensions must be a sequence of column names, not the string {dimensions!r}"
        )
    dims = tuple(dimensions)
    if not dims:
        raise PrivacyError("dimensions must name at least one column")
    if len(set(dims)) != len(dims):
        raise PrivacyError(f"dimensions repeat a column: {list(dims)}")
    missing = [name for name in (*dims, count) if name not in table.columns]
    if missing:
        raise PrivacyError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    if count in dims:
        raise PrivacyError(f"the count column {count!r} cannot also be a dimension")
    clashes = [name for name in dims if name in (_FLAG_COLUMN, _REASON_COLUMN)]
    if clashes:
        raise PrivacyError(f"dimension names {clashes} are reserved for the suppression flags")
    return dims


def _validated_threshold(threshold: int) -> int:
    """Return ``threshold`` as an int after checking it is a whole number of at least 1."""
    if isinstance(threshold, bool) or not float(threshold).is_integer() or threshold < 1:
        raise PrivacyError(f"threshold must be a whole number of at least 1, got {threshold!r}")
    return int(threshold)


def _validated_counts(table: pd.DataFrame, count: str) -> np.ndarray:
    """Return the ``count`` column as int64, raising on missing, negative or fractional values."""
    column = table[count]
    if column.isna().any():
        raise PrivacyError(
            f"column {count!r} has missing counts (row {column[column.isna()].index[0]!r})"
        )
    try:
        numbers = column.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise PrivacyError(f"column {count!r} must hold numbers, got {column.dtype}") from None
    bad = (numbers < 0) | (numbers != np.round(numbers))
    if bad.any():
        raise PrivacyError(
            f"column {count!r} must hold non-negative whole counts; "
            f"row {column.index[np.flatnonzero(bad)[0]]!r} has {numbers[bad][0]!r}"
        )
    return numbers.astype(np.int64)


def _factorize_dimensions(
    table: pd.DataFrame, dims: Sequence[str]
) -> tuple[list[np.ndarray], list[pd.Index]]:
    """Return each dimension's integer codes and its levels (sorted where possible; NaN kept)."""
    codes, levels = [], []
    for name in dims:
        try:
            code, uniques = pd.factorize(table[name], sort=True, use_na_sentinel=False)
        except TypeError:
            code, uniques = pd.factorize(table[name], sort=False, use_na_sentinel=False)
        codes.append(np.asarray(code, dtype=np.int64))
        levels.append(pd.Index(uniques, name=name))
    return codes, levels


def _require_unique_combinations(
    table: pd.DataFrame,
    dims: Sequence[str],
    codes: Sequence[np.ndarray],
    levels: Sequence[pd.Index],
) -> None:
    """Raise when two rows of ``table`` share a combination of the dimensions."""
    if len(table) == 0:
        return
    sizes = [max(len(level), 1) for level in levels]
    keys = np.ravel_multi_index(tuple(codes), sizes)
    _, first, counts = np.unique(keys, return_index=True, return_counts=True)
    if (counts > 1).any():
        row = table.iloc[int(first[np.flatnonzero(counts > 1)[0]])]
        combination = {name: row[name] for name in dims}
        raise PrivacyError(f"table has more than one row for {combination}; aggregate it first")


def _extended_table(
    codes: Sequence[np.ndarray], sizes: Sequence[int], counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return the dense table with its margins, and which entries exist.

    Along each axis the last position (index ``size``) holds the total over that axis, so the
    array holds the cells and every margin: position ``(i, size_1)`` of a 2-way table is row
    ``i``'s total. An entry exists when at least one input row falls under it; the grand total
    always exists.
    """
    shape = tuple(size + 1 for size in sizes)
    entries = math.prod(shape)
    if entries > _MAX_TABLE_ENTRIES:
        raise PrivacyError(
            f"the table spans {entries:,} cells and margins (levels per dimension: {list(sizes)}); "
            f"at most {_MAX_TABLE_ENTRIES:,} can be checked: suppress a coarser table or split it"
        )
    values = np.zeros(shape, dtype=np.int64)
    present = np.zeros(shape, dtype=bool)
    index = tuple(codes)
    values[index] = counts
    present[index] = True
    for axis, size in enumerate(sizes):
        along_values = np.moveaxis(values, axis, -1)
        along_present = np.moveaxis(present, axis, -1)
        along_values[..., size] = along_values[..., :size].sum(axis=-1)
        along_present[..., size] = along_present[..., :size].any(axis=-1)
    present[(-1,) * len(shape)] = True
    return values, present


def _position(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Return the position in an array of ``shape`` of flat (C-order) index ``flat``."""
    return tuple(int(index) for index in np.unravel_index(flat, shape))


def _hidden_per_line(hidden: np.ndarray) -> list[np.ndarray]:
    """For each axis, the number of hidden entries on the line along it through every entry
    (shaped to broadcast against ``hidden``)."""
    return [
        np.expand_dims(np.moveaxis(hidden, axis, -1).sum(axis=-1), axis)
        for axis in range(hidden.ndim)
    ]


def _complete_lines(
    values: np.ndarray, hidden: np.ndarray, eligible: np.ndarray, max_new_lines: int | None = None
) -> np.ndarray:
    """Hide entries until no line of the extended table holds exactly one hidden entry.

    On such a line the hidden entry equals the line's total minus the rest, so another
    eligible entry of the line is hidden with it: the one that leaves the fewest lines holding
    a single hidden entry (an entry whose other lines already hold one hidden entry fixes them
    too; one whose other lines hold none would start new ones), then the smallest. Runs to a
    fixed point; returns a new array.
    """
    hidden = hidden.copy()
    flat_hidden = hidden.reshape(-1)  # a view
    scale = float(values.max()) + 1.0
    numbers = np.arange(hidden.size).reshape(hidden.shape)
    while True:
        added = False
        for axis in range(values.ndim):
            per_line = _hidden_per_line(hidden)
            needy = (np.moveaxis(hidden, axis, -1).sum(axis=-1) == 1).reshape(-1)
            if not needy.any():
                continue
            fresh = sum((count == 0).astype(np.int64) for count in per_line)
            score = fresh - sum((count == 1).astype(np.int64) for count in per_line)
            allowed = eligible & ~hidden
            if max_new_lines is not None:
                allowed &= fresh <= max_new_lines
            cost = np.where(allowed, values + scale * score, np.inf)
            lines = np.moveaxis(numbers, axis, -1).reshape(-1, values.shape[axis])[needy]
            line_cost = cost.reshape(-1)[lines]
            best = line_cost.argmin(axis=1)
            found = np.isfinite(line_cost[np.arange(lines.shape[0]), best])
            if found.any():
                flat_hidden[lines[found, best[found]]] = True
                added = True
        if not added:
            return hidden


def _line_system(unknown: np.ndarray) -> tuple[_sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Return the totals' equations restricted to the ``unknown`` entries of an extended table.

    Every line (one axis varying, the other positions fixed) says ``sum(entries) - total = 0``.
    Returns the sparse matrix (one row per line holding an unknown entry, one column per
    unknown entry, +1 for an entry and -1 for the line's total), the lines' global numbers
    (axis by axis, the other positions in C order) and the unknown entries' flat positions.
    """
    shape = unknown.shape
    flat = np.flatnonzero(unknown)
    coords = np.unravel_index(flat, shape)
    rows, signs = [], []
    offset = 0
    for axis in range(len(shape)):
        other_shape = shape[:axis] + shape[axis + 1 :]
        other = coords[:axis] + coords[axis + 1 :]
        line = np.ravel_multi_index(other, other_shape) if other else np.zeros(flat.size, np.int64)
        rows.append(line + offset)
        signs.append(np.where(coords[axis] == shape[axis] - 1, -1.0, 1.0))
        offset += math.prod(other_shape)
    columns = np.tile(np.arange(flat.size), len(shape))
    matrix = _sparse.csr_matrix(
        (np.concatenate(signs), (np.concatenate(rows), columns)), shape=(offset, flat.size)
    )
    used = np.flatnonzero(matrix.getnnz(axis=1))
    return matrix[used], used, flat


def _determined_columns(matrix: _sparse.csr_matrix, *, skip_large: bool = False) -> np.ndarray:
    """Return which unknowns are fixed by ``matrix @ x = b`` (zero in every null-space vector).

    Unknowns split into connected groups that share no equation; each group is checked on its
    own, exactly by SVD when small, else by projecting a random vector onto the null space.
    ``skip_large`` leaves groups too large for SVD unchecked (reported free): for re-checks
    after changes confined to small groups.
    """
    columns = matrix.shape[1]
    determined = np.zeros(columns, dtype=bool)
    if columns == 0:
        return determined
    pattern = abs(matrix)
    _, labels = _connected_components(pattern.T @ pattern, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, bounds):
        if members.size > _DENSE_CHECK_LIMIT and skip_large:
            continue
        block = matrix[:, members]
        block = block[block.getnnz(axis=1) > 0]
        if members.size <= _DENSE_CHECK_LIMIT:
            determined[members] = _determined_dense(block.toarray())
        else:
            determined[members] = _determined_iterative(block.tocsr())
    return determined


def _determined_dense(matrix: np.ndarray) -> np.ndarray:
    """Exact check for a small system: an unknown is fixed when no null vector touches it."""
    null = _scipy_linalg.null_space(matrix)
    if null.size == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    return np.linalg.norm(null, axis=1) < _NULL_TOLERANCE


def _determined_iterative(matrix: _sparse.csr_matrix) -> np.ndarray:
    """Check a large system by projecting a random vector onto its null space.

    The part of a random vector ``r`` that no combination of equations can produce,
    ``r - A^T y`` with ``y`` minimising ``|A^T y - r|`` (:func:`_null_space_part`), is a random
    null vector: with probability one it is non-zero on every unknown the totals leave free.
    A free unknown that comes out near zero by chance is only reported fixed, which costs an
    extra suppression, never a disclosure; a fixed one comes out as zero up to the solver's
    accuracy, which is checked.
    """
    target = np.random.default_rng(20_240_601).standard_normal(matrix.shape[1])
    null_vector = _null_space_part(matrix, target)
    return np.abs(null_vector) < _NULL_TOLERANCE


def _null_space_part(matrix: _sparse.csr_matrix, target: np.ndarray) -> np.ndarray:
    """Return the projection of ``target`` onto the null space of ``matrix``.

    Conjugate gradients on the normal equations (CGLS) for ``min |A^T y - target|``; the
    residual is the projection. Sparse products and plain sums only: BLAS calls on long
    vectors crawl when other processes share the cores. Raises :class:`PrivacyError` if it
    does not converge.
    """
    transpose = matrix.T.tocsr()
    residual = target.copy()
    gradient = matrix @ residual
    direction = gradient.copy()
    gamma = float((gradient * gradient).sum())
    stop = _PROJECTION_TOLERANCE**2 * float((target * target).sum())
    for _ in range(_PROJECTION_ITERATIONS):
        if gamma <= stop:
            return residual
        step = transpose @ direction
        alpha = gamma / float((step * step).sum())
        residual -= alpha * step
        gradient = matrix @ residual
        gamma, previous = float((gradient * gradient).sum()), gamma
        direction = gradient + (gamma / previous) * direction
    raise PrivacyError(
        "could not verify the suppression pattern of this table (the null-space projection did "
        "not converge); suppress a coarser table or split it"
    )


def _safe_economical_pattern(
    values: np.ndarray, start: np.ndarray, primary: np.ndarray, eligible: np.ndarray, floor: int
) -> np.ndarray:
    """Protect every entry of ``start``; for patterns the linear-programming check covers,
    show again the complements not needed and protect anew what that exposed."""
    hidden = _protect_exposed_entries(values, start, eligible, floor)
    if hidden.sum() > _LP_CHECK_LIMIT:
        return hidden
    pruned = _prune_complements(values, hidden, primary)
    if np.array_equal(pruned, hidden):
        return hidden
    return _protect_exposed_entries(values, pruned, eligible, floor, recheck=True)


def _protect_exposed_entries(
    values: np.ndarray,
    hidden: np.ndarray,
    eligible: np.ndarray,
    floor: int,
    *,
    recheck: bool = False,
) -> np.ndarray:
    """Hide hypercubes so that no hidden entry can be worked out from the published totals.

    First linear recovery is checked exactly (:func:`_determined_columns`), then, for patterns
    of up to ``_LP_CHECK_LIMIT`` hidden entries, what an attacker who also knows the counts are
    whole and at least ``floor`` can prove (:func:`_integer_exposed_entries`). Each exposed
    entry not yet covered gets the cheapest hypercube through it that lets it move by one
    (:class:`_HypercubeFinder`). Hiding more never exposes what was safe, so one pass of each
    check suffices. ``recheck`` skips connected groups too large for SVD (they were checked
    before and are unchanged). Returns a new array.
    """
    hidden = hidden.copy()
    finder = _HypercubeFinder(values, hidden, eligible, floor)
    matrix, _, flat = _line_system(hidden)
    finder.cover(flat[_determined_columns(matrix, skip_large=recheck)])
    if hidden.sum() <= _LP_CHECK_LIMIT:
        finder.cover(_integer_exposed_entries(values, hidden, floor))
    return hidden


def _integer_exposed_entries(values: np.ndarray, hidden: np.ndarray, floor: int) -> np.ndarray:
    """Return the flat positions of hidden entries pinned to one whole number.

    An entry is safe when some table matching every published total, with every hidden entry
    at least ``floor``, puts it at least 1 away from its true count (its range then holds two
    whole numbers). Such tables come from linear programs: a few with random objectives (each
    certifies many entries at once), then, for each entry still uncertified, maximising and
    minimising it.
    """
    matrix, used, flat = _line_system(hidden)
    if flat.size == 0:
        return flat
    system = _Equations(matrix.tocsc(), -_line_residuals(np.where(hidden, np.nan, values))[used])
    truth = values.ravel()[flat].astype(float)
    ceiling = 2.0 * float(values.max()) + 10.0
    certified = np.zeros(flat.size, dtype=bool)
    generator = np.random.default_rng(20_240_602)
    for _ in range(_RANDOM_OBJECTIVES):
        point = system.solve(generator.standard_normal(flat.size), floor, ceiling)
        if point is not None:
            certified |= np.abs(point - truth) >= 1.0 - 1e-6
    for column in range(flat.size):
        for direction in (1.0, -1.0):
            if certified[column]:
                break
            objective = np.zeros(flat.size)
            objective[column] = direction
            point = system.solve(objective, floor, ceiling)
            if point is not None:
                certified |= np.abs(point - truth) >= 1.0 - 1e-6
    return flat[~certified]


@dataclass(frozen=True)
class _Equations:
    """The published totals as ``matrix @ x = right`` over the unknown entries ``x``."""

    matrix: _sparse.csc_matrix
    right: np.ndarray

    def solve(
        self,
        objective: np.ndarray,
        floor: float | np.ndarray = 0.0,
        ceiling: float | None = None,
        *,
        feasible_only: bool = False,
    ) -> np.ndarray | None:
        """Return an ``x`` with ``floor <= x <= ceiling`` (numbers or one per unknown)
        minimising ``objective @ x``, or None when the minimum is unbounded. No ``x`` fitting
        raises :class:`PrivacyError`, or, with ``feasible_only``, returns None."""
        size = objective.size
        top = np.inf if ceiling is None else ceiling
        bounds = np.column_stack((np.broadcast_to(floor, size), np.broadcast_to(top, size)))
        # HiGHS' interior-point method (with crossover to a vertex) is faster on large systems
        method = "highs-ipm" if size > _INTERIOR_POINT_FROM else "highs"
        result = _linprog(
            objective, A_eq=self.matrix, b_eq=self.right, bounds=bounds, method=method
        )
        if result.status == 2 and feasible_only:
            return None
        if result.status == 3:
            return None
        if result.status != 0:
            raise PrivacyError(
                "published cells and totals are inconsistent: no counts fit them "
                f"({result.message})"
            )
        return np.asarray(result.x)


def _prune_complements(values: np.ndarray, hidden: np.ndarray, primary: np.ndarray) -> np.ndarray:
    """Show again every complementary entry that is not needed; returns a new array.

    Works on each connected group of hidden entries of up to ``_PRUNE_LIMIT`` entries, largest
    counts first (margins before cells). With ``N`` an orthonormal basis of the null space of
    the group's equations (row ``j`` for hidden entry ``j``), showing entry ``e`` restricts the
    null space to the vectors vanishing on ``e``; entry ``j`` then becomes fixed exactly when
    row ``N_j`` is parallel to ``N_e``. So each trial is a projection, and an accepted one
    updates ``N`` instead of a new decomposition. Only linear recovery is considered here:
    the caller checks the result against the whole-number attacker again.
    """
    hidden = hidden.copy()
    matrix, _, flat = _line_system(hidden)
    if flat.size == 0:
        return hidden
    pattern = abs(matrix)
    _, labels = _connected_components(pattern.T @ pattern, directed=False)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        entries = flat[members]
        removable = ~primary.ravel()[entries]
        if members.size > _PRUNE_LIMIT or not removable.any():
            continue
        block = matrix[:, members]
        null = _scipy_linalg.null_space(block[block.getnnz(axis=1) > 0].toarray())
        alive = np.ones(members.size, dtype=bool)
        order = np.flatnonzero(removable)
        order = order[np.argsort(-values.ravel()[entries[order]], kind="stable")]
        for slot in order:
            length = np.linalg.norm(null[slot])
            if length < _NULL_TOLERANCE:
                continue
            direction = null[slot] / length
            residual = null - np.outer(null @ direction, direction)
            others = alive.copy()
            others[slot] = False
            if (np.linalg.norm(residual[others], axis=1) < _NULL_TOLERANCE).any():
                continue
            null = null @ _scipy_linalg.null_space(direction[None, :])
            alive[slot] = False
            hidden.ravel()[entries[slot]] = False
    return hidden


class _HypercubeFinder:
    """Finds cheap protecting hypercubes in one extended table, hiding them in ``hidden``.

    Changing a 2 x ... x 2 block of entries by +1/-1 in a checkerboard (on an axis where one of
    the block's two positions is the total, both get the same sign) leaves every total
    unchanged. Once all its corners are hidden, an entry can therefore move up by one if every
    corner of the opposite sign can go down by one, or down by one if every corner of its own
    sign can. A corner can go down when its count exceeds ``floor``, the least value an
    attacker knows a hidden count has (1 when zeros are shown, else 0).
    """

    BLOCKED, FREE, FREE_TIGHT, HIDDEN, HIDDEN_TIGHT = range(5)

    def __init__(
        self, values: np.ndarray, hidden: np.ndarray, eligible: np.ndarray, floor: int
    ) -> None:
        self.shape = values.shape
        self.values = values.reshape(-1)
        self.hidden = hidden.reshape(-1)  # a view: hiding here hides in ``hidden``
        self.floor = floor
        roomy = self.values > floor
        self.state = np.select(
            [self.hidden & roomy, self.hidden, eligible.reshape(-1) & roomy, eligible.reshape(-1)],
            [self.HIDDEN, self.HIDDEN_TIGHT, self.FREE, self.FREE_TIGHT],
            self.BLOCKED,
        ).astype(np.int8)
        self.strides = [math.prod(self.shape[axis + 1 :]) for axis in range(len(self.shape))]
        candidates = _HYPERCUBE_CORNER_BUDGET / 2 ** len(self.shape)
        self.per_axis = max(2, int(candidates ** (1.0 / len(self.shape))))
        self.scale = float(values.max()) + 1.0

    def hide_cheapest(self, entry: int) -> np.ndarray:
        """Hide the cheapest valid hypercube through flat position ``entry``; return its corners.

        Valid: every corner but ``entry`` is hidden already or non-zero, and ``entry`` can move
        (see the class). The block adding the fewest new hidden entries (then the smallest
        hidden total) wins. Partners on each axis are shortlisted by how cheap the neighbouring
        entry is; if no shortlisted block is valid, :meth:`_fallback` gives one that always is.
        """
        position = _position(entry, self.shape)
        shortlists = []
        for axis, size in enumerate(self.shape):
            levels = np.arange(size)
            levels = levels[levels != position[axis]]
            neighbours = entry + (levels - position[axis]) * self.strides[axis]
            state = self.state[neighbours]
            rank = np.where(
                state >= self.HIDDEN,
                0.0,
                np.where(state == self.BLOCKED, 3.0, 1.0 + self.values[neighbours] / self.scale),
            )
            shortlists.append(levels[np.argsort(rank, kind="stable")[: self.per_axis]])
        partners = np.stack(
            [grid.ravel() for grid in np.meshgrid(*shortlists, indexing="ij")], axis=1
        )
        steps = (partners - np.asarray(position)) * np.asarray(self.strides)
        corners = _block_corners(entry, steps)
        state = self.state[corners]
        valid = (state[:, 1:] != self.BLOCKED).all(axis=1)
        tight = (state == self.FREE_TIGHT) | (state == self.HIDDEN_TIGHT)
        if tight.any():
            valid &= self._can_move(position, partners, ~tight)
        if valid.any():
            new = (state == self.FREE) | (state == self.FREE_TIGHT)
            added = np.where(valid, new.sum(axis=1), corners.shape[1] + 1)
            tied = np.flatnonzero(added == added.min())
            weight = np.where(new[tied], self.values[corners[tied]], 0).sum(axis=1)
            chosen = corners[tied[np.argmin(weight)]]
        else:
            chosen = self._fallback(position)
        self.hidden[chosen] = True
        self.state[chosen] = np.where(
            self.values[chosen] > self.floor, self.HIDDEN, self.HIDDEN_TIGHT
        )
        return chosen

    def _can_move(
        self, position: tuple[int, ...], partners: np.ndarray, roomy: np.ndarray
    ) -> np.ndarray:
        """Whether the entry can move by one in each candidate block, given which corners can
        go down by one (``roomy``, shaped like the corners)."""
        totals = np.asarray(self.shape) - 1
        opposite = _opposite_corners((partners != totals) & (np.asarray(position) != totals))
        return (roomy | ~opposite).all(axis=1) | (roomy | opposite).all(axis=1)

    def cover(self, entries: np.ndarray) -> None:
        """Hide a hypercube through each of ``entries`` not already a corner of one hidden here."""
        covered = np.zeros(self.hidden.size, dtype=bool)
        for entry in entries:
            if not covered[entry]:
                covered[self.hide_cheapest(int(entry))] = True

    def _fallback(self, position: tuple[int, ...]) -> np.ndarray:
        """The block pairing each level of ``position`` with its total, and each total with the
        largest cell beneath ``position``. No axis pairs two levels, so all corners share one
        sign and rise together; every corner is a sum including that cell, so all are
        non-zero when ``position`` is."""
        totals = [axis for axis, size in enumerate(self.shape) if position[axis] == size - 1]
        block = tuple(
            slice(None, size - 1) if axis in totals else position[axis]
            for axis, size in enumerate(self.shape)
        )
        beneath = self.values.reshape(self.shape)[block]
        largest = np.unravel_index(int(np.argmax(beneath)), beneath.shape) if totals else ()
        partner = [
            int(largest[totals.index(axis)]) if axis in totals else size - 1
            for axis, size in enumerate(self.shape)
        ]
        steps = np.array(
            [
                [
                    (partner[axis] - position[axis]) * self.strides[axis]
                    for axis in range(len(partner))
                ]
            ]
        )
        return _block_corners(int(np.ravel_multi_index(position, self.shape)), steps)[0]


def _block_corners(entry: int, steps: np.ndarray) -> np.ndarray:
    """Return the flat corners, shaped (blocks, 2**k), of the blocks spanned from ``entry`` by
    ``steps`` (blocks, k), one flat offset per axis; column 0 is ``entry`` itself.

    Built by doubling (plain integer sums): small matrix products are slow when other
    processes share the cores.
    """
    corners = np.full((steps.shape[0], 1), entry, dtype=np.int64)
    for axis in range(steps.shape[1]):
        corners = np.concatenate((corners, corners + steps[:, axis : axis + 1]), axis=1)
    return corners


def _opposite_corners(flips: np.ndarray) -> np.ndarray:
    """Return, in the corner order of :func:`_block_corners`, whether each corner's sign is
    opposite to corner 0's, given on which axes (blocks, k) a step flips the sign."""
    opposite = np.zeros((flips.shape[0], 1), dtype=bool)
    for axis in range(flips.shape[1]):
        opposite = np.concatenate((opposite, opposite ^ flips[:, axis : axis + 1]), axis=1)
    return opposite


def _reason_labels(hidden: np.ndarray, primary: np.ndarray) -> pd.arrays.StringArray:
    """Return "primary" / "complementary" / <NA> per entry."""
    labels = np.full(hidden.shape, None, dtype=object)
    labels[hidden] = "complementary"
    labels[primary] = "primary"
    return pd.array(labels, dtype="string")


def _nullable_counts(counts: np.ndarray, hidden: np.ndarray) -> pd.arrays.IntegerArray:
    """Return ``counts`` as a nullable integer array with ``<NA>`` where ``hidden``."""
    return pd.arrays.IntegerArray(np.where(hidden, 0, counts).astype(np.int64), hidden.copy())


def _cells_frame(
    table: pd.DataFrame,
    dims: Sequence[str],
    count: str,
    counts: np.ndarray,
    codes: Sequence[np.ndarray],
    hidden: np.ndarray,
    primary: np.ndarray,
) -> pd.DataFrame:
    """Return the published cells, in the input's row order."""
    index = tuple(codes)
    cell_hidden = hidden[index]
    cell_primary = primary[index]
    frame = table.loc[:, list(dims)].reset_index(drop=True)
    frame[count] = _nullable_counts(counts, cell_hidden)
    frame[_FLAG_COLUMN] = cell_hidden
    frame[_REASON_COLUMN] = _reason_labels(cell_hidden, cell_primary)
    return frame


def _margin_frames(
    dims: Sequence[str],
    count: str,
    levels: Sequence[pd.Index],
    values: np.ndarray,
    present: np.ndarray,
    hidden: np.ndarray,
    primary: np.ndarray,
) -> dict[tuple[str, ...], pd.DataFrame]:
    """Return every margin (proper subset of ``dims``, largest first) as a published frame."""
    k = len(dims)
    margins: dict[tuple[str, ...], pd.DataFrame] = {}
    for size in range(k - 1, -1, -1):
        for subset in itertools.combinations(range(k), size):
            selection = tuple(
                slice(None, len(levels[axis])) if axis in subset else len(levels[axis])
                for axis in range(k)
            )
            positions = np.nonzero(present[selection]) if subset else ()
            frame = pd.DataFrame(
                {
                    dims[axis]: levels[axis].take(positions[slot])
                    for slot, axis in enumerate(subset)
                },
                index=pd.RangeIndex(len(positions[0]) if subset else 1),
            )
            margin_hidden = np.atleast_1d(hidden[selection][positions])
            frame[count] = _nullable_counts(
                np.atleast_1d(values[selection][positions]), margin_hidden
            )
            frame[_FLAG_COLUMN] = margin_hidden
            frame[_REASON_COLUMN] = _reason_labels(
                margin_hidden, np.atleast_1d(primary[selection][positions])
            )
            margins[tuple(dims[axis] for axis in subset)] = frame
    return margins


def _reason_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Count shown, primary and complementary rows of a published frame."""
    reasons = frame[_REASON_COLUMN]
    return {
        "entries": len(frame),
        "published": int((~frame[_FLAG_COLUMN]).sum()),
        "primary": int((reasons == "primary").sum()),
        "complementary": int((reasons == "complementary").sum()),
    }


# --------------------------------------------------------------------------------------------
# The attacker's audit
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exposure:
    """A disclosure found by :func:`audit_public_table`.

    ``kind`` is ``"recovered"`` (a hidden entry whose value the published totals pin to one
    whole number) or ``"small_published"`` (a shown non-zero count below the threshold).
    ``dimensions`` names the table the entry is in (all dimensions for a cell, fewer for a
    margin, ``()`` for the grand total) and ``key`` its levels. ``lower``/``upper`` are the
    bounds an attacker can prove (equal to the count for a shown one).
    """

    kind: Literal["recovered", "small_published"]
    dimensions: tuple[str, ...]
    key: tuple[object, ...]
    lower: float
    upper: float

    def describe(self) -> str:
        """One line for a test failure or a log: where, what and how tightly."""
        where = (
            ", ".join(
                f"{name}={value!r}" for name, value in zip(self.dimensions, self.key, strict=True)
            )
            or "grand total"
        )
        if self.kind == "small_published":
            return f"{where}: published count {self.lower:g} is below the threshold"
        return f"{where}: hidden count recovered as {self.lower:g}..{self.upper:g}"


def audit_public_table(
    cells: pd.DataFrame,
    margins: Mapping[tuple[str, ...], pd.DataFrame] | None = None,
    *,
    dimensions: Sequence[str],
    count: str = "count",
    threshold: int | None = None,
    method: Literal["auto", "lp", "lines"] = "auto",
    max_lp_unknowns: int = 3_000,
    zeros_shown: bool = True,
) -> list[Exposure]:
    """Attack a table as published and return what it gives away (an empty list is safe).

    ``cells`` holds one row per published combination of ``dimensions`` with ``count`` missing
    (NaN or ``<NA>``) where suppressed; combinations absent from it are taken as known zeros.
    ``margins`` maps subsets of the dimensions (``()`` for the grand total) to their published
    sub-totals in the same layout; margins not given are unknown to the attacker.

    * ``"lp"``: for every hidden entry, minimise and maximise it by linear programming subject
      to every published total and non-negativity (scipy ``linprog``/HiGHS). It is recovered
      when its bounds hold a single whole number. With ``zeros_shown`` (the publisher shows
      zero counts, as :func:`suppress_small_cells` does by default) the attacker also knows
      that every hidden count is at least 1 (unless the published numbers rule that out). Entries surely spanning two whole numbers (seen
      in feasible tables from a few random objectives) are not minimised and maximised.
    * ``"lines"`` (for large tables): repeatedly solve any line of the table with its total
      that holds exactly one unknown. Finds only the simplest attacks.
    * ``"auto"``: ``"lp"`` up to ``max_lp_unknowns`` unknowns, else ``"lines"``.

    Also reports every published non-zero count (cell or margin) below ``threshold``
    (default :func:`small_cell_threshold`). Raises :class:`PrivacyError` when the published
    numbers do not add up (rounded tables cannot be audited this way).
    """
    dims = _validated_dimensions(cells, dimensions, count)
    limit = small_cell_threshold() if threshold is None else _validated_threshold(threshold)
    codes, levels = _factorize_dimensions(cells, dims)
    _require_unique_combinations(cells, dims, codes, levels)
    published = _published_table(cells, margins or {}, dims, count, codes, levels)
    exposures = _small_published(published, dims, levels, limit)
    chosen = method
    if method == "auto":
        chosen = "lp" if np.isnan(published.values).sum() <= max_lp_unknowns else "lines"
    if chosen == "lp":
        recovered = _recovered_by_linear_programming(
            published.values, published.targets, zeros_shown
        )
    elif chosen == "lines":
        recovered = _recovered_by_lines(published.values, published.targets)
    else:
        raise PrivacyError(f"unknown audit method {method!r}; expected 'auto', 'lp' or 'lines'")
    for flat, lower, upper in recovered:
        position = _position(flat, published.values.shape)
        exposures.append(_exposure("recovered", position, dims, levels, lower, upper))
    return exposures


@dataclass(frozen=True)
class _Published:
    """An extended table as an attacker sees it: NaN where unknown, and which NaNs are hidden
    counts (the attacker's targets) rather than margins that were never published."""

    values: np.ndarray
    targets: np.ndarray
    shown: np.ndarray


def _published_table(
    cells: pd.DataFrame,
    margins: Mapping[tuple[str, ...], pd.DataFrame],
    dims: tuple[str, ...],
    count: str,
    codes: Sequence[np.ndarray],
    levels: Sequence[pd.Index],
) -> _Published:
    """Lay the published cells and margins out as one extended table."""
    sizes = [len(level) for level in levels]
    shape = tuple(size + 1 for size in sizes)
    if math.prod(shape) > _MAX_TABLE_ENTRIES:
        raise PrivacyError(
            f"the table spans {math.prod(shape):,} cells and margins; too large to audit"
        )
    values = np.full(shape, np.nan)
    exists = np.zeros(shape, dtype=bool)
    targets = np.zeros(shape, dtype=bool)
    shown = np.zeros(shape, dtype=bool)
    cell_values = _published_counts(cells, count)
    values[(slice(None, -1),) * len(sizes)] = 0.0  # cells absent from ``cells`` are zeros
    index = tuple(codes)
    values[index] = cell_values
    exists[index] = True
    targets[index] = np.isnan(cell_values)
    shown[index] = ~np.isnan(cell_values)
    for axis, size in enumerate(sizes):
        along = np.moveaxis(exists, axis, -1)
        along[..., size] = along[..., :size].any(axis=-1)
    exists[(-1,) * len(shape)] = True
    for subset, frame in margins.items():
        axes = _margin_axes(subset, dims)
        margin_values = _published_counts(frame, count)
        position = []
        for axis, size in enumerate(sizes):
            if axis in axes:
                found = levels[axis].get_indexer(frame[dims[axis]])
                if (found < 0).any():
                    bad = frame[dims[axis]].iloc[int(np.flatnonzero(found < 0)[0])]
                    raise PrivacyError(
                        f"margin {subset} has level {bad!r} of {dims[axis]!r}, absent from the cells"
                    )
                position.append(found)
            else:
                position.append(np.full(len(frame), size))
        index = tuple(position)
        values[index] = margin_values
        targets[index] = np.isnan(margin_values)
        shown[index] = ~np.isnan(margin_values)
    # margin entries with nothing beneath them are structural zeros; others not given stay unknown
    structural = ~exists & np.isnan(values)
    values[structural] = 0.0
    return _Published(values=values, targets=targets, shown=shown)


def _margin_axes(subset: Iterable[str], dims: tuple[str, ...]) -> set[int]:
    """Return the axes a margin's key names, checking they are dimensions."""
    names = tuple(subset)
    unknown = [name for name in names if name not in dims]
    if unknown or len(set(names)) != len(names) or len(names) >= len(dims):
        raise PrivacyError(
            f"margin key {names!r} must be a proper subset of the dimensions {dims!r}"
        )
    return {dims.index(name) for name in names}


def _published_counts(frame: pd.DataFrame, count: str) -> np.ndarray:
    """Return a published count column as floats with NaN where suppressed."""
    if count not in frame.columns:
        raise PrivacyError(f"published frame has no column {count!r}; it has {list(frame.columns)}")
    return pd.to_numeric(frame[count], errors="raise").to_numpy(dtype=float, na_value=np.nan)


def _small_published(
    published: _Published, dims: tuple[str, ...], levels: Sequence[pd.Index], limit: int
) -> list[Exposure]:
    """Return an exposure for every shown non-zero count below ``limit``."""
    small = published.shown & (published.values > 0) & (published.values < limit)
    exposures = []
    for flat in np.flatnonzero(small):
        position = _position(flat, small.shape)
        value = float(published.values[position])
        exposures.append(_exposure("small_published", position, dims, levels, value, value))
    return exposures


def _exposure(
    kind: Literal["recovered", "small_published"],
    position: tuple[int, ...],
    dims: tuple[str, ...],
    levels: Sequence[pd.Index],
    lower: float,
    upper: float,
) -> Exposure:
    """Build an :class:`Exposure` for an entry of the extended table."""
    axes = [axis for axis, level in enumerate(position) if level < len(levels[axis])]
    return Exposure(
        kind=kind,
        dimensions=tuple(dims[axis] for axis in axes),
        key=tuple(_plain(levels[axis][position[axis]]) for axis in axes),
        lower=float(lower),
        upper=float(upper),
    )


def _plain(value: object) -> object:
    """Return a numpy scalar as the matching Python one (readable in messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _line_residuals(values: np.ndarray) -> np.ndarray:
    """Return ``sum(known entries) - known total`` for every line, numbered as in
    :func:`_line_system` (unknown entries count as zero)."""
    known = np.nan_to_num(values, nan=0.0)
    parts = []
    for axis in range(values.ndim):
        along = np.moveaxis(known, axis, -1)
        parts.append((along[..., :-1].sum(axis=-1) - along[..., -1]).ravel())
    return np.concatenate(parts)


def _require_consistent(used: np.ndarray, residuals: np.ndarray) -> None:
    """Raise when a fully published line does not add up."""
    complete = np.ones(residuals.size, dtype=bool)
    complete[used] = False
    if (np.abs(residuals[complete]) > 1e-6).any():
        raise PrivacyError(
            "published cells and totals do not add up (a total differs from the sum of its "
            "cells); audit the table before rounding or correct the totals"
        )


def _recovered_by_linear_programming(
    values: np.ndarray, targets: np.ndarray, zeros_shown: bool
) -> list[tuple[int, float, float]]:
    """Return (flat position, lower, upper) of every target pinned to one whole number.

    Feasible tables from linear programs with random objectives give each entry a range it
    surely spans; a target whose range already holds two whole numbers is safe. The others
    are minimised and maximised exactly (no upper bound) to get the attacker's bounds. Hidden
    counts are at least 1 when ``zeros_shown``; margins never published are at least 0.
    """
    unknown = np.isnan(values)
    matrix, used, flat = _line_system(unknown)
    residuals = _line_residuals(values)
    _require_consistent(used, residuals)
    if flat.size == 0:
        return []
    system = _Equations(matrix.tocsc(), -residuals[used])
    floor = np.where(targets.ravel()[flat] & zeros_shown, 1.0, 0.0)
    seen_low = np.full(flat.size, np.inf)
    seen_high = np.full(flat.size, -np.inf)
    start = system.solve(np.zeros(flat.size), floor, feasible_only=True)
    if start is None:  # some hidden count must be zero: zeros were hidden too
        floor = np.zeros(flat.size)
        start = system.solve(np.zeros(flat.size), floor)
    assert start is not None  # a zero objective is never unbounded
    # random objectives need a box; any feasible table found inside it is feasible outside too
    ceiling = 2.0 * max(float(np.nanmax(values, initial=0.0)), float(start.max())) + 10.0
    generator = np.random.default_rng(20_240_603)
    for _ in range(_RANDOM_OBJECTIVES):
        point = system.solve(generator.standard_normal(flat.size), floor, ceiling)
        if point is not None:
            seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
    recovered = []
    for column in np.flatnonzero(targets.ravel()[flat]):
        if _holds_two_whole_numbers(seen_low[column], seen_high[column]):
            continue
        bounds = []
        for direction in (1.0, -1.0):
            objective = np.zeros(flat.size)
            objective[column] = direction
            point = system.solve(objective, floor)
            if point is None:
                bounds.append(-direction * np.inf)
                continue
            seen_low, seen_high = np.minimum(seen_low, point), np.maximum(seen_high, point)
            bounds.append(float(point[column]))
        if not _holds_two_whole_numbers(*bounds):
            recovered.append((int(flat[column]), bounds[0], bounds[1]))
    return recovered


def _holds_two_whole_numbers(low: float, high: float) -> bool:
    """Whether the interval [low, high] contains at least two whole numbers."""
    if not np.isfinite(high) or not np.isfinite(low):
        return bool(high > low)
    return math.floor(high + 1e-6) - math.ceil(low - 1e-6) >= 1


def _recovered_by_lines(values: np.ndarray, targets: np.ndarray) -> list[tuple[int, float, float]]:
    """Return (flat position, value, value) of every target found by solving lines holding
    exactly one unknown entry, repeatedly, to a fixed point."""
    unknown = np.isnan(values)
    _, used, _ = _line_system(unknown)
    _require_consistent(used, _line_residuals(values))
    solved = values.copy()
    progress = True
    while progress:
        progress = False
        for axis in range(values.ndim):
            along = np.moveaxis(solved, axis, -1)
            missing = np.isnan(along)
            single = missing.sum(axis=-1) == 1
            if not single.any():
                continue
            known = np.nan_to_num(along, nan=0.0)
            entries = known[..., :-1].sum(axis=-1)
            slot = missing.argmax(axis=-1)
            value = np.where(slot == along.shape[-1] - 1, entries, known[..., -1] - entries)
            where = np.nonzero(single)
            along[(*where, slot[where])] = value[where]
            progress = True
    found = np.flatnonzero(targets & ~np.isnan(solved))
    return [(int(flat), float(solved.ravel()[flat]), float(solved.ravel()[flat])) for flat in found]


# --------------------------------------------------------------------------------------------
# Random rounding
# --------------------------------------------------------------------------------------------


def random_round(
    values: float | np.ndarray | pd.Series,
    base: int = DEFAULT_ROUNDING_BASE,
    *,
    seed: int | np.random.Generator | None = None,
) -> int | float | np.ndarray | pd.Series:
    """Round each value up or down to a multiple of ``base``, at random and without bias.

    Unbiased random rounding (as Statistics Canada does for counts): a value ``v`` between
    the multiples ``q`` and ``q + base`` becomes ``q + base`` with probability
    ``(v - q) / base`` and ``q`` otherwise, so its expectation is ``v``; exact multiples stay
    as they are, and the result is always within ``base`` of the truth (strictly).

    ``seed`` makes the result deterministic. Keep it secret and stable from one release to the
    next: a published seed lets anyone undo part of the rounding, and fresh randomness for each
    release lets repeated releases be averaged back to the truth. Without a seed, fresh
    operating-system entropy is used.

    A Series gives a nullable-integer Series with the same index (missing stays ``<NA>``); an
    array gives an int64 array, or a float array when it holds NaN; a number gives an int
    (NaN gives NaN). Totals of rounded cells need not add up: round totals separately.
    """
    if isinstance(base, bool) or not float(base).is_integer() or base < 1:
        raise PrivacyError(f"rounding base must be a whole number of at least 1, got {base!r}")
    numbers = (
        values.to_numpy(dtype=float, na_value=np.nan)
        if isinstance(values, pd.Series)
        else np.array(values, dtype=float)
    )
    generator = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    draws = generator.random(numbers.shape)
    lower = np.floor(numbers / base) * base
    remainder = numbers - lower
    rounded = lower + np.where(draws < remainder / base, base, 0)
    missing = np.isnan(numbers)
    if isinstance(values, pd.Series):
        array = pd.arrays.IntegerArray(np.where(missing, 0, rounded).astype(np.int64), missing)
        return pd.Series(array, index=values.index, name=values.name)
    if rounded.ndim == 0:
        return float("nan") if missing else int(rounded)
    return rounded if missing.any() else rounded.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------


def _normalised_column_name(name: object) -> str:
    """Lower-case ``name`` with camelCase split and separators as single underscores."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(name).strip())
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    return text


def _is_identifier(normalised: str, extra: frozenset[str]) -> bool:
    """Whether a normalised column name is a personal identifier."""
    squashed = normalised.replace("_", "")
    listed = IDENTIFIER_COLUMNS | extra
    if normalised in listed or squashed in {name.replace("_", "") for name in listed}:
        return True
    for role in _PERSON_ROLES:
        if normalised.startswith(role + "_"):
            field = normalised[len(role) + 1 :]
            if field in _PERSONAL_FIELDS or field.replace("_", "") in {
                f.replace("_", "") for f in _PERSONAL_FIELDS
            }:
                return True
    return False


def drop_identifiers(
    frame: pd.DataFrame, *, extra: Iterable[str] = ()
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Return ``frame`` without personal identifier columns, and the names removed.

    A column is removed when its name, normalised (case-insensitive; camelCase, spaces,
    hyphens and dots count as word breaks), is one of :data:`IDENTIFIER_COLUMNS` or of
    ``extra``, ignoring underscores (``FirstName``, ``first name``, ``FIRST_NAME`` and
    ``firstname`` all match), or is a person role followed by a personal field
    (``victim_name``, ``Suspect DOB``, ``callerPhone``, ``officer_badge_number``). Names of
    things (``division_name``, ``offence_name``) are kept. Free text can still hold names:
    leave narrative columns out of public outputs altogether.

    The input is not modified; the names are returned in the frame's column order.
    """
    extras = frozenset(_normalised_column_name(name) for name in extra)
    removed = tuple(
        str(name) for name in frame.columns if _is_identifier(_normalised_column_name(name), extras)
    )
    kept = [name for name in frame.columns if str(name) not in removed]
    return frame.loc[:, kept].copy(), removed


# --------------------------------------------------------------------------------------------
# Geomasking
# --------------------------------------------------------------------------------------------

_GEOMASK_MAX_LATITUDE = 85.0


def geomask_points(
    lat: float | Sequence[float] | np.ndarray | pd.Series,
    lon: float | Sequence[float] | np.ndarray | pd.Series,
    *,
    method: Literal["grid"] = "grid",
    cell_metres: float = DEFAULT_GEOMASK_CELL_METRES,
    min_displacement: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Return masked copies of point coordinates (degrees), never the exact location.

    The grid (``method="grid"``, the only method so far) is global and fixed, so a place
    masks the same way in every release, whatever else is in the batch. Write ``c`` for
    ``cell_metres`` and ``R`` for the mean Earth radius. North-south, grid lines are ``c``
    apart along the meridian (``y = R * latitude``, in radians). East-west, a local
    equirectangular projection ``x = R * cos(phi) * longitude`` is cut every ``c``, with
    ``phi`` the latitude of the east-west grid line the point is published on (below).

    * ``min_displacement=True`` (default): each coordinate moves to the *farther* of the two
      grid lines around it, so the point goes to the grid corner diagonally across the
      quarter-cell it lies in. Each coordinate moves by between ``c/2`` and ``c``, so a
      published point is **at least c/sqrt(2)** from the true one (177 m for 250 m cells;
      reached at the middle of a cell) and **at most c*sqrt(2)** (354 m; reached at a grid
      corner). Knowing the rule, one can only tell that the true point lies in one of the
      four ``c/2`` squares diagonally around the published corner (area ``c**2``, as much as
      snapping to a cell): all four use the same east-west scale, that of the corner's line.
    * ``min_displacement=False``: the point goes to the centre of its ``c`` x ``c`` cell
      (east-west scale at the row's middle): **at most c/sqrt(2)** away (177 m) and
      possibly arbitrarily close; the true point can be anywhere in the cell.

    On the sphere (haversine) these distances hold up to the flatness of one cell: a relative
    error of about ``tan(latitude) * c / R``, under 0.01 % for 250 m cells below 60 degrees.
    Missing coordinates (NaN, None, <NA>) stay missing. Raises :class:`PrivacyError` for
    latitudes beyond 85 degrees, longitudes outside [-180, 180] or a non-positive cell.
    Longitudes wrap at the antimeridian. Returns ``(latitudes, longitudes)`` as float arrays.
    """
    if method != "grid":
        raise PrivacyError(f"unknown geomask method {method!r}; expected 'grid'")
    if not (
        isinstance(cell_metres, (int, float))
        and not isinstance(cell_metres, bool)
        and math.isfinite(cell_metres)
        and cell_metres > 0
    ):
        raise PrivacyError(f"cell_metres must be a positive number of metres, got {cell_metres!r}")
    latitude = _coordinates(lat, "lat")
    longitude = _coordinates(lon, "lon")
    if latitude.shape != longitude.shape:
        raise PrivacyError(
            f"lat and lon must have the same length, got {latitude.shape} and {longitude.shape}"
        )
    with np.errstate(invalid="ignore"):
        if (np.abs(latitude) > _GEOMASK_MAX_LATITUDE).any():
            raise PrivacyError(
                f"latitudes must lie within ±{_GEOMASK_MAX_LATITUDE:g} degrees to be geomasked"
            )
        if (np.abs(longitude) > 180.0).any():
            raise PrivacyError("longitudes must lie within [-180, 180] degrees")
    size = float(cell_metres)
    north = EARTH_RADIUS_METRES * np.radians(latitude) / size  # in cells from the equator
    published_row = _farther_grid_line(north) if min_displacement else np.floor(north) + 0.5
    metres_per_radian = EARTH_RADIUS_METRES * np.cos(published_row * size / EARTH_RADIUS_METRES)
    east = metres_per_radian * np.radians(longitude) / size  # in cells from Greenwich
    published_column = _farther_grid_line(east) if min_displacement else np.floor(east) + 0.5
    published_latitude = np.degrees(published_row * size / EARTH_RADIUS_METRES)
    published_longitude = np.degrees(published_column * size / metres_per_radian)
    published_longitude = (published_longitude + 180.0) % 360.0 - 180.0
    return published_latitude, published_longitude


def _farther_grid_line(position: np.ndarray) -> np.ndarray:
    """Return the farther of the two whole numbers around each position: the lower one from
    the upper half of the interval between them, the upper one from the lower half."""
    below = np.floor(position)
    return below + np.where(position - below >= 0.5, 0.0, 1.0)


def _coordinates(value: object, name: str) -> np.ndarray:
    """Return coordinates as a new 1-d float array (None and <NA> become NaN)."""
    if isinstance(value, pd.Series):
        array = value.to_numpy(dtype=float, na_value=np.nan)
    else:
        try:
            array = np.array(value, dtype=float)
        except (TypeError, ValueError):
            raise PrivacyError(f"{name} must hold numbers (degrees)") from None
    return np.atleast_1d(array).astype(float, copy=True)
