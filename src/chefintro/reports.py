"""Read-only summaries: a cohort by agency, who mentors whom across agencies, year over year.

Every figure comes from a handful of aggregate (GROUP BY) queries, never from loading a
cohort row by row, and the SQL is plain enough for SQLite and PostgreSQL alike.

What counts:

- adepts and mentors are participants who have not withdrawn (active or completed);
- a *live* pair is proposed or active: it places an adept and uses a mentor place;
- year over year, a pair that *happened* is active or ended (proposals do not count yet).

People are counted under the agency they belong to now; anonymised cohorts keep their
people's agency, so they still count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy
from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro.clock import now_local
from chefintro.enums import AttendanceStatus, PairingState, ParticipantStatus, Role
from chefintro.errors import NotFoundError
from chefintro.ids import id_of
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Pairing,
    Participant,
    PeerGroup,
    ProgrammeSession,
)
from chefintro.text import swedish_key

LIVE = (PairingState.PROPOSED, PairingState.ACTIVE)
HAPPENED = (PairingState.ACTIVE, PairingState.ENDED)


# --- the aggregate queries --------------------------------------------------------------


@dataclass(frozen=True)
class _Participation:
    adepts: int = 0
    mentors: int = 0
    mentor_places: int = 0


def _participation(db: Session, cohort_id: int | None) -> dict[tuple[int, str], _Participation]:
    """Return (cohort id, agency code) → non-withdrawn adepts, mentors and mentor places.

    ``cohort_id`` None means every cohort.
    """
    is_adept = col(Participant.role) == Role.ADEPT
    is_mentor = col(Participant.role) == Role.MENTOR
    # sqlmodel's select takes at most four columns; SQLAlchemy's takes any number.
    query = (
        sqlalchemy.select(
            col(Participant.cohort_id),
            col(Agency.code),
            func.sum(case((is_adept, 1), else_=0)),
            func.sum(case((is_mentor, 1), else_=0)),
            func.sum(case((is_mentor, col(Participant.capacity)), else_=0)),
        )
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
        .group_by(col(Participant.cohort_id), col(Agency.code))
    )
    if cohort_id is not None:
        query = query.where(col(Participant.cohort_id) == cohort_id)
    return {
        (int(cid), str(code)): _Participation(int(adepts or 0), int(mentors or 0), int(places or 0))
        for cid, code, adepts, mentors, places in db.execute(query).all()
    }


def _pair_cells(
    db: Session, cohort_id: int | None, *, live: bool
) -> dict[tuple[int, str, str], int]:
    """Return (cohort id, adept's agency, mentor's agency) → number of pairs.

    ``live``: proposed or active pairs between participants who have not withdrawn;
    otherwise the pairs that happened (active or ended), whoever withdrew since.
    """
    adept, mentor = aliased(Participant), aliased(Participant)
    adept_agency, mentor_agency = aliased(Agency), aliased(Agency)
    query = (
        select(
            Pairing.cohort_id, adept_agency.code, mentor_agency.code, func.count(col(Pairing.id))
        )
        .join(adept, col(adept.id) == col(Pairing.adept_id))
        .join(adept_agency, col(adept_agency.id) == col(adept.agency_id))
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(mentor_agency, col(mentor_agency.id) == col(mentor.agency_id))
        .where(col(Pairing.state).in_(LIVE if live else HAPPENED))
        .group_by(col(Pairing.cohort_id), col(adept_agency.code), col(mentor_agency.code))
    )
    if live:
        query = query.where(col(adept.status) != ParticipantStatus.WITHDRAWN).where(
            col(mentor.status) != ParticipantStatus.WITHDRAWN
        )
    if cohort_id is not None:
        query = query.where(Pairing.cohort_id == cohort_id)
    return {
        (int(cid), str(a_code), str(m_code)): int(count)
        for cid, a_code, m_code, count in db.exec(query).all()
    }


def _in_swedish_order(codes: Iterable[str]) -> list[str]:
    return sorted(set(codes), key=swedish_key)


def _cohort_id(cohort: Cohort) -> int:
    return id_of(cohort)


# --- for the roster export's overview sheet ---------------------------------------------


def participants_per_agency(*, db: Session, cohort: Cohort) -> list[tuple[str, int, int]]:
    """Return (agency code, adepts, mentors) of the cohort's non-withdrawn participants.

    Only agencies with someone in the cohort, in Swedish order of code.
    """
    by_code = {code: p for (_, code), p in _participation(db, _cohort_id(cohort)).items()}
    return [
        (code, by_code[code].adepts, by_code[code].mentors) for code in _in_swedish_order(by_code)
    ]


def attendance_per_session(*, db: Session, cohort: Cohort) -> list[tuple[str, int, int, int]]:
    """Return ("YYYY-MM-DD Title", present, excused, absent) per session, in time order.

    Counts every recorded status, as ``session list`` does; sessions with nothing recorded
    are there with zeros.
    """

    def counted(status: AttendanceStatus) -> sqlalchemy.ColumnElement[Any]:
        return func.sum(case((col(Attendance.status) == status, 1), else_=0))

    rows = db.execute(
        sqlalchemy.select(
            col(ProgrammeSession.starts_at),
            col(ProgrammeSession.title),
            counted(AttendanceStatus.PRESENT),
            counted(AttendanceStatus.EXCUSED),
            counted(AttendanceStatus.ABSENT),
        )
        .outerjoin(Attendance, col(Attendance.session_id) == col(ProgrammeSession.id))
        .where(col(ProgrammeSession.cohort_id) == cohort.id)
        .where(col(ProgrammeSession.cancelled).is_(False))
        .group_by(
            col(ProgrammeSession.id), col(ProgrammeSession.starts_at), col(ProgrammeSession.title)
        )
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    return [
        (f"{starts_at:%Y-%m-%d} {title}", int(present or 0), int(excused or 0), int(absent or 0))
        for starts_at, title, present, excused, absent in rows
    ]


# --- overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyFigures:
    """One agency's part in a cohort (or, with agency None, the cohort's totals)."""

    agency: str | None
    adepts: int
    mentors: int
    placed: int
    mentor_places: int
    mentor_places_used: int

    @property
    def unmatched(self) -> int:
        return max(self.adepts - self.placed, 0)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {} if self.agency is None else {"agency": self.agency}
        data.update(
            adepts=self.adepts,
            mentors=self.mentors,
            placed=self.placed,
            unmatched=self.unmatched,
            mentor_places=self.mentor_places,
            mentor_places_used=self.mentor_places_used,
        )
        return data


@dataclass(frozen=True)
class Overview:
    cohort: str
    agencies: list[AgencyFigures]
    totals: AgencyFigures
    sessions_total: int
    sessions_held: int
    groups: int

    @property
    def sessions_planned(self) -> int:
        return self.sessions_total - self.sessions_held

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "agencies": [a.to_json() for a in self.agencies],
            "totals": self.totals.to_json(),
            "sessions": {"total": self.sessions_total, "held": self.sessions_held},
            "groups": self.groups,
        }


def overview(*, db: Session, cohort: Cohort, now: datetime | None = None) -> Overview:
    """Return the cohort per agency: people, placed and unmatched adepts, mentor places.

    A session counts as held once it has started by ``now`` (Stockholm time).
    """
    cid = _cohort_id(cohort)
    people = _participation(db, cid)
    pairs = _pair_cells(db, cid, live=True)
    placed: dict[str, int] = defaultdict(int)
    used: dict[str, int] = defaultdict(int)
    for (_, adept_code, mentor_code), count in pairs.items():
        placed[adept_code] += count
        used[mentor_code] += count
    codes = _in_swedish_order([code for _, code in people] + list(placed) + list(used))
    rows = [
        AgencyFigures(
            agency=code,
            adepts=people.get((cid, code), _Participation()).adepts,
            mentors=people.get((cid, code), _Participation()).mentors,
            placed=placed[code],
            mentor_places=people.get((cid, code), _Participation()).mentor_places,
            mentor_places_used=used[code],
        )
        for code in codes
    ]
    totals = AgencyFigures(
        agency=None,
        adepts=sum(r.adepts for r in rows),
        mentors=sum(r.mentors for r in rows),
        placed=sum(r.placed for r in rows),
        mentor_places=sum(r.mentor_places for r in rows),
        mentor_places_used=sum(r.mentor_places_used for r in rows),
    )
    moment = now or now_local()
    total, held = db.exec(
        select(
            func.count(col(ProgrammeSession.id)),
            func.sum(case((col(ProgrammeSession.starts_at) <= moment, 1), else_=0)),
        )
        .where(ProgrammeSession.cohort_id == cid)
        .where(col(ProgrammeSession.cancelled).is_(False))
    ).one()
    groups = db.exec(select(func.count(col(PeerGroup.id))).where(PeerGroup.cohort_id == cid)).one()
    return Overview(
        cohort=cohort.name,
        agencies=rows,
        totals=totals,
        sessions_total=int(total or 0),
        sessions_held=int(held or 0),
        groups=int(groups or 0),
    )


# --- give and take between agencies -----------------------------------------------------


@dataclass(frozen=True)
class GiveTake:
    """Gives: its mentors' pairs with other agencies' adepts; takes: the other way round."""

    agency: str
    gives: int
    takes: int

    @property
    def balance(self) -> int:
        return self.gives - self.takes

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "gives": self.gives,
            "takes": self.takes,
            "balance": self.balance,
        }


@dataclass(frozen=True)
class AgencyMatrix:
    cohort: str
    agencies: list[str]
    # adept's agency → mentor's agency → live pairs; every agency on both sides.
    matrix: dict[str, dict[str, int]]
    balance: list[GiveTake]

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "agencies": list(self.agencies),
            "matrix": {a: dict(row) for a, row in self.matrix.items()},
            "balance": [b.to_json() for b in self.balance],
        }


def agency_matrix(*, db: Session, cohort: Cohort) -> AgencyMatrix:
    """Return who mentors whom: live pairs by adept's agency × mentor's agency, and balance.

    The agencies are those with a non-withdrawn participant in the cohort, in Swedish
    order of code.
    """
    cid = _cohort_id(cohort)
    pairs = _pair_cells(db, cid, live=True)
    codes = _in_swedish_order(
        [code for _, code in _participation(db, cid)]
        + [code for _, a, m in pairs for code in (a, m)]
    )
    matrix = {a: {m: pairs.get((cid, a, m), 0) for m in codes} for a in codes}
    balance = [
        GiveTake(
            agency=code,
            gives=sum(matrix[a][code] for a in codes if a != code),
            takes=sum(matrix[code][m] for m in codes if m != code),
        )
        for code in codes
    ]
    return AgencyMatrix(cohort=cohort.name, agencies=codes, matrix=matrix, balance=balance)


# --- year over year ---------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    adepts: int = 0
    mentors: int = 0
    pairs: int = 0

    def to_json(self) -> dict[str, int]:
        return {"adepts": self.adepts, "mentors": self.mentors, "pairs": self.pairs}


@dataclass(frozen=True)
class AgencyHistory:
    agency: str
    # cohort name → figures, for every cohort (zeros where the agency took no part).
    per_cohort: dict[str, YearFigures]

    @property
    def total_adepts(self) -> int:
        return sum(f.adepts for f in self.per_cohort.values())

    @property
    def total_mentors(self) -> int:
        return sum(f.mentors for f in self.per_cohort.values())

    @property
    def total_pairs(self) -> int:
        return sum(f.pairs for f in self.per_cohort.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "per_cohort": {name: f.to_json() for name, f in self.per_cohort.items()},
            "total_adepts": self.total_adepts,
            "total_mentors": self.total_mentors,
            "total_pairs": self.total_pairs,
        }


@dataclass(frozen=True)
class History:
    cohorts: list[str]
    agencies: list[AgencyHistory]
    # cohort name → the cohort's figures; each pair counted once.
    totals: dict[str, YearFigures]

    def to_json(self) -> dict[str, Any]:
        return {
            "cohorts": list(self.cohorts),
            "agencies": [a.to_json() for a in self.agencies],
            "totals": {name: f.to_json() for name, f in self.totals.items()},
        }


def history(*, db: Session) -> History:
    """Return year-over-year figures per agency across every cohort, oldest first.

    Per agency and cohort: adepts and mentors who did not withdraw, and the pairs that
    happened (active or ended) with the agency on either side. The cohort totals count
    each pair once. Raise NotFoundError when there is no cohort yet.
    """
    cohorts = db.exec(select(Cohort).order_by(col(Cohort.starts_on), col(Cohort.name))).all()
    if not cohorts:
        raise NotFoundError(
            "No cohorts yet, so no history. Create one with "
            "'chefintro cohort create NAME --start YYYY-MM-DD --end YYYY-MM-DD'."
        )
    names = {id_of(cohort): cohort.name for cohort in cohorts}
    people = _participation(db, None)
    pairs = _pair_cells(db, None, live=False)
    agency_pairs: dict[tuple[int, str], int] = defaultdict(int)
    cohort_pairs: dict[int, int] = defaultdict(int)
    for (cid, adept_code, mentor_code), count in pairs.items():
        cohort_pairs[cid] += count
        for code in {adept_code, mentor_code}:
            agency_pairs[(cid, code)] += count
    codes = _in_swedish_order(
        [code for (_, code), p in people.items() if p.adepts or p.mentors]
        + [code for _, code in agency_pairs]
    )
    agencies = []
    for code in codes:
        per_cohort = {}
        for cid, name in names.items():
            part = people.get((cid, code), _Participation())
            per_cohort[name] = YearFigures(part.adepts, part.mentors, agency_pairs[(cid, code)])
        agencies.append(AgencyHistory(agency=code, per_cohort=per_cohort))
    totals = {
        name: YearFigures(
            adepts=sum(p.adepts for (c, _), p in people.items() if c == cid),
            mentors=sum(p.mentors for (c, _), p in people.items() if c == cid),
            pairs=cohort_pairs[cid],
        )
        for cid, name in names.items()
    }
    return History(cohorts=list(names.values()), agencies=agencies, totals=totals)
