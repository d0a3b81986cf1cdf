"""Why a person is paired as they are, their alternatives, and who is left unmatched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from chefintro.cohorts import get_participant
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.ids import id_of
from chefintro.models import Cohort, Person
from chefintro.pairing.problem import RULE_EARLIER, RULE_EXCLUDED, RULE_SAME_AGENCY, load_problem
from chefintro.pairing.suggest import PairInfo, list_pairs
from chefintro.registry import listed_json
from chefintro.text import email_key


@dataclass(frozen=True)
class Alternative:
    mentor: str
    mentor_name: str
    mentor_agency: str
    score: int
    why_not: str
    breakdown: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "mentor": self.mentor,
            "mentor_name": self.mentor_name,
            "mentor_agency": self.mentor_agency,
            "score": self.score,
            "why_not": self.why_not,
            "reasons": self.breakdown,
        }


@dataclass(frozen=True)
class Explanation:
    email: str
    name: str
    role: str
    pairs: list[PairInfo]
    alternatives: list[Alternative]
    note: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "pairs": [p.to_json() for p in self.pairs],
            "alternatives": [a.to_json() for a in self.alternatives],
            "note": self.note,
        }


def explain(*, db: Session, cohort: Cohort, email: str, limit: int = 5) -> Explanation:
    """Explain a pair: its breakdown, and why better-looking mentors were not chosen."""
    part = get_participant(db=db, cohort=cohort, email=email)
    person = db.get(Person, part.person_id)
    assert person is not None
    key = person.email_key
    pairs = [
        p
        for p in list_pairs(db=db, cohort=cohort)
        if email_key(p.adept) == key or email_key(p.mentor) == key
    ]
    if part.role == Role.MENTOR:
        note = (
            f"Mentor with capacity {part.capacity}; {len(pairs)} adept(s) paired."
            if part.status == ParticipantStatus.ACTIVE
            else f"Mentor has {part.status}."
        )
        return Explanation(person.email, person.name, "mentor", pairs, [], note)
    if part.status != ParticipantStatus.ACTIVE:
        return Explanation(
            person.email, person.name, "adept", pairs, [], f"Adept has {part.status}."
        )
    problem = load_problem(db=db, cohort=cohort)
    a = problem.adepts.index_of_participant()[id_of(part)]
    current_mentor = pairs[0].mentor if pairs else None
    load: dict[int, int] = {}
    for p in problem.live:
        load[p.mentor_id] = load.get(p.mentor_id, 0) + 1
    order = sorted(
        range(len(problem.mentors.emails)),
        key=lambda m: (-int(problem.scores[a, m]), problem.mentors.email_keys[m]),
    )
    current_score = pairs[0].score if pairs else None
    alternatives = []
    for m in order:
        mentor_email = problem.mentors.emails[m]
        if current_mentor is not None and email_key(mentor_email) == email_key(current_mentor):
            continue
        score = int(problem.scores[a, m])
        rule = problem.rule(a, m)
        if rule is not None:
            why = f"forbidden: {rule}"
        elif load.get(problem.mentors.participant_ids[m], 0) >= int(problem.mentors.capacity[m]):
            why = "taken: at capacity with other adepts, which gives a better total"
        elif current_score is not None and score <= current_score:
            why = f"lower score ({score} against {current_score})"
        elif current_score is None:
            why = "not suggested yet: run 'chefintro pair suggest'"
        else:
            why = "free, but the cohort's total is higher with the chosen pairs"
        alternatives.append(
            Alternative(
                mentor=mentor_email,
                mentor_name=problem.mentors.names[m],
                mentor_agency=problem.mentors.agency_codes[m],
                score=score,
                why_not=why,
                breakdown=problem.breakdown(a, m),
            )
        )
        if len(alternatives) >= limit:
            break
    advice = None if pairs else "No mentor yet; see 'chefintro pair unmatched'."
    return Explanation(person.email, person.name, "adept", pairs, alternatives, advice)


@dataclass(frozen=True)
class Unmatched:
    email: str
    name: str
    agency: str
    role: str
    free_slots: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            **listed_json(self),
            "role": self.role,
            "free_slots": self.free_slots,
            "reason": self.reason,
        }


def unmatched(*, db: Session, cohort: Cohort) -> list[Unmatched]:
    """Every active adept without a pair and every mentor with free capacity, with a reason."""
    import numpy as np

    problem = load_problem(db=db, cohort=cohort)
    a_index = problem.adepts.index_of_participant()
    m_index = problem.mentors.index_of_participant()
    paired_adepts = {a_index[p.adept_id] for p in problem.live if p.adept_id in a_index}
    load = np.zeros(len(problem.mentors.emails), dtype=np.int64)
    for p in problem.live:
        if p.mentor_id in m_index:
            load[m_index[p.mentor_id]] += 1
    allowed = problem.allowed
    free = problem.mentors.capacity - load
    # Asked only for a mentor that an unplaced adept could take: the matching needs SciPy,
    # whose import alone costs more than the rest of this read command (issue 16).
    reachable: list[int] = []
    result: list[Unmatched] = []
    for a in range(len(problem.adepts.emails)):
        if a in paired_adepts:
            continue
        options = allowed[a]
        if not options.any():
            counts = {
                RULE_SAME_AGENCY: int(problem.same_agency[a].sum()),
                RULE_EXCLUDED: int((problem.excluded[a] & ~problem.same_agency[a]).sum()),
                RULE_EARLIER: int((problem.earlier[a] & ~problem.same_agency[a]).sum()),
            }
            detail = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            reason = (
                "no mentor in the cohort"
                if not len(problem.mentors.emails)
                else f"every mentor is forbidden ({detail})"
            )
        elif not (options & (free > 0)).any():
            reason = "every allowed mentor is at capacity"
        elif not problem.live:
            reason = "not suggested yet: run 'chefintro pair suggest'"
        elif any(p.state == PairingState.ACTIVE for p in problem.live):
            reason = "free mentors exist: run 'chefintro pair rematch' to place this adept"
        else:
            reason = "free mentors exist: run 'chefintro pair suggest' again to place this adept"
        result.append(
            Unmatched(
                problem.adepts.emails[a],
                problem.adepts.names[a],
                problem.adepts.agency_codes[a],
                "adept",
                0,
                reason,
            )
        )
    unplaced_left = len(problem.adepts.emails) - len(paired_adepts)
    for m in range(len(problem.mentors.emails)):
        if free[m] <= 0:
            continue
        candidates = allowed[:, m].copy()
        for a in paired_adepts:
            candidates[a] = False
        if unplaced_left == 0:
            reason = "every adept has a mentor: more mentor places than adepts"
        elif not candidates.any():
            reason = (
                "no unplaced adept may pair with this mentor (same agency, exclusion or history)"
            )
        elif _reachable(reachable, allowed, problem.mentors.capacity) <= len(paired_adepts):
            reason = "the unplaced adepts cannot be placed without breaking a hard rule"
        else:
            reason = "not suggested yet: run 'chefintro pair suggest'"
        result.append(
            Unmatched(
                problem.mentors.emails[m],
                problem.mentors.names[m],
                problem.mentors.agency_codes[m],
                "mentor",
                int(free[m]),
                reason,
            )
        )
    return result


def _reachable(memo: list[int], allowed: Any, capacity: Any) -> int:
    """The most adepts placeable at once (:func:`max_cardinality`), computed once per call."""
    if not memo:
        from chefintro.matching.solver import max_cardinality

        memo.append(max_cardinality(allowed, capacity))
    return memo[0]
