"""The network's who's who: a cohort's directory and the alumni across every cohort.

Only people who consented to be listed (:mod:`chefintro.network.consent`) are in it, and a
listed adept's mentor is named only when the mentor consented too. Withdrawn participants
and anonymised cohorts are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from chefintro.enums import CohortStatus, PairingState, ParticipantStatus, Role
from chefintro.models import (
    Agency,
    Cohort,
    Pairing,
    Participant,
    PeerGroup,
    PeerGroupMember,
    Person,
)
from chefintro.network.consent import listed_participants, listed_people, require_consentable
from chefintro.text import swedish_key

ROLE_WORDS = {Role.ADEPT.value: "adept", Role.MENTOR.value: "mentor"}


@dataclass(frozen=True)
class Entry:
    """One listed person: what the directory (workbook and vCard) shows of them."""

    name: str
    email: str
    agency: str  # code
    agency_name: str
    unit: str | None
    title: str | None
    #: Cohort → role, in cohort order (one pair for a cohort's directory).
    roles: tuple[tuple[str, str], ...]
    group: str | None = None
    mentor: str | None = None

    @property
    def years(self) -> str:
        """The cohorts and roles in Swedish words: "2026 adept, 2027 mentor"."""
        return ", ".join(f"{cohort} {ROLE_WORDS.get(role, role)}" for cohort, role in self.roles)

    def to_json(self) -> dict[str, Any]:
        # A person's keys as 'person list --json' names them (registry.PersonInfo),
        # deliberately the same.
        return {
            "name": self.name,
            "email": self.email,
            "agency": self.agency,
            "agency_name": self.agency_name,
            "unit": self.unit,
            "title": self.title,
            "roles": [{"cohort": c, "role": r} for c, r in self.roles],
            "group": self.group,
            "mentor": self.mentor,
        }


@dataclass
class Directory:
    """A cohort's directory (``cohort`` set) or the alumni list (``cohort`` None)."""

    cohort: str | None
    entries: list[Entry] = field(default_factory=list)
    #: Participants left out because they have not consented (a count, never who).
    unlisted: int = 0

    def add(
        self,
        person: Person,
        agency: Agency,
        held: tuple[str | None, str | None],
        roles: tuple[tuple[str, str], ...],
        *,
        group: str | None = None,
        mentor: str | None = None,
    ) -> None:
        """List one consenting person: their agency, the unit and title ``held``, roles."""
        unit, title = held
        self.entries.append(
            Entry(
                name=person.name,
                email=person.email,
                agency=agency.code,
                agency_name=agency.name,
                unit=unit,
                title=title,
                roles=roles,
                group=group,
                mentor=mentor,
            )
        )

    def in_name_order(self) -> Directory:
        """The directory in Swedish name order (then by address)."""
        self.entries.sort(key=lambda e: (swedish_key(e.name), e.email.casefold()))
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "alumni": self.cohort is None,
            "listed": len(self.entries),
            "unlisted": self.unlisted,
            "people": [e.to_json() for e in self.entries],
        }


def _groups(db: Session, cohort: Cohort) -> dict[int, str]:
    rows = db.execute(
        sa_select(col(PeerGroupMember.participant_id), col(PeerGroup.name))
        .join(PeerGroup, col(PeerGroup.id) == col(PeerGroupMember.group_id))
        .where(col(PeerGroup.cohort_id) == cohort.id)
    ).all()
    return {int(pid): str(name) for pid, name in rows}


def _mentors(db: Session, cohort: Cohort, listed: set[int]) -> dict[int, str]:
    """Each adept's mentor (the live pair, else the latest ended one), when listed."""
    mentor_part, mentor = aliased(Participant), aliased(Person)
    rows = db.execute(
        sa_select(col(Pairing.adept_id), col(Pairing.mentor_id), col(mentor.name))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) != PairingState.PROPOSED)
        .order_by(col(Pairing.state) == PairingState.ACTIVE, col(Pairing.id))
    ).all()
    found: dict[int, str] = {}
    for adept_id, mentor_id, name in rows:  # the live pair comes last and wins
        if mentor_id in listed:
            found[int(adept_id)] = str(name)
        else:
            found.pop(int(adept_id), None)
    return found


def cohort_directory(*, db: Session, cohort: Cohort) -> Directory:
    """The cohort's listed participants with agency, unit, title, group and mentor."""
    require_consentable(cohort)
    listed = listed_participants(db, cohort)
    rows = db.execute(
        sa_select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
    ).all()
    groups = _groups(db, cohort)
    mentors = _mentors(db, cohort, listed)
    directory = Directory(cohort.name)
    for part, person, agency in rows:
        if part.id not in listed:
            directory.unlisted += 1
            continue
        directory.add(
            person,
            agency,
            (part.unit, part.title),
            ((cohort.name, str(part.role)),),
            group=groups.get(part.id or 0),
            mentor=mentors.get(part.id or 0) if part.role == Role.ADEPT else None,
        )
    return directory.in_name_order()


def alumni_directory(*, db: Session) -> Directory:
    """Everyone who took part in a cohort (not anonymised, not withdrawn) and whose latest
    answer is yes, with their years and roles; agency, unit and title as they are now."""
    listed = listed_people(db)
    rows = db.execute(
        sa_select(Person, Agency, col(Cohort.name), col(Participant.role))
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(col(Cohort.status) != CohortStatus.ANONYMISED)
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
        .order_by(col(Cohort.starts_on))
    ).all()
    people: dict[int, tuple[Person, Agency, list[tuple[str, str]]]] = {}
    for person, agency, cohort_name, role in rows:
        entry = people.setdefault(person.id, (person, agency, []))
        entry[2].append((str(cohort_name), str(role)))
    directory = Directory(None)
    for person_id, (person, agency, roles) in people.items():
        if person_id not in listed:
            directory.unlisted += 1
            continue
        directory.add(person, agency, (person.unit, person.title), tuple(roles))
    return directory.in_name_order()


def log_directory_export(*, db: Session, directory: Directory, formats: list[str]) -> None:
    """Record a written directory in the audit log by count, never by name."""
    from chefintro import audit
    from chefintro.words import plural

    what = "the alumni" if directory.cohort is None else f"cohort {directory.cohort}"
    audit.log(
        db=db,
        action="export",
        detail=f"exported the directory of {what} ({plural(len(directory.entries), 'person')} "
        f"listed) as {' and '.join(formats)}",
    )
