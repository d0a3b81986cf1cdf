"""Reading personal data out: all the store holds on one person (JSON-ready, written as JSON
or a workbook), and a whole cohort for its archive workbook before it is anonymised."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from chefintro import __version__, audit
from chefintro.cohorts import members_query
from chefintro.enums import Role
from chefintro.errors import UsageError
from chefintro.ids import id_of
from chefintro.mentor_wishes import MentorWishes, wishes_of
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Meeting,
    Pairing,
    Participant,
    PeerGroup,
    PeerGroupMember,
    Person,
    ProgrammeSession,
    utcnow,
)
from chefintro.privacy.footprint import exclusions_of, participations_of
from chefintro.registry import PairPeople, agency_of, get_person
from chefintro.text import swedish_key
from chefintro.words import plural


def iso(value: date | datetime | None) -> str | None:
    """Return a date or time in ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def _people_of(db: Session, participant_ids: set[int]) -> dict[int, tuple[Person, Agency]]:
    if not participant_ids:
        return {}
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
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
    who = PairPeople(
        adept.email, adept.name, adept_agency.code, mentor.email, mentor.name, mentor_agency.code
    )
    return {
        **who.people_json(),
        "state": str(pairing.state),
        "locked": pairing.locked,
        "manual": pairing.manual,
        "score": pairing.score,
        "reasons": pairing.reasons,
        "created_at": iso(pairing.created_at),
        "started_on": iso(pairing.started_on),
        "ended_on": iso(pairing.ended_on),
        "end_reason": pairing.end_reason,
        "meetings": (meetings or {}).get(id_of(pairing), []),
    }


def export_person(*, db: Session, email: str) -> dict[str, Any]:
    """Return everything the store holds about one person, as plain JSON-ready data."""
    person = get_person(db=db, email=email)
    agency = agency_of(db=db, person=person)
    participations = [
        _participation_json(db, part, cohort) for part, cohort in participations_of(db, person)
    ]
    exclusions = _exclusions_json(db, person)
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
            "manager_since": iso(person.manager_since),
        },
        "participations": participations,
        "exclusions": exclusions,
        "sent_messages": _sent_messages_json(db, person),
    }


def _consent_json(db: Session, part: Participant) -> dict[str, Any] | None:
    """The participant's answer to being listed in the directory, with its day."""
    from chefintro.network.consent import stored_consents

    found = stored_consents(db, [part.id] if part.id is not None else []).get(part.id or 0)
    if found is None:
        return None
    return {"listed": found.listed, "recorded_on": iso(found.recorded_on)}


def _participation_json(db: Session, part: Participant, cohort: Cohort) -> dict[str, Any]:
    """One cohort the person took part in, with its pairs, meetings, days and answers."""
    from chefintro.surveys.answers import answers_of

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
            {"date": iso(meeting.held_on), "minutes": meeting.minutes, "kind": meeting.kind}
        )
    from chefintro.followup.notes import own_words

    words = own_words(db, [p.id for p in pairings])
    attendance = db.exec(
        select(Attendance, ProgrammeSession)
        .join(ProgrammeSession, col(ProgrammeSession.id) == col(Attendance.session_id))
        .where(Attendance.participant_id == part.id)
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    from chefintro.pairing.consent import proposals_json

    wishes = wishes_of(db, [id_of(part)]).get(id_of(part))
    groups = db.exec(
        select(PeerGroup.name)
        .join(PeerGroupMember, col(PeerGroupMember.group_id) == col(PeerGroup.id))
        .where(PeerGroupMember.participant_id == part.id)
    ).all()
    return {
        "cohort": cohort.name,
        "cohort_starts_on": iso(cohort.starts_on),
        "cohort_ends_on": iso(cohort.ends_on),
        "cohort_status": str(cohort.status),
        "role": str(part.role),
        "status": str(part.status),
        "capacity": part.capacity,
        "wished_field": part.wished_field,
        "preferred_mentors": list(part.preferred_mentors or []),
        "continues": part.continues,
        "listing_consent": _consent_json(db, part),
        **(wishes.to_json() if wishes is not None else MentorWishes().to_json()),
        "proposals": proposals_json(db, part.cohort_id, part.person_id),
        "pairings": [{**_pairing_json(p, people, meetings), **words[id_of(p)]} for p in pairings],
        "attendance": [
            {
                "session": s.title,
                "kind": str(s.kind),
                "starts_at": iso(s.starts_at),
                "ends_at": iso(s.ends_at),
                "location": s.location,
                "status": str(a.status),
            }
            for a, s in attendance
        ],
        "peer_groups": sorted(groups, key=swedish_key),
        "survey_answers": answers_of(db=db, participant_id=id_of(part)),
    }


def _exclusions_json(db: Session, person: Person) -> list[dict[str, Any]]:
    """The person's pairing exclusions, naming the other person of each."""
    exclusions = []
    for exclusion in exclusions_of(db, person):
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
    return exclusions


def _sent_messages_json(db: Session, person: Person) -> list[dict[str, Any]]:
    """Return the record of messages sent to the person: kind, cohort, about what, when."""
    from chefintro.messages.records import sent_messages_of

    names = {c.id: c.name for c in db.exec(select(Cohort)).all()}
    return [
        {
            "kind": row.kind,
            "cohort": names.get(row.cohort_id),
            "about": row.subject_key,
            "about_text": _what_it_was_about(db, row.subject_key, row.cohort_id, person),
            "sent_at": iso(row.sent_at),
        }
        for row in sent_messages_of(db=db, person_id=id_of(person))
    ]


def _what_it_was_about(db: Session, key: str, cohort_id: int, person: Person) -> str:
    """Return in Swedish words what a sent message was about (its key names it by ids):
    the pair's two people, the peer group's name, the programme day's title and date."""
    from chefintro.texts import text

    kind, _, rest = key.partition(":")
    if kind == "pair":
        adept_id, _, mentor_id = rest.partition(":")
        adept = db.get(Person, int(adept_id)) if adept_id.isdigit() else None
        mentor = db.get(Person, int(mentor_id)) if mentor_id.isdigit() else None
        if adept is not None and mentor is not None:
            return text("message.about.pair", "sv", adept=adept.name, mentor=mentor.name)
    elif kind == "group":
        formation = rest.partition(":")[0]
        groups = db.exec(
            select(PeerGroup.name)
            .join(PeerGroupMember, col(PeerGroupMember.group_id) == col(PeerGroup.id))
            .join(Participant, col(Participant.id) == col(PeerGroupMember.participant_id))
            .where(PeerGroup.cohort_id == cohort_id)
            .where(PeerGroup.formation == formation)
            .where(Participant.person_id == person.id)
        ).all()
        if len(groups) == 1:
            return text("message.about.group", "sv", group=groups[0])
    elif kind == "session":
        day = db.exec(select(ProgrammeSession).where(ProgrammeSession.uid == rest)).first()
        if day is not None:
            return text(
                "message.about.session", "sv", title=day.title, day=f"{day.starts_at:%Y-%m-%d}"
            )
    return text("message.about.unknown", "sv")


def cohort_archive(db: Session, cohort: Cohort) -> dict[str, Any]:
    """Return all a cohort holds, JSON-ready, for its archive workbook (before anonymising)."""
    rows = db.exec(members_query(cohort)).all()
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
    attendance = _attendance_by_email(db, sessions, by_part)
    pairs = db.exec(
        select(Pairing).where(Pairing.cohort_id == cohort.id).order_by(col(Pairing.id))
    ).all()
    agencies = {a.code: a.name for _, _, a in rows}
    return {
        "archived_at": utcnow().replace(microsecond=0).isoformat() + "Z",
        "tool_version": __version__,
        "cohort": {
            "name": cohort.name,
            "starts_on": iso(cohort.starts_on),
            "ends_on": iso(cohort.ends_on),
            "closed_on": iso(cohort.closed_on),
        },
        "agencies": [
            {"code": code, "name": agencies[code]} for code in sorted(agencies, key=swedish_key)
        ],
        "participants": [
            _member_json(part, person, agency, group_of.get(id_of(part)))
            for part, person, agency in rows
        ],
        "sessions": [
            {
                "key": s.id,
                "title": s.title,
                "kind": str(s.kind),
                "starts_at": iso(s.starts_at) or "",
                "ends_at": iso(s.ends_at),
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


def _attendance_by_email(
    db: Session,
    sessions: Sequence[ProgrammeSession],
    by_part: dict[int, tuple[Person, Agency]],
) -> dict[str, dict[int, str]]:
    """Each member's attendance by e-mail, then by day: the archive's Närvaro grid."""
    attendance: dict[str, dict[int, str]] = {}
    for record in db.exec(
        select(Attendance).where(col(Attendance.session_id).in_([s.id for s in sessions]))
    ).all():
        if record.participant_id in by_part:
            email = by_part[record.participant_id][0].email
            attendance.setdefault(email, {})[record.session_id] = str(record.status)
    return attendance


def _member_json(
    part: Participant, person: Person, agency: Agency, peer_group: str | None
) -> dict[str, Any]:
    """One member as the archive's Deltagare row needs them: the roster's columns and more."""
    return {
        "name": person.name,
        "email": person.email,
        "agency": agency.code,
        "role": str(part.role),
        "status": str(part.status),
        "unit": person.unit,
        "title": person.title,
        "field": person.field,
        "location": person.location,
        "manager_since": iso(person.manager_since),
        "capacity": part.capacity,
        "wished_field": part.wished_field,
        "preferred_mentors": list(part.preferred_mentors or []),
        "peer_group": peer_group,
    }


def export_person_to(*, db: Session, email: str, fmt: str, path: Path | None) -> dict[str, Any]:
    """Export one person (see :func:`export_person`), write it to ``path`` when given
    (``fmt`` "json" or "xlsx"), and record the export in the audit log."""
    from chefintro.roster.write.person_export import write_json, write_person_workbook

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
            f"exported one person's data as {fmt} "
            f"({plural(len(data['participations']), 'participation')})"
        ),
    )
    return data
