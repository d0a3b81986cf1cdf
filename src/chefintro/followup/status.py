"""The status of every pair on a day (``report pairs``).

A pair active on the day is ``no_first_meeting`` when it has not met within
``followup.first_meeting_weeks`` of its start, ``quiet`` when its last meeting is more
than ``followup.quiet_weeks`` ago, else ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from chefintro import clock, settings
from chefintro.enums import PairingState, ParticipantStatus
from chefintro.models import Agency, Cohort, Meeting, PairAgreement, Pairing, Participant, Person
from chefintro.registry import PairPeople
from chefintro.settings import FIRST_MEETING_WEEKS, QUIET_WEEKS
from chefintro.text import swedish_key

STATUS_NO_FIRST_MEETING = "no_first_meeting"
STATUS_QUIET = "quiet"
STATUS_OK = "ok"
#: Attention first: the order of the human table.
STATUS_ORDER = (STATUS_NO_FIRST_MEETING, STATUS_QUIET, STATUS_OK)


@dataclass(frozen=True)
class PairStatus(PairPeople):
    since: date
    meetings: int
    minutes: int
    last_meeting: date | None
    status: str
    days_waiting: int  # since the last meeting (or the start, if later)
    #: The pair's mentoring agreement ('pair agree', a check-in): None when not recorded.
    agreed: bool | None = None
    agreed_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.people_json(),
            "since": self.since.isoformat(),
            "meetings": self.meetings,
            "minutes": self.minutes,
            "last_meeting": self.last_meeting.isoformat() if self.last_meeting else None,
            "status": self.status,
            "days_waiting": self.days_waiting,
            "agreed": self.agreed,
            "agreed_on": self.agreed_on.isoformat() if self.agreed_on else None,
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


def status_began(
    *,
    status: str,
    since: date,
    last_meeting: date | None,
    first_meeting_weeks: int,
    quiet_weeks: int,
) -> date | None:
    """Return the first day a pair had ``status`` (None for ``ok``): the day after the
    boundary :func:`status_of` still counts as in time."""
    if status == STATUS_NO_FIRST_MEETING:
        return since + timedelta(weeks=first_meeting_weeks, days=1)
    if status == STATUS_QUIET:
        return max(last_meeting or since, since) + timedelta(weeks=quiet_weeks, days=1)
    return None


def _pairs_query(cohort: Cohort, day: date) -> Select[Any]:
    """One query for the cohort's active and ended pairs: both people, their agencies, and
    the count, minutes and last day of the meetings held by ``day``.

    Pairs of a withdrawn adept are left out; which pairs were active on ``day`` is decided
    by the caller.
    """
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
            col(Pairing.started_on),
            col(Pairing.ended_on),
            col(Pairing.state),
            col(adept.name),
            col(adept.email),
            col(adept_agency.code),
            col(mentor.name),
            col(mentor.email),
            col(mentor_agency.code),
            meetings.c.n,
            meetings.c.minutes,
            meetings.c.last,
            col(PairAgreement.agreed),
            col(PairAgreement.agreed_on),
        )
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(adept, col(adept.id) == col(adept_part.person_id))
        .join(adept_agency, col(adept_agency.id) == col(adept_part.agency_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .join(mentor_agency, col(mentor_agency.id) == col(mentor_part.agency_id))
        .outerjoin(meetings, meetings.c.pairing_id == col(Pairing.id))
        .outerjoin(PairAgreement, col(PairAgreement.pairing_id) == col(Pairing.id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state).in_((PairingState.ACTIVE, PairingState.ENDED)))
        .where(col(adept_part.status) != ParticipantStatus.WITHDRAWN)
    )
    return query


def pair_statuses(*, db: Session, cohort: Cohort, as_of: date | None = None) -> PairsReport:
    """Return every pair active on ``as_of`` (default today) with its meetings and status.

    A pair counts from the day it was made active (its cohort's first day when unknown)
    until the day it ended; meetings after ``as_of`` are not counted.
    """
    day = as_of or clock.today()
    first_weeks = settings.get_int(db=db, key=FIRST_MEETING_WEEKS)
    quiet_weeks = settings.get_int(db=db, key=QUIET_WEEKS)
    rows: list[PairStatus] = []
    query = _pairs_query(cohort, day)
    for row in db.execute(query).all():
        started_on, ended_on, state, a_name, a_email, a_code, m_name, m_email, m_code = row[:9]
        n, minutes, last, agreed, agreed_on = row[9:]
        since = started_on or cohort.starts_on
        if since > day or (ended_on is not None and ended_on <= day):
            continue
        if state == PairingState.ENDED and ended_on is None:
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
                agreed=agreed,
                agreed_on=agreed_on,
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
