"""Joining two records of one person: the same human who came back with a new e-mail.

Per-Erik was an adept in 2026 at CSN and comes back in 2028 at FK with a new address; a
roster made a second person. ``person link OLD NEW`` moves every year of OLD's history
onto NEW — participations (each keeps the agency, unit and title it had), exclusions and
the record of sent messages — fills NEW's blank details from OLD, and removes OLD. After it
the repeat-adept warning and the no-repeat rule see one person. Never done silently: the
roster and ``cohort setup`` only suggest it (:mod:`chefintro.intake.participants`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from chefintro.changes import Kind, mark_change
from chefintro.errors import RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import Cohort, Exclusion, Participant, SentMessage
from chefintro.registry import get_person

#: The details NEW takes from OLD when its own are blank.
_FILLED = ("unit", "title", "field", "location", "manager_since")


@dataclass(frozen=True)
class Linked:
    """What joining OLD onto NEW did (OLD's name and address only for the message)."""

    old_email: str
    name: str
    email: str
    cohorts: list[str]
    exclusions: int
    filled: list[tuple[str, object]] = field(default_factory=list)

    def describe(self) -> str:
        years = ", ".join(self.cohorts) if self.cohorts else "no cohort"
        text = (
            f"Joined {self.old_email} onto {self.name} <{self.email}>: {years} moved "
            f"over, {self.exclusions} exclusion{'s' if self.exclusions != 1 else ''}"
        )
        if self.filled:
            text += "; filled in " + ", ".join(f"{k} ({v})" for k, v in self.filled)
        return text + f". {self.old_email} is removed."


def link_people(*, db: Session, old: str, new: str) -> Linked:
    """Move OLD's history onto NEW and remove OLD; refuse where the two overlap."""
    from chefintro.mentor_wishes import rename_wished
    from chefintro.pairing.consent import move_proposals

    mark_change(db, kind=Kind.REPLACING, what="two records of one person joined")
    first = get_person(db=db, email=old)
    second = get_person(db=db, email=new)
    if first.id == second.id:
        raise UsageError("Give two different records: the old one, then the one to keep.")
    old_parts = db.exec(
        select(Participant, Cohort)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(Participant.person_id == first.id)
        .order_by(col(Cohort.starts_on))
    ).all()
    new_cohorts = set(
        db.exec(select(Participant.cohort_id).where(Participant.person_id == second.id)).all()
    )
    both = [cohort.name for part, cohort in old_parts if part.cohort_id in new_cohorts]
    if both:
        raise RuleError(
            f"{first.email} and {second.email} both take part in cohort {', '.join(both)}; "
            "one human takes part once a year. Withdraw or remove one of them there first."
        )
    for part, _cohort in old_parts:
        part.person_id = id_of(second)
        db.add(part)
    exclusions = _move_exclusions(db, id_of(first), id_of(second))
    move_proposals(db=db, old_id=id_of(first), new_id=id_of(second))
    rename_wished(db=db, old_key=first.email_key, new_key=second.email_key)
    _move_sent(db, id_of(first), id_of(second))
    filled: list[tuple[str, object]] = []
    for name in _FILLED:
        if getattr(second, name) is None and getattr(first, name) is not None:
            setattr(second, name, getattr(first, name))
            filled.append((name, getattr(first, name)))
    db.add(second)
    db.flush()
    db.delete(first)
    db.flush()
    return Linked(
        old_email=first.email,
        name=second.name,
        email=second.email,
        cohorts=[cohort.name for _, cohort in old_parts],
        exclusions=exclusions,
        filled=filled,
    )


def _move_exclusions(db: Session, old_id: int, new_id: int) -> int:
    """Re-point OLD's exclusions to NEW (kept once; one between the two is dropped)."""
    moved = 0
    rows = db.exec(
        select(Exclusion).where(
            (col(Exclusion.person_a_id) == old_id) | (col(Exclusion.person_b_id) == old_id)
        )
    ).all()
    for row in rows:
        other = row.person_b_id if row.person_a_id == old_id else row.person_a_id
        a, b = sorted((new_id, other))
        taken = db.exec(
            select(Exclusion).where(Exclusion.person_a_id == a).where(Exclusion.person_b_id == b)
        ).first()
        if other == new_id or taken is not None:
            db.delete(row)
            continue
        row.person_a_id, row.person_b_id = a, b
        db.add(row)
        moved += 1
    return moved


def _move_sent(db: Session, old_id: int, new_id: int) -> None:
    """Keep the record of what OLD was sent, now as NEW's (so nothing is sent twice)."""
    from chefintro.messages.records import rename_person

    rename_person(db=db, old_id=old_id, new_id=new_id)  # pair keys name the people
    have = {
        (m.kind, m.cohort_id, m.subject_key)
        for m in db.exec(select(SentMessage).where(SentMessage.person_id == new_id)).all()
    }
    for message in db.exec(select(SentMessage).where(SentMessage.person_id == old_id)).all():
        if (message.kind, message.cohort_id, message.subject_key) in have:
            db.delete(message)
        else:
            message.person_id = new_id
            db.add(message)
