"""Rematching: placing the adepts without a live pair with the mentors' remaining places."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.enums import PairingState
from chefintro.errors import UsageError
from chefintro.ids import id_of
from chefintro.models import Cohort, Pairing
from chefintro.registry import listed_json
from chefintro.text import swedish_key
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.pairing.problem import MatchingProblem


@dataclass(frozen=True)
class Unplaced:
    email: str
    name: str
    agency: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {**listed_json(self), "reason": self.reason}


@dataclass
class RematchResult:
    """The pairs a rematch proposes (or, applied, made active) and who is left, with why."""

    cohort: str
    applied: bool
    pairs: list[Any] = field(default_factory=list)  # PairInfo
    unplaced: list[Unplaced] = field(default_factory=list)
    free_adepts: int = 0
    free_places: int = 0
    #: Stored as proposals for the mentors' consent (``--propose``), not made active.
    proposed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "applied": self.applied,
            "proposed": self.proposed,
            "free_adepts": self.free_adepts,
            "free_places": self.free_places,
            "pairs": [p.to_json() for p in self.pairs],
            "unplaced": [u.to_json() for u in self.unplaced],
        }


def rematch(
    *,
    db: Session,
    cohort: Cohort,
    apply: bool,
    propose: bool,
    today: date | None = None,
) -> RematchResult:
    """Place the active adepts without a live pair; every live pair stays as it is.

    The problem holds only those adepts and the mentors with places left (with the mentees
    they already have, for the load penalty), so its cost follows the free people, not the
    cohort. The same hard rules and scores as ``pair suggest`` apply, and pairs that ended
    this year are not made again. Without ``apply`` nothing is stored; with it the pairs
    are made active, starting today; with ``propose`` they are stored as proposals, to be
    sent to their mentors for consent (``pair propose``).
    """
    if apply and propose:
        raise UsageError("Give --apply or --propose, not both.")
    from chefintro.matching.solver import solve
    from chefintro.pairing.problem import load_problem
    from chefintro.pairing.suggest import start_date

    require_open(cohort)
    problem = load_problem(db=db, cohort=cohort, free_only=True)
    adepts, mentors = problem.adepts, problem.mentors
    held = mentors.held if mentors.held is not None else mentors.capacity * 0
    result = RematchResult(
        cohort=cohort.name,
        applied=apply,
        proposed=propose,
        free_adepts=len(adepts.emails),
        free_places=int((mentors.capacity - held).sum()),
    )
    allowed = problem.allowed
    assignment = solve(
        problem.scores,
        allowed,
        mentors.capacity,
        load_penalty=problem.weights.get("extra_mentee_cost", 0),
        held=held,
    )
    started = start_date(cohort, today)
    _place(db, cohort, problem, assignment, result, store=apply or propose, started=started)
    if apply or propose:
        db.flush()
    for a in range(len(adepts.emails)):
        if a in assignment:
            continue
        reason = _unplaced_reason(problem, a)
        result.unplaced.append(
            Unplaced(adepts.emails[a], adepts.names[a], adepts.agency_codes[a], reason)
        )
    result.pairs.sort(key=lambda p: (swedish_key(p.adept_name), p.adept.casefold()))
    return result


def _place(
    db: Session,
    cohort: Cohort,
    problem: MatchingProblem,
    assignment: dict[int, int],
    result: RematchResult,
    *,
    store: bool,
    started: date,
) -> None:
    """Add the solver's pairs to ``result``; with ``store``, store them: active from
    ``started`` when the result is applied, else as proposals.

    Without ``store`` they are only shown, and nothing is stored.
    """
    from chefintro.models import utcnow
    from chefintro.pairing.suggest import PairInfo

    adepts, mentors = problem.adepts, problem.mentors
    apply = result.applied
    state = PairingState.ACTIVE if apply else PairingState.PROPOSED
    if store:
        mark_change(db, kind=Kind.REPLACING, what=f"{plural(len(assignment), 'adept')} re-paired")
    for a, m in assignment.items():
        breakdown = problem.breakdown(a, m)
        result.pairs.append(
            PairInfo(
                adept=adepts.emails[a],
                adept_name=adepts.names[a],
                adept_agency=adepts.agency_codes[a],
                mentor=mentors.emails[m],
                mentor_name=mentors.names[m],
                mentor_agency=mentors.agency_codes[m],
                state=str(state),
                locked=False,
                manual=False,
                score=int(problem.scores[a, m]),
                breakdown=breakdown,
                since=started if apply else None,
            )
        )
        if store:
            db.add(
                Pairing(
                    cohort_id=id_of(cohort),
                    adept_id=adepts.participant_ids[a],
                    mentor_id=mentors.participant_ids[m],
                    state=state,
                    score=int(problem.scores[a, m]),
                    reasons={"breakdown": breakdown},
                    created_at=utcnow(),
                    started_on=started if apply else None,
                )
            )


def _unplaced_reason(problem: MatchingProblem, a: int) -> str:
    """Why the solver left adept ``a`` without a mentor, counted by the rule that bars them."""
    from chefintro.pairing.problem import RULE_EARLIER, RULE_EXCLUDED, RULE_SAME_AGENCY

    mentors = problem.mentors
    allowed = problem.allowed
    if not len(mentors.emails):
        return "no mentor has a free place; raise a capacity or add a mentor"
    elif not allowed[a].any():
        counts = {
            RULE_SAME_AGENCY: int(problem.same_agency[a].sum()),
            RULE_EXCLUDED: int((problem.excluded[a] & ~problem.same_agency[a]).sum()),
            RULE_EARLIER: int((problem.earlier[a] & ~problem.same_agency[a]).sum()),
        }
        detail = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
        return f"every mentor with a free place is forbidden ({detail})"
    else:
        return "the mentors this adept may have are placed with other free adepts"
