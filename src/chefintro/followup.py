"""Following the pairs through the year: meetings, a status per pair, ending and rematching.

A meeting is a date and an optional length, never its content: the conversations are the
pair's own. The rules every door (``pair meet``, the Möten sheet) goes through:

* :func:`check_meeting_day` — a meeting falls within the cohort's year and not in the
  future; one dated before the pair became active is taken with a warning (pairs often
  meet before the store is told), one after an ended pair's end is refused;
* :func:`record_meeting` — one meeting per pair and day: logging the same day again
  changes its length (and says from what to what), never adds a second row.

``report pairs`` (:func:`pair_statuses`) gives every pair active on a day a status:
``no_first_meeting`` when it has not met within ``followup.first_meeting_weeks`` of its
start, ``quiet`` when its last meeting is more than ``followup.quiet_weeks`` ago, else
``ok``. :func:`end_pair` keeps an ended pair as history; :func:`rematch` places only the
adepts without a live pair, with the mentors' remaining places, and never touches a live pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro import clock, settings
from chefintro.cohorts import find_participant, require_open
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import NotFoundError, RuleError, UsageError
from chefintro.models import Agency, Cohort, Exclusion, Meeting, Pairing, Participant, Person
from chefintro.registry import get_person
from chefintro.rules import MAX_MEETING_MINUTES
from chefintro.settings import FIRST_MEETING_WEEKS, QUIET_WEEKS
from chefintro.text import clean_text, email_key, swedish_key

MAX_MINUTES = MAX_MEETING_MINUTES

STATUS_NO_FIRST_MEETING = "no_first_meeting"
STATUS_QUIET = "quiet"
STATUS_OK = "ok"
#: Attention first: the order of the human table.
STATUS_ORDER = (STATUS_NO_FIRST_MEETING, STATUS_QUIET, STATUS_OK)


# --- who -----------------------------------------------------------------------------------


def find_adept(*, db: Session, cohort: Cohort, ref: str) -> tuple[Participant, Person]:
    """Return the cohort's adept named by an e-mail address or a unique name.

    The person is found the way every command finds one (:func:`registry.get_person`:
    NotFoundError for nobody or for a name several people share, listing them); RuleError
    for someone who is not an adept of the cohort.
    """
    if not (clean_text(ref) or ""):
        raise UsageError("Give the adept's e-mail address or name.")
    person = get_person(db=db, email=ref)
    part = find_participant(db=db, cohort=cohort, person=person)
    if part is None:
        raise NotFoundError(f"{person.name} ({person.email}) is not in cohort {cohort.name}.")
    if part.role != Role.ADEPT:
        raise RuleError(
            f"{person.name} ({person.email}) is a mentor in cohort {cohort.name}; give their "
            "adept's e-mail."
        )
    return part, person


def active_pairing(*, db: Session, cohort: Cohort, adept: Participant, person: Person) -> Pairing:
    """Return the adept's active pair; RuleError when they have none (or only a proposal)."""
    live = db.exec(
        select(Pairing)
        .where(Pairing.adept_id == adept.id)
        .where(col(Pairing.state) != PairingState.ENDED)
    ).first()
    return _only_active(live, person, cohort.name)


def _people(db: Session, pairing: Pairing) -> tuple[Person, Person]:
    """Return the adept and the mentor of a pairing."""
    adept_part, mentor_part = aliased(Participant), aliased(Participant)
    adept, mentor = aliased(Person), aliased(Person)
    row = db.execute(
        sa_select(adept, mentor)
        .select_from(Pairing)
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(adept, col(adept.id) == col(adept_part.person_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .where(col(Pairing.id) == pairing.id)
    ).one()
    return row[0], row[1]


# --- meetings ------------------------------------------------------------------------------


def check_meeting_day(*, cohort: Cohort, pairing: Pairing, day: date, today: date) -> str | None:
    """Refuse a meeting day outside the cohort's year, in the future or after the pair ended.

    Returns a warning for a day before the pair became active (taken anyway).
    """
    if day > today:
        raise RuleError(f"{day} is in the future; log a meeting once it has taken place.")
    if day < cohort.starts_on:
        raise RuleError(f"{day} is before cohort {cohort.name} starts ({cohort.starts_on}).")
    if day > cohort.ends_on:
        raise RuleError(f"{day} is after cohort {cohort.name} ends ({cohort.ends_on}).")
    if pairing.ended_on is not None and day > pairing.ended_on:
        raise RuleError(f"{day} is after the pair ended ({pairing.ended_on}).")
    if pairing.started_on is not None and day < pairing.started_on:
        return (
            f"{day} is before the pair was made active ({pairing.started_on}); the meeting "
            "was logged anyway."
        )
    return None


def check_minutes(minutes: int | None) -> None:
    """Refuse a meeting length that is not 1 to :data:`MAX_MINUTES` minutes."""
    if minutes is not None and not 1 <= minutes <= MAX_MINUTES:
        raise UsageError(f"A meeting lasts 1 to {MAX_MINUTES} minutes, not {minutes}.")


@dataclass(frozen=True)
class MeetingChange:
    """What recording one meeting did: ``added``, ``updated`` (minutes) or ``unchanged``."""

    outcome: str
    minutes_before: int | None = None


def record_meeting(
    *,
    db: Session,
    pairing: Pairing,
    day: date,
    minutes: int | None,
    known: dict[tuple[int, date], Meeting] | None = None,
) -> MeetingChange:
    """Store a pair's meeting on ``day``; the same day again only updates its length.

    A blank length never erases one already stored. ``known`` (from :class:`MeetingPairs`)
    holds the stored meetings by (pair, day), so a bulk import asks no query per row.
    """
    check_minutes(minutes)
    key = (int(pairing.id or 0), day)
    if known is not None:
        existing = known.get(key)
    else:
        existing = db.exec(
            select(Meeting).where(Meeting.pairing_id == pairing.id).where(Meeting.held_on == day)
        ).first()
    if existing is None:
        meeting = Meeting(pairing_id=key[0], held_on=day, minutes=minutes)
        db.add(meeting)
        if known is not None:
            known[key] = meeting
        else:
            db.flush()
        return MeetingChange("added")
    if minutes is None or existing.minutes == minutes:
        return MeetingChange("unchanged", existing.minutes)
    before = existing.minutes
    existing.minutes = minutes
    db.add(existing)
    db.flush()
    return MeetingChange("updated", before)


@dataclass(frozen=True)
class LoggedMeeting:
    adept: str
    adept_name: str
    mentor: str
    mentor_name: str
    day: date
    minutes: int | None
    change: MeetingChange
    meetings: int
    warning: str | None

    def describe(self) -> str:
        """Say what changed, from what to what."""
        who = f"{self.adept_name} – {self.mentor_name}"
        length = f", {self.minutes} min" if self.minutes else ""
        if self.change.outcome == "added":
            return f"Meeting logged for {who} on {self.day}{length} ({self.meetings} in all)."
        if self.change.outcome == "updated":
            before = self.change.minutes_before
            return (
                f"Meeting of {who} on {self.day}: minutes "
                f"{before if before is not None else 'blank'} → {self.minutes}."
            )
        return f"The meeting of {who} on {self.day} was already logged; nothing changed."

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "mentor": self.mentor,
            "date": self.day.isoformat(),
            "minutes": self.minutes,
            "outcome": self.change.outcome,
            "minutes_before": self.change.minutes_before,
            "meetings": self.meetings,
            "warning": self.warning,
        }


def _meeting_count(db: Session, pairing: Pairing) -> int:
    return int(
        db.execute(
            sa_select(func.count())
            .select_from(Meeting)
            .where(col(Meeting.pairing_id) == pairing.id)
        ).scalar_one()
    )


def log_meeting(
    *,
    db: Session,
    cohort: Cohort,
    adept: str,
    day: date | None = None,
    minutes: int | None = None,
    today: date | None = None,
) -> LoggedMeeting:
    """Log a meeting of the adept's active pair (today unless ``day`` is given)."""
    require_open(cohort)
    now = today or clock.today()
    check_minutes(minutes)
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    pairing = active_pairing(db=db, cohort=cohort, adept=part, person=person)
    when = day or now
    warning = check_meeting_day(cohort=cohort, pairing=pairing, day=when, today=now)
    change = record_meeting(db=db, pairing=pairing, day=when, minutes=minutes)
    adept_person, mentor_person = _people(db, pairing)
    return LoggedMeeting(
        adept=adept_person.email,
        adept_name=adept_person.name,
        mentor=mentor_person.email,
        mentor_name=mentor_person.name,
        day=when,
        minutes=minutes if minutes is not None else change.minutes_before,
        change=change,
        meetings=_meeting_count(db, pairing),
        warning=warning,
    )


def meeting_rows(*, db: Session, cohort: Cohort) -> list[tuple[str, str, date, int | None]]:
    """Return every meeting of the cohort as (adept e-mail, mentor e-mail, date, minutes).

    Ordered by the adept's name, then the date: the Möten sheet's rows.
    """
    adept_part, mentor_part = aliased(Participant), aliased(Participant)
    adept, mentor = aliased(Person), aliased(Person)
    rows = db.execute(
        sa_select(
            col(adept.name),
            col(adept.email),
            col(mentor.email),
            col(Meeting.held_on),
            col(Meeting.minutes),
        )
        .select_from(Meeting)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(adept, col(adept.id) == col(adept_part.person_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .where(col(Pairing.cohort_id) == cohort.id)
    ).all()
    ordered = sorted(rows, key=lambda r: (swedish_key(r[0]), r[1].casefold(), r[3]))
    return [(r[1], r[2], r[3], r[4]) for r in ordered]


class MeetingPairs:
    """Finds the pair a meeting belongs to, for many meetings with a few queries.

    Built once per import: the cohort's adepts and mentors by e-mail key, each adept's
    active or ended pairs, and the meetings already stored (by pair and day).
    """

    def __init__(self, *, db: Session, cohort: Cohort) -> None:
        self.db = db
        self.cohort = cohort
        people = db.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(Participant.cohort_id == cohort.id)
        ).all()
        self.by_key = {person.email_key: (part, person) for part, person in people}
        self.pairs: dict[int, list[Pairing]] = {}
        for pairing in db.exec(
            select(Pairing).where(Pairing.cohort_id == cohort.id).order_by(col(Pairing.id).desc())
        ).all():
            self.pairs.setdefault(pairing.adept_id, []).append(pairing)
        self.meetings: dict[tuple[int, date], Meeting] = {
            (m.pairing_id, m.held_on): m
            for m in db.exec(
                select(Meeting)
                .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
                .where(Pairing.cohort_id == cohort.id)
            ).all()
        }

    def pairing_for(self, *, adept: str, mentor: str | None) -> Pairing:
        """Return the adept's active pair, or (with ``mentor``) their pair with that mentor.

        With a mentor the pair may have ended (its meetings stay in the workbook); a
        proposal has no meetings. Raises NotFoundError/RuleError naming what is missing.
        """
        name = self.cohort.name
        found = self.by_key.get(email_key(adept))
        if found is None:
            raise NotFoundError(f"{adept} is not in cohort {name}.")
        part, person = found
        if part.role != Role.ADEPT:
            raise RuleError(f"{person.name} ({person.email}) is a mentor in cohort {name}.")
        pairs = self.pairs.get(int(part.id or 0), [])
        if mentor is None:
            live = [p for p in pairs if p.state != PairingState.ENDED]
            return _only_active(live[0] if live else None, person, name)
        other = self.by_key.get(email_key(mentor))
        if other is None or other[0].role != Role.MENTOR:
            raise NotFoundError(f"{mentor} is not a mentor in cohort {name}.")
        held = [p for p in pairs if p.mentor_id == other[0].id and p.state != PairingState.PROPOSED]
        if not held:
            raise NotFoundError(
                f"{person.name} and {other[1].name} are not a pair in cohort {name} (only "
                "active or ended pairs have meetings)."
            )
        return held[0]


def _only_active(live: Pairing | None, person: Person, cohort_name: str) -> Pairing:
    if live is None:
        raise RuleError(
            f"{person.name} ({person.email}) has no live pair in cohort {cohort_name}; see "
            "'chefintro pair list --all' and 'chefintro pair rematch'."
        )
    if live.state != PairingState.ACTIVE:
        raise RuleError(
            f"{person.name} ({person.email}) has only a proposed pair in cohort {cohort_name}; "
            "make it active with 'chefintro pair apply' first."
        )
    return live


# --- ending a pair ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EndedPair:
    adept: str
    adept_name: str
    mentor: str
    mentor_name: str
    ended_on: date
    reason: str
    excluded: bool
    mentor_free_places: int

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "mentor": self.mentor,
            "state": "ended",
            "ended_on": self.ended_on.isoformat(),
            "end_reason": self.reason,
            "excluded": self.excluded,
            "mentor_free_places": self.mentor_free_places,
        }


def end_reason(reason: str) -> str:
    """Return a pair's end reason cleaned; UsageError when it is empty or too long."""
    text = clean_text(reason)
    if not text:
        raise UsageError("Give a --reason (kept with the ended pair, e.g. 'mentor changed job').")
    if len(text) > 500:
        raise UsageError("Keep the --reason under 500 characters.")
    return text


def active_pair_people(*, db: Session, cohort: Cohort, adept: str) -> tuple[Person, Person]:
    """Return the adept and the mentor of the adept's active pair (for a confirmation);
    the errors of :func:`end_pair` when there is none."""
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    return _people(db, active_pairing(db=db, cohort=cohort, adept=part, person=person))


def end_pair(
    *,
    db: Session,
    cohort: Cohort,
    adept: str,
    reason: str,
    no_repeat: bool = False,
    today: date | None = None,
) -> EndedPair:
    """End the adept's active pair today, keeping it as history with its reason.

    ``no_repeat`` also records an exclusion, so the two are never paired again. The
    mentor's place is free at once; the adept waits for ``pair rematch``.
    """
    from chefintro.pairing.manual import end_pairing

    require_open(cohort)
    text = end_reason(reason)
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    pairing = active_pairing(db=db, cohort=cohort, adept=part, person=person)
    on = end_pairing(pairing, on=today or clock.today(), reason=text)
    db.add(pairing)
    adept_person, mentor_person = _people(db, pairing)
    excluded = False
    if no_repeat:
        a_id, b_id = sorted((int(adept_person.id or 0), int(mentor_person.id or 0)))
        exists = db.exec(
            select(Exclusion)
            .where(Exclusion.person_a_id == a_id)
            .where(Exclusion.person_b_id == b_id)
        ).first()
        if exists is None:
            db.add(Exclusion(person_a_id=a_id, person_b_id=b_id, reason=f"pair ended: {text}"))
        excluded = True
    db.flush()
    mentor_part = db.get(Participant, pairing.mentor_id)
    assert mentor_part is not None
    live = int(
        db.execute(
            sa_select(func.count())
            .select_from(Pairing)
            .where(col(Pairing.mentor_id) == mentor_part.id)
            .where(col(Pairing.state) != PairingState.ENDED)
        ).scalar_one()
    )
    return EndedPair(
        adept=adept_person.email,
        adept_name=adept_person.name,
        mentor=mentor_person.email,
        mentor_name=mentor_person.name,
        ended_on=on,
        reason=text,
        excluded=excluded,
        mentor_free_places=max(0, mentor_part.capacity - live),
    )


# --- rematching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unplaced:
    email: str
    name: str
    agency: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "agency": self.agency,
            "reason": self.reason,
        }


@dataclass
class RematchResult:
    """The pairs a rematch proposes (or, applied, made active) and who is left, with why."""

    cohort: str
    applied: bool
    pairs: list[Any] = field(default_factory=list)  # PairInfo
    unplaced: list[Unplaced] = field(default_factory=list)
    free_adepts: int = 0
    free_places: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "applied": self.applied,
            "free_adepts": self.free_adepts,
            "free_places": self.free_places,
            "pairs": [p.to_json() for p in self.pairs],
            "unplaced": [u.to_json() for u in self.unplaced],
        }


def rematch(
    *, db: Session, cohort: Cohort, apply: bool = False, today: date | None = None
) -> RematchResult:
    """Place the active adepts without a live pair; every live pair stays as it is.

    The problem holds only those adepts and the mentors with places left (with the mentees
    they already have, for the load penalty), so its cost follows the free people, not the
    cohort. The same hard rules and scores as ``pair suggest`` apply, and pairs that ended
    this year are not made again. Without ``apply`` nothing is stored; with it the pairs
    are made active, starting today.
    """
    from chefintro.matching.solver import solve
    from chefintro.models import utcnow
    from chefintro.pairing.problem import (
        RULE_EARLIER,
        RULE_EXCLUDED,
        RULE_SAME_AGENCY,
        load_problem,
    )
    from chefintro.pairing.suggest import PairInfo, start_date

    require_open(cohort)
    problem = load_problem(db=db, cohort=cohort, free_only=True)
    adepts, mentors = problem.adepts, problem.mentors
    held = mentors.held if mentors.held is not None else mentors.capacity * 0
    result = RematchResult(
        cohort=cohort.name,
        applied=apply,
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
    state = PairingState.ACTIVE if apply else PairingState.PROPOSED
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
        if apply:
            db.add(
                Pairing(
                    cohort_id=int(cohort.id or 0),
                    adept_id=adepts.participant_ids[a],
                    mentor_id=mentors.participant_ids[m],
                    state=PairingState.ACTIVE,
                    score=int(problem.scores[a, m]),
                    reasons={"breakdown": breakdown},
                    created_at=utcnow(),
                    started_on=started,
                )
            )
    if apply:
        db.flush()
    for a in range(len(adepts.emails)):
        if a in assignment:
            continue
        if not len(mentors.emails):
            reason = "no mentor has a free place; raise a capacity or add a mentor"
        elif not allowed[a].any():
            counts = {
                RULE_SAME_AGENCY: int(problem.same_agency[a].sum()),
                RULE_EXCLUDED: int((problem.excluded[a] & ~problem.same_agency[a]).sum()),
                RULE_EARLIER: int((problem.earlier[a] & ~problem.same_agency[a]).sum()),
            }
            detail = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
            reason = f"every mentor with a free place is forbidden ({detail})"
        else:
            reason = "the mentors this adept may have are placed with other free adepts"
        result.unplaced.append(
            Unplaced(adepts.emails[a], adepts.names[a], adepts.agency_codes[a], reason)
        )
    result.pairs.sort(key=lambda p: (swedish_key(p.adept_name), p.adept.casefold()))
    return result


# --- the status of every pair -----------------------------------------------------------------


@dataclass(frozen=True)
class PairStatus:
    adept: str
    adept_name: str
    adept_agency: str
    mentor: str
    mentor_name: str
    mentor_agency: str
    since: date
    meetings: int
    minutes: int
    last_meeting: date | None
    status: str
    days_waiting: int  # since the last meeting (or the start, if later)

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "adept_name": self.adept_name,
            "adept_agency": self.adept_agency,
            "mentor": self.mentor,
            "mentor_name": self.mentor_name,
            "mentor_agency": self.mentor_agency,
            "since": self.since.isoformat(),
            "meetings": self.meetings,
            "minutes": self.minutes,
            "last_meeting": self.last_meeting.isoformat() if self.last_meeting else None,
            "status": self.status,
            "days_waiting": self.days_waiting,
        }


@dataclass(frozen=True)
class PairsReport:
    cohort: str
    as_of: date
    first_meeting_weeks: int
    quiet_weeks: int
    rows: list[PairStatus]

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.rows]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def status_of(
    *,
    since: date,
    last_meeting: date | None,
    as_of: date,
    first_meeting_weeks: int,
    quiet_weeks: int,
) -> str:
    """Return a pair's status on ``as_of``; the boundary day itself still counts as in time."""
    if last_meeting is None:
        late = as_of > since + timedelta(weeks=first_meeting_weeks)
        return STATUS_NO_FIRST_MEETING if late else STATUS_OK
    # A pair that met before it was made active is measured from its start.
    if as_of > max(last_meeting, since) + timedelta(weeks=quiet_weeks):
        return STATUS_QUIET
    return STATUS_OK


def pair_statuses(*, db: Session, cohort: Cohort, as_of: date | None = None) -> PairsReport:
    """Return every pair active on ``as_of`` (default today) with its meetings and status.

    A pair counts from the day it was made active (its cohort's first day when unknown)
    until the day it ended; meetings after ``as_of`` are not counted.
    """
    day = as_of or clock.today()
    first_weeks = settings.get_int(db=db, key=FIRST_MEETING_WEEKS)
    quiet_weeks = settings.get_int(db=db, key=QUIET_WEEKS)
    adept_part, mentor_part = aliased(Participant), aliased(Participant)
    adept, mentor = aliased(Person), aliased(Person)
    adept_agency, mentor_agency = aliased(Agency), aliased(Agency)
    meetings = (
        sa_select(
            col(Meeting.pairing_id).label("pairing_id"),
            func.count().label("n"),
            func.coalesce(func.sum(col(Meeting.minutes)), 0).label("minutes"),
            func.max(col(Meeting.held_on)).label("last"),
        )
        .where(col(Meeting.held_on) <= day)
        .group_by(col(Meeting.pairing_id))
        .subquery()
    )
    query = (
        sa_select(
            Pairing,
            col(adept.name),
            col(adept.email),
            col(adept_agency.code),
            col(mentor.name),
            col(mentor.email),
            col(mentor_agency.code),
            meetings.c.n,
            meetings.c.minutes,
            meetings.c.last,
        )
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(adept, col(adept.id) == col(adept_part.person_id))
        .join(adept_agency, col(adept_agency.id) == col(adept.agency_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .join(mentor_agency, col(mentor_agency.id) == col(mentor.agency_id))
        .outerjoin(meetings, meetings.c.pairing_id == col(Pairing.id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state).in_((PairingState.ACTIVE, PairingState.ENDED)))
        .where(col(adept_part.status) != ParticipantStatus.WITHDRAWN)
    )
    rows: list[PairStatus] = []
    for pairing, a_name, a_email, a_code, m_name, m_email, m_code, n, minutes, last in db.execute(
        query
    ).all():
        since = pairing.started_on or cohort.starts_on
        if since > day or (pairing.ended_on is not None and pairing.ended_on <= day):
            continue
        if pairing.state == PairingState.ENDED and pairing.ended_on is None:
            continue  # ended on a day nobody recorded: not active on any day we can name
        status = status_of(
            since=since,
            last_meeting=last,
            as_of=day,
            first_meeting_weeks=first_weeks,
            quiet_weeks=quiet_weeks,
        )
        rows.append(
            PairStatus(
                adept=a_email,
                adept_name=a_name,
                adept_agency=a_code,
                mentor=m_email,
                mentor_name=m_name,
                mentor_agency=m_code,
                since=since,
                meetings=int(n or 0),
                minutes=int(minutes or 0),
                last_meeting=last,
                status=status,
                days_waiting=(day - max(last or since, since)).days,
            )
        )
    rows.sort(
        key=lambda r: (
            STATUS_ORDER.index(r.status),
            -r.days_waiting,
            swedish_key(r.adept_name),
            r.adept.casefold(),
        )
    )
    return PairsReport(cohort.name, day, first_weeks, quiet_weeks, rows)
