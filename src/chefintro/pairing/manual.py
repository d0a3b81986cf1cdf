"""Pairs set by hand, removed or ended by hand, exclusions and preference warnings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from chefintro.changes import Kind, mark_change
from chefintro.clock import today
from chefintro.cohorts import get_participant, require_open
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import ChefintroError, DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.pairing.problem import LIVE, RULE_EARLIER, MatchingProblem, load_problem
from chefintro.pairing.suggest import PairInfo, list_pairs
from chefintro.registry import get_person
from chefintro.text import clean_field, email_key
from chefintro.words import plural


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


@dataclass(frozen=True)
class PairRequest:
    """One pair asked for by hand: ``pair set``, or a roster's Par row."""

    adept_email: str
    mentor_email: str
    lock: bool = False
    #: Whether an active or locked pair of the adept with another mentor may be replaced.
    replace: bool = False
    #: Whether asking for the pair the adept already has sets its lock to ``lock`` (a
    #: roster's Låst column says yes or no); otherwise asking again never unlocks it.
    exact_lock: bool = False


@dataclass(frozen=True)
class PairSet:
    """A pair request that was applied; ``displaced`` is the adept unpaired to make room."""

    request: PairRequest
    displaced: Person | None = None


def set_pair(
    *,
    db: Session,
    cohort: Cohort,
    adept_email: str,
    mentor_email: str,
    lock: bool = False,
    allow_repeat: bool = False,
    replace: bool = False,
) -> SetPairResult:
    """Pair an adept with a mentor by hand, refusing anything a hard rule forbids.

    The rules are those of :func:`set_pairs`, which this calls with one request.
    """
    request = PairRequest(adept_email, mentor_email, lock, replace)
    (outcome,) = set_pairs(db=db, cohort=cohort, requests=[request], allow_repeat=allow_repeat)
    if isinstance(outcome, ChefintroError):
        raise outcome
    key = get_person(db=db, email=adept_email).email_key
    info = next(p for p in list_pairs(db=db, cohort=cohort) if email_key(p.adept) == key)
    unpaired = outcome.displaced
    if unpaired is None:
        return SetPairResult(info=info)
    return SetPairResult(info=info, displaced=unpaired.email, displaced_name=unpaired.name)


def set_pairs(
    *,
    db: Session,
    cohort: Cohort,
    requests: Sequence[PairRequest],
    allow_repeat: bool = False,
) -> list[PairSet | ChefintroError]:
    """Apply pairs asked for by hand, in order, each seeing those before it.

    The matching problem (hard-rule masks, scores, live pairs) is built once for all of
    them. Each request must name an active adept and an active mentor of the cohort whom
    no hard rule keeps apart. The adept's current proposal is replaced; an active or locked
    pair with another mentor only when the request says ``replace`` (an active pair then
    ends and stays as history). Asking for the pair the adept already has keeps its state
    and never loses its lock, unless the request sets it exactly (``exact_lock``). When the
    mentor is at capacity only because of suggested proposals (unlocked, not manual, not
    active), the lowest-scoring of them is deleted to make room and its adept becomes
    unplaced. Locked, manual or active pairs are never displaced. A refused request
    changes nothing; its error stands in its place in the returned list.
    """
    mark_change(db, kind=Kind.REPLACING, what="pairs set by hand")
    require_open(cohort)
    problem = load_problem(db=db, cohort=cohort, allow_repeat=allow_repeat)
    adept_index = problem.adepts.index_of_participant()
    mentor_index = problem.mentors.index_of_participant()
    outcomes: list[PairSet | ChefintroError] = []
    for request in requests:
        try:
            outcomes.append(_set_one(db, problem, adept_index, mentor_index, request))
        except ChefintroError as exc:
            outcomes.append(exc)
    return outcomes


def _set_one(
    db: Session,
    problem: MatchingProblem,
    adept_index: dict[int, int],
    mentor_index: dict[int, int],
    request: PairRequest,
) -> PairSet:
    cohort = problem.cohort
    adept_email, mentor_email = request.adept_email, request.mentor_email
    adept, mentor = _pairable_people(db, cohort, adept_email, mentor_email)
    a = adept_index[id_of(adept)]
    m = mentor_index[id_of(mentor)]
    rule = problem.rule(a, m)
    if rule is not None:
        hint = " (use --allow-repeat to pair them again)" if rule == RULE_EARLIER else ""
        raise RuleError(
            f"{problem.adepts.names[a]} and {problem.mentors.names[m]} cannot be paired: "
            f"{rule}{hint}."
        )
    current = next((p for p in problem.live if p.adept_id == adept.id), None)
    if current is not None and current.mentor_id == mentor.id:
        current.locked = request.lock if request.exact_lock else current.locked or request.lock
        current.manual = True
        db.add(current)
        db.flush()
        return PairSet(request=request)
    if (
        current is not None
        and (current.state == PairingState.ACTIVE or current.locked)
        and not request.replace
    ):
        raise RuleError(
            f"{_describe(db, current)}; add --replace to replace that pair "
            f"with {problem.mentors.names[m]}."
        )
    others = [
        p
        for p in problem.live
        if p.mentor_id == mentor.id and (current is None or p.id != current.id)
    ]
    displaced = _room_with(db, mentor, problem.mentors.names[m], others)
    unpaired = None if displaced is None else _adept_person(db, displaced)
    for old in (current, displaced):
        if old is None:
            continue
        if old.state == PairingState.ACTIVE:
            # An active pair is history (its start, its meetings): it ends, never vanishes.
            old.end(on=today(), reason="replaced with 'pair set'")
            db.add(old)
        else:
            db.delete(old)
        problem.live.remove(old)
    db.flush()
    pairing = Pairing(
        cohort_id=id_of(cohort),
        adept_id=id_of(adept),
        mentor_id=id_of(mentor),
        state=PairingState.PROPOSED,
        locked=request.lock,
        manual=True,
        score=int(problem.scores[a, m]),
        reasons={"breakdown": problem.breakdown(a, m)},
    )
    db.add(pairing)
    db.flush()
    problem.live.append(pairing)
    return PairSet(request=request, displaced=unpaired)


def _pairable_people(
    db: Session, cohort: Cohort, adept_email: str, mentor_email: str
) -> tuple[Participant, Participant]:
    """The request's adept and mentor, refused unless each has that role and is active."""
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
    return adept, mentor


def _room_with(
    db: Session, mentor: Participant, mentor_name: str, others: list[Pairing]
) -> Pairing | None:
    """The proposal to displace so the mentor has room, or None when a place is free.

    A full mentor makes room only by dropping their lowest-scoring suggested proposal;
    when none may go (or more than one would have to), the request is refused.
    """
    displaced: Pairing | None = None
    if len(others) >= mentor.capacity:
        movable = sorted(
            (p for p in others if _displaceable(p)),
            key=lambda p: (int(p.score), _adept_person(db, p).email_key),
        )
        if len(others) - mentor.capacity + 1 != 1 or not movable:
            raise RuleError(
                f"{mentor_name} already has {plural(len(others), 'adept')}, their "
                "capacity, in locked, manual or active pairs. Remove one of their pairs "
                "first or raise their capacity."
            )
        displaced = movable[0]
    return displaced


def _live_pairing_of_adept(db: Session, adept: Participant) -> Pairing | None:
    return db.exec(
        select(Pairing).where(Pairing.adept_id == adept.id).where(col(Pairing.state).in_(LIVE))
    ).first()


def _describe(db: Session, pairing: Pairing) -> str:
    """Name a live pair for a refusal: who with whom, and its state."""
    people = []
    for part_id in (pairing.adept_id, pairing.mentor_id):
        part = db.get(Participant, part_id)
        person = db.get(Person, part.person_id) if part is not None else None
        assert person is not None
        agency = db.get(Agency, part.agency_id) if part is not None else None
        people.append(f"{person.name} ({agency.code if agency else '?'})")
    state = str(pairing.state) + (", locked" if pairing.locked else "")
    return f"{people[0]} already has a pair with {people[1]} ({state})"


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
    mark_change(db, kind=Kind.DESTRUCTIVE, what="a pair removed")
    require_open(cohort)
    adept = get_participant(db=db, cohort=cohort, email=adept_email)
    if adept.role == Role.MENTOR:
        mentor = db.get(Person, adept.person_id)
        assert mentor is not None  # the foreign key guarantees it
        theirs = [
            f"{p.adept_name} ({p.adept})"
            for p in list_pairs(db=db, cohort=cohort)
            if email_key(p.mentor) == mentor.email_key
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
        pairing.end(on=today(), reason="removed with 'pair remove'")
        db.add(pairing)
        outcome = "ended"
    else:
        db.delete(pairing)
        outcome = "removed"
    db.flush()
    return outcome


def exclude(*, db: Session, first: str, second: str, reason: str) -> int:
    """Record that two people must never be paired; return how many live pairs were undone."""
    one = get_person(db=db, email=first)
    two = get_person(db=db, email=second)
    if one.id == two.id:
        raise UsageError("Give two different people.")
    text = clean_field(reason, what="The reason")
    if not text:
        raise UsageError("Give a --reason (kept for the record, e.g. 'same management team').")
    from chefintro.mentor_wishes import exclude_people

    undone = exclude_people(db, id_of(one), id_of(two), text)
    if undone is None:
        raise DuplicateError(f"{one.name} and {two.name} are already excluded.")
    return undone
