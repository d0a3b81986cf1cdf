"""Personal data: export all on one person, erase a person, anonymise a closed cohort.

Each of these records itself in the audit log (:mod:`chefintro.audit`, which never holds a
name or an e-mail address); erasing and anonymising then purge the store file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, func, select

from chefintro import __version__, audit
from chefintro.enums import CohortStatus, Role
from chefintro.errors import RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import (
    Agency,
    Answer,
    Attendance,
    Cohort,
    Exclusion,
    Meeting,
    Pairing,
    Participant,
    PeerGroup,
    PeerGroupMember,
    Person,
    ProgrammeSession,
    utcnow,
)
from chefintro.registry import agency_of, find_person, get_person
from chefintro.text import swedish_key

if TYPE_CHECKING:
    from chefintro.store import Store

PSEUDONYM_NAME = "Deltagare {:04d}"
PSEUDONYM_EMAIL = "anon-{:04d}@invalid"
_PSEUDONYM_KEY = re.compile(r"^anon-(\d+)@invalid$")
ERASED = "[raderad]"


# --- reading one person's data ----------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _participations(db: Session, person: Person) -> list[tuple[Participant, Cohort]]:
    rows = db.exec(
        select(Participant, Cohort)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(Participant.person_id == person.id)
        .order_by(col(Cohort.starts_on), col(Cohort.name))
    ).all()
    return [(p, c) for p, c in rows]


def _people_of(db: Session, participant_ids: set[int]) -> dict[int, tuple[Person, Agency]]:
    if not participant_ids:
        return {}
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(col(Participant.id).in_(participant_ids))
    ).all()
    return {id_of(part): (person, agency) for part, person, agency in rows}


def _pairing_json(
    pairing: Pairing,
    people: dict[int, tuple[Person, Agency]],
    meetings: dict[int, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    adept, adept_agency = people[pairing.adept_id]
    mentor, mentor_agency = people[pairing.mentor_id]
    return {
        "adept": adept.email,
        "adept_name": adept.name,
        "adept_agency": adept_agency.code,
        "mentor": mentor.email,
        "mentor_name": mentor.name,
        "mentor_agency": mentor_agency.code,
        "state": str(pairing.state),
        "locked": pairing.locked,
        "manual": pairing.manual,
        "score": pairing.score,
        "reasons": pairing.reasons,
        "created_at": _iso(pairing.created_at),
        "started_on": _iso(pairing.started_on),
        "ended_on": _iso(pairing.ended_on),
        "end_reason": pairing.end_reason,
        "meetings": (meetings or {}).get(int(pairing.id or 0), []),
    }


def export_person(*, db: Session, email: str) -> dict[str, Any]:
    """Return everything the store holds about one person, as plain JSON-ready data."""
    from chefintro.surveys import answers_of

    person = get_person(db=db, email=email)
    agency = agency_of(db=db, person=person)
    participations = []
    for part, cohort in _participations(db, person):
        pairings = db.exec(
            select(Pairing)
            .where((Pairing.adept_id == part.id) | (Pairing.mentor_id == part.id))
            .order_by(col(Pairing.created_at), col(Pairing.id))
        ).all()
        people = _people_of(db, {p.adept_id for p in pairings} | {p.mentor_id for p in pairings})
        meetings: dict[int, list[dict[str, Any]]] = {}
        for meeting in db.exec(
            select(Meeting)
            .where(col(Meeting.pairing_id).in_([p.id for p in pairings]))
            .order_by(col(Meeting.held_on))
        ).all():
            meetings.setdefault(meeting.pairing_id, []).append(
                {"date": _iso(meeting.held_on), "minutes": meeting.minutes}
            )
        attendance = db.exec(
            select(Attendance, ProgrammeSession)
            .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
            .where(Attendance.participant_id == part.id)
            .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
        ).all()
        groups = db.exec(
            select(PeerGroup.name)
            .join(PeerGroupMember, col(PeerGroupMember.group_id) == col(PeerGroup.id))
            .where(PeerGroupMember.participant_id == part.id)
        ).all()
        participations.append(
            {
                "cohort": cohort.name,
                "cohort_starts_on": _iso(cohort.starts_on),
                "cohort_ends_on": _iso(cohort.ends_on),
                "cohort_status": str(cohort.status),
                "role": str(part.role),
                "status": str(part.status),
                "capacity": part.capacity,
                "wished_field": part.wished_field,
                "preferred_mentors": list(part.preferred_mentors or []),
                "continues": part.continues,
                "pairings": [_pairing_json(p, people, meetings) for p in pairings],
                "attendance": [
                    {
                        "session": s.title,
                        "kind": str(s.kind),
                        "starts_at": _iso(s.starts_at),
                        "ends_at": _iso(s.ends_at),
                        "location": s.location,
                        "status": str(a.status),
                    }
                    for a, s in attendance
                ],
                "peer_groups": sorted(groups, key=swedish_key),
                "survey_answers": answers_of(db=db, participant_id=id_of(part)),
            }
        )
    exclusions = []
    for exclusion in _exclusions_of(db, person):
        other_id = (
            exclusion.person_b_id if exclusion.person_a_id == person.id else exclusion.person_a_id
        )
        other = db.get(Person, other_id)
        assert other is not None  # the foreign key guarantees it
        exclusions.append(
            {
                "other": other.email,
                "other_name": other.name,
                "other_agency": agency_of(db=db, person=other).code,
                "reason": exclusion.reason,
            }
        )
    return {
        "exported_at": utcnow().replace(microsecond=0).isoformat() + "Z",
        "person": {
            "name": person.name,
            "email": person.email,
            "agency": agency.code,
            "agency_name": agency.name,
            "unit": person.unit,
            "title": person.title,
            "field": person.field,
            "location": person.location,
            "manager_since": _iso(person.manager_since),
        },
        "participations": participations,
        "exclusions": exclusions,
        "sent_messages": _sent_messages_json(db, person),
    }


def _sent_messages_json(db: Session, person: Person) -> list[dict[str, Any]]:
    """Return the record of messages sent to the person: kind, cohort, about what, when."""
    from chefintro.messages.records import sent_messages_of

    names = {c.id: c.name for c in db.exec(select(Cohort)).all()}
    return [
        {
            "kind": row.kind,
            "cohort": names.get(row.cohort_id),
            "about": row.subject_key,
            "sent_at": _iso(row.sent_at),
        }
        for row in sent_messages_of(db=db, person_id=id_of(person))
    ]


def _exclusions_of(db: Session, person: Person) -> list[Exclusion]:
    return list(
        db.exec(
            select(Exclusion)
            .where((Exclusion.person_a_id == person.id) | (Exclusion.person_b_id == person.id))
            .order_by(col(Exclusion.id))
        ).all()
    )


# --- erasing a person -------------------------------------------------------------------


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
        where = f" in cohort(s) {', '.join(self.cohorts)}" if self.cohorts else ""
        return (
            f"{self.participations} participation(s){where}, {self.pairings} pairing(s), "
            f"{self.attendance} attendance record(s), {self.exclusions} exclusion(s), "
            f"{self.group_memberships} peer-group membership(s), "
            f"{self.survey_answers} survey answer(s)"
        )


@dataclass
class _Footprint:
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


def _footprint(db: Session, email: str) -> _Footprint:
    person = get_person(db=db, email=email)
    participations = _participations(db, person)
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
    return _Footprint(
        person=person,
        cohorts=[c.name for _, c in participations],
        participants=[p for p, _ in participations],
        pairings=list(pairings),
        attendance=list(attendance),
        memberships=list(memberships),
        exclusions=_exclusions_of(db, person),
        survey_answers=int(answers or 0),
    )


def erasure_preview(*, db: Session, email: str) -> Erasure:
    """Return what :func:`erase_person` would remove, changing nothing."""
    return _footprint(db, email).erasure()


def erase_person(*, db: Session, email: str) -> Erasure:
    """Remove a person with everything that refers to them, and log it without their data.

    Besides their own rows (survey answers included) this removes their e-mail from other
    adepts' mentor wishes and their name and e-mail from free text (pairing reasons,
    exclusion reasons). The bytes are overwritten on commit (``secure_delete``);
    ``store.purge_deleted`` then clears the write-ahead log and compacts a SQLite file.
    """
    erasure = _erase(db, _footprint(db, email))
    audit.log(db=db, action="erase", detail=f"erased one person: {erasure.summary()}")
    return erasure


def forget_person(*, db: Session, email: str) -> bool:
    """Erase a person from a copy of the store (an undo snapshot); False if not in it."""
    if find_person(db=db, email=email) is None:
        return False
    _erase(db, _footprint(db, email))
    return True


def _erase(db: Session, footprint: _Footprint) -> Erasure:
    from chefintro.messages.records import forget_person as forget_sent_messages
    from chefintro.surveys import delete_answers

    person = footprint.person
    needles = _needles(person)
    delete_answers(db=db, participant_ids=[id_of(p) for p in footprint.participants])
    for group in (footprint.pairings, footprint.attendance, footprint.memberships):
        for row in group:
            db.delete(row)
        db.flush()
    for exclusion in footprint.exclusions:
        db.delete(exclusion)
    for part in footprint.participants:
        db.delete(part)
    db.flush()
    _forget_in_others(db, needles, {person.email_key})
    forget_sent_messages(db=db, person_id=id_of(person))
    erasure = footprint.erasure()
    db.delete(person)
    db.flush()
    return erasure


def _needles(person: Person) -> list[str]:
    return [v for v in {person.name, person.email, person.email_key} if v and len(v) >= 3]


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """Return ``value`` (JSON-like) with every occurrence of the pattern replaced."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def _forget_in_others(db: Session, needles: list[str], email_keys: set[str]) -> None:
    """Remove names and e-mail addresses from rows about other people."""
    if not needles and not email_keys:
        return
    pattern = re.compile(
        "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.I
    )
    for part in db.exec(select(Participant)).all():
        wished = list(part.preferred_mentors or [])
        kept = [e for e in wished if e not in email_keys]
        if kept != wished:
            part.preferred_mentors = kept
            db.add(part)
    if not needles:
        return
    for pairing in db.exec(select(Pairing)).all():
        scrubbed = _scrub(pairing.reasons, pattern)
        if scrubbed != pairing.reasons:
            pairing.reasons = scrubbed
            db.add(pairing)
    for exclusion in db.exec(select(Exclusion)).all():
        reason = pattern.sub(ERASED, exclusion.reason)
        if reason != exclusion.reason:
            exclusion.reason = reason
            db.add(exclusion)
    db.flush()


# --- anonymising a cohort ---------------------------------------------------------------


@dataclass(frozen=True)
class Pseudonym:
    """The personal data a pseudonymised person has now, to apply to undo snapshots."""

    person_id: int
    cohort_id: int
    name: str
    email: str
    manager_since: date | None


@dataclass(frozen=True)
class Anonymisation:
    """What anonymising a cohort did."""

    cohort: str
    pseudonymised: int
    kept: int
    exclusions_removed: int
    archive: Path
    survey_answers_unlinked: int = 0
    pseudonyms: list[Pseudonym] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"cohort {self.cohort}: {self.pseudonymised} people pseudonymised, {self.kept} "
            f"kept (also in a cohort that is not anonymised), {self.exclusions_removed} "
            f"exclusion(s) removed, {self.survey_answers_unlinked} survey answer(s) kept "
            "unlinked; archive workbook written first"
        )


def check_anonymisable(cohort: Cohort) -> None:
    """Raise RuleError unless the cohort is closed (and not anonymised yet)."""
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(f"Cohort {cohort.name} is already anonymised.")
    if cohort.status != CohortStatus.CLOSED:
        raise RuleError(
            f"Cohort {cohort.name} is {cohort.status}; only a closed cohort can be anonymised. "
            "Close it first with 'chefintro --cohort NAME cohort close'."
        )


def anonymise_cohort(*, db: Session, cohort: Cohort, archive: Path) -> Anonymisation:
    """Archive a closed cohort to a workbook, then replace its people's personal data.

    People who take part only in anonymised cohorts (this one included) get a pseudonym
    ("Deltagare 0001", anon-0001@invalid) and lose unit, title and location; their agency,
    field and the year they became managers stay for the statistics. People who also take
    part in a cohort that is not anonymised keep their data. The archive is written before
    anything changes, and never over an existing file.
    """
    from chefintro.roster.person_export import write_cohort_archive

    check_anonymisable(cohort)
    write_cohort_archive(archive, _archive(db, cohort))

    members = db.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .where(Participant.cohort_id == cohort.id)
        .order_by(col(Person.id))
    ).all()
    people: dict[int, Person] = {}
    for _, person in members:
        people.setdefault(id_of(person), person)
    statuses = db.exec(
        select(Participant.person_id, Cohort.status)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(col(Participant.person_id).in_(list(people)))
        .where(Participant.cohort_id != cohort.id)
    ).all()
    kept = {pid for pid, status in statuses if status != CohortStatus.ANONYMISED}
    leaving = [p for pid, p in people.items() if pid not in kept]

    needles: list[str] = []
    old_keys: set[str] = set()
    number = _last_pseudonym(db)
    for person in leaving:
        needles.extend(_needles(person))
        old_keys.add(person.email_key)
        number += 1
        person.name = PSEUDONYM_NAME.format(number)
        person.email = person.email_key = PSEUDONYM_EMAIL.format(number)
        person.unit = person.title = person.location = None
        if person.manager_since is not None:
            person.manager_since = date(person.manager_since.year, 1, 1)
        db.add(person)
    db.flush()

    removed = 0
    leaving_ids = {p.id for p in leaving}
    for exclusion in db.exec(select(Exclusion)).all():
        if exclusion.person_a_id in leaving_ids or exclusion.person_b_id in leaving_ids:
            db.delete(exclusion)
            removed += 1
    for part, _ in members:
        if part.preferred_mentors:
            part.preferred_mentors = []
            db.add(part)
    db.flush()
    _forget_in_others(db, needles, old_keys)
    from chefintro.surveys import unlink_answers

    unlinked = unlink_answers(db=db, cohort=cohort)
    cohort.status = CohortStatus.ANONYMISED
    db.add(cohort)
    db.flush()
    result = Anonymisation(
        cohort=cohort.name,
        pseudonymised=len(leaving),
        kept=len(people) - len(leaving),
        exclusions_removed=removed,
        archive=archive,
        survey_answers_unlinked=unlinked,
        pseudonyms=[
            Pseudonym(
                person_id=id_of(p),
                cohort_id=id_of(cohort),
                name=p.name,
                email=p.email,
                manager_since=p.manager_since,
            )
            for p in leaving
        ],
    )
    audit.log(db=db, action="anonymise", detail=result.summary())
    return result


def _last_pseudonym(db: Session) -> int:
    keys = db.exec(
        select(Person.email_key).where(col(Person.email_key).like("anon-%@invalid"))
    ).all()
    numbers = [int(m.group(1)) for k in keys if (m := _PSEUDONYM_KEY.match(k))]
    return max(numbers, default=0)


def _archive(db: Session, cohort: Cohort) -> dict[str, Any]:
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Person.agency_id))
        .where(Participant.cohort_id == cohort.id)
    ).all()
    rows = sorted(rows, key=lambda r: (r[0].role != Role.ADEPT, swedish_key(r[1].name)))
    by_part = {id_of(part): (person, agency) for part, person, agency in rows}
    group_of = dict(
        db.exec(
            select(PeerGroupMember.participant_id, PeerGroup.name)
            .join(PeerGroup, col(PeerGroup.id) == col(PeerGroupMember.group_id))
            .where(PeerGroup.cohort_id == cohort.id)
        ).all()
    )
    sessions = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(col(ProgrammeSession.cancelled).is_(False))
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    hosts = {a.id: a.code for a in db.exec(select(Agency)).all()}
    attendance: dict[str, dict[int, str]] = {}
    for record in db.exec(
        select(Attendance).where(col(Attendance.session_id).in_([s.id for s in sessions]))
    ).all():
        if record.participant_id in by_part:
            email = by_part[record.participant_id][0].email
            attendance.setdefault(email, {})[record.session_id] = str(record.status)
    pairs = db.exec(
        select(Pairing).where(Pairing.cohort_id == cohort.id).order_by(col(Pairing.id))
    ).all()
    agencies = {a.code: a.name for _, _, a in rows}
    return {
        "archived_at": utcnow().replace(microsecond=0).isoformat() + "Z",
        "tool_version": __version__,
        "cohort": {
            "name": cohort.name,
            "starts_on": _iso(cohort.starts_on),
            "ends_on": _iso(cohort.ends_on),
            "closed_on": _iso(cohort.closed_on),
        },
        "agencies": [
            {"code": code, "name": agencies[code]} for code in sorted(agencies, key=swedish_key)
        ],
        "participants": [
            {
                "name": person.name,
                "email": person.email,
                "agency": agency.code,
                "role": str(part.role),
                "status": str(part.status),
                "unit": person.unit,
                "title": person.title,
                "field": person.field,
                "location": person.location,
                "manager_since": _iso(person.manager_since),
                "capacity": part.capacity,
                "wished_field": part.wished_field,
                "preferred_mentors": list(part.preferred_mentors or []),
                "peer_group": group_of.get(id_of(part)),
            }
            for part, person, agency in rows
        ],
        "sessions": [
            {
                "key": s.id,
                "title": s.title,
                "kind": str(s.kind),
                "starts_at": _iso(s.starts_at) or "",
                "ends_at": _iso(s.ends_at),
                "location": s.location,
                "host": hosts.get(s.host_agency_id) if s.host_agency_id else None,
            }
            for s in sessions
        ],
        "pairs": [
            {
                "adept": by_part[p.adept_id][0].email,
                "adept_name": by_part[p.adept_id][0].name,
                "mentor": by_part[p.mentor_id][0].email,
                "mentor_name": by_part[p.mentor_id][0].name,
                "locked": p.locked,
                "state": str(p.state),
                "score": p.score,
            }
            for p in pairs
            if p.adept_id in by_part and p.mentor_id in by_part
        ],
        "attendance": attendance,
    }


def apply_pseudonyms(*, db: Session, pseudonyms: list[Pseudonym]) -> None:
    """Pseudonymise the same people in a copy of the store (an undo snapshot) as in the store."""
    needles: list[str] = []
    old_keys: set[str] = set()
    ids = set()
    for pseudonym in pseudonyms:
        person = db.get(Person, pseudonym.person_id)
        if person is None:
            continue
        ids.add(pseudonym.person_id)
        needles.extend(_needles(person))
        old_keys.add(person.email_key)
        person.name = pseudonym.name
        person.email = person.email_key = pseudonym.email
        person.unit = person.title = person.location = None
        person.manager_since = pseudonym.manager_since
        db.add(person)
    db.flush()
    for exclusion in db.exec(select(Exclusion)).all():
        if exclusion.person_a_id in ids or exclusion.person_b_id in ids:
            db.delete(exclusion)
    cohorts = {p.cohort_id for p in pseudonyms}
    for part in db.exec(select(Participant).where(col(Participant.cohort_id).in_(cohorts))).all():
        if part.preferred_mentors:
            part.preferred_mentors = []
            db.add(part)
    db.flush()
    _forget_in_others(db, needles, old_keys)


# --- one call per command: the change, its audit entry, and the purge ----------------------


def export_person_to(*, db: Session, email: str, fmt: str, path: Path | None) -> dict[str, Any]:
    """Export one person (see :func:`export_person`), write it to ``path`` when given
    (``fmt`` "json" or "xlsx"), and record the export in the audit log."""
    from chefintro.roster.person_export import write_json, write_person_workbook

    data = export_person(db=db, email=email)
    if fmt == "xlsx":
        if path is None:
            raise UsageError("An xlsx export needs a file to write.")
        write_person_workbook(path, data)
    elif path is not None:
        write_json(path, data)
    audit.log(
        db=db,
        action="export",
        detail=(
            f"exported one person's data as {fmt} ({len(data['participations'])} participation(s))"
        ),
    )
    return data


def erase(*, store: Store, email: str) -> tuple[Erasure, audit.Purge, int]:
    """Erase a person (see :func:`erase_person`) in one transaction, then purge the file,
    then erase them from every undo snapshot too; the last is how many snapshots."""
    from chefintro.store.snapshots import scrub_snapshots

    erasure, purge = audit.removing_personal_data(
        store, lambda db: erase_person(db=db, email=email)
    )
    scrubbed = scrub_snapshots(store.location, lambda db: forget_person(db=db, email=erasure.email))
    return erasure, purge, scrubbed


def anonymise(*, store: Store, name: str, archive: Path) -> tuple[Anonymisation, audit.Purge, int]:
    """Anonymise the cohort ``name`` (see :func:`anonymise_cohort`), then purge the file,
    then pseudonymise the same people in every undo snapshot; the last is how many."""
    from chefintro.cohorts import get_cohort
    from chefintro.store.snapshots import scrub_snapshots

    def run(db: Session) -> Anonymisation:
        return anonymise_cohort(db=db, cohort=get_cohort(db=db, name=name), archive=archive)

    result, purge = audit.removing_personal_data(store, run)
    scrubbed = scrub_snapshots(
        store.location, lambda db: apply_pseudonyms(db=db, pseudonyms=result.pseudonyms)
    )
    return result, purge, scrubbed
