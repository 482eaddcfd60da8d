"""How :func:`~workbench.privacy.suppress_small_cells` chooses what to hide: line completion,
the exact and whole-number checks, protecting hypercubes and pruning (private).

Every function works on the *extended table* of :mod:`workbench.privacy._tables`: a dense
array whose last position on each axis holds the total over that axis.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg as _scipy_linalg
from scipy import sparse as _sparse
from scipy.sparse.csgraph import connected_components as _connected_components

from workbench.privacy._tables import (
    _RANDOM_OBJECTIVES,
    _Equations,
    _line_residuals,
    _line_system,
    _position,
)
from workbench.privacy.audience import PrivacyError

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
#: Tables with up to this many primary entries are also protected from two more starting
#: points (a looser line completion, and none); the pattern with fewest hidden entries is kept.
_MORE_STRATEGIES_LIMIT = 400
#: How many hypercube corners :class:`_HypercubeFinder` looks up for one entry (the number of
#: candidate blocks is this divided by ``2**k``).
_HYPERCUBE_CORNER_BUDGET = 20_000


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
