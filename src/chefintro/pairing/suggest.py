"""Suggest an optimal set of pairs, apply the suggestion, list a cohort's pairs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.enums import PairingState
from chefintro.errors import RuleError
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.pairing.problem import LIVE, MatchingProblem, load_problem
from chefintro.registry import PairPeople

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from chefintro.pairing.stability import StabilityNote


@dataclass(frozen=True)
class PairInfo(PairPeople):
    state: str
    locked: bool
    manual: bool
    score: int
    breakdown: dict[str, int]
    since: date | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    #: The stored pair's number (written hidden in exported workbooks).
    id: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            **self.people_json(),
            "state": self.state,
            "locked": self.locked,
            "manual": self.manual,
            "score": self.score,
            "reasons": self.breakdown,
            "since": self.since.isoformat() if self.since else None,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "end_reason": self.end_reason,
        }

    def top_reasons(self, limit: int = 3) -> str:
        items = sorted(self.breakdown.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return ", ".join(f"{k.replace('_', ' ')} +{v}" for k, v in items) or "no criteria met"


@dataclass(frozen=True)
class Suggestion:
    """The cohort's live pairs after a suggestion, and what --stable or
    --protect-first-wishes did (None without them)."""

    pairs: list[PairInfo]
    note: StabilityNote | None = None


def suggest(*, db: Session, cohort: Cohort, allow_repeat: bool) -> list[PairInfo]:
    """Replace the cohort's unlocked proposals by the optimal suggestion; return all live pairs.

    Locked, manual and applied (active) pairs are kept and the rest is solved around them.
    """
    return suggest_pairs(
        db=db, cohort=cohort, allow_repeat=allow_repeat, stable=False, protect_first_wishes=False
    ).pairs


def suggest_pairs(
    *,
    db: Session,
    cohort: Cohort,
    allow_repeat: bool,
    stable: bool,
    protect_first_wishes: bool,
) -> Suggestion:
    """Like :func:`suggest`; ``stable``: a set of pairs with no blocking pair where one costs
    at most ``matching.stability_cost`` of the score; ``protect_first_wishes``: the first
    wishes that a set of pairs within that cost can grant are granted (and kept by
    ``stable``)."""
    mark_change(db, kind=Kind.REPLACING, what="pair proposals replaced")
    require_open(cohort)
    problem = load_problem(db=db, cohort=cohort, allow_repeat=allow_repeat)
    a_index = problem.adepts.index_of_participant()
    m_index = problem.mentors.index_of_participant()
    kept: list[tuple[int, int]] = []
    replace_ids: list[int] = []
    for pairing in problem.live:
        keep = pairing.locked or pairing.manual or pairing.state == PairingState.ACTIVE
        if keep and pairing.adept_id in a_index and pairing.mentor_id in m_index:
            kept.append((a_index[pairing.adept_id], m_index[pairing.mentor_id]))
        else:
            replace_ids.append(id_of(pairing))
    allowed = problem.allowed
    for a, m in kept:
        allowed[a, m] = True  # a kept pair was checked when it was made
    try:
        assignment, note = _choose(
            db, problem, allowed, kept, stable=stable, protect=protect_first_wishes
        )
    except ValueError as exc:
        raise RuleError(f"The kept pairs cannot all stay: {exc}") from None
    if replace_ids:
        db.execute(delete(Pairing).where(col(Pairing.id).in_(replace_ids)))
    kept_set = set(kept)
    new_rows: list[dict[str, Any]] = []
    for a, m in assignment.items():
        if (a, m) in kept_set:
            continue
        new_rows.append(
            {
                "cohort_id": cohort.id,
                "adept_id": problem.adepts.participant_ids[a],
                "mentor_id": problem.mentors.participant_ids[m],
                "score": int(problem.scores[a, m]),
                "reasons": {"breakdown": problem.breakdown(a, m)},
            }
        )
    if new_rows:
        # The columns' defaults make each a proposal, unlocked, not manual, stamped now.
        db.execute(insert(Pairing), new_rows)
    db.flush()
    db.expire_all()
    return Suggestion(pairs=list_pairs(db=db, cohort=cohort), note=note)


def _choose(
    db: Session,
    problem: MatchingProblem,
    allowed: NDArray[np.bool_],
    kept: list[tuple[int, int]],
    *,
    stable: bool,
    protect: bool,
) -> tuple[dict[int, int], StabilityNote | None]:
    """Return the pairs to propose (kept ones included) and, with an option, its note."""
    from chefintro import settings
    from chefintro.matching.solver import solve

    penalty = problem.weights.get("extra_mentee_cost", 0)
    capacity = problem.mentors.capacity
    if not (stable or protect):
        return solve(problem.scores, allowed, capacity, fixed=kept, load_penalty=penalty), None
    import numpy as np

    from chefintro.matching.stability import (
        grant_first_wishes,
        objective,
        stable_choice,
    )
    from chefintro.pairing.stability import StabilityNote, market

    share = settings.stability_cost(db=db)
    optimum = solve(problem.scores, allowed, capacity, fixed=kept, load_penalty=penalty)
    budget = int(share * max(0, objective(problem.scores, optimum, penalty)))
    fixed = list(kept)
    first_wishes: tuple[int, int, int] | None = None
    if protect:
        first = problem.first_wishes()
        best = optimum
        optimum = grant_first_wishes(
            problem.scores,
            allowed,
            capacity,
            first,
            fixed=kept,
            load_penalty=penalty,
            budget=budget,
            optimum=optimum,
        )
        # What granting them cost leaves less for stability.
        wish_cost = objective(problem.scores, best, penalty) - objective(
            problem.scores, optimum, penalty
        )
        budget -= wish_cost
        granted = [(a, m) for a, m in optimum.items() if first[a] == m]
        fixed = sorted(set(kept) | set(granted))
        possible = int(np.count_nonzero(allowed[np.flatnonzero(first >= 0), first[first >= 0]]))
        first_wishes = (len(granted), possible, wish_cost)
    if not stable:
        return optimum, StabilityNote(first_wishes=first_wishes)
    fixed_adepts = frozenset(a for a, _ in fixed)
    choice = stable_choice(
        problem.scores,
        market(problem, allowed, fixed_adepts),
        optimum,
        load_penalty=penalty,
        budget=budget,
    )
    return choice.assignment, StabilityNote(choice=choice, first_wishes=first_wishes)


def start_date(cohort: Cohort, today: date | None = None) -> date:
    """Return the day a pair made active today starts: today, or the cohort's first day."""
    from chefintro import clock

    return max(today or clock.today(), cohort.starts_on)


def apply(*, db: Session, cohort: Cohort, today: date | None = None) -> int:
    """Make every proposal of the cohort active, starting today; return how many changed.

    A pair applied before the programme begins starts on the cohort's first day. A
    proposal sent to its mentor and not yet answered stays proposed: the mentor's answer
    decides it (``pair accept`` / ``pair decline``).
    """
    from chefintro.pairing.consent import awaiting_pair_ids

    mark_change(db, kind=Kind.REPLACING, what="proposed pairs made active")
    require_open(cohort)
    waiting = awaiting_pair_ids(db=db, cohort=cohort)
    result = db.execute(
        update(Pairing)
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) == PairingState.PROPOSED)
        .where(col(Pairing.id).not_in(waiting))
        .values(state=PairingState.ACTIVE.value, started_on=start_date(cohort, today))
    )
    db.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def list_pairs(*, db: Session, cohort: Cohort, live_only: bool = True) -> list[PairInfo]:
    """Return the cohort's pairs in Swedish order of the adept's name."""
    from sqlalchemy.orm import aliased

    from chefintro.text import swedish_key

    ap, mp = aliased(Participant), aliased(Participant)
    aper, mper = aliased(Person), aliased(Person)
    aag, mag = aliased(Agency), aliased(Agency)
    # The columns a pair list shows, not five whole rows per pair.
    query = (
        sa_select(
            col(aper.email),
            col(aper.name),
            col(aag.code),
            col(mper.email),
            col(mper.name),
            col(mag.code),
            col(Pairing.state),
            col(Pairing.locked),
            col(Pairing.manual),
            col(Pairing.score),
            col(Pairing.reasons),
            col(Pairing.started_on),
            col(Pairing.ended_on),
            col(Pairing.end_reason),
            col(Pairing.id),
        )
        .join(ap, col(ap.id) == col(Pairing.adept_id))
        .join(aper, col(aper.id) == col(ap.person_id))
        .join(aag, col(aag.id) == col(ap.agency_id))
        .join(mp, col(mp.id) == col(Pairing.mentor_id))
        .join(mper, col(mper.id) == col(mp.person_id))
        .join(mag, col(mag.id) == col(mp.agency_id))
        .where(col(Pairing.cohort_id) == cohort.id)
    )
    if live_only:
        query = query.where(col(Pairing.state).in_(LIVE))
    result = [
        PairInfo(
            adept=row[0],
            adept_name=row[1],
            adept_agency=row[2],
            mentor=row[3],
            mentor_name=row[4],
            mentor_agency=row[5],
            state=str(row[6]),
            locked=bool(row[7]),
            manual=bool(row[8]),
            score=int(row[9]),
            breakdown=dict((row[10] or {}).get("breakdown", {})),
            since=row[11],
            ended_on=row[12],
            end_reason=row[13],
            id=row[14],
        )
        for row in db.execute(query).all()
    ]
    return sorted(
        result,
        key=lambda r: (swedish_key(r.adept_name), r.adept.casefold(), r.state == "ended"),
    )
