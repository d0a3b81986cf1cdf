"""Properties of stability (blocking pairs, stable suggestions, first wishes) against brute force.

Small random markets (up to 5 adepts, 3 mentors with 1-2 places, forbidden pairs, fixed
pairs, a load penalty); brute force lists every assignment that keeps the hard rules and
checks each claim by its definition, written here again without numpy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chefintro.matching.solver import solve
from chefintro.matching.stability import (
    Market,
    blocking_pairs,
    grant_first_wishes,
    objective,
    stabilise,
    stable_choice,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Case:
    scores: np.ndarray
    allowed: np.ndarray
    capacity: np.ndarray
    fixed: list[tuple[int, int]]
    penalty: int
    budget_share: float
    #: How mentors rank adepts, when not by the score.
    mentor_pref: np.ndarray | None = None

    @property
    def wants(self) -> np.ndarray:
        return self.scores if self.mentor_pref is None else self.mentor_pref

    @property
    def market(self) -> Market:
        return Market(
            adept_pref=self.scores,
            mentor_pref=self.wants,
            allowed=self.allowed,
            capacity=self.capacity,
            fixed=frozenset(a for a, _ in self.fixed),
        )


@st.composite
def cases(draw: st.DrawFn, *, distinct: bool = False, two_sided: bool = False) -> Case:
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 3))
    if distinct:  # no two pairs score the same: exactly one stable assignment
        values = draw(st.permutations(range(1, n * m + 1)))
        scores = np.array(values, dtype=np.int64).reshape(n, m) * draw(st.integers(1, 9))
    else:
        flat = draw(st.lists(st.integers(0, 12), min_size=n * m, max_size=n * m))
        scores = np.array(flat, dtype=np.int64).reshape(n, m)
    allowed = np.array(
        draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m)), dtype=np.bool_
    ).reshape(n, m)
    capacity = np.array(draw(st.lists(st.integers(1, 2), min_size=m, max_size=m)), np.int64)
    fixed: list[tuple[int, int]] = []
    used = np.zeros(m, dtype=np.int64)
    for a in draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True)):
        options = [j for j in range(m) if allowed[a, j] and used[j] < capacity[j]]
        if options:
            j = draw(st.sampled_from(options))
            fixed.append((a, j))
            used[j] += 1
    penalty = draw(st.sampled_from([0, 0, 3, 15]))
    share = draw(st.sampled_from([0.0, 0.01, 0.2, 1.0, 10.0]))
    mentor_pref = None
    if two_sided:  # mentors rank adepts their own way, strictly
        order = draw(st.permutations(range(n * m)))
        mentor_pref = np.array(order, dtype=np.int64).reshape(n, m)
    return Case(scores, allowed, capacity, fixed, penalty, share, mentor_pref)


def every_assignment(case: Case) -> Iterator[dict[int, int]]:
    """Every assignment keeping the hard rules, capacities and fixed pairs."""
    n, m = case.scores.shape
    fixed = dict(case.fixed)
    choices = [
        [fixed[a]] if a in fixed else [-1, *(j for j in range(m) if case.allowed[a, j])]
        for a in range(n)
    ]
    for combo in itertools.product(*choices):
        loads = [sum(1 for x in combo if x == j) for j in range(m)]
        if all(loads[j] <= case.capacity[j] for j in range(m)):
            yield {a: j for a, j in enumerate(combo) if j >= 0}


def blocking_by_definition(case: Case, assignment: dict[int, int]) -> set[tuple[int, int]]:
    n, m = case.scores.shape
    fixed = {a for a, _ in case.fixed}
    s, w = case.scores, case.wants
    found = set()
    for a in range(n):
        for j in range(m):
            if a in fixed or not case.allowed[a, j] or assignment.get(a) == j:
                continue
            if a in assignment and not s[a, j] > s[a, assignment[a]]:
                continue
            mentees = [b for b, k in assignment.items() if k == j]
            room = len(mentees) < case.capacity[j]
            if room or any(b not in fixed and w[a, j] > w[b, j] for b in mentees):
                found.add((a, j))
    return found


def keeps_the_hard_rules(case: Case, assignment: dict[int, int]) -> bool:
    loads = np.bincount(list(assignment.values()), minlength=case.capacity.size)
    return (
        all(case.allowed[a, j] for a, j in assignment.items())
        and bool((loads <= case.capacity).all())
        and all(assignment.get(a) == j for a, j in case.fixed)
    )


def _optimum(case: Case) -> dict[int, int]:
    return solve(case.scores, case.allowed, case.capacity, case.fixed, case.penalty)


@SETTINGS
@given(cases())
def test_blocking_pairs_are_those_of_the_definition(case: Case) -> None:
    for assignment in itertools.islice(every_assignment(case), 40):
        assert set(blocking_pairs(case.market, assignment)) == blocking_by_definition(
            case, assignment
        )


@SETTINGS
@given(cases())
def test_optimum_is_optimal_and_keeps_the_hard_rules(case: Case) -> None:
    optimum = _optimum(case)
    assert keeps_the_hard_rules(case, optimum)
    every = list(every_assignment(case))
    most = max(len(x) for x in every)
    best = max(objective(case.scores, x, case.penalty) for x in every if len(x) == most)
    assert len(optimum) == most
    assert objective(case.scores, optimum, case.penalty) == best


@SETTINGS
@given(cases())
def test_deferred_acceptance_and_repair_end_stable_within_the_hard_rules(case: Case) -> None:
    fixed = dict(case.fixed)
    starts = [fixed, _optimum(case), *itertools.islice(every_assignment(case), 0, None, 7)]
    for start in starts:
        result = stabilise(case.market, start)
        assert result is not None
        assert keeps_the_hard_rules(case, result)
        assert blocking_by_definition(case, result) == set()


@SETTINGS
@given(cases())
def test_stable_choice_is_stable_within_the_budget_or_the_optimum(case: Case) -> None:
    optimum = _optimum(case)
    value = objective(case.scores, optimum, case.penalty)
    budget = int(case.budget_share * max(0, value))
    choice = stable_choice(
        case.scores, case.market, optimum, load_penalty=case.penalty, budget=budget
    )
    assert keeps_the_hard_rules(case, choice.assignment)
    assert choice.blocking == len(blocking_by_definition(case, choice.assignment))
    assert choice.blocking_in_optimum == len(blocking_by_definition(case, optimum))
    assert choice.value == objective(case.scores, choice.assignment, case.penalty)
    assert choice.cost <= budget
    assert len(choice.assignment) == len(optimum)
    if choice.blocking:
        assert choice.assignment == optimum


@SETTINGS
@given(cases(distinct=True))
def test_a_stable_assignment_within_the_budget_is_found_whenever_one_exists(case: Case) -> None:
    optimum = _optimum(case)
    value = objective(case.scores, optimum, case.penalty)
    budget = int(case.budget_share * max(0, value))
    exists = any(
        len(x) == len(optimum)
        and value - objective(case.scores, x, case.penalty) <= budget
        and not blocking_by_definition(case, x)
        for x in every_assignment(case)
    )
    choice = stable_choice(
        case.scores, case.market, optimum, load_penalty=case.penalty, budget=budget
    )
    assert (choice.blocking == 0) == exists


@SETTINGS
@given(cases(distinct=True, two_sided=True))
def test_two_sided_wishes_give_a_stable_assignment_whenever_one_places_as_many(
    case: Case,
) -> None:
    optimum = _optimum(case)
    exists = any(
        len(x) == len(optimum) and not blocking_by_definition(case, x)
        for x in every_assignment(case)
    )
    for max_moves in (None, 0):  # 0: no move allowed, deferred acceptance instead
        choice = stable_choice(
            case.scores,
            case.market,
            optimum,
            load_penalty=case.penalty,
            budget=10**9,
            max_moves=max_moves,
        )
        assert (choice.blocking == 0) == exists
        assert choice.blocking == len(blocking_by_definition(case, choice.assignment))
    for start in itertools.islice(every_assignment(case), 0, None, 5):
        result = stabilise(case.market, start, max_moves=200)
        assert result is None or not blocking_by_definition(case, result)


def test_first_wishes_granted_as_far_as_the_budget_goes() -> None:
    # Granting Åsa's wish (mentor 1) costs 1 point, Björn's (mentor 3) 5: a budget of 2
    # grants Åsa's alone; granting both is too dear.
    scores = np.array([[10, 9, 0, 0], [0, 0, 10, 5]], dtype=np.int64)
    allowed = np.ones(scores.shape, dtype=np.bool_)
    capacity = np.ones(4, dtype=np.int64)
    first = np.array([1, 3])
    result = grant_first_wishes(
        scores, allowed, capacity, first, fixed=[], load_penalty=0, budget=2
    )
    assert result == {0: 1, 1: 2}
    every = grant_first_wishes(scores, allowed, capacity, first, fixed=[], load_penalty=0, budget=6)
    assert every == {0: 1, 1: 3}


@SETTINGS
@given(cases(), st.data())
def test_first_wishes_granted_within_the_budget(case: Case, data: st.DataObject) -> None:
    n, m = case.scores.shape
    first = np.array(data.draw(st.lists(st.integers(-1, m - 1), min_size=n, max_size=n)))
    optimum = _optimum(case)
    value = objective(case.scores, optimum, case.penalty)
    budget = int(case.budget_share * max(0, value))
    result = grant_first_wishes(
        case.scores,
        case.allowed,
        case.capacity,
        first,
        fixed=case.fixed,
        load_penalty=case.penalty,
        budget=budget,
    )

    def granted(x: dict[int, int]) -> int:
        return sum(1 for a, j in x.items() if first[a] == j)

    assert keeps_the_hard_rules(case, result)
    assert len(result) == len(optimum)
    assert objective(case.scores, result, case.penalty) >= value - budget
    assert granted(result) >= granted(optimum)
    if case.budget_share >= 10:  # every solution placing as many is near enough
        most = max(granted(x) for x in every_assignment(case) if len(x) == len(optimum))
        if all(
            value - objective(case.scores, x, case.penalty) <= budget
            for x in every_assignment(case)
            if len(x) == len(optimum)
        ):
            assert granted(result) == most
