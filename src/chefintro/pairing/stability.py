"""Both sides heard: the blocking pairs of a cohort's pairs, and what stability costs.

Who wants whom (the maths is in :mod:`chefintro.matching.stability`):

* an adept ranks mentors by the pair score, which carries the adept's stated wishes (their
  1st-3rd wished mentors and wished field) and the shared facts (field, town, experience);
* a mentor ranks adepts by the whole pair score: their own wishes (the field and towns they
  would like their adept from, the adepts they would like: ``weights.mentor_field``,
  ``mentor_location``, ``mentor_wish``) count in it, and where a mentor states no wish the
  rest of the score stands for theirs.

A blocking pair is an adept and a mentor who would both rather have each other than what
they have (a mentor with a free place takes anyone the hard rules allow). The hard rules
(another agency, no exclusion either way, no repeat, capacity) hold throughout: a pair one
of them forbids never blocks, nor does a mentor whose places are all kept pairs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from chefintro.models import Cohort
from chefintro.pairing.problem import MatchingProblem, load_problem
from chefintro.registry import PairPeople
from chefintro.text import swedish_number, swedish_percent
from chefintro.words import plural

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from chefintro.matching.stability import Market, StableChoice


def market(
    problem: MatchingProblem, allowed: NDArray[np.bool_], fixed: frozenset[int] = frozenset()
) -> Market:
    """Return the cohort's market: the adept ranks by the score less the mentor's wishes'
    points, the mentor by the whole score (see the module)."""
    from chefintro.matching.scoring import mentor_matrix
    from chefintro.matching.stability import Market

    return Market(
        adept_pref=problem.scores - mentor_matrix(**problem.scoring_inputs),
        mentor_pref=problem.scores,
        allowed=allowed,
        capacity=problem.mentors.capacity,
        fixed=fixed,
    )


@dataclass(frozen=True)
class BlockingPair(PairPeople):
    """An adept and a mentor who would both rather have each other, and why."""

    score: int
    #: The adept's side of the score: without the points of the mentor's own wishes.
    adept_score: int
    #: The adept's own mentor now (name) and the adept's side of that pair's score; None
    #: without a mentor.
    current_mentor_name: str | None
    current_score: int | None
    #: The mentee the mentor would let go (name) and that pair's score; None: a free place.
    instead_of_name: str | None
    instead_of_score: int | None
    breakdown: dict[str, int]

    @property
    def adept_why(self) -> str:
        if self.current_mentor_name is None:
            return "has no mentor"
        return f"{self.adept_score} against {self.current_score} with {self.current_mentor_name}"

    @property
    def mentor_why(self) -> str:
        if self.instead_of_name is None:
            return "has a free place"
        return f"{self.score} against {self.instead_of_score} with {self.instead_of_name}"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.people_json(),
            "score": self.score,
            "adept_score": self.adept_score,
            "current_mentor_name": self.current_mentor_name,
            "current_score": self.current_score,
            "instead_of_name": self.instead_of_name,
            "instead_of_score": self.instead_of_score,
            "reasons": self.breakdown,
        }


@dataclass(frozen=True)
class StabilityReport:
    pairs: int
    blocking: list[BlockingPair]

    def to_json(self) -> dict[str, Any]:
        return {"pairs": self.pairs, "blocking": [b.to_json() for b in self.blocking]}


def stability(*, db: Session, cohort: Cohort, allow_repeat: bool = False) -> StabilityReport:
    """Return the blocking pairs of the cohort's live pairs (proposals and active pairs).

    A locked pair or one set by hand does not move: its adept never blocks, and a mentor
    whose places are all such pairs takes nobody else.
    """
    from chefintro.matching.stability import blocking_pairs
    from chefintro.text import swedish_key

    problem = load_problem(db=db, cohort=cohort, allow_repeat=allow_repeat)
    a_index = problem.adepts.index_of_participant()
    m_index = problem.mentors.index_of_participant()
    assignment = {
        a_index[p.adept_id]: m_index[p.mentor_id]
        for p in problem.live
        if p.adept_id in a_index and p.mentor_id in m_index
    }
    # Pairs set by hand or locked are the coordinator's word: they do not move.
    fixed = frozenset(
        a_index[p.adept_id]
        for p in problem.live
        if (p.locked or p.manual) and p.adept_id in a_index and p.mentor_id in m_index
    )
    if not assignment:  # no pairs yet: everyone would block, which says nothing
        return StabilityReport(pairs=0, blocking=[])
    allowed = problem.allowed
    for a, m in assignment.items():
        allowed[a, m] = True  # a live pair was checked when it was made
    mentees: dict[int, list[int]] = {}
    for a, m in assignment.items():
        mentees.setdefault(m, []).append(a)
    sides = market(problem, allowed, fixed)
    found = [
        _blocking_pair(problem, sides, assignment, mentees.get(m, []), a, m)
        for a, m in blocking_pairs(sides, assignment)
    ]
    found.sort(key=lambda b: (swedish_key(b.adept_name), b.adept.casefold(), -b.score))
    return StabilityReport(pairs=len(assignment), blocking=found)


def _blocking_pair(
    problem: MatchingProblem,
    sides: Market,
    assignment: Mapping[int, int],
    mentees: list[int],
    a: int,
    m: int,
) -> BlockingPair:
    """One blocking pair with why; ``mentees``: the mentor's mentees now."""
    adepts, mentors, scores = problem.adepts, problem.mentors, problem.scores
    current = assignment.get(a)
    instead: int | None = None
    if len(mentees) >= int(mentors.capacity[m]):
        movable = [b for b in mentees if b not in sides.fixed]
        instead = min(movable, key=lambda b: (int(scores[b, m]), -b))
    return BlockingPair(
        adept=adepts.emails[a],
        adept_name=adepts.names[a],
        adept_agency=adepts.agency_codes[a],
        mentor=mentors.emails[m],
        mentor_name=mentors.names[m],
        mentor_agency=mentors.agency_codes[m],
        score=int(scores[a, m]),
        adept_score=int(sides.adept_pref[a, m]),
        current_mentor_name=None if current is None else mentors.names[current],
        current_score=None if current is None else int(sides.adept_pref[a, current]),
        instead_of_name=None if instead is None else adepts.names[instead],
        instead_of_score=None if instead is None else int(scores[instead, m]),
        breakdown=problem.breakdown(a, m),
    )


@dataclass(frozen=True)
class StabilityNote:
    """What ``pair suggest --stable`` (or ``--protect-first-wishes``) did, for people to read."""

    choice: StableChoice | None = None
    #: First wishes granted, how many adepts have a first wish the hard rules allow, and
    #: the points granting them cost; None without --protect-first-wishes.
    first_wishes: tuple[int, int, int] | None = None

    def lines(self) -> list[str]:
        result: list[str] = []
        choice = self.choice
        if choice is not None:
            total = swedish_number(choice.optimum_value)
            if choice.blocking_in_optimum == 0:
                result.append("The best pairs have no blocking pair: stability cost nothing.")
            elif choice.blocking == 0:
                result.append(
                    f"Stable: no blocking pair (the best pairs had {choice.blocking_in_optimum})."
                    f" Stability cost {swedish_number(choice.cost)} points of {total} "
                    f"({swedish_percent(choice.cost, choice.optimum_value)}), within the "
                    f"{swedish_number(choice.budget)} allowed (matching.stability_cost)."
                )
            else:
                result.append(_kept_optimum(choice, total))
        if self.first_wishes is not None:
            granted, possible, cost = self.first_wishes
            result.append(
                f"First wishes granted: {granted} of {possible}, for {swedish_number(cost)} "
                "points of the best score"
                + (" (the stability cost above comes on top)." if choice else ".")
            )
        return result

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.choice is not None:
            choice = self.choice
            data.update(
                optimum_score=choice.optimum_value,
                score=choice.value,
                stability_cost=choice.cost,
                allowed_cost=choice.budget,
                blocking_in_optimum=choice.blocking_in_optimum,
                blocking=choice.blocking,
            )
        if self.first_wishes is not None:
            granted, possible, cost = self.first_wishes
            data.update(first_wishes_granted=granted, first_wishes=possible, first_wishes_cost=cost)
        return data


def _kept_optimum(choice: StableChoice, total: str) -> str:
    if choice.stable_value is None:
        why = "every stable set of pairs found leaves adepts without a mentor"
    else:
        cost = choice.optimum_value - choice.stable_value
        why = (
            f"the stable pairs found cost {swedish_number(cost)} points of {total} "
            f"({swedish_percent(cost, choice.optimum_value)}), more than the "
            f"{swedish_number(choice.budget)} allowed (matching.stability_cost)"
        )
    return f"Kept the best pairs with {plural(choice.blocking, 'blocking pair')}: {why}."


__all__ = [
    "BlockingPair",
    "StabilityNote",
    "StabilityReport",
    "market",
    "stability",
]
