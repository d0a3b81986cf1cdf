"""Optimal adept-to-mentor assignment: integer score matrix and hard rules in, pairs out.

This module is pure (numpy arrays in, a dict out, no database) and is the only module of the
project allowed to import scipy; it imports it inside the functions that need it, since the
import costs more than a small solve (a rematch of one adept needs none), and then only the
compiled module of the one function it uses (:func:`_linear_sum_assignment`).

What :func:`solve` optimises, in order of priority:

1. the number of adepts placed (maximum cardinality, enforced as a constraint, not a weight);
2. the total of ``scores`` minus the load penalty (a mentor's k-th extra mentee costs
   ``k * load_penalty``, so the 2nd costs 1x, the 3rd 2x, and so on);
3. the smallest sum of :func:`tie_break_key` over the pairs, a fixed pseudo-random number per
   (adept index, mentor index). This makes the optimum unique in practice, so the answer is a
   function of the input alone rather than of the order in which scipy explores equal choices
   (scipy says such output "may vary with SciPy and Python version"). A "prefer lower
   indices" rule was measured first: it makes every row want the same columns, and the
   assignment step at 5,000 x 2,500 took 7.1 s against 0.55 s with this key (0.18 s with no
   tie-break at all). The key's price is highest when mentors have spare slots and a load
   penalty applies (3,000 adepts, 3,800 slots: 4 s of CPU against 1.3 s without).

How: every mentor becomes one slot per free place (slot level = mentees the mentor already
has, so the load penalty is a cost per slot), and one rectangular
:func:`scipy.optimize.linear_sum_assignment` runs on a slots x adepts matrix in which
forbidden pairs are ``np.inf``. scipy treats an infinite entry as a missing edge (it raises
"infeasible" rather than take one), so hard rules remove pairs instead of pricing them. The
dense solver was measured against the sparse one (LAPJVsp, only allowed pairs stored): 0.43 s
against 0.53 s at 5,000 x 2,500, plus 2 s to build the sparse matrix.

The assignment fills the smaller side of its matrix, so every matrix handed to it must have
a smaller side that every maximum matching fills. A greedy matching usually proves that for
the whole problem in milliseconds. Otherwise Hopcroft-Karp and the Dulmage-Mendelsohn
decomposition split the problem in two: the mentors that may be left with an empty slot,
with the adepts they can take (each of those is placed), and the rest, whose slots are all
filled. No maximum matching uses a pair between the two, so each part is solved on its own.
This replaced zero-cost "unplaced" dummies, up to 50 times slower when few can be placed.
Costs are integers kept below 2**53 (checked), so scipy's float64 arithmetic is exact.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["TIE_BREAK_BITS", "max_cardinality", "solve", "tie_break_key"]

# Width of the tie-break value; narrowed automatically when costs would leave the range in
# which float64 holds every integer (at zero width ties fall back to scipy's order).
TIE_BREAK_BITS = 20
_EXACT_LIMIT = 2**53
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MENTOR_STREAM = np.uint64(0xD1B54A32D192ED03)
# The cost matrix is built a block of mentors at a time, 1 MB of float64 per block.
_BLOCK_ENTRIES = 1 << 17
_TILE = 1024  # adepts per tile when scores are read transposed

_Index = slice | NDArray[np.intp]
_Item = TypeVar("_Item", bound=np.generic)


@dataclass(frozen=True)
class _Problem:
    """What is left to solve once the fixed pairs are taken out."""

    adepts: NDArray[np.intp]  # free adepts with at least one allowed mentor with room
    mentors: NDArray[np.intp]  # mentors with room and at least one allowed free adept
    free: NDArray[np.int64]  # free slots of each mentor in `mentors`
    used: NDArray[np.int64]  # fixed mentees of each mentor in `mentors`
    allowed: NDArray[np.bool_]  # mentor-major: shape (len(mentors), len(adepts))
    n_adepts_total: int
    n_mentors_total: int


@dataclass(frozen=True)
class _Part:
    """Mentors and adepts (positions in the _Problem) whose smaller side is always matched."""

    mentors: NDArray[np.intp]
    adepts: NDArray[np.intp]
    n_pairs: int


@dataclass(frozen=True)
class _Scale:
    """How scores become costs: (best - score) * step + level penalty + tie value."""

    bits: int  # width of the tie value
    step: int  # cost of one score point; above any difference of summed tie values
    best: int  # reference score, at least every allowed score, so costs are >= 0
    low_level: int  # lowest slot level, whose load penalty counts as zero


def solve(
    scores: NDArray[np.int64],
    allowed: NDArray[np.bool_],
    capacity: NDArray[np.int64],
    fixed: Sequence[tuple[int, int]] = (),
    load_penalty: int = 0,
    held: NDArray[np.int64] | None = None,
) -> dict[int, int]:
    """Return the optimal assignment as ``{adept index: mentor index}``, fixed pairs included.

    ``scores`` and ``allowed`` have shape (n_adepts, n_mentors); ``capacity[j]`` is the number
    of mentees mentor ``j`` may have in the result, fixed pairs included. ``held[j]``, if
    given, counts mentees mentor ``j`` already has outside the matrix (a rematch passes only
    the free adepts): they use capacity and set the load penalty's level like fixed pairs.
    Keys come out in ascending adept order. Raises ``ValueError`` for malformed input, a fixed
    pair that is not allowed, an adept fixed twice, more fixed (and held) pairs on a mentor
    than its capacity, or scores spread too wide for exact arithmetic.
    """
    scores_arr, allowed_arr, capacity_arr = _check_arrays(allowed, capacity, scores=scores)
    if isinstance(load_penalty, bool) or not isinstance(load_penalty, int | np.integer):
        raise ValueError(f"load_penalty must be an integer, got {load_penalty!r}")
    if load_penalty < 0:
        raise ValueError(f"load_penalty must be >= 0, got {load_penalty}")
    penalty = int(load_penalty)
    held_arr = _check_held(held, capacity_arr)
    fixed_adepts, fixed_mentors = _check_fixed(fixed, allowed_arr, capacity_arr - held_arr)
    problem = _residual_problem(
        allowed_arr, capacity_arr, fixed_adepts, fixed_mentors, held=held_arr
    )

    result = dict(zip(fixed_adepts.tolist(), fixed_mentors.tolist(), strict=True))
    parts = _split(problem)
    if parts:
        scale = _scale(scores_arr, problem, parts, penalty)
        for part in parts:
            adepts, mentors = _solve_part(scores_arr, problem, part, scale, penalty)
            result.update(zip(adepts.tolist(), mentors.tolist(), strict=True))
    return dict(sorted(result.items()))


def max_cardinality(
    allowed: NDArray[np.bool_],
    capacity: NDArray[np.int64],
    *,
    fixed: Sequence[tuple[int, int]] = (),
) -> int:
    """Return the largest number of adepts that can be placed at once, fixed pairs included.

    Runs Hopcroft-Karp (:func:`scipy.sparse.csgraph.maximum_bipartite_matching`) on the
    slot-expanded allowed graph; no score plays a part. Validates like :func:`solve`.
    """
    _, allowed_arr, capacity_arr = _check_arrays(allowed, capacity, scores=None)
    fixed_adepts, fixed_mentors = _check_fixed(fixed, allowed_arr, capacity_arr)
    problem = _residual_problem(allowed_arr, capacity_arr, fixed_adepts, fixed_mentors)
    if problem.adepts.size == 0 or problem.mentors.size == 0:
        return len(fixed_adepts)
    return len(fixed_adepts) + int(np.count_nonzero(_maximum_matching(problem) >= 0))


def tie_break_key(adepts: NDArray[np.integer], mentors: NDArray[np.integer]) -> NDArray[np.uint64]:
    """Return the fixed pseudo-random 64-bit tie-break key of each (adept, mentor) pair.

    Broadcasts like numpy. Among otherwise equal assignments :func:`solve` minimises the sum
    of ``key >> (64 - bits)`` where ``bits`` is :data:`TIE_BREAK_BITS`, or the widest width
    that keeps the arithmetic exact when the problem is too large for it.
    """
    keys: NDArray[np.uint64] = np.multiply(_adept_hash(adepts) ^ _mentor_hash(mentors), _GOLDEN)
    return keys


def _adept_hash(adepts: NDArray[np.integer]) -> NDArray[np.uint64]:
    return _splitmix64(np.atleast_1d(np.asarray(adepts)).astype(np.uint64))


def _mentor_hash(mentors: NDArray[np.integer]) -> NDArray[np.uint64]:
    # A distinct stream, so that key(i, j) and key(j, i) are unrelated.
    return _splitmix64(np.atleast_1d(np.asarray(mentors)).astype(np.uint64) ^ _MENTOR_STREAM)


def _splitmix64(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    # Arrays only: numpy wraps uint64 array arithmetic silently but warns on scalar overflow.
    x: NDArray[np.uint64] = values + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _MIX_1
    x = (x ^ (x >> np.uint64(27))) * _MIX_2
    result: NDArray[np.uint64] = x ^ (x >> np.uint64(31))
    return result


def _check_arrays(
    allowed: NDArray[np.bool_],
    capacity: NDArray[np.int64],
    *,
    scores: NDArray[np.int64] | None,
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    allowed_arr = np.asarray(allowed)
    if allowed_arr.ndim != 2:
        raise ValueError(f"allowed must be 2-dimensional, got shape {allowed_arr.shape}")
    if allowed_arr.dtype != np.bool_:
        raise ValueError(f"allowed must be boolean, got dtype {allowed_arr.dtype}")
    n_adepts, n_mentors = allowed_arr.shape
    capacity_arr = np.asarray(capacity)
    if capacity_arr.shape != (n_mentors,):
        raise ValueError(
            f"capacity must have shape ({n_mentors},) to match allowed, got {capacity_arr.shape}"
        )
    if capacity_arr.dtype == np.bool_ or not np.issubdtype(capacity_arr.dtype, np.integer):
        raise ValueError(f"capacity must be integers, got dtype {capacity_arr.dtype}")
    if n_mentors and capacity_arr.min() < 0:
        raise ValueError(f"capacity must be >= 0, mentor {int(capacity_arr.argmin())} is negative")
    scores_arr = np.zeros((0, 0), dtype=np.int64)
    if scores is not None:
        scores_arr = np.asarray(scores)
        if scores_arr.shape != allowed_arr.shape:
            raise ValueError(
                f"scores shape {scores_arr.shape} differs from allowed shape {allowed_arr.shape}"
            )
        if scores_arr.dtype == np.bool_ or not np.issubdtype(scores_arr.dtype, np.integer):
            raise ValueError(f"scores must be integers, got dtype {scores_arr.dtype}")
        scores_arr = scores_arr.astype(np.int64, copy=False)
    return scores_arr, allowed_arr, capacity_arr.astype(np.int64, copy=False)


def _check_fixed(
    fixed: Sequence[tuple[int, int]],
    allowed: NDArray[np.bool_],
    capacity: NDArray[np.int64],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    n_adepts, n_mentors = allowed.shape
    seen: set[int] = set()
    for pair in fixed:
        adept, mentor = (int(value) for value in pair)
        if not (0 <= adept < n_adepts and 0 <= mentor < n_mentors):
            raise ValueError(
                f"fixed pair (adept {adept}, mentor {mentor}) is out of range for "
                f"{n_adepts} adepts and {n_mentors} mentors"
            )
        if adept in seen:
            raise ValueError(f"adept {adept} appears in more than one fixed pair")
        seen.add(adept)
        if not allowed[adept, mentor]:
            raise ValueError(
                f"fixed pair (adept {adept}, mentor {mentor}) is forbidden by a hard rule"
            )
    fixed_adepts = np.fromiter((int(pair[0]) for pair in fixed), dtype=np.intp, count=len(fixed))
    fixed_mentors = np.fromiter((int(pair[1]) for pair in fixed), dtype=np.intp, count=len(fixed))
    used = np.bincount(fixed_mentors, minlength=n_mentors)
    over = np.flatnonzero(used > capacity)
    if over.size:
        mentor = int(over[0])
        raise ValueError(
            f"mentor {mentor} has {int(used[mentor])} fixed pairs but a capacity of "
            f"{int(capacity[mentor])}"
        )
    return fixed_adepts, fixed_mentors


def _check_held(held: NDArray[np.int64] | None, capacity: NDArray[np.int64]) -> NDArray[np.int64]:
    if held is None:
        return np.zeros(capacity.shape, dtype=np.int64)
    held_arr = np.asarray(held)
    if held_arr.shape != capacity.shape:
        raise ValueError(f"held must have shape {capacity.shape}, got {held_arr.shape}")
    if held_arr.dtype == np.bool_ or not np.issubdtype(held_arr.dtype, np.integer):
        raise ValueError(f"held must be integers, got dtype {held_arr.dtype}")
    if held_arr.size and held_arr.min() < 0:
        raise ValueError("held must be >= 0")
    over = np.flatnonzero(held_arr > capacity)
    if over.size:
        mentor = int(over[0])
        raise ValueError(
            f"mentor {mentor} holds {int(held_arr[mentor])} mentees but has a capacity of "
            f"{int(capacity[mentor])}"
        )
    return held_arr.astype(np.int64, copy=False)


def _residual_problem(
    allowed: NDArray[np.bool_],
    capacity: NDArray[np.int64],
    fixed_adepts: NDArray[np.intp],
    fixed_mentors: NDArray[np.intp],
    *,
    held: NDArray[np.int64] | None = None,
) -> _Problem:
    n_adepts, n_mentors = allowed.shape
    used = np.bincount(fixed_mentors, minlength=n_mentors).astype(np.int64)
    if held is not None:
        used += held
    free = capacity - used
    has_room = free > 0
    is_free = np.ones(n_adepts, dtype=np.bool_)
    is_free[fixed_adepts] = False
    # People who cannot be placed at all are dropped: it shrinks the matrices and cannot
    # change the optimum. Copies are skipped when nobody is dropped (the common case).
    room_allowed = allowed if has_room.all() else allowed[:, has_room]
    adepts = np.flatnonzero(is_free & room_allowed.any(axis=1))
    adept_allowed = allowed if adepts.size == n_adepts else allowed[adepts]
    takers = np.count_nonzero(adept_allowed, axis=0)
    mentors = np.flatnonzero(has_room & (takers > 0))
    # A mentor never gets more mentees than adepts it may take; the slots beyond are the
    # costliest ones, so dropping them is exact and bounds the matrix for large capacities.
    free = np.minimum(free, takers)
    return _Problem(
        adepts=adepts,
        mentors=mentors,
        free=free[mentors],
        used=used[mentors],
        allowed=_mentor_major(allowed, _index(adepts), _index(mentors)),
        n_adepts_total=n_adepts,
        n_mentors_total=n_mentors,
    )


def _index(positions: NDArray[np.intp]) -> _Index:
    """Return ``positions`` (ascending, unique) as a slice when it is one contiguous run.

    Slices index as views while index arrays copy, and with few people dropped most index
    sets are whole runs; the copies were a visible share of the set-up time.
    """
    if positions.size == 0:
        return positions
    first, last = int(positions[0]), int(positions[-1])
    if last - first + 1 == positions.size:
        return slice(first, last + 1)
    return positions


def _mentor_major(matrix: NDArray[_Item], rows: _Index, cols: _Index) -> NDArray[_Item]:
    """Return ``matrix[rows][:, cols].T`` C-ordered, copied in tiles (3x faster than one go)."""
    n_rows, n_cols = _length(rows, matrix.shape[0]), _length(cols, matrix.shape[1])
    result = np.empty((n_cols, n_rows), dtype=matrix.dtype)
    for first in range(0, n_rows, _TILE):
        last = min(first + _TILE, n_rows)
        result[:, first:last] = _take(matrix, _sub_index(rows, first, last), cols).T
    return result


def _length(index: _Index, size: int) -> int:
    return len(range(*index.indices(size))) if isinstance(index, slice) else index.size


def _sub_index(index: _Index, first: int, last: int) -> _Index:
    """Return positions ``first:last`` of an index made by :func:`_index`."""
    if isinstance(index, slice):
        return slice(index.start + first, index.start + last)
    return index[first:last]


def _take(matrix: NDArray[_Item], rows: _Index, cols: _Index) -> NDArray[_Item]:
    """Return ``matrix[rows][:, cols]`` for any mix of slices and index arrays."""
    if isinstance(rows, slice) or isinstance(cols, slice):
        return matrix[rows, cols]
    return matrix[np.ix_(rows, cols)]


def _slot_mentor(free: NDArray[np.int64]) -> NDArray[np.intp]:
    """Return, for each slot, the position of its mentor (slots are grouped by mentor)."""
    return np.repeat(np.arange(free.size, dtype=np.intp), free)


def _maximum_matching(problem: _Problem) -> NDArray[np.intp]:
    """Return the adept position matched to each slot, or -1 (Hopcroft-Karp)."""
    from scipy.sparse import csr_array  # noqa: TID251 - the one module allowed scipy
    from scipy.sparse.csgraph import maximum_bipartite_matching  # noqa: TID251

    per_mentor = problem.allowed
    # CSR built by hand from the dense mask: csr_array(dense) goes through COO with two int64
    # index arrays, which costs more than the matching. Slots are then a row gather.
    columns = np.flatnonzero(per_mentor)
    np.remainder(columns, per_mentor.shape[1], out=columns)
    indices = columns.astype(np.int32)
    del columns
    indptr = np.zeros(per_mentor.shape[0] + 1, dtype=np.int32)
    np.cumsum(np.count_nonzero(per_mentor, axis=1), out=indptr[1:])
    data = np.ones(indices.size, dtype=np.bool_)
    graph = csr_array((data, indices, indptr), shape=per_mentor.shape)
    slots = graph[_slot_mentor(problem.free)]
    matched: NDArray[np.intp] = maximum_bipartite_matching(slots, perm_type="column")
    return matched


def _greedy_fills_smaller_side(problem: _Problem) -> bool:
    """Try to prove with a greedy matching that the smaller side can be matched entirely.

    With most pairs allowed this succeeds in a few milliseconds, against about 0.15 s for
    Hopcroft-Karp at 5,000 x 2,500; a failure proves nothing and the exact method runs.
    """
    target = min(int(problem.free.sum()), problem.adepts.size)
    taken = np.zeros(problem.adepts.size, dtype=np.bool_)
    placed = 0
    for mentor, slots in enumerate(problem.free.tolist()):
        for _ in range(slots):
            candidates = problem.allowed[mentor] & ~taken
            first = int(candidates.argmax())
            if not candidates[first]:
                break
            taken[first] = True
            placed += 1
            if placed == target:
                return True
    return False


def _split(problem: _Problem) -> list[_Part]:
    """Cut the problem into parts whose smaller side every maximum matching fills."""
    n_mentors, n_adepts = problem.allowed.shape
    if n_mentors == 0 or n_adepts == 0:
        return []
    whole = _Part(
        mentors=np.arange(n_mentors, dtype=np.intp),
        adepts=np.arange(n_adepts, dtype=np.intp),
        n_pairs=min(int(problem.free.sum()), n_adepts),
    )
    if _greedy_fills_smaller_side(problem):
        return [whole]
    matched = _maximum_matching(problem)
    n_pairs = int(np.count_nonzero(matched >= 0))
    if n_pairs == whole.n_pairs:
        return [whole]
    # Dulmage-Mendelsohn: mentors reachable from a slot left empty by alternating paths
    # (any allowed adept, then that adept's own mentor) are those that may end up with an
    # empty slot; the adepts next to them are placed with them in every maximum matching.
    # Slots of one mentor share their neighbours, so the search runs on mentors.
    slot_mentor = _slot_mentor(problem.free)
    mentor_of = np.full(n_adepts, -1, dtype=np.intp)
    mentor_of[matched[matched >= 0]] = slot_mentor[matched >= 0]
    reached = np.zeros(n_mentors, dtype=np.bool_)
    reached[slot_mentor[matched < 0]] = True
    near = np.zeros(n_adepts, dtype=np.bool_)
    frontier = np.flatnonzero(reached)
    while frontier.size:
        new_adepts = problem.allowed[frontier].any(axis=0) & ~near
        near |= new_adepts
        # Every adept next to such a mentor is matched, or the matching would not be maximum.
        next_mentors = np.unique(mentor_of[new_adepts])
        frontier = next_mentors[~reached[next_mentors]]
        reached[frontier] = True
    n_near = int(np.count_nonzero(near))
    parts = [
        _Part(mentors=np.flatnonzero(reached), adepts=np.flatnonzero(near), n_pairs=n_near),
        _Part(
            mentors=np.flatnonzero(~reached),
            adepts=np.flatnonzero(~near),
            n_pairs=n_pairs - n_near,
        ),
    ]
    return [part for part in parts if part.n_pairs]


def _scale(
    scores: NDArray[np.int64], problem: _Problem, parts: list[_Part], penalty: int
) -> _Scale:
    """Return the cost scale shared by all parts."""
    n_pairs = sum(part.n_pairs for part in parts)
    n_vertices = max(int(problem.free[part.mentors].sum()) + part.adepts.size for part in parts)
    highest_level = int((problem.used + problem.free).max()) - 1
    penalty_span = penalty * (highest_level - int(problem.used.min()))
    # The range of all scores bounds the allowed ones and costs milliseconds; it usually
    # leaves room for the full tie-break width. The exact range over allowed pairs is taken
    # only when it does not, so the width is always the one the exact range allows.
    best, worst = int(scores.max()), int(scores.min())
    widths = _exact_scale(best - worst + penalty_span, n_pairs, n_vertices)
    if widths is None or widths[0] < TIE_BREAK_BITS:
        best, worst = _score_range(scores, problem)
        widths = _exact_scale(best - worst + penalty_span, n_pairs, n_vertices)
    if widths is None:
        raise ValueError(
            f"scores span {best - worst} points (load penalty {penalty_span} more) over "
            f"{n_pairs} pairs, too wide to solve exactly; use smaller weights"
        )
    bits, step = widths
    return _Scale(bits=bits, step=step, best=best, low_level=int(problem.used.min()))


def _exact_scale(value_span: int, n_pairs: int, n_vertices: int) -> tuple[int, int] | None:
    """Pick the tie-break width and score multiplier that keep every cost exact in float64.

    cost = (best - value) * step + tie with step above any possible difference of summed tie
    values, so scores are compared first. Potentials and path lengths in scipy's
    shortest-augmenting-path solver are sums of at most ``n_vertices`` non-negative costs,
    so ``n_vertices * max_cost < 2**53`` suffices. None when even zero width is not exact.
    """
    for bits in range(TIE_BREAK_BITS, -1, -1):
        tie_max = (1 << bits) - 1
        step = n_pairs * tie_max + 1
        if n_vertices * (value_span * step + tie_max) < _EXACT_LIMIT:
            return bits, step
    return None


def _solve_part(
    scores: NDArray[np.int64], problem: _Problem, part: _Part, scale: _Scale, penalty: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the (adept, mentor) indices, in the caller's numbering, of a part's optimum."""
    free = problem.free[part.mentors]
    used = problem.used[part.mentors]
    slot_mentor = _slot_mentor(free)  # positions in part.mentors
    first_slot = np.zeros(free.size + 1, dtype=np.intp)
    np.cumsum(free, out=first_slot[1:])
    level = np.arange(slot_mentor.size) - first_slot[slot_mentor] + used[slot_mentor]
    bits, step, best = scale.bits, scale.step, scale.best
    slot_cost = ((level - scale.low_level) * (penalty * step)).astype(np.float64)
    adepts = problem.adepts[part.adepts]
    mentors = problem.mentors[part.mentors]
    adept_rows = _index(adepts)
    allowed_cols = _index(part.adepts)
    adept_hash = _adept_hash(adepts)
    mentor_hash = _mentor_hash(mentors)
    shift = np.uint64(64 - bits)

    # Integer arithmetic, one conversion to float64 per block: allowed entries stay below
    # 2**53, hence exact; forbidden ones may wrap in int64 but are overwritten with inf.
    # One preallocated matrix filled block by block, with reused block buffers, because
    # matrix-sized temporaries cost more in page faults than the arithmetic.
    cost = np.empty((slot_mentor.size, adepts.size))
    per_block = _per_block(adepts.size)
    whole = np.empty((min(per_block, mentors.size), adepts.size), dtype=np.int64)
    keys_whole = np.empty(whole.shape, dtype=np.uint64) if bits else whole.view(np.uint64)
    values_whole = np.empty(whole.shape, dtype=np.float64)
    for start in range(0, mentors.size, per_block):
        stop = min(start + per_block, mentors.size)
        block, keys, values = (
            buffer[: stop - start] for buffer in (whole, keys_whole, values_whole)
        )
        mentor_cols = _index(mentors[start:stop])
        # Scores are adept-major and the block mentor-major: reading in square-ish tiles
        # keeps the transposition in cache (twice as fast as one strided pass).
        for first in range(0, adepts.size, _TILE):
            last = min(first + _TILE, adepts.size)
            tile = _take(scores, _sub_index(adept_rows, first, last), mentor_cols).T
            np.subtract(best, tile, out=block[:, first:last])
        np.multiply(block, step, out=block)
        if bits:
            np.bitwise_xor(adept_hash[None, :], mentor_hash[start:stop, None], out=keys)
            np.multiply(keys, _GOLDEN, out=keys)
            np.right_shift(keys, shift, out=keys)
            np.add(block, keys.view(np.int64), out=block)
        values[...] = block
        block_allowed = _take(problem.allowed, _index(part.mentors[start:stop]), allowed_cols)
        np.putmask(values, ~block_allowed, np.inf)
        rows = slice(first_slot[start], first_slot[stop])
        np.take(values, slot_mentor[rows] - start, axis=0, out=cost[rows])
        cost[rows] += slot_cost[rows, None]
    slot_ind, adept_ind = _assign(cost)
    return adepts[adept_ind], mentors[slot_mentor[slot_ind]]


def _assign(cost: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Return the (row, column) pairs of the minimum-cost assignment of ``cost``.

    One row or one column (a rematch of one freed adept) is the cheapest finite entry, as
    scipy would find it; that spares the import of scipy.optimize, which costs more than
    everything else such a rematch does.
    """
    if 1 in cost.shape:
        flat = cost.ravel()
        best = int(np.argmin(flat))
        if not np.isfinite(flat[best]):
            raise ValueError("cost matrix is infeasible")
        if cost.shape[0] == 1:
            return np.array([0], dtype=np.intp), np.array([best], dtype=np.intp)
        return np.array([best], dtype=np.intp), np.array([0], dtype=np.intp)
    rows, cols = _linear_sum_assignment()(cost)
    return rows, cols


_Assign = Callable[[NDArray[np.float64]], tuple[NDArray[np.intp], NDArray[np.intp]]]


@functools.cache
def _linear_sum_assignment() -> _Assign:
    """Return SciPy's ``linear_sum_assignment``, from its compiled module alone if it can.

    ``import scipy.optimize`` loads every optimiser SciPy has: 0.4 s CPU, more than all
    the rest of a rematch of 100 freed adepts (issue 32). The function is the compiled
    module ``scipy/optimize/_lsap``, which needs only NumPy; it is loaded from its file
    when that is there, and through ``scipy.optimize`` otherwise (the same function: the
    package takes it from that module). The file is looked for where SciPy's package
    is, without importing the package (its ``__init__`` costs about 10 ms more).
    """
    package = importlib.util.find_spec("scipy")
    places = list(package.submodule_search_locations or []) if package is not None else []
    for suffix in importlib.machinery.EXTENSION_SUFFIXES if places else ():
        path = Path(places[0]) / "optimize" / f"_lsap{suffix}"
        if not path.is_file():
            continue
        try:
            spec = importlib.util.spec_from_file_location("scipy.optimize._lsap", path)
            if spec is None or spec.loader is None:
                break
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            found: _Assign = module.linear_sum_assignment
            return found
        except (ImportError, AttributeError, OSError):
            break
    from scipy.optimize import linear_sum_assignment  # noqa: TID251 - the one module allowed

    public: _Assign = linear_sum_assignment
    return public


def _per_block(n_adepts: int) -> int:
    """Return how many mentors make a block of about _BLOCK_ENTRIES cost values."""
    return max(1, _BLOCK_ENTRIES // max(1, n_adepts))


def _score_range(scores: NDArray[np.int64], problem: _Problem) -> tuple[int, int]:
    """Return the highest and lowest score over the allowed pairs of the problem."""
    best, worst = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    adept_rows = _index(problem.adepts)
    per_block = _per_block(problem.adepts.size)
    for start in range(0, problem.mentors.size, per_block):
        stop = min(start + per_block, problem.mentors.size)
        mentor_cols = _index(problem.mentors[start:stop])
        block = _take(scores, adept_rows, mentor_cols).T
        mask = problem.allowed[start:stop]
        best = max(best, int(np.max(block, where=mask, initial=best)))
        worst = min(worst, int(np.min(block, where=mask, initial=worst)))
    return best, worst
