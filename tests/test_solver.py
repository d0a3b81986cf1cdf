"""Properties of the assignment solver, checked against brute force and independent methods."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.optimize import linprog

from chefintro.matching import solver
from chefintro.matching.solver import TIE_BREAK_BITS, max_cardinality, solve, tie_break_key

Pairs = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Cohort:
    """Solver input; agencies are ints and a pair is allowed across agencies unless excluded."""

    scores: NDArray[np.int64]
    allowed: NDArray[np.bool_]
    capacity: NDArray[np.int64]
    fixed: Pairs
    load_penalty: int

    def run(self) -> dict[int, int]:
        return solve(self.scores, self.allowed, self.capacity, self.fixed, self.load_penalty)


@st.composite
def cohorts(
    draw: st.DrawFn,
    *,
    max_adepts: int = 5,
    max_mentors: int = 4,
    distinct_scores: bool = False,
    max_score: int = 60,
) -> Cohort:
    n_adepts = draw(st.integers(1, max_adepts))
    n_mentors = draw(st.integers(1, max_mentors))
    n_agencies = draw(st.integers(2, 4))
    adept_agency = np.array(draw(agencies(n_adepts, n_agencies)), dtype=np.int64)
    # Shifted so that the simplest draw (all zeros) allows every pair.
    mentor_agency = (np.array(draw(agencies(n_mentors, n_agencies))) + 1) % n_agencies
    cells = n_adepts * n_mentors
    # Exclusion rates from none to many, so that some cohorts can place only a few adepts.
    one_in = draw(st.sampled_from([0, 6, 2]))
    marks = draw(st.lists(st.integers(0, max(0, one_in - 1)), min_size=cells, max_size=cells))
    excluded = (np.array(marks, dtype=np.int64) == 0).reshape(n_adepts, n_mentors) & (one_in > 0)
    allowed = (adept_agency[:, None] != mentor_agency[None, :]) & ~excluded
    if distinct_scores:
        # Distinct powers of two: two different sets of pairs never have the same total.
        exponents = draw(st.permutations(range(cells))) if cells else []
        scores = (np.int64(1) << np.array(exponents, dtype=np.int64)).reshape(n_adepts, n_mentors)
    else:
        values = draw(st.lists(st.integers(0, max_score), min_size=cells, max_size=cells))
        scores = np.array(values, dtype=np.int64).reshape(n_adepts, n_mentors)
    capacity = np.array(
        draw(st.lists(st.sampled_from([1, 2, 0, 3]), min_size=n_mentors, max_size=n_mentors)),
        dtype=np.int64,
    )
    fixed: list[tuple[int, int]] = []
    room = capacity.copy()
    for adept in range(n_adepts):
        options = [int(m) for m in np.flatnonzero(allowed[adept] & (room > 0))]
        if options and draw(st.integers(0, 4)) == 0:
            mentor = draw(st.sampled_from(options))
            fixed.append((adept, mentor))
            room[mentor] -= 1
    load_penalty = draw(st.sampled_from([0, 0, 1, 7, 25]))
    return Cohort(scores, allowed, capacity, tuple(fixed), load_penalty)


def agencies(size: int, n_agencies: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(0, n_agencies - 1), min_size=size, max_size=size)


def tie_value(pairs: dict[int, int]) -> int:
    if not pairs:
        return 0
    keys = tie_break_key(np.array(list(pairs)), np.array(list(pairs.values())))
    return int((keys >> np.uint64(64 - TIE_BREAK_BITS)).sum())


def value(cohort: Cohort, pairs: dict[int, int]) -> int:
    """Total score minus the load penalty (k-th extra mentee of a mentor costs k units)."""
    total = sum(int(cohort.scores[a, m]) for a, m in pairs.items())
    loads = np.bincount(list(pairs.values()), minlength=cohort.capacity.size)
    return total - cohort.load_penalty * int((loads * (loads - 1) // 2).sum())


def all_assignments(cohort: Cohort) -> Iterator[dict[int, int]]:
    """Every feasible assignment that keeps the fixed pairs (brute force, tiny cohorts)."""
    n_adepts, n_mentors = cohort.allowed.shape
    fixed = dict(cohort.fixed)
    free = [a for a in range(n_adepts) if a not in fixed]
    options = [[None, *map(int, np.flatnonzero(cohort.allowed[a]))] for a in free]
    for choice in itertools.product(*options):
        pairs = dict(fixed)
        pairs.update({a: m for a, m in zip(free, choice, strict=True) if m is not None})
        loads = np.bincount(list(pairs.values()), minlength=n_mentors)
        if np.all(loads <= cohort.capacity):
            yield pairs


def objective(cohort: Cohort, pairs: dict[int, int]) -> tuple[int, int, int]:
    """What solve maximises, lexicographically: count, value, then the smallest tie sum."""
    return len(pairs), value(cohort, pairs), -tie_value(pairs)


def check_feasible(cohort: Cohort, pairs: dict[int, int]) -> None:
    assert all(cohort.allowed[a, m] for a, m in pairs.items())
    loads = np.bincount(list(pairs.values()), minlength=cohort.capacity.size)
    assert np.all(loads <= cohort.capacity)
    assert all(pairs.get(a) == m for a, m in cohort.fixed)
    assert list(pairs) == sorted(pairs)


def kuhn_max_matching(allowed: NDArray[np.bool_], capacity: NDArray[np.int64], fixed: Pairs) -> int:
    """Simple augmenting-path count on the slot-expanded graph, independent of scipy."""
    used = np.bincount([m for _, m in fixed], minlength=capacity.size)
    fixed_adepts = {a for a, _ in fixed}
    slots = [m for m in range(capacity.size) for _ in range(int(capacity[m] - used[m]))]
    slot_of: dict[int, int] = {}  # slot -> adept

    def augment(adept: int, seen: set[int]) -> bool:
        for slot, mentor in enumerate(slots):
            if allowed[adept, mentor] and slot not in seen:
                seen.add(slot)
                if slot not in slot_of or augment(slot_of[slot], seen):
                    slot_of[slot] = adept
                    return True
        return False

    free = [a for a in range(allowed.shape[0]) if a not in fixed_adepts]
    return len(fixed) + sum(augment(a, set()) for a in free)


def lp_best_value(cohort: Cohort, count: int) -> int:
    """Best value among maximum placements, by linear programming (integral: bipartite)."""
    fixed_adepts = {a for a, _ in cohort.fixed}
    used = np.bincount([m for _, m in cohort.fixed], minlength=cohort.capacity.size)
    base = sum(int(cohort.scores[a, m]) for a, m in cohort.fixed)
    base -= cohort.load_penalty * int((used * (used - 1) // 2).sum())
    slots = [
        (m, level)
        for m in range(cohort.capacity.size)
        for level in range(int(used[m]), int(cohort.capacity[m]))
    ]
    edges = [
        (a, s, int(cohort.scores[a, m]) - cohort.load_penalty * level)
        for a in range(cohort.allowed.shape[0])
        if a not in fixed_adepts
        for s, (m, level) in enumerate(slots)
        if cohort.allowed[a, m]
    ]
    if not edges:
        return base
    values = np.array([v for _, _, v in edges])
    # A weight per placed pair larger than any possible value difference: count comes first.
    weight = (len(slots) + 1) * int(values.max() - values.min() + 1)
    rows = [
        *(("a", a) for a in sorted({a for a, _, _ in edges})),
        *(("s", s) for s in range(len(slots))),
    ]
    index = {row: i for i, row in enumerate(rows)}
    a_ub = np.zeros((len(rows), len(edges)))
    for e, (a, s, _) in enumerate(edges):
        a_ub[index["a", a], e] = 1
        a_ub[index["s", s], e] = 1
    shifted = weight + values - values.min()
    result = linprog(-shifted, A_ub=a_ub, b_ub=np.ones(len(rows)), bounds=(0, 1), method="highs")
    assert result.status == 0
    total = round(float(-result.fun))
    free_count = count - len(cohort.fixed)
    assert total // weight == free_count  # the LP places as many as solve
    return base + total - free_count * (weight - int(values.min()))


# --- brute force on tiny cohorts -------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_optimal_against_brute_force(cohort: Cohort) -> None:
    pairs = cohort.run()
    check_feasible(cohort, pairs)
    best = max(objective(cohort, p) for p in all_assignments(cohort))
    assert objective(cohort, pairs) == best


@settings(max_examples=60, deadline=None)
@given(cohorts(distinct_scores=True))
def test_order_of_input_does_not_matter_without_ties(cohort: Cohort) -> None:
    optima: dict[tuple[int, int], list[dict[int, int]]] = {}
    for p in all_assignments(cohort):
        optima.setdefault((len(p), value(cohort, p)), []).append(p)
    assume(len(optima[max(optima)]) == 1)
    expected = cohort.run()

    n_adepts, n_mentors = cohort.allowed.shape
    rng = np.random.default_rng(n_adepts * 10 + n_mentors)
    adept_order, mentor_order = rng.permutation(n_adepts), rng.permutation(n_mentors)
    new_adept = np.argsort(adept_order)
    new_mentor = np.argsort(mentor_order)
    shuffled = Cohort(
        scores=cohort.scores[np.ix_(adept_order, mentor_order)],
        allowed=cohort.allowed[np.ix_(adept_order, mentor_order)],
        capacity=cohort.capacity[mentor_order],
        fixed=tuple((int(new_adept[a]), int(new_mentor[m])) for a, m in cohort.fixed),
        load_penalty=cohort.load_penalty,
    )
    answer = shuffled.run()
    back = {int(adept_order[a]): int(mentor_order[m]) for a, m in answer.items()}
    assert back == expected


# --- larger cohorts: independent counts and values --------------------------------------


@settings(max_examples=60, deadline=None)
@given(cohorts(max_adepts=14, max_mentors=9, max_score=300))
def test_placed_count_and_value_match_independent_methods(cohort: Cohort) -> None:
    pairs = cohort.run()
    check_feasible(cohort, pairs)
    count = max_cardinality(cohort.allowed, cohort.capacity, fixed=cohort.fixed)
    assert len(pairs) == count
    assert count == kuhn_max_matching(cohort.allowed, cohort.capacity, cohort.fixed)
    assert value(cohort, pairs) == lp_best_value(cohort, count)


@settings(max_examples=50, deadline=None)
@given(cohorts(max_adepts=12, max_mentors=8))
def test_same_input_gives_same_output(cohort: Cohort) -> None:
    first = cohort.run()
    again = solve(
        cohort.scores.copy(),
        cohort.allowed.copy(),
        cohort.capacity.copy(),
        list(cohort.fixed),
        cohort.load_penalty,
    )
    assert first == again


@pytest.mark.parametrize("seed", range(3))
def test_medium_random_cohort_matches_linear_programming(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_adepts, n_mentors = 60, 30
    agencies = 3 if seed else 1  # seed 0: one agency with few exclusions is tight
    allowed = rng.integers(0, agencies, (n_adepts, 1)) != rng.integers(0, agencies, (1, n_mentors))
    if agencies == 1:
        allowed = rng.random((n_adepts, n_mentors)) < 0.05
    cohort = Cohort(
        scores=rng.integers(0, 200, (n_adepts, n_mentors)),
        allowed=allowed,
        capacity=rng.integers(0, 3, n_mentors),
        fixed=(),
        load_penalty=15,
    )
    pairs = cohort.run()
    check_feasible(cohort, pairs)
    count = kuhn_max_matching(cohort.allowed, cohort.capacity, ())
    assert len(pairs) == count == max_cardinality(cohort.allowed, cohort.capacity)
    assert value(cohort, pairs) == lp_best_value(cohort, count)


def test_block_and_tile_sizes_do_not_change_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    n_adepts, n_mentors = 60, 30
    allowed = rng.random((n_adepts, n_mentors)) < 0.3
    allowed[5] = False  # an adept nobody can take, so that index sets have gaps
    fixed = tuple((a, int(np.flatnonzero(allowed[a])[0])) for a in (0, 9, 31) if allowed[a].any())
    cohort = Cohort(
        scores=rng.integers(0, 100, (n_adepts, n_mentors)),
        allowed=allowed,
        capacity=rng.integers(1, 4, n_mentors),
        fixed=fixed,
        load_penalty=4,
    )
    expected = cohort.run()
    monkeypatch.setattr(solver, "_TILE", 7)
    monkeypatch.setattr(solver, "_BLOCK_ENTRIES", 50)
    assert cohort.run() == expected
    assert value(cohort, expected) == lp_best_value(cohort, len(expected))


# --- particular shapes ------------------------------------------------------------------


def cohort_of(
    allowed: Sequence[Sequence[bool]],
    capacity: Sequence[int],
    scores: Sequence[Sequence[int]] | None = None,
    fixed: Pairs = (),
    load_penalty: int = 0,
) -> Cohort:
    allowed_arr = np.array(allowed, dtype=np.bool_).reshape(len(allowed), len(capacity))
    scores_arr = (
        np.zeros(allowed_arr.shape, dtype=np.int64)
        if scores is None
        else np.array(scores, dtype=np.int64).reshape(allowed_arr.shape)
    )
    return Cohort(scores_arr, allowed_arr, np.array(capacity, dtype=np.int64), fixed, load_penalty)


def test_greedy_dead_end_still_places_everyone() -> None:
    # A greedy pass gives adept 0 to mentor 0 and then has nothing for mentor 1.
    cohort = cohort_of([[True, True], [True, False]], [1, 1])
    assert cohort.run() == {0: 1, 1: 0}


def test_few_placeable_splits_the_problem() -> None:
    # Both mentors only accept adept 0 or 1, adept 2 fits mentor 2 only; 3 of 4 slots fill.
    cohort = cohort_of(
        [[True, True, False], [True, True, False], [False, False, True], [False, False, True]],
        [2, 1, 1],
        scores=[[5, 9, 0], [6, 1, 0], [0, 0, 4], [0, 0, 8]],
        load_penalty=2,
    )
    pairs = cohort.run()
    assert pairs == {0: 1, 1: 0, 3: 2}
    best = max(objective(cohort, p) for p in all_assignments(cohort))
    assert objective(cohort, pairs) == best


def test_load_penalty_spreads_mentees() -> None:
    cohort = cohort_of([[True, True]] * 2, [2, 2], scores=[[10, 8], [10, 8]])
    assert sorted(cohort.run().values()) == [0, 0]
    spread = Cohort(cohort.scores, cohort.allowed, cohort.capacity, (), load_penalty=3)
    assert sorted(spread.run().values()) == [0, 1]


def test_fixed_pairs_use_capacity_and_count_for_load() -> None:
    cohort = cohort_of([[True, True]] * 2, [2, 2], scores=[[0, 0], [9, 5]], fixed=((0, 0),))
    assert cohort.run() == {0: 0, 1: 0}
    # Mentor 0 already has the fixed mentee, so a second one costs the penalty (5 > 9 - 5).
    spread = Cohort(cohort.scores, cohort.allowed, cohort.capacity, ((0, 0),), load_penalty=5)
    assert spread.run() == {0: 0, 1: 1}
    full = cohort_of([[True, True]] * 2, [1, 2], scores=[[0, 0], [9, 5]], fixed=((0, 0),))
    assert full.run() == {0: 0, 1: 1}


def test_everybody_fixed_or_nothing_to_do() -> None:
    assert cohort_of([[True]], [1], fixed=((0, 0),)).run() == {0: 0}
    assert cohort_of([[True]], [0]).run() == {}
    assert cohort_of([[False, False]], [1, 1]).run() == {}
    empty = np.zeros((0, 0), dtype=np.int64)
    assert solve(empty, empty.astype(np.bool_), np.zeros(0, dtype=np.int64)) == {}
    assert max_cardinality(np.zeros((3, 0), dtype=np.bool_), np.zeros(0, dtype=np.int64)) == 0


def test_huge_capacity_costs_no_more_than_the_adepts_who_can_use_it() -> None:
    scores = np.arange(40, dtype=np.int64).reshape(20, 2)
    allowed = np.ones((20, 2), dtype=np.bool_)
    pairs = solve(scores, allowed, np.array([10**12, 1]), load_penalty=1)
    assert len(pairs) == 20
    assert list(pairs.values()).count(1) == 1


def test_scores_of_forbidden_pairs_are_ignored() -> None:
    huge = 2**62
    cohort = cohort_of([[True, False], [False, True]], [1, 1], scores=[[1, huge], [-huge, 2]])
    assert cohort.run() == {0: 0, 1: 1}


def test_wide_scores_stay_exact_and_too_wide_scores_are_refused() -> None:
    wide = cohort_of([[True, True], [True, True]], [1, 1], scores=[[2**40, 0], [2**40 + 3, 2]])
    assert wide.run() == {0: 1, 1: 0}
    too_wide = cohort_of([[True, True]], [1, 1], scores=[[2**60, 0]])
    with pytest.raises(ValueError, match="too wide"):
        too_wide.run()


def test_tie_break_key_is_pinned() -> None:
    # Pinned values: changing the hash would silently change which tie wins in every cohort.
    keys = tie_break_key(np.array([0, 1, 2]), np.array([0, 0, 5]))
    assert keys.dtype == np.uint64
    assert tie_break_key(np.arange(3)[:, None], np.arange(4)[None, :]).shape == (3, 4)
    assert len(set(tie_break_key(np.arange(50)[:, None], np.arange(50)[None, :]).ravel())) == 2500
    assert keys.tolist() == [7094983049859577185, 10848261324155690863, 9246451493012363607]


def test_exact_ties_follow_the_tie_break_key() -> None:
    cohort = cohort_of([[True] * 3] * 3, [1, 1, 1])
    pairs = cohort.run()
    best = min(all_assignments(cohort), key=lambda p: (-len(p), tie_value(p)))
    assert pairs == best


# --- validation ---------------------------------------------------------------------------


def ok_inputs() -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.int64]]:
    return (
        np.zeros((2, 2), dtype=np.int64),
        np.ones((2, 2), dtype=np.bool_),
        np.ones(2, dtype=np.int64),
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scores": np.zeros((2, 3), dtype=np.int64)}, "shape"),
        ({"scores": np.zeros((2, 2))}, "integers"),
        ({"allowed": np.ones(4, dtype=np.bool_)}, "2-dimensional"),
        ({"allowed": np.ones((2, 2), dtype=np.int64)}, "boolean"),
        ({"capacity": np.ones(3, dtype=np.int64)}, "capacity must have shape"),
        ({"capacity": np.array([1, -1])}, ">= 0"),
        ({"capacity": np.array([1.0, 1.0])}, "integers"),
        ({"fixed": [(0, 2)]}, "out of range"),
        ({"fixed": [(0, 0), (0, 1)]}, "more than one fixed pair"),
        ({"fixed": [(0, 0), (1, 0)]}, "capacity of 1"),
        ({"load_penalty": -1}, ">= 0"),
        ({"load_penalty": 1.5}, "integer"),
    ],
)
def test_bad_input_is_refused(change: dict[str, object], message: str) -> None:
    scores, allowed, capacity = ok_inputs()
    arguments: dict[str, object] = {
        "scores": scores,
        "allowed": allowed,
        "capacity": capacity,
        "fixed": (),
        "load_penalty": 0,
        **change,
    }
    with pytest.raises(ValueError, match=message):
        solve(**arguments)  # type: ignore[arg-type]


def test_fixed_pair_forbidden_by_a_rule_is_refused() -> None:
    scores, allowed, capacity = ok_inputs()
    allowed[1, 0] = False
    with pytest.raises(ValueError, match=r"\(adept 1, mentor 0\) is forbidden"):
        solve(scores, allowed, capacity, fixed=[(1, 0)])
    with pytest.raises(ValueError, match="forbidden"):
        max_cardinality(allowed, capacity, fixed=[(1, 0)])


def test_the_assignment_is_scipys_without_importing_all_of_scipy_optimize() -> None:
    # Issue 32: a rematch of 100 freed adepts cost more in `import scipy.optimize` (every
    # optimiser) than in everything else; the one compiled module it needs is loaded alone.
    script = (
        "import sys, numpy as np\n"
        "from chefintro.matching import solver\n"
        "cost = np.random.default_rng(7).random((40, 90))\n"
        "cost[cost < 0.1] = np.inf\n"
        "rows, cols = solver._assign(cost)\n"
        "print('scipy.optimize' in sys.modules, 'scipy' in sys.modules)\n"
        "from scipy.optimize import linear_sum_assignment\n"
        "expected = linear_sum_assignment(cost)\n"
        "print(rows.tolist() == expected[0].tolist() and cols.tolist() == expected[1].tolist())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    # Not even SciPy's package: its file is found without importing it.
    assert done.stdout.split() == ["False", "False", "True"]
