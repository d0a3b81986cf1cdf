"""Meetings of a pair: the day and length rules every door goes through, logging one, and
the cohort's meetings for the Möten sheet.

A meeting is a date and an optional length, never its content: the conversations are the
pair's own. :func:`check_meeting_day`: a meeting falls within the cohort's year and not in
the future; one dated before the pair became active is taken with a warning (pairs often
meet before the store is told), one after an ended pair's end is refused.
:func:`record_meeting`: one meeting per pair and day; logging the same day again changes
its length (and says from what to what), never adds a second row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro import clock
from chefintro.bulk import insert_many
from chefintro.cohorts import require_open
from chefintro.enums import PairingState, Role
from chefintro.errors import ChefintroError, NotFoundError, RuleError
from chefintro.followup.pairs import (
    AnyPair,
    HeldPair,
    Named,
    PairDays,
    adept_and_mentor,
    find_adept,
    only_active,
)
from chefintro.ids import id_of
from chefintro.intake import raise_first
from chefintro.intake.meetings import MEETING_KIND_LABELS, MeetingFacts, check_meeting, length
from chefintro.models import Cohort, Meeting, Pairing, Participant, Person
from chefintro.rules import MAX_MEETING_MINUTES
from chefintro.text import email_key, swedish_key

MAX_MINUTES = MAX_MEETING_MINUTES


def check_meeting_day(*, cohort: Cohort, pairing: PairDays, day: date, today: date) -> str | None:
    """Raise the meeting intake's first problem for ``day``; return its warning, or None.

    Refused: a day outside the cohort's year, in the future or after the pair ended. A day
    before the pair became active is taken with a warning.
    """
    return MeetingDays(cohort, today).check(pairing, day)


class MeetingDays:
    """The meeting intake for the meetings of one cohort, checked on one day.

    What :func:`check_meeting_day` asks, for a bulk import: the checks are pure, and a
    year's meetings share a few hundred days and a few pair dates, so each (day, pair
    dates) is checked once and its answer (the warning, or the problem raised) kept.
    """

    def __init__(self, cohort: Cohort, today: date) -> None:
        self.today = today
        self.cohort = (cohort.name, cohort.starts_on, cohort.ends_on)
        self._seen: dict[tuple[date, date | None, date | None], str | ChefintroError | None] = {}

    def check(self, pairing: PairDays, day: date) -> str | None:
        """Raise the first problem of a meeting of ``pairing`` on ``day``; return its warning."""
        key = (day, pairing.started_on, pairing.ended_on)
        if key in self._seen:
            answer = self._seen[key]
        else:
            name, starts_on, ends_on = self.cohort
            facts = MeetingFacts(day, None, self.today, name, starts_on, ends_on, *key[1:])
            try:
                answer = " ".join(raise_first(check_meeting(facts))) or None
            except ChefintroError as refused:
                answer = refused
            self._seen[key] = answer
        if isinstance(answer, ChefintroError):
            raise answer.with_traceback(None)
        return answer


@lru_cache(maxsize=1024)
def check_minutes(minutes: int | None) -> None:
    """Refuse a meeting length that is not 1 to :data:`MAX_MINUTES` minutes.

    Cached (a length that passes, passes again; a refusal is not cached but raised anew).
    """
    raise_first(length(MeetingFacts(date.min, minutes, date.min, "", date.min, date.min)))


def pair_on_day(pairs: list[AnyPair], day: date, person: Named, cohort_name: str) -> AnyPair:
    """Return the adept's pair a meeting on ``day`` belongs to: the one live on that day.

    ``pairs`` are the adept's pairs of the cohort. A day two pairs share (one ended and the
    next began on it) goes to the later one; a day before every pair began goes to the
    first (taken with a warning by :func:`check_meeting_day`); a day between two pairs,
    or after the last one ended, is refused with the pairs and their dates.
    """
    held = sorted(
        (p for p in pairs if p.state != PairingState.PROPOSED),
        key=lambda p: (p.started_on or date.min, id_of(p)),
    )
    if not held:
        live = next((p for p in pairs if p.state != PairingState.ENDED), None)
        return only_active(live, person, cohort_name)
    covering = [
        p
        for p in held
        if (p.started_on is None or p.started_on <= day)
        and (p.ended_on is None or day <= p.ended_on)
    ]
    if covering:
        return covering[-1]
    first = held[0]
    if first.started_on is not None and day < first.started_on:
        return first
    if len(held) == 1:
        return first  # after it ended: check_meeting_day says so
    dates = "; ".join(
        f"{p.started_on or '?'} – {p.ended_on or 'now'}"
        + (f" ({p.end_reason})" if p.end_reason else "")
        for p in held
    )
    raise RuleError(
        f"{person.name} ({person.email}) had no pair on {day} in cohort {cohort_name}: their "
        f"pairs ran {dates}. Log the meeting on a day of one of them."
    )


@dataclass(frozen=True)
class MeetingChange:
    """What recording one meeting did: ``added``, ``updated`` (minutes) or ``unchanged``."""

    outcome: str
    minutes_before: int | None = None


#: What recording a new meeting did (one answer, shared by a bulk import's rows).
_ADDED = MeetingChange("added")


def record_meeting(
    *,
    db: Session,
    pairing: PairDays,
    day: date,
    minutes: int | None,
    known: KnownMeetings | None = None,
    kind: str | None = None,
) -> MeetingChange:
    """Store a pair's meeting on ``day``; the same day again only updates its length.

    A blank length never erases one already stored. ``known`` (a bulk import's
    ``MeetingPairs.meetings``) holds the stored meetings by (pair, day) and keeps the rows
    to write, so the import asks no query per row; it writes them with
    :meth:`KnownMeetings.write`. A bulk import (Möten) has no kind column: it adds plain
    meetings and leaves a stored meeting's kind as it is (a visit stays a visit).
    """
    check_minutes(minutes)
    if known is not None and kind is None:
        return known.record(id_of(pairing), day, minutes)
    existing = db.exec(
        select(Meeting).where(Meeting.pairing_id == pairing.id).where(Meeting.held_on == day)
    ).first()
    if existing is None:
        db.add(Meeting(pairing_id=id_of(pairing), held_on=day, minutes=minutes, kind=kind))
        db.flush()
        return MeetingChange("added")
    # A kind is changed only when given (a roster row without one keeps a visit a visit).
    kind_changes = kind is not None and existing.kind != kind
    if (minutes is None or existing.minutes == minutes) and not kind_changes:
        return MeetingChange("unchanged", existing.minutes)
    before = existing.minutes
    if minutes is not None:
        existing.minutes = minutes
    if kind_changes:
        existing.kind = kind
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
    kind: str | None = None

    def describe(self) -> str:
        """Say what changed, from what to what."""
        who = f"{self.adept_name} – {self.mentor_name}"
        length = f", {self.minutes} min" if self.minutes else ""
        what = "Meeting" if self.kind is None else f"Meeting ({MEETING_KIND_LABELS[self.kind]})"
        if self.change.outcome == "added":
            return f"{what} logged for {who} on {self.day}{length} ({self.meetings} in all)."
        if self.change.outcome == "updated":
            before = self.change.minutes_before
            return (
                f"{what} of {who} on {self.day}: minutes "
                f"{before if before is not None else 'blank'} → {self.minutes}"
                f"{', now a ' + MEETING_KIND_LABELS[self.kind] if self.kind else ''}."
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
            "kind": MEETING_KIND_LABELS[self.kind],
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
    kind: str | None = None,
) -> LoggedMeeting:
    """Log a meeting of the adept's active pair (today unless ``day`` is given)."""
    require_open(cohort)
    now = today or clock.today()
    check_minutes(minutes)
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    when = day or now
    pairs = list(db.exec(select(Pairing).where(Pairing.adept_id == part.id)).all())
    pairing = pair_on_day(pairs, when, person, cohort.name)
    warning = check_meeting_day(cohort=cohort, pairing=pairing, day=when, today=now)
    change = record_meeting(db=db, pairing=pairing, day=when, minutes=minutes, kind=kind)
    adept_person, mentor_person = adept_and_mentor(db, pairing)
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
        kind=kind,
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


@dataclass(slots=True)
class StoredMeeting:
    """A meeting a bulk import knows of: its row id (None until written) and length."""

    id: int | None
    minutes: int | None


class KnownMeetings(dict[tuple[int, date], StoredMeeting]):
    """A cohort's meetings by (pair, day), with those a bulk import adds or changes kept
    until :meth:`write`."""

    def __init__(self, db: Session, stored: dict[tuple[int, date], StoredMeeting]) -> None:
        super().__init__(stored)
        self.db = db
        self._changed: set[tuple[int, date]] = set()

    def record(self, pairing_id: int, day: date, minutes: int | None) -> MeetingChange:
        """What :func:`record_meeting` does, kept until :meth:`write`."""
        key = (pairing_id, day)
        existing = self.get(key)
        if existing is None:
            self[key] = StoredMeeting(None, minutes)
            self._changed.add(key)
            return _ADDED
        if minutes is None or existing.minutes == minutes:
            return MeetingChange("unchanged", existing.minutes)
        before = existing.minutes
        existing.minutes = minutes
        self._changed.add(key)
        return MeetingChange("updated", before)

    def write(self) -> None:
        """Write the added meetings in one statement and the changed lengths in another."""
        table = Meeting.__table__  # type: ignore[attr-defined]
        added: list[tuple[int, date]] = []
        changed: list[dict[str, object]] = []
        for key in sorted(self._changed):
            meeting = self[key]
            if meeting.id is None:
                added.append(key)
            else:
                changed.append({"meeting_id": meeting.id, "minutes": meeting.minutes})
        if added:
            pairing_ids, days = zip(*added, strict=True)
            minutes = [self[key].minutes for key in added]
            insert_many(
                self.db, Meeting, {"pairing_id": pairing_ids, "held_on": days, "minutes": minutes}
            )
        if changed:
            self.db.execute(
                table.update()
                .where(table.c.id == bindparam("meeting_id"))
                .values(minutes=bindparam("minutes")),
                changed,
            )
        self._changed.clear()


@dataclass(frozen=True, slots=True)
class Member:
    """A cohort participant's columns that finding a meeting's pair needs."""

    id: int
    role: str
    name: str
    email: str


class MeetingPairs:
    """Finds the pair a meeting belongs to, for many meetings with a few queries.

    Built once per import: the cohort's adepts and mentors by e-mail key, each adept's
    active or ended pairs, and the meetings already stored (by pair and day); the meetings
    the import adds or changes are kept and written at once by :meth:`write`.
    """

    def __init__(self, *, db: Session, cohort: Cohort) -> None:
        self.db = db
        self.cohort = cohort
        # Core rows through the connection (a year's tens of thousands of people and
        # pairs), after a flush, so that what the session holds is read too.
        db.flush()
        rows = db.connection()
        people: Sequence[Any] = rows.execute(  # stored rows: their ids are never None
            sa_select(
                col(Person.email_key),
                col(Participant.id),
                col(Participant.role),
                col(Person.name),
                col(Person.email),
            )
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
        ).all()
        self.by_key = {
            key: Member(pid, str(role), name, email) for key, pid, role, name, email in people
        }
        self.pairs: dict[int, list[HeldPair]] = {}
        pairs: Sequence[Any] = rows.execute(
            sa_select(
                col(Pairing.id),
                col(Pairing.adept_id),
                col(Pairing.mentor_id),
                col(Pairing.state),
                col(Pairing.started_on),
                col(Pairing.ended_on),
                col(Pairing.end_reason),
            )
            .where(col(Pairing.cohort_id) == cohort.id)
            .order_by(col(Pairing.id).desc())
        ).all()
        for row in pairs:
            pairing = HeldPair(*row)
            self.pairs.setdefault(pairing.adept_id, []).append(pairing)
        #: The pair of each (adept, mentor) as the rows spell them, once found.
        self._found: dict[tuple[str, str], HeldPair] = {}
        stored = {
            (pairing_id, held_on): StoredMeeting(meeting_id, minutes)
            for meeting_id, pairing_id, held_on, minutes in rows.execute(
                sa_select(
                    col(Meeting.id),
                    col(Meeting.pairing_id),
                    col(Meeting.held_on),
                    col(Meeting.minutes),
                )
                .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
                .where(col(Pairing.cohort_id) == cohort.id)
            ).all()
        }
        self.meetings = KnownMeetings(db, stored)

    def pairing_for(self, *, adept: str, mentor: str | None, day: date) -> HeldPair:
        """Return the adept's pair live on ``day``, or (with ``mentor``) their pair with that
        mentor.

        With a mentor the pair may have ended (its meetings stay in the workbook); a
        proposal has no meetings. Raises NotFoundError/RuleError naming what is missing.
        With a mentor the answer does not depend on the day: it is looked up once for each
        adept and mentor as the rows write them (a pair meets many times a year).
        """
        if mentor is not None:
            found = self._found.get((adept, mentor))
            if found is not None:
                return found
        name = self.cohort.name
        person = self.by_key.get(email_key(adept))
        if person is None:
            raise NotFoundError(f"{adept} is not in cohort {name}.")
        if person.role != Role.ADEPT:
            raise RuleError(f"{person.name} ({person.email}) is a mentor in cohort {name}.")
        pairs = self.pairs.get(person.id, [])
        if mentor is None:
            return pair_on_day(pairs, day, person, name)
        other = self.by_key.get(email_key(mentor))
        if other is None or other.role != Role.MENTOR:
            raise NotFoundError(f"{mentor} is not a mentor in cohort {name}.")
        held = [p for p in pairs if p.mentor_id == other.id and p.state != PairingState.PROPOSED]
        if not held:
            raise NotFoundError(
                f"{person.name} and {other.name} are not a pair in cohort {name} (only "
                "active or ended pairs have meetings)."
            )
        self._found[(adept, mentor)] = held[0]
        return held[0]
