"""Finding an adept's pair: the adept by e-mail or name, their active pair, its two people."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple, Protocol, TypeVar

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro.cohorts import find_participant
from chefintro.enums import PairingState, Role
from chefintro.errors import NotFoundError, RuleError, UsageError
from chefintro.models import Cohort, Pairing, Participant, Person
from chefintro.registry import get_person
from chefintro.text import clean_text


def find_adept(*, db: Session, cohort: Cohort, ref: str) -> tuple[Participant, Person]:
    """Return the cohort's adept named by an e-mail address or a unique name.

    The person is found the way every command finds one (:func:`registry.get_person`:
    NotFoundError for nobody or for a name several people share, listing them); RuleError
    for someone who is not an adept of the cohort.
    """
    if not (clean_text(ref) or ""):
        raise UsageError("Give the adept's e-mail address or name.")
    person = get_person(db=db, email=ref)
    part = find_participant(db=db, cohort=cohort, person=person)
    if part is None:
        raise NotFoundError(f"{person.name} ({person.email}) is not in cohort {cohort.name}.")
    if part.role != Role.ADEPT:
        raise RuleError(
            f"{person.name} ({person.email}) is a mentor in cohort {cohort.name}; give their "
            "adept's e-mail."
        )
    return part, person


def active_pairing(*, db: Session, cohort: Cohort, adept: Participant, person: Person) -> Pairing:
    """Return the adept's active pair; RuleError when they have none (or only a proposal)."""
    live = db.exec(
        select(Pairing)
        .where(Pairing.adept_id == adept.id)
        .where(col(Pairing.state) != PairingState.ENDED)
    ).first()
    return only_active(live, person, cohort.name)


def adept_and_mentor(db: Session, pairing: Pairing) -> tuple[Person, Person]:
    """Return the adept and the mentor of a pairing."""
    adept_part, mentor_part = aliased(Participant), aliased(Participant)
    adept, mentor = aliased(Person), aliased(Person)
    row = db.execute(
        sa_select(adept, mentor)
        .select_from(Pairing)
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(adept, col(adept.id) == col(adept_part.person_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .join(mentor, col(mentor.id) == col(mentor_part.person_id))
        .where(col(Pairing.id) == pairing.id)
    ).one()
    return row[0], row[1]


class Named(Protocol):
    """A person as a message names them: a stored Person, or the columns of one."""

    @property
    def name(self) -> str: ...

    @property
    def email(self) -> str: ...


class PairDays(Protocol):
    """A pair as placing a meeting sees it: a stored Pairing, or the columns of one."""

    @property
    def id(self) -> int | None: ...

    @property
    def adept_id(self) -> int: ...

    @property
    def mentor_id(self) -> int: ...

    @property
    def state(self) -> str: ...

    @property
    def started_on(self) -> date | None: ...

    @property
    def ended_on(self) -> date | None: ...

    @property
    def end_reason(self) -> str | None: ...


class HeldPair(NamedTuple):
    """The columns of a pair that placing its meetings needs, read without the ORM (a
    year's Möten sheet places tens of thousands of meetings on as many pairs)."""

    id: int
    adept_id: int
    mentor_id: int
    state: str
    started_on: date | None
    ended_on: date | None
    end_reason: str | None


AnyPair = TypeVar("AnyPair", bound=PairDays)


def only_active(live: AnyPair | None, person: Named, cohort_name: str) -> AnyPair:
    """Return the live pair when it is active; RuleError for none or only a proposal."""
    if live is None:
        raise RuleError(
            f"{person.name} ({person.email}) has no live pair in cohort {cohort_name}; see "
            "'chefintro pair list --all' and 'chefintro pair rematch'."
        )
    if live.state != PairingState.ACTIVE:
        raise RuleError(
            f"{person.name} ({person.email}) has only a proposed pair in cohort {cohort_name}; "
            "make it active with 'chefintro pair apply' first."
        )
    return live
