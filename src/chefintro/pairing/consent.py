"""The mentor's consent (issue 34): proposals of an adept to a mentor, and their answers.

A proposal is recorded (:class:`~chefintro.models.PairProposal`, keyed on the two people
and the cohort) the day its letter is drafted or sent (``pair propose``); sending it locks
the proposed pair, so ``pair suggest`` keeps it while the mentor thinks. The mentor's
answer is recorded with its day:

* ``accept``: the pair proposed → active, starting on the day of the answer (or the
  cohort's first day);
* ``decline``: the proposal is removed, so the adept is free for ``pair rematch`` (which
  moves nobody else), and the two are excluded from each other (an exclusion whose reason
  says they declined): every hard rule — suggest, rematch, ``pair set``, a roster's Par
  row, ``db check`` — never proposes that mentor for that adept again.

Every refusal (no pair, never proposed, already answered, withdrawn) is raised before
anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from chefintro.changes import Kind, mark_change
from chefintro.clock import today
from chefintro.cohorts import get_participant, require_open
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import RuleError, UsageError
from chefintro.ids import id_of
from chefintro.mentor_wishes import exclude_people
from chefintro.models import Agency, Cohort, Pairing, PairProposal, Participant, Person
from chefintro.registry import PairPeople
from chefintro.text import clean_field, swedish_key

ACCEPTED = "accepted"
DECLINED = "declined"
#: The start of an exclusion's reason when a mentor declined (the rest is their reason).
DECLINED_REASON = "declined the proposal"


@dataclass(frozen=True)
class Proposed:
    """A proposed pair as its letter names it: the two people, their agencies, the pair."""

    pairing: Pairing
    adept: Person
    adept_agency: Agency
    mentor: Person
    mentor_agency: Agency


def proposed_pairs(*, db: Session, cohort: Cohort) -> list[Proposed]:
    """Return the cohort's proposed pairs whose mentor has not answered, adept's name order."""
    ap, mp = aliased(Participant), aliased(Participant)
    aper, mper = aliased(Person), aliased(Person)
    aag, mag = aliased(Agency), aliased(Agency)
    # Five entities: SQLAlchemy's select (SQLModel's typed one stops at four).
    rows = db.execute(
        sa_select(Pairing, aper, aag, mper, mag)
        .join(ap, col(ap.id) == col(Pairing.adept_id))
        .join(mp, col(mp.id) == col(Pairing.mentor_id))
        .join(aper, col(aper.id) == col(ap.person_id))
        .join(mper, col(mper.id) == col(mp.person_id))
        .join(aag, col(aag.id) == col(ap.agency_id))
        .join(mag, col(mag.id) == col(mp.agency_id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) == PairingState.PROPOSED)
    ).all()
    answered = {
        (p.adept_person_id, p.mentor_person_id)
        for p in _proposals(db, cohort)
        if p.answer is not None
    }
    found = [
        Proposed(pairing, adept, adept_agency, mentor, mentor_agency)
        for pairing, adept, adept_agency, mentor, mentor_agency in rows
        if (id_of(adept), id_of(mentor)) not in answered
    ]
    found.sort(key=lambda p: (swedish_key(p.adept.name), p.adept.email_key))
    return found


def _proposals(db: Session, cohort: Cohort) -> list[PairProposal]:
    return list(db.exec(select(PairProposal).where(PairProposal.cohort_id == cohort.id)).all())


def record_proposals(
    *,
    db: Session,
    cohort: Cohort,
    people: list[tuple[int, int]],
    day: date | None = None,
    undoable: bool = True,
) -> int:
    """Record that these (adept person, mentor person) proposals went out on ``day``.

    A proposal already recorded keeps its first day. The proposed pairs are locked, so a
    new ``pair suggest`` keeps them while the mentor answers. Returns how many are new.
    ``undoable``: drafts are (``db undo`` takes the proposals back); a letter the server
    took is not (it cannot be unsent, and its record keeps it from going twice).
    """
    known = {(p.adept_person_id, p.mentor_person_id) for p in _proposals(db, cohort)}
    on = day or today()
    new = [pair for pair in dict.fromkeys(people) if pair not in known]
    if new and undoable:
        mark_change(db, kind=Kind.REPLACING, what=f"{len(new)} proposal(s) to mentors recorded")
    for adept, mentor in new:
        db.add(
            PairProposal(
                cohort_id=id_of(cohort), adept_person_id=adept, mentor_person_id=mentor,
                proposed_on=on,
            )
        )  # fmt: skip
    wanted = set(people)
    persons = {p for pair in wanted for p in pair}
    ap, mp = aliased(Participant), aliased(Participant)
    for pairing, adept, mentor in db.execute(
        sa_select(Pairing, col(ap.person_id), col(mp.person_id))
        .join(ap, col(ap.id) == col(Pairing.adept_id))
        .join(mp, col(mp.id) == col(Pairing.mentor_id))
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state) == PairingState.PROPOSED)
        .where(col(ap.person_id).in_(persons))
    ).all():
        if (adept, mentor) in wanted and not pairing.locked:
            pairing.locked = True
            db.add(pairing)
    db.flush()
    return len(new)


@dataclass(frozen=True)
class Answer:
    """What one answer changed: who, the pair's state before and after, and the day."""

    adept_name: str
    mentor_name: str
    answer: str
    answered_on: date
    proposed_on: date
    reason: str | None = None

    def describe(self) -> str:
        pair = f"{self.adept_name} – {self.mentor_name}"
        if self.answer == ACCEPTED:
            return (
                f"{self.mentor_name} accepted {self.adept_name} on {self.answered_on}: the pair "
                f"{pair} proposed → active (proposed on {self.proposed_on})."
            )
        return (
            f"{self.mentor_name} declined {self.adept_name} on {self.answered_on} "
            f"({self.reason}): the pair {pair} proposed → removed; {self.adept_name} has no "
            f"mentor now, and {self.mentor_name} will not be proposed for them again."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "adept_name": self.adept_name,
            "mentor_name": self.mentor_name,
            "answer": self.answer,
            "answered_on": self.answered_on.isoformat(),
            "proposed_on": self.proposed_on.isoformat(),
            "reason": self.reason,
        }


def decline_reason(reason: str) -> str:
    """Return the cleaned reason of a decline, or raise UsageError when it is blank."""
    text = clean_field(reason, what="The reason")
    if not text:
        raise UsageError("Give the mentor's --reason (kept with the answer, e.g. 'no time').")
    return text


def answer(
    *,
    db: Session,
    cohort: Cohort,
    adept: str,
    accepted: bool,
    reason: str | None = None,
    day: date | None = None,
) -> Answer:
    """Record the mentor's answer to the proposal of ``adept`` (e-mail or unique name).

    Refused, with nothing changed: a mentor's address, a withdrawn adept, an adept with no
    proposed pair (none, an active one, or one that was declined), a pair never proposed
    to its mentor, a day before the proposal or in the future.
    """
    require_open(cohort)
    text = decline_reason(reason or "") if not accepted else None
    on = day or today()
    if on > today():
        raise UsageError(f"{on} is in the future; give the day the mentor answered.")
    part = get_participant(db=db, cohort=cohort, email=adept)
    person = db.get(Person, part.person_id)
    assert person is not None  # the foreign key guarantees it
    if part.role != Role.ADEPT:
        raise UsageError(f"{person.name} is a mentor in cohort {cohort.name}; give the adept.")
    if part.status != ParticipantStatus.ACTIVE:
        raise RuleError(f"{person.name} has withdrawn from cohort {cohort.name}.")
    proposed = next(
        (p for p in proposed_pairs(db=db, cohort=cohort) if p.pairing.adept_id == part.id), None
    )
    if proposed is None:
        raise _no_proposal(db, cohort, part, person)
    record = db.exec(
        select(PairProposal)
        .where(PairProposal.cohort_id == cohort.id)
        .where(PairProposal.adept_person_id == id_of(person))
        .where(PairProposal.mentor_person_id == id_of(proposed.mentor))
    ).first()
    mentor = proposed.mentor
    if record is None:
        raise RuleError(
            f"{person.name} – {mentor.name} has not been proposed to {mentor.name} yet; send "
            "the proposal with 'chefintro pair propose' first."
        )
    if on < record.proposed_on:
        raise UsageError(
            f"{on} is before the proposal went out ({record.proposed_on}); give the day the "
            "mentor answered."
        )
    record.answer, record.answered_on, record.reason = (
        (ACCEPTED if accepted else DECLINED),
        on,
        text,
    )
    db.add(record)
    if accepted:
        mark_change(db, kind=Kind.REPLACING, what="a proposal accepted")
        proposed.pairing.state = PairingState.ACTIVE
        proposed.pairing.started_on = max(on, cohort.starts_on)
        db.add(proposed.pairing)
    else:
        mark_change(db, kind=Kind.DESTRUCTIVE, what="a proposal declined")
        db.delete(proposed.pairing)
        exclude_people(db, id_of(person), id_of(mentor), f"{DECLINED_REASON} {on}: {text}")
    db.flush()
    return Answer(person.name, mentor.name, record.answer, on, record.proposed_on, text)


def _no_proposal(db: Session, cohort: Cohort, part: Participant, person: Person) -> RuleError:
    """The error for an adept without a proposed pair awaiting an answer: says what there is."""
    live = db.exec(
        select(Pairing).where(Pairing.adept_id == part.id).where(Pairing.state != "ended")
    ).first()
    last = db.exec(
        select(PairProposal, Person)
        .join(Person, col(Person.id) == col(PairProposal.mentor_person_id))
        .where(PairProposal.cohort_id == cohort.id)
        .where(PairProposal.adept_person_id == id_of(person))
        .where(col(PairProposal.answer).is_not(None))
        .order_by(col(PairProposal.answered_on).desc(), col(PairProposal.id).desc())
    ).first()
    said = ""
    if last is not None:
        record, mentor = last
        said = f" {mentor.name} {record.answer} on {record.answered_on}."
    if live is not None and live.state == PairingState.ACTIVE:
        return RuleError(
            f"{person.name}'s pair is already active; there is nothing to answer.{said}"
        )
    if last is not None and last[0].answer == DECLINED:
        return RuleError(
            f"{person.name} has no proposal awaiting an answer.{said} Find them a new mentor "
            "with 'chefintro pair rematch --propose'."
        )
    return RuleError(
        f"{person.name} has no proposed pair in cohort {cohort.name}.{said} Propose one with "
        "'chefintro pair suggest' or 'pair rematch --propose'."
    )


#: The status of a proposal awaiting its mentor's answer, in ``report pairs``.
AWAITING = "awaiting_answer"


@dataclass(frozen=True)
class Awaiting(PairPeople):
    """A proposal whose mentor has not answered, and for how many days."""

    proposed_on: date
    days: int

    def to_json(self) -> dict[str, Any]:
        """The keys of a ``report pairs`` row: since the proposal, no meetings yet."""
        return {
            **self.people_json(),
            "since": self.proposed_on.isoformat(),
            "meetings": 0,
            "minutes": 0,
            "last_meeting": None,
            "status": AWAITING,
            "days_waiting": self.days,
            "agreed": None,
            "agreed_on": None,
            "proposed_on": self.proposed_on.isoformat(),
        }


def awaiting(*, db: Session, cohort: Cohort, as_of: date | None = None) -> list[Awaiting]:
    """Return the proposals of live proposed pairs still awaiting the mentor's answer."""
    on = as_of or today()
    sent = {(p.adept_person_id, p.mentor_person_id): p for p in _proposals(db, cohort)}
    found = []
    for proposed in proposed_pairs(db=db, cohort=cohort):
        record = sent.get((id_of(proposed.adept), id_of(proposed.mentor)))
        if record is None or record.answer is not None:
            continue
        found.append(
            Awaiting(
                adept=proposed.adept.email,
                adept_name=proposed.adept.name,
                adept_agency=proposed.adept_agency.code,
                mentor=proposed.mentor.email,
                mentor_name=proposed.mentor.name,
                mentor_agency=proposed.mentor_agency.code,
                proposed_on=record.proposed_on,
                days=max(0, (on - record.proposed_on).days),
            )
        )
    return found


def awaiting_pair_ids(*, db: Session, cohort: Cohort) -> set[int]:
    """Return the ids of the proposed pairs whose proposal awaits the mentor's answer."""
    sent = {
        (p.adept_person_id, p.mentor_person_id) for p in _proposals(db, cohort) if p.answer is None
    }
    return {
        id_of(p.pairing)
        for p in proposed_pairs(db=db, cohort=cohort)
        if (id_of(p.adept), id_of(p.mentor)) in sent
    }


def forget_proposals(*, db: Session, person_id: int) -> int:
    """Delete the proposals naming a person on either side (``person erase``); return how many."""
    rows = db.exec(
        select(PairProposal).where(
            (col(PairProposal.adept_person_id) == person_id)
            | (col(PairProposal.mentor_person_id) == person_id)
        )
    ).all()
    for row in rows:
        db.delete(row)
    db.flush()
    return len(rows)


def move_proposals(*, db: Session, old_id: int, new_id: int) -> None:
    """Re-point OLD's proposals to NEW (``person link``: never in one cohort together)."""
    for row in db.exec(
        select(PairProposal).where(
            (col(PairProposal.adept_person_id) == old_id)
            | (col(PairProposal.mentor_person_id) == old_id)
        )
    ).all():
        if row.adept_person_id == old_id:
            row.adept_person_id = new_id
        if row.mentor_person_id == old_id:
            row.mentor_person_id = new_id
        db.add(row)
    db.flush()


def proposals_json(db: Session, cohort_id: int, person_id: int) -> list[dict[str, Any]]:
    """A person's proposals in one cohort, either side, for their export (right of access)."""
    adept, mentor = aliased(Person), aliased(Person)
    rows = db.execute(
        sa_select(PairProposal, col(adept.email), col(mentor.email))
        .join(adept, col(adept.id) == col(PairProposal.adept_person_id))
        .join(mentor, col(mentor.id) == col(PairProposal.mentor_person_id))
        .where(col(PairProposal.cohort_id) == cohort_id)
        .where(
            (col(PairProposal.adept_person_id) == person_id)
            | (col(PairProposal.mentor_person_id) == person_id)
        )
        .order_by(col(PairProposal.proposed_on), col(PairProposal.id))
    ).all()
    return [
        {
            "adept": adept_email,
            "mentor": mentor_email,
            "proposed_on": row.proposed_on.isoformat(),
            "answer": row.answer,
            "answered_on": row.answered_on.isoformat() if row.answered_on else None,
            "reason": row.reason,
        }
        for row, adept_email, mentor_email in rows
    ]
