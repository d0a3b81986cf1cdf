"""Agencies and people: the register the programme years are built on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro import clock, rules
from chefintro.changes import Kind, mark_change
from chefintro.errors import DuplicateError, NotFoundError, RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import Agency, Participant, Person
from chefintro.text import (
    clean_field,
    clean_text,
    email_key,
    name_key,
    person_name_key,
    swedish_key,
)
from chefintro.words import plural

_CODE = re.compile(r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9._-]{0,19}$")


def normalise_code(code: str) -> str:
    """Return an agency code in its stored, upper-case form, or raise UsageError."""
    value = (clean_text(code) or "").upper()
    if not _CODE.match(value):
        raise UsageError(
            f"Agency code {code!r} is not valid: use 1–20 letters, digits, '-', '_' or '.', "
            "starting with a letter or digit (e.g. CSN, LST-Y)."
        )
    return value


# --- agencies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyInfo:
    code: str
    name: str
    people: int
    contact: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "people": self.people,
            "contact": self.contact,
        }


def add_agency(*, db: Session, code: str, name: str) -> Agency:
    """Register an agency; its code must be new."""
    code = normalise_code(code)
    clean = clean_field(name, what="The agency name")
    if not clean:
        raise UsageError("An agency needs a name.")
    if _agency_by_code(db, code) is not None:
        raise DuplicateError(f"Agency {code} is already registered.")
    _check_name_free(db, clean, None)
    agency = Agency(code=code, name=clean)
    db.add(agency)
    db.flush()
    return agency


def _agency_by_code(db: Session, code: str) -> Agency | None:
    return db.exec(select(Agency).where(Agency.code == code)).first()


def _check_name_free(db: Session, name: str, own_id: int | None) -> None:
    """Agency names identify agencies in rosters too, so they are unique in any case."""
    key = name.casefold()
    for other in db.exec(select(Agency)).all():
        if other.id != own_id and other.name.casefold() == key:
            raise DuplicateError(f"Agency {other.code} already has the name {other.name!r}.")


def get_agency(*, db: Session, code: str) -> Agency:
    """Return the agency with ``code`` (case-insensitive; its name works too), or NotFoundError."""
    agency = find_agency(db=db, ref=code)
    if agency is None:
        known = ", ".join(a.code for a in all_agencies(db=db)) or "none yet"
        raise NotFoundError(f"No agency with code {code!r}. Registered agencies: {known}.")
    return agency


def find_agency(*, db: Session, ref: str) -> Agency | None:
    """Return the agency whose code or name is ``ref`` (case-insensitive), if any."""
    value = clean_text(ref) or ""
    agency = _agency_by_code(db, value.upper())
    if agency is not None:
        return agency
    key = value.casefold()
    for candidate in db.exec(select(Agency)).all():
        if candidate.name.casefold() == key:
            return candidate
    return None


def resolve_agency(*, db: Session, ref: str) -> Agency:
    """Like :func:`find_agency` but raise NotFoundError naming the known codes."""
    agency = find_agency(db=db, ref=ref)
    if agency is None:
        known = ", ".join(a.code for a in all_agencies(db=db)) or "none yet"
        raise NotFoundError(f"No agency {ref!r} (by code or name). Registered agencies: {known}.")
    return agency


def all_agencies(*, db: Session) -> list[Agency]:
    """Return every agency in Swedish order of code."""
    return sorted(db.exec(select(Agency)).all(), key=lambda a: swedish_key(a.code))


def list_agencies(*, db: Session) -> list[AgencyInfo]:
    """Return every agency with its number of registered people."""
    counts = dict(
        db.exec(
            select(Person.agency_id, func.count(col(Person.id))).group_by(col(Person.agency_id))
        ).all()
    )
    return [
        AgencyInfo(code=a.code, name=a.name, people=int(counts.get(id_of(a), 0)), contact=a.contact)
        for a in all_agencies(db=db)
    ]


def clean_contact(value: str | None) -> str | None:
    """Return an agency contact's bare e-mail address (blank → None), or raise UsageError.

    The one e-mail rule, :func:`rules.parse_email`, as for a roster's Kontakt cell: an
    address pasted from Outlook (``HR <hr@bolagsverket.se>``, ``mailto:…``, a trailing
    ``;``) is cleaned to the bare address.
    """
    clean = clean_field(value, what="The contact")
    if clean is None:
        return None
    try:
        return rules.parse_email(clean)
    except rules.NotAnEmail as why:
        raise UsageError(f"The contact {clean[:80]!r} {why} (expected hr@agency.se).") from None


def edit_agency(
    *,
    db: Session,
    code: str,
    name: str | None = None,
    new_code: str | None = None,
    contact: str | None = None,
) -> Agency:
    """Change an agency's name, code and/or HR contact e-mail (an empty contact clears it)."""
    agency = get_agency(db=db, code=code)
    if contact is not None:
        agency.contact = clean_contact(contact)
    if name is not None:
        clean = clean_field(name, what="The agency name")
        if not clean:
            raise UsageError("An agency needs a name.")
        _check_name_free(db, clean, agency.id)
        agency.name = clean
    if new_code is not None:
        value = normalise_code(new_code)
        if value != agency.code and _agency_by_code(db, value) is not None:
            raise DuplicateError(f"Agency {value} is already registered.")
        agency.code = value
    db.add(agency)
    db.flush()
    return agency


def remove_agency(*, db: Session, code: str, force: bool = False) -> int:
    """Remove an agency; with people registered only when ``force``. Return people removed."""
    mark_change(db, kind=Kind.DESTRUCTIVE, what="an agency removed")
    agency = get_agency(db=db, code=code)
    people = db.exec(select(Person).where(Person.agency_id == agency.id)).all()
    if people and not force:
        raise RuleError(
            f"Agency {agency.code} still has {len(people)} registered people. Move or remove "
            "them first, or use --force to remove the agency together with its people."
        )
    for person in people:
        db.delete(person)
    db.flush()
    db.delete(agency)
    db.flush()
    return len(people)


# --- people -----------------------------------------------------------------------------


@dataclass
class PersonData:
    """The fields of a person as given by a user; None means 'not given'."""

    name: str | None = None
    email: str | None = None
    agency: str | None = None
    unit: str | None = None
    title: str | None = None
    field: str | None = None
    location: str | None = None
    manager_since: date | None = None


@dataclass(frozen=True)
class PersonInfo:
    name: str
    email: str
    agency: str
    agency_name: str
    unit: str | None
    title: str | None
    field: str | None
    location: str | None
    manager_since: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "email": self.email,
            "agency": self.agency,
            "agency_name": self.agency_name,
            "unit": self.unit,
            "title": self.title,
            "field": self.field,
            "location": self.location,
            "manager_since": self.manager_since.isoformat() if self.manager_since else None,
        }


def person_info(person: Person, agency: Agency) -> PersonInfo:
    return PersonInfo(
        name=person.name,
        email=person.email,
        agency=agency.code,
        agency_name=agency.name,
        unit=person.unit,
        title=person.title,
        field=person.field,
        location=person.location,
        manager_since=person.manager_since,
    )


class _Someone(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def role(self) -> str: ...


def who_json(row: _Someone) -> dict[str, Any]:
    """Return how JSON names a participant: ``name, email, agency`` (code) ``, role``."""
    return {"name": row.name, "email": row.email, "agency": row.agency, "role": row.role}


class _Listed(Protocol):
    @property
    def email(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def agency(self) -> str: ...


def listed_json(row: _Listed) -> dict[str, Any]:
    """Return how JSON names someone left without a pair: ``email, name, agency`` (code)."""
    return {"email": row.email, "name": row.name, "agency": row.agency}


@dataclass(frozen=True)
class PairPeople:
    """Who is in a pair: each side's e-mail, name and agency code (the start of every
    pair row: suggestions, pair lists, follow-up statuses, a person's export)."""

    adept: str
    adept_name: str
    adept_agency: str
    mentor: str
    mentor_name: str
    mentor_agency: str

    def people_json(self) -> dict[str, Any]:
        """Return how JSON names a pair: ``adept, adept_name, adept_agency`` and the same
        three for the mentor."""
        return {
            "adept": self.adept,
            "adept_name": self.adept_name,
            "adept_agency": self.adept_agency,
            "mentor": self.mentor,
            "mentor_name": self.mentor_name,
            "mentor_agency": self.mentor_agency,
        }


def clean_email(value: str) -> str:
    """Return the bare address in ``value`` (the one rule: :func:`rules.parse_email`).

    The text rule comes first (no control characters or bidi overrides); raises
    UsageError when it is not one e-mail address.
    """
    email = clean_field(value, what="The e-mail address") or ""
    try:
        return rules.parse_email(email)
    except rules.NotAnEmail as why:
        raise UsageError(f"{value.strip()[:80]!r} {why}.") from None


def find_person(*, db: Session, email: str) -> Person | None:
    return db.exec(select(Person).where(Person.email_key == email_key(email))).first()


def get_person(*, db: Session, email: str) -> Person:
    """Return the person an e-mail address or a unique name stands for, or raise NotFoundError.

    The one way every command finds a person: an e-mail is matched case-folded, a name
    case- and accent-insensitively; a name that several people share is refused with the
    list of them (agency and e-mail), so the user can give the e-mail instead.
    """
    person = find_person(db=db, email=email)
    if person is not None:
        return person
    ref = clean_text(email) or ""
    if "@" in ref or not ref:
        raise NotFoundError(f"No person with e-mail {email.strip()!r}.")
    matches = people_named(db=db, name=ref)
    if not matches:
        raise NotFoundError(
            f"No person named {ref!r} (or with that e-mail); 'chefintro person find TEXT' "
            "searches names and e-mail addresses."
        )
    if len(matches) > 1:
        listed = "; ".join(f"{p.name} ({a.code}, {p.email})" for p, a in matches)
        raise NotFoundError(
            f"{len(matches)} people are named {ref!r}: {listed}. Give the e-mail address instead."
        )
    return matches[0][0]


def people_named(
    *, db: Session, name: str, agency_id: int | None = None
) -> list[tuple[Person, Agency]]:
    """Return the people whose name is ``name`` (:func:`person_name_key`), by e-mail."""
    key = person_name_key(name)
    query = select(Person, Agency).join(Agency, col(Agency.id) == col(Person.agency_id))
    if agency_id is not None:
        query = query.where(Person.agency_id == agency_id)
    found = [(p, a) for p, a in db.exec(query).all() if person_name_key(p.name) == key]
    return sorted(found, key=lambda pa: pa[0].email_key)


def search_people(*, db: Session, text: str) -> list[PersonInfo]:
    """Return people whose name or e-mail contains ``text`` (case- and accent-insensitive)."""
    needle = name_key(text)
    if not needle:
        raise UsageError("Give some text to look for.")
    rows = db.exec(select(Person, Agency).join(Agency, col(Agency.id) == col(Person.agency_id)))
    found = [
        person_info(p, a)
        for p, a in rows.all()
        if needle in name_key(p.name) or needle in name_key(p.email)
    ]
    return sorted(found, key=lambda p: (swedish_key(p.name), p.email.casefold()))


def namesakes(*, db: Session, person: Person) -> list[Person]:
    """Return other people with the same name at the same agency (a likely duplicate)."""
    return [
        p
        for p, _ in people_named(db=db, name=person.name, agency_id=person.agency_id)
        if p.id != person.id
    ]


def _check_name(name: str) -> None:
    problem = rules.name_problem(name)
    if problem is not None:
        raise UsageError(f"The name is refused: {problem}.")


def add_person(*, db: Session, data: PersonData) -> Person:
    """Register a person; the e-mail (in any case) must be new."""
    name = clean_field(data.name, what="The name")
    if not name:
        raise UsageError("A person needs a name.")
    _check_name(name)
    if not data.email:
        raise UsageError("A person needs an e-mail address.")
    email = clean_email(data.email)
    if not data.agency:
        raise UsageError("A person needs an agency.")
    agency = resolve_agency(db=db, ref=data.agency)
    existing = find_person(db=db, email=email)
    if existing is not None:
        raise DuplicateError(
            f"A person with e-mail {existing.email} is already registered ({existing.name})."
        )
    person = Person(
        name=name,
        email=email,
        email_key=email_key(email),
        agency_id=id_of(agency),
        unit=clean_field(data.unit, what="The unit"),
        title=clean_field(data.title, what="The title"),
        field=clean_field(data.field, what="The field"),
        location=clean_field(data.location, what="The location"),
        manager_since=data.manager_since,
    )
    db.add(person)
    db.flush()
    return person


@dataclass(frozen=True)
class Carried:
    """Where a person's new agency, unit and title went: the cohorts that took them (open
    ones that have not ended), and the earlier ones that keep what the person was then."""

    changed: list[str]
    #: (cohort, the agency code it keeps) for each earlier cohort with another agency.
    kept: list[tuple[str, str]]

    def joining(self, cohort: str | None) -> Carried:
        """The same, with the cohort a roster adds the person to (not stored yet)."""
        if cohort is None or cohort in self.changed:
            return self
        return Carried([*self.changed, cohort], self.kept)

    def describe(self, old: str, new: str) -> str:
        """'from cohort 2027; 2026 keeps CSN' for a move from ``old`` to ``new``."""
        since = f" from cohort {self.changed[0]}" if self.changed else ""
        kept = "; ".join(f"{name} keeps {code}" for name, code in self.kept)
        return f"moves from {old} to {new}{since}" + (f"; {kept}" if kept else "")


def carry_to_open_cohorts(*, db: Session, person: Person, today: date | None = None) -> Carried:
    """Give the person's current and coming cohorts their agency, unit and title as they are
    now; closed and past cohorts keep what the person was in them (issue 27)."""
    from chefintro.enums import CohortStatus
    from chefintro.models import Cohort

    day = today or clock.today()
    changed: list[str] = []
    kept: list[tuple[str, str]] = []
    rows = db.exec(
        select(Participant, Cohort, Agency)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.person_id == person.id)
        .order_by(col(Cohort.starts_on), col(Cohort.name))
    ).all()
    now = (person.agency_id, person.unit, person.title)
    for part, cohort, agency in rows:
        is_open = cohort.status in (CohortStatus.PLANNED, CohortStatus.ACTIVE)
        if is_open and cohort.ends_on >= day:
            if (part.agency_id, part.unit, part.title) != now:
                part.agency_id, part.unit, part.title = now
                db.add(part)
                changed.append(cohort.name)
        elif part.agency_id != person.agency_id:
            kept.append((cohort.name, agency.code))
    return Carried(changed, kept)


def edit_person(
    *, db: Session, email: str, data: PersonData, clear: set[str]
) -> tuple[Person, str | None]:
    """Change the given fields of a person; names in ``clear`` are emptied.

    Returns the person and, for a move to another agency, what it changed ("moves from
    CSN to FK from cohort 2027; 2026 keeps CSN").
    """
    person = get_person(db=db, email=email)
    old_agency = agency_of(db=db, person=person).code
    if data.name is not None:
        name = clean_field(data.name, what="The name")
        if not name:
            raise UsageError("A person needs a name.")
        _check_name(name)
        person.name = name
    if data.email is not None:
        new_email = clean_email(data.email)
        other = find_person(db=db, email=new_email)
        if other is not None and other.id != person.id:
            raise DuplicateError(f"E-mail {other.email} belongs to {other.name} already.")
        person.email = new_email
        person.email_key = email_key(new_email)
    if data.agency is not None:
        new_agency = resolve_agency(db=db, ref=data.agency)
        if new_agency.id != person.agency_id:
            partners = same_agency_partners(
                db=db, person_id=id_of(person), agency_id=id_of(new_agency)
            )
            if partners:
                raise RuleError(
                    f"{person.name} is paired with {', '.join(partners)} of {new_agency.code}; an "
                    "adept and a mentor must be from different agencies. Remove that pair "
                    "('chefintro pair remove') before moving them."
                )
        person.agency_id = new_agency.id  # type: ignore[assignment]
    for attr in ("unit", "title", "field", "location"):
        value = getattr(data, attr)
        if value is not None:
            setattr(person, attr, clean_field(value, what=f"The {attr}"))
    if data.manager_since is not None:
        person.manager_since = data.manager_since
    for attr in clear:
        if attr not in {"unit", "title", "field", "location", "manager_since"}:
            raise UsageError(f"Cannot clear {attr!r}.")
        setattr(person, attr, None)
    db.add(person)
    carried = carry_to_open_cohorts(db=db, person=person)
    db.flush()
    new_agency_code = agency_of(db=db, person=person).code
    moved = carried.describe(old_agency, new_agency_code) if new_agency_code != old_agency else None
    return person, moved


def same_agency_partners(*, db: Session, person_id: int, agency_id: int) -> list[str]:
    """Return the names of people in a live pair with ``person_id`` who work at ``agency_id``.

    Used before moving a person to another agency: such a move would make a pair break the
    programme's one hard rule.
    """
    from sqlalchemy.orm import aliased

    from chefintro.enums import PairingState
    from chefintro.models import Pairing

    mine, theirs = aliased(Participant), aliased(Participant)
    names: list[str] = []
    for own_side, other_side in (("adept_id", "mentor_id"), ("mentor_id", "adept_id")):
        rows = db.exec(
            select(Person.name)
            .select_from(Pairing)
            .join(mine, col(mine.id) == getattr(Pairing, own_side))
            .join(theirs, col(theirs.id) == getattr(Pairing, other_side))
            .join(Person, col(Person.id) == col(theirs.person_id))
            .where(col(mine.person_id) == person_id)
            .where(col(theirs.agency_id) == agency_id)
            .where(col(Pairing.state) != PairingState.ENDED)
        ).all()
        names.extend(rows)
    return sorted(set(names), key=swedish_key)


def remove_person(*, db: Session, email: str, force: bool = False) -> None:
    """Remove a person; one who takes part in a cohort only when ``force``."""
    mark_change(db, kind=Kind.DESTRUCTIVE, what="a person removed")
    person = get_person(db=db, email=email)
    taking_part = db.exec(
        select(func.count(col(Participant.id))).where(Participant.person_id == person.id)
    ).one()
    if taking_part and not force:
        raise RuleError(
            f"{person.name} takes part in {plural(taking_part, 'cohort')}. Withdraw them "
            "instead, or use --force to remove the person with their participations and pairs."
        )
    db.delete(person)
    db.flush()


def agency_of(*, db: Session, person: Person) -> Agency:
    agency = db.get(Agency, person.agency_id)
    assert agency is not None  # the foreign key guarantees it
    return agency


def list_people(*, db: Session, agency: str | None = None) -> list[PersonInfo]:
    """Return people (of one agency if given) in Swedish order of name."""
    # The columns shown, not whole rows: 20,000 people in a network-wide store.
    query = sa_select(
        col(Person.name),
        col(Person.email),
        col(Agency.code),
        col(Agency.name),
        col(Person.unit),
        col(Person.title),
        col(Person.field),
        col(Person.location),
        col(Person.manager_since),
    ).join(Agency, col(Agency.id) == col(Person.agency_id))
    if agency is not None:
        query = query.where(col(Agency.id) == get_agency(db=db, code=agency).id)
    rows = [PersonInfo(*row) for row in db.execute(query).all()]
    return sorted(rows, key=lambda p: (swedish_key(p.name), p.email.casefold()))
