"""Suggest, apply, set and explain adept–mentor pairings (uses matching/ for the maths)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, insert, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from chefintro import settings
from chefintro.cohorts import get_participant, months_between, require_open
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.models import Agency, Cohort, Exclusion, Pairing, Participant, Person
from chefintro.registry import get_person
from chefintro.text import clean_text, email_key

LIVE = (PairingState.PROPOSED, PairingState.ACTIVE)

RULE_SAME_AGENCY = "same agency"
RULE_EXCLUDED = "excluded"
RULE_EARLIER = "paired in an earlier cohort"


@dataclass
class Side:
    """One side (adepts or mentors) of a cohort, sorted by e-mail key for determinism."""

    participant_ids: list[int]
    person_ids: list[int]
    names: list[str]
    emails: list[str]
    email_keys: list[str]
    agency_ids: NDArray[np.int64]
    agency_codes: list[str]
    fields: list[str | None]
    locations: list[str | None]
    capacity: NDArray[np.int64]
    wished_fields: list[str | None]
    preferred: list[list[str]]
    experience_years: list[int | None]

    def index_of_participant(self) -> dict[int, int]:
        return {pid: i for i, pid in enumerate(self.participant_ids)}


@dataclass
class MatchingProblem:
    """Everything the solver and the explanations need about one cohort."""

    cohort: Cohort
    adepts: Side
    mentors: Side
    scores: NDArray[np.int64]
    excluded: NDArray[np.bool_]
    earlier: NDArray[np.bool_]
    same_agency: NDArray[np.bool_]
    weights: dict[str, int]
    allow_repeat: bool
    live: list[Pairing] = field(default_factory=list)

    @property
    def allowed(self) -> NDArray[np.bool_]:
        forbidden = self.same_agency | self.excluded
        if not self.allow_repeat:
            forbidden = forbidden | self.earlier
        return ~forbidden

    def rule(self, a: int, m: int) -> str | None:
        """Return the hard rule that forbids adept ``a`` with mentor ``m``, if any."""
        if self.same_agency[a, m]:
            return RULE_SAME_AGENCY
        if self.excluded[a, m]:
            return RULE_EXCLUDED
        if self.earlier[a, m] and not self.allow_repeat:
            return RULE_EARLIER
        return None

    def breakdown(self, a: int, m: int) -> dict[str, int]:
        from chefintro.matching.scoring import breakdown

        return breakdown(adept=a, mentor=m, **self.scoring_inputs)

    @cached_property
    def scoring_inputs(self) -> dict[str, Any]:
        """The columns the scoring functions take; built once, used for every breakdown."""
        from chefintro.matching.scoring import Weights

        mentor_index = {k: i for i, k in enumerate(self.mentors.email_keys)}
        return {
            "adept_field": self.adepts.fields,
            "adept_wished_field": self.adepts.wished_fields,
            "adept_location": self.adepts.locations,
            "adept_preferences": [
                [mentor_index[k] for k in prefs if k in mentor_index]
                for prefs in self.adepts.preferred
            ],
            "mentor_field": self.mentors.fields,
            "mentor_location": self.mentors.locations,
            "mentor_experience_years": self.mentors.experience_years,
            "weights": Weights.from_mapping(self.weights),
        }


def _load_side(db: Session, cohort: Cohort, role: Role) -> Side:
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.role == role)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    ).all()
    rows = sorted(rows, key=lambda r: r[1].email_key)
    years: list[int | None] = []
    for _, person, _ in rows:
        if person.manager_since is None:
            years.append(None)
        else:
            years.append(max(0, months_between(person.manager_since, cohort.starts_on)) // 12)
    return Side(
        participant_ids=[int(p.id or 0) for p, _, _ in rows],
        person_ids=[int(per.id or 0) for _, per, _ in rows],
        names=[per.name for _, per, _ in rows],
        emails=[per.email for _, per, _ in rows],
        email_keys=[per.email_key for _, per, _ in rows],
        agency_ids=np.array([per.agency_id for _, per, _ in rows], dtype=np.int64),
        agency_codes=[a.code for _, _, a in rows],
        fields=[per.field for _, per, _ in rows],
        locations=[per.location for _, per, _ in rows],
        capacity=np.array([p.capacity for p, _, _ in rows], dtype=np.int64),
        wished_fields=[p.wished_field for p, _, _ in rows],
        preferred=[list(p.preferred_mentors or []) for p, _, _ in rows],
        experience_years=years,
    )


def _pair_matrix(
    pairs: Sequence[tuple[int, int]], adepts: Side, mentors: Side, symmetric: bool
) -> NDArray[np.bool_]:
    """Mark (adept person, mentor person) pairs in an n_adepts × n_mentors matrix."""
    matrix = np.zeros((len(adepts.person_ids), len(mentors.person_ids)), dtype=bool)
    a_index = {pid: i for i, pid in enumerate(adepts.person_ids)}
    m_index = {pid: i for i, pid in enumerate(mentors.person_ids)}
    for first, second in pairs:
        for x, y in ((first, second), (second, first)) if symmetric else ((first, second),):
            if x in a_index and y in m_index:
                matrix[a_index[x], m_index[y]] = True
    return matrix


def load_problem(*, db: Session, cohort: Cohort, allow_repeat: bool = False) -> MatchingProblem:
    """Gather a cohort's adepts, mentors, hard rules and scores."""
    from chefintro.matching.scoring import score_matrix

    adepts = _load_side(db, cohort, Role.ADEPT)
    mentors = _load_side(db, cohort, Role.MENTOR)
    people = set(adepts.person_ids) | set(mentors.person_ids)
    exclusions = [
        (e.person_a_id, e.person_b_id)
        for e in db.exec(
            select(Exclusion).where(
                col(Exclusion.person_a_id).in_(people) | col(Exclusion.person_b_id).in_(people)
            )
        ).all()
    ]
    history = _earlier_pairs(db, cohort, adepts.person_ids)
    weights = settings.weights(db=db)
    problem = MatchingProblem(
        cohort=cohort,
        adepts=adepts,
        mentors=mentors,
        scores=np.zeros((len(adepts.emails), len(mentors.emails)), dtype=np.int64),
        excluded=_pair_matrix(exclusions, adepts, mentors, symmetric=True),
        earlier=_pair_matrix(history, adepts, mentors, symmetric=True),
        same_agency=adepts.agency_ids[:, None] == mentors.agency_ids[None, :],
        weights=weights,
        allow_repeat=allow_repeat,
        live=list(
            db.exec(
                select(Pairing)
                .where(Pairing.cohort_id == cohort.id)
                .where(col(Pairing.state).in_(LIVE))
            ).all()
        ),
    )
    problem.scores = score_matrix(**problem.scoring_inputs)
    return problem


def _earlier_pairs(db: Session, cohort: Cohort, adept_people: list[int]) -> list[tuple[int, int]]:
    """Return (person, person) pairs matched in any other cohort (active or ended)."""
    from sqlalchemy.orm import aliased

    adept_part = aliased(Participant)
    mentor_part = aliased(Participant)
    rows = db.exec(
        select(adept_part.person_id, mentor_part.person_id)
        .select_from(Pairing)
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .where(Pairing.cohort_id != cohort.id)
        .where(col(Pairing.state).in_((PairingState.ACTIVE, PairingState.ENDED)))
    ).all()
    return [(int(a), int(m)) for a, m in rows]


# --- suggest / apply --------------------------------------------------------------------


@dataclass(frozen=True)
class PairInfo:
    adept: str
    adept_name: str
    adept_agency: str
    mentor: str
    mentor_name: str
    mentor_agency: str
    state: str
    locked: bool
    manual: bool
    score: int
    breakdown: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "adept_name": self.adept_name,
            "adept_agency": self.adept_agency,
            "mentor": self.mentor,
            "mentor_name": self.mentor_name,
            "mentor_agency": self.mentor_agency,
            "state": self.state,
            "locked": self.locked,
            "manual": self.manual,
            "score": self.score,
            "reasons": self.breakdown,
        }

    def top_reasons(self, limit: int = 3) -> str:
        items = sorted(self.breakdown.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return ", ".join(f"{k.replace('_', ' ')} +{v}" for k, v in items) or "no criteria met"


def suggest(*, db: Session, cohort: Cohort, allow_repeat: bool = False) -> list[PairInfo]:
    """Replace the cohort's unlocked proposals by the optimal suggestion; return all live pairs.

    Locked, manual and applied (active) pairs are kept and the rest is solved around them.
    """
    from chefintro.matching.solver import solve

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
            replace_ids.append(int(pairing.id or 0))
    allowed = problem.allowed
    for a, m in kept:
        allowed[a, m] = True  # a kept pair was checked when it was made
    try:
        assignment = solve(
            problem.scores,
            allowed,
            problem.mentors.capacity,
            fixed=kept,
            load_penalty=problem.weights.get("extra_mentee_cost", 0),
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
                "state": PairingState.PROPOSED.value,
                "locked": False,
                "manual": False,
                "score": int(problem.scores[a, m]),
                "reasons": {"breakdown": problem.breakdown(a, m)},
            }
        )
    if new_rows:
        from chefintro.models import utcnow

        now = utcnow()
        for row in new_rows:
            row["created_at"] = now
        db.execute(insert(Pairing), new_rows)
    db.flush()
    db.expire_all()
    return list_pairs(db=db, cohort=cohort)


def apply(*, db: Session, cohort: Cohort) -> int:
    """Make every proposal of the cohort active; return how many changed."""
    require_open(cohort)
    result = db.execute(
        update(Pairing)
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) == PairingState.PROPOSED)
        .values(state=PairingState.ACTIVE.value)
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
    query = (
        sa_select(Pairing, aper, aag, mper, mag)
        .join(ap, col(ap.id) == col(Pairing.adept_id))
        .join(aper, col(aper.id) == col(ap.person_id))
        .join(aag, col(aag.id) == col(aper.agency_id))
        .join(mp, col(mp.id) == col(Pairing.mentor_id))
        .join(mper, col(mper.id) == col(mp.person_id))
        .join(mag, col(mag.id) == col(mper.agency_id))
        .where(col(Pairing.cohort_id) == cohort.id)
    )
    if live_only:
        query = query.where(col(Pairing.state).in_(LIVE))
    result = [
        PairInfo(
            adept=a.email,
            adept_name=a.name,
            adept_agency=aa.code,
            mentor=m.email,
            mentor_name=m.name,
            mentor_agency=ma.code,
            state=str(p.state),
            locked=bool(p.locked),
            manual=bool(p.manual),
            score=int(p.score),
            breakdown=dict((p.reasons or {}).get("breakdown", {})),
        )
        for p, a, aa, m, ma in db.execute(query).all()
    ]
    return sorted(result, key=lambda r: (swedish_key(r.adept_name), r.adept.casefold()))


# --- manual pairs, removal, exclusions ----------------------------------------------------


@dataclass(frozen=True)
class SetPairResult:
    """What ``set_pair`` did: the new pair, and the adept unpaired to make room, if any."""

    info: PairInfo
    displaced: str | None = None
    displaced_name: str | None = None

    @property
    def warning(self) -> str | None:
        if self.displaced is None:
            return None
        return (
            f"{self.displaced_name} ({self.displaced}) was unpaired to make room; run "
            "'pair suggest' to place them again."
        )


def _live_pairing_of_adept(db: Session, adept: Participant) -> Pairing | None:
    return db.exec(
        select(Pairing).where(Pairing.adept_id == adept.id).where(col(Pairing.state).in_(LIVE))
    ).first()


def set_pair(
    *,
    db: Session,
    cohort: Cohort,
    adept_email: str,
    mentor_email: str,
    lock: bool = False,
    allow_repeat: bool = False,
) -> SetPairResult:
    """Pair an adept with a mentor by hand, refusing anything a hard rule forbids.

    When the mentor is at capacity only because of suggested proposals (unlocked, not
    manual, not active), the lowest-scoring of them is deleted to make room; its adept is
    returned as ``displaced`` and becomes unplaced. Locked, manual or active pairs are
    never displaced.
    """
    require_open(cohort)
    adept = get_participant(db=db, cohort=cohort, email=adept_email)
    mentor = get_participant(db=db, cohort=cohort, email=mentor_email)
    if adept.role != Role.ADEPT:
        raise RuleError(f"{adept_email.strip()} is a mentor in cohort {cohort.name}, not an adept.")
    if mentor.role != Role.MENTOR:
        raise RuleError(
            f"{mentor_email.strip()} is an adept in cohort {cohort.name}, not a mentor."
        )
    for part, email in ((adept, adept_email), (mentor, mentor_email)):
        if part.status != ParticipantStatus.ACTIVE:
            raise RuleError(f"{email.strip()} has {part.status} and cannot be paired.")
    problem = load_problem(db=db, cohort=cohort, allow_repeat=allow_repeat)
    a = problem.adepts.index_of_participant()[int(adept.id or 0)]
    m = problem.mentors.index_of_participant()[int(mentor.id or 0)]
    rule = problem.rule(a, m)
    if rule is not None:
        hint = " (use --allow-repeat to pair them again)" if rule == RULE_EARLIER else ""
        raise RuleError(
            f"{problem.adepts.names[a]} and {problem.mentors.names[m]} cannot be paired: "
            f"{rule}{hint}."
        )
    current = _live_pairing_of_adept(db, adept)
    others = [
        p
        for p in problem.live
        if p.mentor_id == mentor.id and (current is None or p.id != current.id)
    ]
    displaced: Pairing | None = None
    if len(others) >= mentor.capacity:
        movable = sorted(
            (p for p in others if _displaceable(p)),
            key=lambda p: (int(p.score), _adept_person(db, p).email_key),
        )
        if len(others) - mentor.capacity + 1 != 1 or not movable:
            raise RuleError(
                f"{problem.mentors.names[m]} already has {len(others)} adept(s), their "
                "capacity, in locked, manual or active pairs. Remove one of their pairs "
                "first or raise their capacity."
            )
        displaced = movable[0]
    unpaired = None if displaced is None else _adept_person(db, displaced)
    for old in (current, displaced):
        if old is not None:
            db.delete(old)
    db.flush()
    db.add(
        Pairing(
            cohort_id=int(cohort.id or 0),
            adept_id=int(adept.id or 0),
            mentor_id=int(mentor.id or 0),
            state=PairingState.PROPOSED,
            locked=lock,
            manual=True,
            score=int(problem.scores[a, m]),
            reasons={"breakdown": problem.breakdown(a, m)},
        )
    )
    db.flush()
    key = email_key(adept_email)
    info = next(p for p in list_pairs(db=db, cohort=cohort) if email_key(p.adept) == key)
    if unpaired is None:
        return SetPairResult(info=info)
    return SetPairResult(info=info, displaced=unpaired.email, displaced_name=unpaired.name)


def _displaceable(pairing: Pairing) -> bool:
    """A suggested proposal that ``set_pair`` may delete to make room."""
    return pairing.state == PairingState.PROPOSED and not pairing.locked and not pairing.manual


def _adept_person(db: Session, pairing: Pairing) -> Person:
    """Return the person who is the adept of ``pairing``."""
    part = db.get(Participant, pairing.adept_id)
    person = db.get(Person, part.person_id) if part is not None else None
    assert person is not None  # a pairing always has its adept
    return person


def remove_pair(*, db: Session, cohort: Cohort, adept_email: str) -> str:
    """Remove an adept's live pair: a proposal is deleted, an active pair ends.

    A mentor's e-mail is refused with the list of their adepts, whose e-mails it takes.
    """
    require_open(cohort)
    adept = get_participant(db=db, cohort=cohort, email=adept_email)
    if adept.role == Role.MENTOR:
        person = db.get(Person, adept.person_id)
        key = person.email_key if person is not None else email_key(adept_email)
        theirs = [
            f"{p.adept_name} ({p.adept})"
            for p in list_pairs(db=db, cohort=cohort)
            if email_key(p.mentor) == key
        ]
        listed = (
            f"Their adepts: {', '.join(theirs)}."
            if theirs
            else f"They have no adepts in cohort {cohort.name}."
        )
        raise RuleError(
            f"{adept_email.strip()} is a mentor in cohort {cohort.name}; 'pair remove' takes "
            f"the adept's e-mail. {listed}"
        )
    pairing = _live_pairing_of_adept(db, adept)
    if pairing is None:
        raise NotFoundError(f"{adept_email.strip()} has no pair in cohort {cohort.name}.")
    if pairing.state == PairingState.ACTIVE:
        pairing.state = PairingState.ENDED
        db.add(pairing)
        outcome = "ended"
    else:
        db.delete(pairing)
        outcome = "removed"
    db.flush()
    return outcome


def preference_warnings(*, db: Session, cohort: Cohort, adept_email: str) -> list[str]:
    """Return a warning for each preferred mentor of an adept who cannot be chosen as is.

    A preference counts only for a mentor of the cohort from another agency; one that is
    not (yet) a mentor of the cohort, or is of the adept's own agency, is kept but warned of.
    """
    adept = get_participant(db=db, cohort=cohort, email=adept_email)
    person = db.get(Person, adept.person_id)
    assert person is not None
    warnings: list[str] = []
    for key in adept.preferred_mentors or []:
        mentor = db.exec(select(Person).where(Person.email_key == key)).first()
        if mentor is None:
            warnings.append(
                f"Preferred mentor {key} is not registered; the preference counts only once "
                f"they are a mentor in cohort {cohort.name}."
            )
            continue
        part = db.exec(
            select(Participant)
            .where(Participant.cohort_id == cohort.id)
            .where(Participant.person_id == mentor.id)
        ).first()
        if part is None or part.role != Role.MENTOR:
            warnings.append(
                f"Preferred mentor {mentor.name} ({mentor.email}) is not a mentor in cohort "
                f"{cohort.name}; the preference counts only once they are."
            )
        elif part.status != ParticipantStatus.ACTIVE:
            warnings.append(
                f"Preferred mentor {mentor.name} ({mentor.email}) has {part.status} "
                f"(cohort {cohort.name}); the preference cannot count."
            )
        if mentor.agency_id == person.agency_id:
            warnings.append(
                f"Preferred mentor {mentor.name} ({mentor.email}) is of {person.name}'s own "
                "agency; same-agency pairs are never made."
            )
    return warnings


def exclude(*, db: Session, first: str, second: str, reason: str) -> int:
    """Record that two people must never be paired; return how many live pairs were undone."""
    one = get_person(db=db, email=first)
    two = get_person(db=db, email=second)
    if one.id == two.id:
        raise UsageError("Give two different people.")
    text = clean_text(reason)
    if not text:
        raise UsageError("Give a --reason (kept for the record, e.g. 'same management team').")
    a_id, b_id = sorted((int(one.id or 0), int(two.id or 0)))
    exists = db.exec(
        select(Exclusion).where(Exclusion.person_a_id == a_id).where(Exclusion.person_b_id == b_id)
    ).first()
    if exists is not None:
        raise DuplicateError(f"{one.name} and {two.name} are already excluded.")
    db.add(Exclusion(person_a_id=a_id, person_b_id=b_id, reason=text))
    parts = {
        int(p.id or 0)
        for p in db.exec(select(Participant).where(col(Participant.person_id).in_((a_id, b_id))))
    }
    undone = 0
    for pairing in db.exec(
        select(Pairing)
        .where(col(Pairing.state).in_(LIVE))
        .where(or_(col(Pairing.adept_id).in_(parts), col(Pairing.mentor_id).in_(parts)))
    ).all():
        if {pairing.adept_id, pairing.mentor_id} <= parts:
            if pairing.state == PairingState.ACTIVE:
                pairing.state = PairingState.ENDED
                db.add(pairing)
            else:
                db.delete(pairing)
            undone += 1
    db.flush()
    return undone


# --- explanations -------------------------------------------------------------------------


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
    a = problem.adepts.index_of_participant()[int(part.id or 0)]
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
            "email": self.email,
            "name": self.name,
            "agency": self.agency,
            "role": self.role,
            "free_slots": self.free_slots,
            "reason": self.reason,
        }


def unmatched(*, db: Session, cohort: Cohort) -> list[Unmatched]:
    """Every active adept without a pair and every mentor with free capacity, with a reason."""
    from chefintro.matching.solver import max_cardinality

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
    reachable = max_cardinality(allowed, problem.mentors.capacity)
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
        elif reachable <= len(paired_adepts):
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
