"""Cohorts (programme years) and their participants, with eligibility warnings."""

from __future__ import annotations

import calendar as _cal
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from chefintro import clock, rules, settings
from chefintro.changes import Kind, mark_change
from chefintro.enums import CohortStatus, ParticipantStatus, Role
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.intake import raise_first
from chefintro.intake.participants import (
    ParticipantContext,
    ParticipantFacts,
    check_participant,
    earlier_adept_warning,
    eligibility_warning,
)
from chefintro.mentor_wishes import MentorWishes, store_wishes, wishes_of
from chefintro.models import Agency, Cohort, Participant, Person
from chefintro.registry import agency_of, get_agency, get_person, who_json
from chefintro.text import clean_field, clean_text, swedish_key
from chefintro.words import plural

# --- cohorts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortInfo:
    name: str
    starts_on: date
    ends_on: date
    status: str
    min_attendance: float
    excused_counts: bool
    adepts: int
    mentors: int
    current: bool
    closed_on: date | None = None
    due_on: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "status": self.status,
            "min_attendance": self.min_attendance,
            "excused_counts": self.excused_counts,
            "adepts": self.adepts,
            "mentors": self.mentors,
            "current": self.current,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "anonymise_due_on": self.due_on.isoformat() if self.due_on else None,
        }


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _cal.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def cohort_dates_problem(starts_on: date, ends_on: date) -> str | None:
    """Return why a cohort cannot run from ``starts_on`` to ``ends_on``, or None."""
    if ends_on <= starts_on:
        return f"must end after it starts ({starts_on} → {ends_on})"
    return None


def min_attendance_problem(value: float) -> str | None:
    """Return why ``value`` is not a minimum attendance (a share from 0 to 1), or None."""
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        return f"must be a share between 0 and 1 (e.g. 0.8), not {value!r}"
    return None


def create_cohort(
    *,
    db: Session,
    name: str,
    starts_on: date,
    ends_on: date,
    min_attendance: float = 0.8,
    excused_counts: bool = True,
) -> Cohort:
    """Create a cohort; it becomes the current one when none is chosen yet."""
    clean = clean_field(name, what="The cohort name")
    if not clean:
        raise UsageError("A cohort needs a name (e.g. 2026).")
    if (problem := cohort_dates_problem(starts_on, ends_on)) is not None:
        raise UsageError(f"The cohort {problem}.")
    if min_attendance_problem(min_attendance) is not None:
        raise UsageError("--min-attendance is a share between 0 and 1 (e.g. 0.8).")
    if find_cohort(db=db, name=clean) is not None:
        raise DuplicateError(f"Cohort {clean!r} already exists.")
    status = CohortStatus.ACTIVE if starts_on <= clock.today() else CohortStatus.PLANNED
    cohort = Cohort(
        name=clean,
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        min_attendance=min_attendance,
        excused_counts=excused_counts,
    )
    db.add(cohort)
    db.flush()
    if settings.get_text(db=db, key=settings.CURRENT_COHORT) is None:
        settings.put_text(db=db, key=settings.CURRENT_COHORT, value=clean)
    return cohort


def find_cohort(*, db: Session, name: str) -> Cohort | None:
    return db.exec(select(Cohort).where(Cohort.name == (clean_text(name) or ""))).first()


def get_cohort(*, db: Session, name: str) -> Cohort:
    cohort = find_cohort(db=db, name=name)
    if cohort is None:
        known = ", ".join(c.name for c in _all(db)) or "none yet"
        raise NotFoundError(f"No cohort named {name!r}. Cohorts: {known}.")
    return cohort


def _all(db: Session) -> list[Cohort]:
    return list(db.exec(select(Cohort).order_by(col(Cohort.starts_on), col(Cohort.name))))


def current_cohort(*, db: Session, name: str | None = None) -> Cohort:
    """Return the cohort named by ``--cohort``, else the one chosen with ``cohort use``."""
    if name:
        return get_cohort(db=db, name=name)
    chosen = settings.get_text(db=db, key=settings.CURRENT_COHORT)
    if chosen is None:
        raise NotFoundError(
            "No cohort chosen. Create one with 'chefintro cohort create NAME --start --end', "
            "or pick one with --cohort NAME or 'chefintro cohort use NAME'."
        )
    return get_cohort(db=db, name=chosen)


def current_cohort_or_none(*, db: Session, name: str | None = None) -> Cohort | None:
    """Like :func:`current_cohort`, but None when no cohort is chosen (a named one must exist)."""
    if name or settings.get_text(db=db, key=settings.CURRENT_COHORT) is not None:
        return current_cohort(db=db, name=name)
    return None


def use_cohort(*, db: Session, name: str) -> Cohort:
    cohort = get_cohort(db=db, name=name)
    settings.put_text(db=db, key=settings.CURRENT_COHORT, value=cohort.name)
    return cohort


def cohort_info(*, db: Session, cohort: Cohort) -> CohortInfo:
    counts = dict(
        db.exec(
            select(Participant.role, func.count(col(Participant.id)))
            .where(Participant.cohort_id == cohort.id)
            .where(Participant.status != ParticipantStatus.WITHDRAWN)
            .group_by(Participant.role)
        ).all()
    )
    current = settings.get_text(db=db, key=settings.CURRENT_COHORT)
    due = None
    if cohort.closed_on is not None and cohort.status == CohortStatus.CLOSED:
        months = settings.get_int(db=db, key=settings.RETENTION_MONTHS)
        due = _add_months(cohort.closed_on, months)
    return CohortInfo(
        name=cohort.name,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        status=str(cohort.status),
        min_attendance=cohort.min_attendance,
        excused_counts=cohort.excused_counts,
        adepts=int(counts.get(Role.ADEPT, 0)),
        mentors=int(counts.get(Role.MENTOR, 0)),
        current=current == cohort.name,
        closed_on=cohort.closed_on,
        due_on=due,
    )


def list_cohorts(*, db: Session) -> list[CohortInfo]:
    return [cohort_info(db=db, cohort=c) for c in _all(db)]


def days_ahead(*, db: Session, cohort: Cohort, now: datetime | None = None) -> list[str]:
    """Return the cohort's programme days (not cancelled) that have not started yet."""
    from chefintro.clock import now_local
    from chefintro.models import ProgrammeSession

    moment = now or now_local()
    rows = db.exec(
        select(ProgrammeSession)
        .where(ProgrammeSession.cohort_id == cohort.id)
        .where(col(ProgrammeSession.cancelled).is_(False))
        .where(ProgrammeSession.starts_at > moment)
        .order_by(col(ProgrammeSession.starts_at), col(ProgrammeSession.id))
    ).all()
    return [f"{r.title} ({r.starts_at:%Y-%m-%d %H:%M}, session {r.id})" for r in rows]


def close_cohort(*, db: Session, cohort: Cohort, force: bool = False) -> Cohort:
    """Close a cohort: it keeps its history, and counts towards retention from today.

    Refused while programme days are still ahead, unless ``force``.
    """
    mark_change(db, kind=Kind.DESTRUCTIVE, what="the cohort closed")
    check_closable(db=db, cohort=cohort, force=force)
    cohort.status = CohortStatus.CLOSED
    cohort.closed_on = clock.today()
    db.add(cohort)
    db.flush()
    return cohort


def check_closable(*, db: Session, cohort: Cohort, force: bool = False) -> None:
    """Raise RuleError when ``close_cohort`` would refuse, so a command can ask first."""
    if cohort.status in (CohortStatus.CLOSED, CohortStatus.ANONYMISED):
        raise RuleError(f"Cohort {cohort.name} is already {cohort.status}.")
    ahead = days_ahead(db=db, cohort=cohort)
    if ahead and not force:
        shown = "; ".join(ahead[:5]) + (f"; and {len(ahead) - 5} more" if len(ahead) > 5 else "")
        raise RuleError(
            f"Cohort {cohort.name} still has {plural(len(ahead), 'programme day')} ahead: {shown}. "
            "Close it after the last day, or use --force to close it now."
        )


def reopen_cohort(*, db: Session, cohort: Cohort) -> Cohort:
    """Take a closed cohort back (an anonymised one cannot come back)."""
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(
            f"Cohort {cohort.name} is anonymised; its personal data is gone, so it cannot "
            "be reopened."
        )
    if cohort.status != CohortStatus.CLOSED:
        raise RuleError(f"Cohort {cohort.name} is {cohort.status}, not closed.")
    cohort.status = (
        CohortStatus.ACTIVE if cohort.starts_on <= clock.today() else CohortStatus.PLANNED
    )
    cohort.closed_on = None
    db.add(cohort)
    db.flush()
    return cohort


def require_open(cohort: Cohort) -> None:
    """Refuse changes to a closed or anonymised cohort."""
    if cohort.status in (CohortStatus.CLOSED, CohortStatus.ANONYMISED):
        raise RuleError(f"Cohort {cohort.name} is {cohort.status}; it can no longer change.")


# --- participants -----------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInfo:
    name: str
    email: str
    agency: str
    role: str
    status: str
    capacity: int
    unit: str | None
    title: str | None
    field: str | None
    location: str | None
    manager_since: date | None
    months_as_manager: int | None
    wished_field: str | None
    preferred_mentors: list[str]
    eligibility: str  # "ok", "short", "long" or "unknown"
    warning: str | None = None
    continues: bool = False  # a mentor who agreed to continue next year
    #: A mentor's wished towns and adepts (e-mail keys), best first (issue 34).
    wished_locations: tuple[str, ...] = ()
    wished_adepts: tuple[str, ...] = ()
    #: What adding the mentor set of their wishes (said by 'participant add').
    wish_changes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            **who_json(self),
            "status": self.status,
            "capacity": self.capacity,
            "unit": self.unit,
            "title": self.title,
            "field": self.field,
            "location": self.location,
            "manager_since": self.manager_since.isoformat() if self.manager_since else None,
            "months_as_manager": self.months_as_manager,
            "wished_field": self.wished_field,
            "preferred_mentors": self.preferred_mentors,
            "eligibility": self.eligibility,
            "warning": self.warning,
            "continues": self.continues,
            "wished_locations": list(self.wished_locations),
            "wished_adepts": list(self.wished_adepts),
        }


@dataclass
class ParticipantData:
    email: str
    role: Role
    capacity: int | None = None
    wished_field: str | None = None
    preferred_mentors: list[str] = field(default_factory=list)
    #: A mentor's wishes: towns, adepts (e-mail or name), adepts not to mentor.
    wished_locations: list[str] = field(default_factory=list)
    wished_adepts: list[str] = field(default_factory=list)
    not_adepts: list[str] = field(default_factory=list)


class _Member(NamedTuple):
    """The columns of a participant that the list shows and judges (no whole rows)."""

    participant_id: int
    person_id: int
    name: str
    email: str
    field: str | None
    location: str | None
    manager_since: date | None
    agency: str
    role: str
    capacity: int
    status: str
    title: str | None
    unit: str | None
    wished_field: str | None
    preferred_mentors: list[str] | None
    continues: bool


#: The columns of :class:`_Member`, in its order.
_MEMBER_COLUMNS = (
    col(Participant.id),
    col(Person.id),
    col(Person.name),
    col(Person.email),
    col(Person.field),
    col(Person.location),
    col(Person.manager_since),
    col(Agency.code),
    col(Participant.role),
    col(Participant.capacity),
    col(Participant.status),
    col(Participant.title),
    col(Participant.unit),
    col(Participant.wished_field),
    col(Participant.preferred_mentors),
    col(Participant.continues),
)


def _member(part: Participant, person: Person, agency: Agency) -> _Member:
    return _Member(
        id_of(part),
        id_of(person),
        person.name,
        person.email,
        person.field,
        person.location,
        person.manager_since,
        agency.code,
        part.role,
        part.capacity,
        part.status,
        part.title,
        part.unit,
        part.wished_field,
        part.preferred_mentors,
        part.continues,
    )


def _info(
    context: ParticipantContext, member: _Member, wishes: MentorWishes | None = None
) -> ParticipantInfo:
    facts = ParticipantFacts(
        name=member.name,
        email=member.email,
        agency=member.agency,
        role=Role(member.role),
        manager_since=member.manager_since,
        person_id=member.person_id,
    )
    status, months, _needed = context.judge(member.manager_since, facts.role)
    found = [
        text
        for text in (eligibility_warning(context, facts), earlier_adept_warning(context, facts))
        if text is not None
    ]
    return ParticipantInfo(
        name=member.name,
        email=member.email,
        agency=member.agency,
        role=str(member.role),
        status=str(member.status),
        capacity=member.capacity,
        unit=member.unit,
        title=member.title,
        field=member.field,
        location=member.location,
        manager_since=member.manager_since,
        months_as_manager=months,
        wished_field=member.wished_field,
        preferred_mentors=list(member.preferred_mentors or []),
        eligibility=status,
        warning=" ".join(found) or None,
        continues=bool(member.continues),
        wished_locations=tuple(wishes.locations) if wishes else (),
        wished_adepts=tuple(wishes.adepts) if wishes else (),
    )


def members_query(cohort: Cohort) -> Select[Participant, Person, Agency]:
    """Select the cohort's participants, each with their person and agency; add filters."""
    return (
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
    )


def find_participant(*, db: Session, cohort: Cohort, person: Person) -> Participant | None:
    return db.exec(
        select(Participant)
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.person_id == person.id)
    ).first()


def get_participant(*, db: Session, cohort: Cohort, email: str) -> Participant:
    person = get_person(db=db, email=email)
    part = find_participant(db=db, cohort=cohort, person=person)
    if part is None:
        raise NotFoundError(f"{person.name} ({person.email}) is not in cohort {cohort.name}.")
    return part


def get_participant_person(*, db: Session, cohort: Cohort, email: str) -> Person:
    """Return the person of a cohort's participant, or raise NotFoundError."""
    part = get_participant(db=db, cohort=cohort, email=email)
    person = db.get(Person, part.person_id)
    assert person is not None  # the foreign key guarantees it
    return person


def add_participant(
    *, db: Session, cohort: Cohort, data: ParticipantData
) -> tuple[Participant, ParticipantInfo, list[str]]:
    """Add a registered person to a cohort through the participant intake.

    Raises the intake's first problem; returns the participant, its information and the
    intake's warnings (the same words a roster row gets).
    """
    require_open(cohort)
    person = get_person(db=db, email=data.email)
    if find_participant(db=db, cohort=cohort, person=person) is not None:
        raise DuplicateError(f"{person.name} ({person.email}) is already in cohort {cohort.name}.")
    agency = agency_of(db=db, person=person)
    context = ParticipantContext.for_cohort(db=db, cohort=cohort, person_ids=[id_of(person)])
    facts = ParticipantFacts(
        name=person.name,
        email=person.email,
        agency=agency.code,
        role=data.role,
        manager_since=person.manager_since,
        capacity=data.capacity,
        wished_field=clean_field(data.wished_field, what="The wished field"),
        wishes=tuple(wish.strip() for wish in data.preferred_mentors if wish.strip()),
        person_id=id_of(person),
        wished_locations=tuple(data.wished_locations),
        wished_adepts=tuple(w.strip() for w in data.wished_adepts if w.strip()),
        not_adepts=tuple(w.strip() for w in data.not_adepts if w.strip()),
    )
    warnings = raise_first(check_participant(context, facts))
    part = Participant(
        cohort_id=id_of(cohort),
        person_id=id_of(person),
        agency_id=id_of(agency),
        unit=person.unit,
        title=person.title,
        role=data.role,
        capacity=rules.participant_capacity(data.role, data.capacity),
        wished_field=facts.wished_field,
        preferred_mentors=context.wished_keys(facts),
    )
    db.add(part)
    db.flush()
    wished = store_wishes(db, context=context, part=part, facts=facts)
    wishes = wishes_of(db, [id_of(part)]).get(id_of(part))
    info = replace(
        _info(context, _member(part, person, agency), wishes),
        wish_changes=tuple(wished.lines()),
    )
    return part, info, warnings


def list_participants(
    *,
    db: Session,
    cohort: Cohort,
    role: Role | None = None,
    agency: str | None = None,
    include_withdrawn: bool = True,
) -> list[ParticipantInfo]:
    """Return a cohort's participants in Swedish order of name."""
    # The columns shown and judged, not whole rows (issue 32).
    query = (
        sa_select(*_MEMBER_COLUMNS)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.cohort_id) == cohort.id)
    )
    if role is not None:
        query = query.where(col(Participant.role) == role)
    if agency is not None:
        query = query.where(col(Agency.id) == get_agency(db=db, code=agency).id)
    if not include_withdrawn:
        query = query.where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
    found = [_Member(*row) for row in db.execute(query).all()]
    context = ParticipantContext.for_cohort(
        db=db, cohort=cohort, person_ids=[m.person_id for m in found]
    )
    wishes = wishes_of(db, [m.participant_id for m in found if m.role == Role.MENTOR])
    rows = [_info(context, m, wishes.get(m.participant_id)) for m in found]
    return sorted(rows, key=lambda r: (swedish_key(r.name), r.email.casefold()))


def withdraw_participant(*, db: Session, cohort: Cohort, email: str) -> Participant:
    """Mark a participant withdrawn; their live pairings end."""
    mark_change(db, kind=Kind.DESTRUCTIVE, what="a participant withdrawn")
    from chefintro.clock import today
    from chefintro.enums import PairingState
    from chefintro.models import Pairing

    require_open(cohort)
    part = get_participant(db=db, cohort=cohort, email=email)
    if part.status == ParticipantStatus.WITHDRAWN:
        raise RuleError("That participant has already withdrawn.")
    part.status = ParticipantStatus.WITHDRAWN
    db.add(part)
    live = db.exec(
        select(Pairing)
        .where(Pairing.state != PairingState.ENDED)
        .where((Pairing.adept_id == part.id) | (Pairing.mentor_id == part.id))
    ).all()
    for pairing in live:
        if pairing.state == PairingState.PROPOSED:
            db.delete(pairing)
        else:
            pairing.end(on=today(), reason=f"{part.role} withdrew")
            db.add(pairing)
    db.flush()
    return part


def reinstate_participant(*, db: Session, cohort: Cohort, email: str) -> Participant:
    """Undo a withdrawal: the participant is active again (their ended pairs stay ended)."""
    require_open(cohort)
    part = get_participant(db=db, cohort=cohort, email=email)
    if part.status != ParticipantStatus.WITHDRAWN:
        raise RuleError(f"That participant is {part.status}, not withdrawn.")
    part.status = ParticipantStatus.ACTIVE
    db.add(part)
    db.flush()
    return part


def set_continues(*, db: Session, cohort: Cohort, email: str, continues: bool) -> Participant:
    """Record whether a mentor agreed to continue into next year's cohort."""
    part = get_participant(db=db, cohort=cohort, email=email)
    if part.role != Role.MENTOR:
        raise RuleError("Only mentors carry over to the next cohort; adepts take part once.")
    part.continues = continues
    db.add(part)
    db.flush()
    return part


def carry_over_mentors(*, db: Session, source: Cohort, target: Cohort) -> int:
    """Add the source cohort's mentors who agreed to continue to the target; return how many.

    Mentors already in the target are left as they are, so running it again adds nothing.
    """
    mark_change(db, kind=Kind.BULK, what="mentors carried over")
    require_open(target)
    if source.id == target.id:
        raise UsageError("A cohort cannot carry mentors over to itself.")
    mentors = db.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .where(Participant.cohort_id == source.id)
        .where(Participant.role == Role.MENTOR)
        .where(col(Participant.continues).is_(True))
        .where(Participant.status != ParticipantStatus.WITHDRAWN)
    ).all()
    present = set(
        db.exec(select(Participant.person_id).where(Participant.cohort_id == target.id)).all()
    )
    added = 0
    for mentor, person in mentors:
        if mentor.person_id in present:
            continue
        db.add(
            Participant(
                cohort_id=id_of(target),
                person_id=mentor.person_id,
                agency_id=person.agency_id,  # where they are now, not where they were
                unit=person.unit,
                title=person.title,
                role=Role.MENTOR,
                capacity=mentor.capacity,
            )
        )
        added += 1
    db.flush()
    return added
