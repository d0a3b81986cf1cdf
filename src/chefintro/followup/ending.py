"""Ending a pair: kept as history with its reason, optionally never to be made again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from chefintro import clock
from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.errors import UsageError
from chefintro.followup.pairs import active_pairing, adept_and_mentor, find_adept
from chefintro.ids import id_of
from chefintro.models import Cohort, Exclusion, Person
from chefintro.text import clean_text


@dataclass(frozen=True)
class EndedPair:
    """What ending a pair did: who, when, why, and whether the two may never meet again.
    (The mentor's freed place is said by :mod:`chefintro.pairing.effects`.)"""

    adept_name: str
    mentor_name: str
    ended_on: date
    reason: str
    excluded: bool


def end_reason(reason: str) -> str:
    """Return a pair's end reason cleaned; UsageError when it is empty or too long."""
    text = clean_text(reason)
    if not text:
        raise UsageError("Give a --reason (kept with the ended pair, e.g. 'mentor changed job').")
    if len(text) > 500:
        raise UsageError("Keep the --reason under 500 characters.")
    return text


def active_pair_people(*, db: Session, cohort: Cohort, adept: str) -> tuple[Person, Person]:
    """Return the adept and the mentor of the adept's active pair (for a confirmation);
    the errors of :func:`end_pair` when there is none."""
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    return adept_and_mentor(db, active_pairing(db=db, cohort=cohort, adept=part, person=person))


def end_pair(
    *,
    db: Session,
    cohort: Cohort,
    adept: str,
    reason: str,
    no_repeat: bool,
    today: date | None = None,
) -> EndedPair:
    """End the adept's active pair today, keeping it as history with its reason.

    ``no_repeat`` also records an exclusion, so the two are never paired again. The
    mentor's place is free at once; the adept waits for ``pair rematch``.
    """
    mark_change(db, kind=Kind.DESTRUCTIVE, what="a pair ended")
    require_open(cohort)
    text = end_reason(reason)
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    pairing = active_pairing(db=db, cohort=cohort, adept=part, person=person)
    on = pairing.end(on=today or clock.today(), reason=text)
    db.add(pairing)
    adept_person, mentor_person = adept_and_mentor(db, pairing)
    if no_repeat:
        a_id, b_id = sorted((id_of(adept_person), id_of(mentor_person)))
        exists = db.exec(
            select(Exclusion)
            .where(Exclusion.person_a_id == a_id)
            .where(Exclusion.person_b_id == b_id)
        ).first()
        if exists is None:
            db.add(Exclusion(person_a_id=a_id, person_b_id=b_id, reason=f"pair ended: {text}"))
    db.flush()
    return EndedPair(adept_person.name, mentor_person.name, on, text, no_repeat)
