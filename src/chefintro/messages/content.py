"""What each message is about, gathered from the store: recipients and template fields.

Every message is an :class:`Outgoing`: its recipients (people of the store), the copies
(agency contacts), the fields its templates see, and a ``subject_key`` naming what it is
about by stable identity (the pair's people, the group's formation and members, the day's
calendar UID; :mod:`chefintro.messages.records`) so that the record of sent messages can
tell whether it went already. Template fields are plain dicts and lists of strings, so a
template can show them but never reach the store.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from itertools import islice
from typing import Any, NamedTuple, cast

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro.clock import now_local
from chefintro.enums import (
    AttendanceStatus,
    CohortStatus,
    PairingState,
    ParticipantStatus,
    Role,
    SessionKind,
)
from chefintro.errors import RuleError, StoreBusyError
from chefintro.ics import KIND_LABELS_SV
from chefintro.ids import id_of
from chefintro.messages.records import group_key, pair_key, session_key
from chefintro.models import (
    Agency,
    Attendance,
    Cohort,
    Pairing,
    Participant,
    PeerGroup,
    PeerGroupMember,
    Person,
    ProgrammeSession,
)
from chefintro.sessions import cohort_sessions, get_programme_session
from chefintro.settings import (
    MAIL_FROM,
    MAIL_REMINDER_TO,
    PROGRAMME_COORDINATOR,
    REMINDER_BCC,
    get_setting_text,
)
from chefintro.text import swedish_date, swedish_key

INTRO = "intro"
GROUPS = "groups"
REMINDER = "reminder"
# The participants' and agencies' own voice (issue 33; gathered in messages/voice.py).
NUDGE = "nudge"
SURVEY_REMINDER = "survey-reminder"
AGENCY_DIGEST = "agency-digest"
# A proposal of an adept to a mentor, for the mentor's consent (issue 34; messages/proposals.py).
PROPOSAL = "proposal"
KINDS = (INTRO, GROUPS, REMINDER, NUDGE, SURVEY_REMINDER, AGENCY_DIGEST, PROPOSAL)

WEEKDAYS_SV = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
ROLES_SV = {Role.ADEPT: "adept", Role.MENTOR: "mentor"}

# The fields each kind's templates may use (checked before anything is rendered).
COMMON_FIELDS = ("cohort", "coordinator", "sessions", "first_session")
FIELDS: dict[str, tuple[str, ...]] = {
    INTRO: (*COMMON_FIELDS, "adept", "mentor", "booker"),
    GROUPS: (*COMMON_FIELDS, "group", "members", "next_session"),
    REMINDER: (*COMMON_FIELDS, "session", "recipients"),
    NUDGE: (*COMMON_FIELDS, "adept", "mentor", "pair"),
    SURVEY_REMINDER: (*COMMON_FIELDS, "recipient", "survey"),
    AGENCY_DIGEST: (*COMMON_FIELDS, "agency", "digest"),
    PROPOSAL: (*COMMON_FIELDS, "adept", "mentor", "proposal"),
}


@dataclass(frozen=True)
class Recipient:
    """A person a message goes to."""

    person_id: int
    name: str
    email: str


@dataclass
class Outgoing:
    """One message to write or send, before its templates are filled."""

    kind: str
    subject_key: str
    label: str
    file_stem: str
    to: list[Recipient]
    context: dict[str, Any]
    cc: list[str] = field(default_factory=list)
    session_id: int | None = None
    #: The people go in Bcc, the coordinator in To (``mail.reminder_to bcc``).
    blind: bool = False


# --- Swedish dates ----------------------------------------------------------------------


def weekday_date(day: date) -> str:
    """Return e.g. 'tisdag 26 januari 2027'."""
    return f"{WEEKDAYS_SV[day.weekday()]} {swedish_date(day)}"


def swedish_time(moment: datetime) -> str:
    """Return e.g. '09.00' (Swedish writes a full stop between hours and minutes)."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def swedish_when(moment: datetime) -> str:
    """Return e.g. 'tisdag 26 januari 2027 kl. 09.00'."""
    return f"{weekday_date(moment.date())} kl. {swedish_time(moment)}"


# --- file names ---------------------------------------------------------------------------

_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l", "þ": "th"})
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def safe_file_stem(text: str, *, limit: int = 60) -> str:
    """Return ``text`` as a file name that is safe on Windows: ASCII letters, digits and '-'.

    Å, Ä and Ö become a, a and o; anything else that is not a letter or digit becomes a
    single hyphen, so no reserved character (``<>:"/\\|?*``), trailing dot or space remains.
    """
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_TRANSLITERATE))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    stem = _NOT_SAFE.sub("-", ascii_text.encode("ascii", "ignore").decode()).strip("-")
    return stem[:limit].rstrip("-") or "meddelande"


# --- template fields ----------------------------------------------------------------------


def _person_fields(
    person: Person | _Who, agency: Agency | _Desk, role: str | None = None
) -> dict[str, Any]:
    return {
        "name": person.name,
        "first_name": person.name.split(" ")[0],
        "email": person.email,
        "title": person.title,
        "unit": person.unit,
        "agency": agency.name,
        "agency_code": agency.code,
        "location": person.location,
        "field": person.field,
        "role": ROLES_SV.get(Role(role), role) if role else None,
    }


def _session_fields(row: ProgrammeSession, hosts: dict[int, Agency]) -> dict[str, Any]:
    host = hosts.get(row.host_agency_id) if row.host_agency_id is not None else None
    return {
        "id": row.id,
        "title": row.title,
        "kind": KIND_LABELS_SV[SessionKind(row.kind)],
        "date": weekday_date(row.starts_at.date()),
        "time": swedish_time(row.starts_at),
        "end_time": swedish_time(row.ends_at),
        "when": swedish_when(row.starts_at),
        "iso_date": row.starts_at.date().isoformat(),
        "location": row.location,
        "host": host.name if host else None,
    }


def coordinator_fields(*, db: Session) -> dict[str, Any]:
    """Return the coordinator's name (``programme.coordinator``) and address (``mail.from``)."""
    sender = get_setting_text(db=db, key=MAIL_FROM)
    display, address = parseaddr(sender or "")
    name = get_setting_text(db=db, key=PROGRAMME_COORDINATOR) or display or None
    return {"name": name, "email": address or None}


def _common(db: Session, cohort: Cohort) -> dict[str, Any]:
    hosts = {id_of(a): a for a in db.exec(select(Agency)).all()}
    sessions = [_session_fields(row, hosts) for row in cohort_sessions(db=db, cohort=cohort)]
    return {
        "cohort": {
            "name": cohort.name,
            "starts_on": weekday_date(cohort.starts_on),
            "ends_on": weekday_date(cohort.ends_on),
        },
        "coordinator": coordinator_fields(db=db),
        "sessions": sessions,
        "first_session": sessions[0] if sessions else None,
    }


def _check_cohort(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(f"Cohort {cohort.name} is anonymised; it has no one to write to.")


def _people(
    db: Session, participant_ids: Sequence[int]
) -> dict[int, tuple[Participant, Person, Agency]]:
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.id).in_(list(participant_ids)))
    ).all()
    return {id_of(part): (part, person, agency) for part, person, agency in rows}


class _Who(NamedTuple):
    """A pair's person: the columns an introduction shows (issue 32: no whole rows)."""

    id: int
    name: str
    email: str
    title: str | None
    unit: str | None
    location: str | None
    field: str | None


class _Desk(NamedTuple):
    """A pair's person's agency: its name, code and HR contact."""

    name: str
    code: str
    contact: str | None


def _pair_people(db: Session, participant_ids: Sequence[int]) -> dict[int, tuple[_Who, _Desk]]:
    """Return the people of these participants, with their agencies, as plain columns."""
    rows = db.execute(
        sa_select(
            col(Participant.id),
            *(col(c) for c in (Person.id, Person.name, Person.email, Person.title)),
            *(col(c) for c in (Person.unit, Person.location, Person.field)),
            *(col(c) for c in (Agency.name, Agency.code, Agency.contact)),
        )
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.id).in_(list(participant_ids)))
    ).all()
    return {row[0]: (_Who(*row[1:8]), _Desk(*row[8:])) for row in rows}


#: A participant no longer found (see IntroPairs.messages).
_GONE = (_Who(-1, "", "", None, None, None, None), _Desk("", "", None))


def _recipient(person: Person) -> Recipient:
    return Recipient(person_id=id_of(person), name=person.name, email=person.email)


# --- the three kinds ------------------------------------------------------------------------


#: How many pairs' fields are read and made into messages at a time (issue 32): a run
#: keeps only the pairs' ids and order, so its memory does not grow with the pairs.
INTRO_SLICE = 500


class StoreChanged(StoreBusyError):
    """The pairs changed between the check of a run's introductions and their drafts."""

    def __init__(self) -> None:
        super().__init__(
            "The pairs changed while the introductions were being made (another chefintro "
            "changed the store). Nothing was written or sent; run the same command again."
        )


@dataclass(frozen=True)
class IntroPairs:
    """A cohort's active pairs in the introductions' order (their labels', in Swedish), as
    the ids of their participants and people: all a run keeps of every pair. The fields
    are read :data:`INTRO_SLICE` pairs at a time by :meth:`messages`."""

    common: dict[str, Any]
    cc_agency: bool
    adepts: array[int]
    mentors: array[int]
    #: The people's ids, as the check saw them (the subject keys of the sent records).
    adept_people: array[int]
    mentor_people: array[int]

    def __len__(self) -> int:
        return len(self.adepts)

    def messages(self, db: Session, positions: Iterable[int] | None = None) -> Iterator[Outgoing]:
        """Yield the introductions at ``positions`` (all by default), in their order.

        Raises :class:`StoreChanged` if a pair's participants no longer are the people
        they were when the pairs were read (another run changed the store in between).
        """
        wanted = iter(range(len(self)) if positions is None else positions)
        width = max(2, len(str(len(self))))
        while piece := list(islice(wanted, INTRO_SLICE)):
            ids = [self.adepts[i] for i in piece] + [self.mentors[i] for i in piece]
            people = _pair_people(db, ids)
            for i in piece:
                adept, adept_agency = people.get(self.adepts[i], _GONE)
                mentor, mentor_agency = people.get(self.mentors[i], _GONE)
                if (adept.id, mentor.id) != (self.adept_people[i], self.mentor_people[i]):
                    raise StoreChanged()
                yield self._outgoing(i + 1, width, adept, adept_agency, mentor, mentor_agency)

    def _outgoing(
        self,
        number: int,
        width: int,
        adept: _Who,
        adept_agency: _Desk,
        mentor: _Who,
        mentor_agency: _Desk,
    ) -> Outgoing:
        adept_fields = _person_fields(adept, adept_agency, Role.ADEPT)
        cc: list[str] = []
        if self.cc_agency:
            for agency in (adept_agency, mentor_agency):
                if agency.contact and agency.contact not in cc:
                    cc.append(agency.contact)
        return Outgoing(
            kind=INTRO,
            subject_key=pair_key(adept.id, mentor.id),
            label=f"{adept.name} & {mentor.name}",
            file_stem=f"{number:0{width}d}-" + safe_file_stem(f"{adept.name}--{mentor.name}"),
            to=[Recipient(p.id, p.name, p.email) for p in (adept, mentor)],
            cc=cc,
            context={
                **self.common,
                "adept": adept_fields,
                "mentor": _person_fields(mentor, mentor_agency, Role.MENTOR),
                "booker": adept_fields,
            },
        )


def intro_pairs(*, db: Session, cohort: Cohort, cc_agency: bool = False) -> IntroPairs:
    """Return the cohort's active pairs to introduce, in the introductions' order."""
    _check_cohort(cohort)
    adept, mentor = aliased(Participant), aliased(Participant)
    adept_person, mentor_person = aliased(Person), aliased(Person)
    # Read through the connection, a row at a time (the ORM's result would hold every row
    # at once): only the four ids and the sort key of each pair are kept.
    rows = db.connection().execute(
        sa_select(
            col(Pairing.adept_id),
            col(Pairing.mentor_id),
            col(adept_person.id),
            col(mentor_person.id),
            col(adept_person.name),
            col(mentor_person.name),
        )
        .join(adept, col(adept.id) == col(Pairing.adept_id))
        .join(adept_person, col(adept_person.id) == col(adept.person_id))
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(mentor_person, col(mentor_person.id) == col(mentor.person_id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) == PairingState.ACTIVE)
        .order_by(col(Pairing.id))
    )
    columns: tuple[array[int], ...] = tuple(array("q") for _ in range(4))
    keys = []
    for row in rows:
        for column, value in zip(columns, row[:4], strict=True):
            column.append(cast(int, value))  # primary keys: never None
        keys.append(swedish_key(f"{row[4]} & {row[5]}"))
    if not keys:
        raise RuleError(
            f"Cohort {cohort.name} has no active pairs to introduce; apply the pairs with "
            "'chefintro pair apply' first."
        )
    # The label's order, ties in the pairs' order (a stable sort), as the messages had it.
    order = sorted(range(len(keys)), key=keys.__getitem__)
    del keys
    adepts, mentors, adept_people, mentor_people = (
        array("q", (column[i] for i in order)) for column in columns
    )
    return IntroPairs(
        common=_common(db, cohort),
        cc_agency=cc_agency,
        adepts=adepts,
        mentors=mentors,
        adept_people=adept_people,
        mentor_people=mentor_people,
    )


def intro_messages(*, db: Session, cohort: Cohort, cc_agency: bool = False) -> list[Outgoing]:
    """Return one introduction per active pair of the cohort, to adept and mentor."""
    return list(intro_pairs(db=db, cohort=cohort, cc_agency=cc_agency).messages(db))


def group_messages(*, db: Session, cohort: Cohort) -> list[Outgoing]:
    """Return one letter per peer group of the cohort, to its members."""
    _check_cohort(cohort)
    groups = db.exec(
        select(PeerGroup).where(PeerGroup.cohort_id == cohort.id).order_by(col(PeerGroup.id))
    ).all()
    if not groups:
        raise RuleError(
            f"Cohort {cohort.name} has no peer groups; form them with 'chefintro group form'."
        )
    members = db.exec(
        select(PeerGroupMember).where(col(PeerGroupMember.group_id).in_([g.id for g in groups]))
    ).all()
    people = _people(db, [m.participant_id for m in members])
    common = _common(db, cohort)
    today = now_local().date().isoformat()
    upcoming = [s for s in common["sessions"] if s["iso_date"] >= today]
    result = []
    for group in groups:
        entries = [
            people[m.participant_id]
            for m in members
            if m.group_id == group.id and m.participant_id in people
        ]
        key = group_key(group.formation, [id_of(part) for part, _, _ in entries])
        entries = [e for e in entries if e[0].status == ParticipantStatus.ACTIVE]
        entries.sort(key=lambda e: (swedish_key(e[1].name), e[1].email_key))
        if not entries:
            continue
        result.append(
            Outgoing(
                kind=GROUPS,
                subject_key=key,
                label=group.name,
                file_stem=safe_file_stem(group.name),
                to=[_recipient(person) for _, person, _ in entries],
                context={
                    **common,
                    "group": {"name": group.name, "size": len(entries)},
                    "members": [
                        _person_fields(person, agency, part.role)
                        for part, person, agency in entries
                    ],
                    "next_session": upcoming[0] if upcoming else None,
                },
            )
        )
    return _numbered(result)


def reminder_messages(*, db: Session, cohort: Cohort, session_id: int) -> list[Outgoing]:
    """Return the reminder of one session, to every active participant not excused from it."""
    _check_cohort(cohort)
    row = get_programme_session(db=db, cohort=cohort, session_id=session_id)
    excused = set(
        db.exec(
            select(Attendance.participant_id)
            .where(Attendance.session_id == row.id)
            .where(Attendance.status == AttendanceStatus.EXCUSED)
        ).all()
    )
    parts = db.exec(
        select(Participant.id)
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    ).all()
    people = _people(db, [p for p in parts if p is not None and p not in excused])
    entries = sorted(people.values(), key=lambda e: (swedish_key(e[1].name), e[1].email_key))
    if not entries:
        raise RuleError(f"Cohort {cohort.name} has no active participants to remind.")
    hosts = {id_of(a): a for a in db.exec(select(Agency)).all()}
    fields = _session_fields(row, hosts)
    common = _common(db, cohort)
    stem = f"{row.starts_at:%Y-%m-%d} {row.title}"
    label = f"{row.title} ({row.starts_at:%Y-%m-%d})"

    def reminder(people: list[tuple[Participant, Person, Agency]], **more: Any) -> Outgoing:
        return Outgoing(
            kind=REMINDER,
            subject_key=session_key(row.uid),
            to=[_recipient(person) for _, person, _ in people],
            context={
                **common,
                "session": fields,
                "recipients": [
                    _person_fields(person, agency, part.role) for part, person, agency in people
                ],
            },
            session_id=row.id,
            **more,
        )

    if get_setting_text(db=db, key=MAIL_REMINDER_TO) == REMINDER_BCC:
        return [reminder(entries, label=label, file_stem=safe_file_stem(stem), blind=True)]
    # One message per person: no one sees the others' addresses, a reply goes to the
    # coordinator alone (the recommended way; README "Letters to many").
    return _numbered(
        [
            reminder(
                [entry],
                label=f"{label} to {entry[1].name}",
                file_stem=safe_file_stem(f"{stem} {entry[1].name}"),
            )
            for entry in entries
        ]
    )


def _numbered(items: list[Outgoing]) -> list[Outgoing]:
    """Prefix file names with a running number, so they sort as listed and never collide."""
    width = max(2, len(str(len(items))))
    for number, item in enumerate(items, start=1):
        item.file_stem = f"{number:0{width}d}-{item.file_stem}"
    return items
