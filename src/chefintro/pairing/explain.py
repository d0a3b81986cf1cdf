"""Why a person is paired as they are, their alternatives, and who is left unmatched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro.cohorts import get_participant
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Exclusion, Pairing, Participant, Person
from chefintro.pairing.problem import (
    LIVE,
    RULE_EARLIER,
    RULE_EXCLUDED,
    RULE_SAME_AGENCY,
    earlier_pairs,
    exclusion_pairs,
    load_problem,
    pair_rule,
    side_query,
)
from chefintro.pairing.suggest import PairInfo, list_pairs
from chefintro.registry import listed_json
from chefintro.text import email_key
from chefintro.words import plural


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
            f"Mentor with capacity {part.capacity}; {plural(len(pairs), 'adept')} paired."
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
    reasons = _exclusion_reasons(db, id_of(person))
    alternatives = []
    for m in order:
        mentor_email = problem.mentors.emails[m]
        if current_mentor is not None and email_key(mentor_email) == email_key(current_mentor):
            continue
        score = int(problem.scores[a, m])
        rule = problem.rule(a, m)
        if rule is not None:
            reason = reasons.get(problem.mentors.person_ids[m]) if rule == RULE_EXCLUDED else None
            why = f"forbidden: {rule}" + (f" ({reason})" if reason else "")
        elif load.get(problem.mentors.participant_ids[m], 0) >= int(problem.mentors.capacity[m]):
            why = "taken: at capacity with other adepts, which gives a better total"
        elif current_score is not None and score == current_score:
            why = f"the same score ({score}); the chosen pair won the tie"
        elif current_score is not None and score < current_score:
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


@dataclass(frozen=True)
class _Someone:
    """An active participant as ``pair unmatched`` needs them (one plain query, no ORM)."""

    participant_id: int
    person_id: int
    agency_id: int
    agency: str
    name: str
    email: str
    capacity: int


def _active(db: Session, cohort: Cohort, role: Role) -> list[_Someone]:
    """The cohort's active adepts or mentors, in the matching problem's order (e-mail key,
    sorted here: a PostgreSQL store's collation would order them differently)."""
    rows = (
        db.connection()
        .execute(
            side_query(
                cohort,
                role,
                col(Participant.id),
                col(Person.id),
                col(Participant.agency_id),
                col(Agency.code),
                col(Person.name),
                col(Person.email),
                col(Participant.capacity),
                col(Person.email_key),
            )
        )
        .all()
    )
    return [
        _Someone(cast(int, part), cast(int, person), agency_id, code, name, email, capacity)
        for part, person, agency_id, code, name, email, capacity, _key in sorted(
            rows, key=lambda row: row[-1]
        )
    ]


def _exclusion_reasons(db: Session, person_id: int) -> dict[int, str]:
    """The other person of each exclusion naming ``person_id``, with its reason ("jäv",
    "declined the proposal …")."""
    rows = db.exec(
        select(Exclusion).where(
            (col(Exclusion.person_a_id) == person_id) | (col(Exclusion.person_b_id) == person_id)
        )
    ).all()
    return {
        (row.person_b_id if row.person_a_id == person_id else row.person_a_id): row.reason
        for row in rows
    }


def unmatched(*, db: Session, cohort: Cohort) -> list[Unmatched]:
    """Every active adept without a pair and every mentor with free capacity, with a reason.

    Who may pair is :func:`pair_rule` on the facts of each pair. Same agency is counted per
    agency and only the few pairs an exclusion or earlier pairing names are asked about,
    so the answer needs neither the matching problem nor NumPy (a read command; issue 16).
    """
    adepts = _active(db, cohort, Role.ADEPT)
    mentors = _active(db, cohort, Role.MENTOR)
    live = _live_pairs(db, cohort)
    adept_ids = {a.participant_id for a in adepts}
    load: dict[int, int] = {}
    for _adept, mentor, _state in live:
        load[mentor] = load.get(mentor, 0) + 1
    paired = {adept for adept, _mentor, _state in live if adept in adept_ids}
    any_active = any(state == PairingState.ACTIVE for _adept, _mentor, state in live)
    free = {m.person_id: m.capacity - load.get(m.participant_id, 0) for m in mentors}
    people = {a.person_id for a in adepts} | {m.person_id for m in mentors}
    facts = _named_pair_facts(db, cohort, people)
    mentors_of: dict[int, int] = {}  # agency → its mentors
    free_of: dict[int, int] = {}  # agency → its mentors with a free place
    for m in mentors:
        mentors_of[m.agency_id] = mentors_of.get(m.agency_id, 0) + 1
        free_of[m.agency_id] = free_of.get(m.agency_id, 0) + (free[m.person_id] > 0)
    free_mentors = sum(free_of.values())
    unplaced = [a for a in adepts if a.participant_id not in paired]
    mentor_people = {m.person_id: m for m in mentors}
    result: list[Unmatched] = []
    for a in unplaced:
        same = mentors_of.get(a.agency_id, 0)
        tied = [m for m in _named(facts, a, mentor_people) if m.agency_id != a.agency_id]
        barred = [m for m in tied if _named_rule(facts, a, m) is not None]
        if len(mentors) - same - len(barred) == 0:
            counts = {
                RULE_SAME_AGENCY: same,
                RULE_EXCLUDED: sum(facts[a.person_id][m.person_id][0] for m in tied),
                RULE_EARLIER: sum(facts[a.person_id][m.person_id][1] for m in tied),
            }
            detail = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            reason = (
                "no mentor in the cohort"
                if not mentors
                else f"every mentor is forbidden ({detail})"
            )
        elif (
            free_mentors - free_of.get(a.agency_id, 0) - sum(free[m.person_id] > 0 for m in barred)
            == 0
        ):
            reason = "every allowed mentor is at capacity"
        elif not live:
            reason = "not suggested yet: run 'chefintro pair suggest'"
        elif any_active:
            reason = "free mentors exist: run 'chefintro pair rematch' to place this adept"
        else:
            reason = "free mentors exist: run 'chefintro pair suggest' again to place this adept"
        result.append(Unmatched(a.email, a.name, a.agency, "adept", 0, reason))
    result.extend(_unmatched_mentors(mentors, free, unplaced, facts, live, any_active))
    return result


_Facts = dict[int, dict[int, tuple[bool, bool]]]  # person → person → (excluded, earlier)


def _live_pairs(db: Session, cohort: Cohort) -> Sequence[Any]:
    """The cohort's live pairs as (adept, mentor, state): who is placed and who has load."""
    return (
        db.connection()
        .execute(
            sa_select(col(Pairing.adept_id), col(Pairing.mentor_id), col(Pairing.state))
            .where(col(Pairing.cohort_id) == cohort.id)
            .where(col(Pairing.state).in_(LIVE))
        )
        .all()
    )


def _named_pair_facts(db: Session, cohort: Cohort, people: set[int]) -> _Facts:
    """The facts of the pairs an exclusion or an earlier pairing names, both ways round."""
    facts: _Facts = {}
    for pairs, is_excluded in (
        (exclusion_pairs(db, people), True),
        (earlier_pairs(db, cohort, None), False),
    ):
        for one, two in pairs:
            for x, y in ((one, two), (two, one)):
                excluded, earlier = facts.setdefault(x, {}).get(y, (False, False))
                facts[x][y] = (excluded or is_excluded, earlier or not is_excluded)
    return facts


def _named_rule(facts: _Facts, adept: _Someone, mentor: _Someone) -> str | None:
    """The rule on a pair of two agencies that an exclusion or earlier pairing names.

    Only such pairs are asked about: same-agency mentors are counted per agency, and a
    pair of two agencies that ``facts`` does not name is allowed.
    """
    excluded, earlier = facts[adept.person_id][mentor.person_id]
    return pair_rule(same_agency=False, excluded=excluded, earlier=earlier, allow_repeat=False)


def _named(facts: _Facts, one: _Someone, others: dict[int, _Someone]) -> list[_Someone]:
    """The people of ``others`` (by person) an exclusion or earlier pairing ties to ``one``."""
    return [others[p] for p in facts.get(one.person_id, {}) if p in others]


def _unmatched_mentors(
    mentors: list[_Someone],
    free: dict[int, int],
    unplaced: list[_Someone],
    facts: _Facts,
    live: Sequence[Any],
    any_active: bool,
) -> list[Unmatched]:
    """Every mentor with a free place, and why no unplaced adept has taken it."""
    unplaced_people = {a.person_id: a for a in unplaced}
    result: list[Unmatched] = []
    unplaced_of: dict[int, int] = {}  # agency → its unplaced adepts
    for a in unplaced:
        unplaced_of[a.agency_id] = unplaced_of.get(a.agency_id, 0) + 1
    # A mentor with a free place whom some unplaced adept may have can take that adept with
    # every live pair held, as 'pair rematch' places them: no matching is needed to say so.
    for m in mentors:
        if free[m.person_id] <= 0:
            continue
        barred_adepts = sum(
            _named_rule(facts, a, m) is not None
            for a in _named(facts, m, unplaced_people)
            if a.agency_id != m.agency_id
        )
        if not unplaced:
            reason = "every adept has a mentor: more mentor places than adepts"
        elif len(unplaced) - unplaced_of.get(m.agency_id, 0) - barred_adepts == 0:
            reason = (
                "no unplaced adept may pair with this mentor (same agency, exclusion or history)"
            )
        elif not live:
            reason = "not suggested yet: run 'chefintro pair suggest'"
        elif any_active:
            # The same advice as the unplaced adepts get (never "not suggested yet").
            reason = "an unplaced adept may take this place: run 'chefintro pair rematch'"
        else:
            reason = "an unplaced adept may take this place: run 'chefintro pair suggest' again"
        result.append(Unmatched(m.email, m.name, m.agency, "mentor", free[m.person_id], reason))
    return result
