"""Everything the store holds that refers to one person: their participations,
exclusions and the rows an erasure removes (:class:`Footprint`), counted as an :class:`Erasure`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from chefintro.ids import id_of
from chefintro.models import (
    Answer,
    Attendance,
    Cohort,
    Exclusion,
    Pairing,
    Participant,
    PeerGroupMember,
    Person,
)
from chefintro.registry import get_person
from chefintro.words import noun, plural


def participations_of(db: Session, person: Person) -> list[tuple[Participant, Cohort]]:
    """Return the person's participations with their cohorts, the earliest cohort first."""
    rows = db.exec(
        select(Participant, Cohort)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(Participant.person_id == person.id)
        .order_by(col(Cohort.starts_on), col(Cohort.name))
    ).all()
    return [(p, c) for p, c in rows]


def exclusions_of(db: Session, person: Person) -> list[Exclusion]:
    """Return the exclusions naming the person, on either side, in the order they were made."""
    return list(
        db.exec(
            select(Exclusion)
            .where((Exclusion.person_a_id == person.id) | (Exclusion.person_b_id == person.id))
            .order_by(col(Exclusion.id))
        ).all()
    )


@dataclass(frozen=True)
class Erasure:
    """What erasing a person removes (name and e-mail only for the command's own message)."""

    name: str
    email: str
    cohorts: list[str]
    participations: int
    pairings: int
    attendance: int
    exclusions: int
    group_memberships: int
    survey_answers: int = 0

    def summary(self) -> str:
        """Describe the erasure by counts and cohort names only (fit for the audit log)."""
        where = (
            f" in {noun(len(self.cohorts), 'cohort')} {', '.join(self.cohorts)}"
            if self.cohorts
            else ""
        )
        return (
            f"{plural(self.participations, 'participation')}{where}, "
            f"{plural(self.pairings, 'pairing')}, "
            f"{plural(self.attendance, 'attendance record')}, "
            f"{plural(self.exclusions, 'exclusion')}, "
            f"{plural(self.group_memberships, 'peer-group membership')}, "
            f"{plural(self.survey_answers, 'survey answer')}"
        )


@dataclass
class Footprint:
    """The rows that refer to one person, as an erasure finds them."""

    person: Person
    cohorts: list[str]
    participants: list[Participant]
    pairings: list[Pairing]
    attendance: list[Attendance]
    memberships: list[PeerGroupMember]
    exclusions: list[Exclusion]
    survey_answers: int = 0

    def erasure(self) -> Erasure:
        return Erasure(
            name=self.person.name,
            email=self.person.email,
            cohorts=self.cohorts,
            participations=len(self.participants),
            pairings=len(self.pairings),
            attendance=len(self.attendance),
            exclusions=len(self.exclusions),
            group_memberships=len(self.memberships),
            survey_answers=self.survey_answers,
        )


def footprint(db: Session, email: str) -> Footprint:
    """Return every row an erasure of the person (found by e-mail or name) removes."""
    person = get_person(db=db, email=email)
    participations = participations_of(db, person)
    ids = [id_of(p) for p, _ in participations]
    pairings = db.exec(
        select(Pairing).where(col(Pairing.adept_id).in_(ids) | col(Pairing.mentor_id).in_(ids))
    ).all()
    attendance = db.exec(select(Attendance).where(col(Attendance.participant_id).in_(ids))).all()
    memberships = db.exec(
        select(PeerGroupMember).where(col(PeerGroupMember.participant_id).in_(ids))
    ).all()
    answers = db.exec(
        select(func.count(col(Answer.id))).where(col(Answer.participant_id).in_(ids))
    ).one()
    return Footprint(
        person=person,
        cohorts=[c.name for _, c in participations],
        participants=[p for p, _ in participations],
        pairings=list(pairings),
        attendance=list(attendance),
        memberships=list(memberships),
        exclusions=exclusions_of(db, person),
        survey_answers=int(answers or 0),
    )
