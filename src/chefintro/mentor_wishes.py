"""A mentor's own wishes (issue 34): the towns they would like their adept from and the
adepts they would like, best first, kept in ``mentor_wish``; adepts they should not mentor
are exclusions (reason "jäv" unless another is given).

Wished adepts are found as an adept's wished mentors are: by e-mail address, or by a
name that one adept of the cohort has (:meth:`ParticipantContext.resolve`, asked about
the adepts), and kept by e-mail key. Every door (``participant add`` and ``participant
wishes``, a roster's Deltagare row) sends the wishes through the participant intake's
``mentor_wishes`` check, then :func:`store_wishes`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro.clock import today
from chefintro.enums import PairingState, Role
from chefintro.ids import id_of
from chefintro.models import Cohort, Exclusion, MentorWish, Pairing, Participant, Person
from chefintro.text import clean_field

if TYPE_CHECKING:
    from chefintro.intake.participants import ParticipantContext, ParticipantFacts

LOCATION = "location"
ADEPT = "adept"
#: The reason an adept a mentor should not mentor is excluded with, unless one is given.
CONFLICT = "jäv"


@dataclass
class MentorWishes:
    """One mentor's wished towns (as typed) and adepts (e-mail keys), best first."""

    locations: list[str] = field(default_factory=list)
    adepts: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[str]:
        return self.locations if kind == LOCATION else self.adepts

    def to_json(self) -> dict[str, Any]:
        return {"wished_locations": self.locations, "wished_adepts": self.adepts}


def wishes_of(db: Session, participant_ids: Sequence[int]) -> dict[int, MentorWishes]:
    """Return each participant's wishes (only those who have any), best first."""
    found: dict[int, MentorWishes] = {}
    ids = list(participant_ids)
    for start in range(0, len(ids), 500):
        rows = db.execute(
            sa_select(col(MentorWish.participant_id), col(MentorWish.kind), col(MentorWish.value))
            .where(col(MentorWish.participant_id).in_(ids[start : start + 500]))
            .order_by(col(MentorWish.participant_id), col(MentorWish.rank), col(MentorWish.id))
        )
        for participant_id, kind, value in rows:  # the columns, not whole rows (issue 32)
            found.setdefault(participant_id, MentorWishes()).of(kind).append(value)
    return found


def replace_wishes(
    db: Session, participant_id: int, kind: str, values: Iterable[str]
) -> tuple[list[str], list[str]]:
    """Replace one kind of a participant's wishes; return (before, after)."""
    rows = db.exec(
        select(MentorWish)
        .where(MentorWish.participant_id == participant_id)
        .where(MentorWish.kind == kind)
        .order_by(col(MentorWish.rank), col(MentorWish.id))
    ).all()
    before = [row.value for row in rows]
    after: list[str] = []
    for value in values:
        if value and value.casefold() not in {v.casefold() for v in after}:
            after.append(value)
    if after == before:
        return before, after
    for row in rows:
        db.delete(row)
    db.flush()
    for rank, value in enumerate(after):
        db.add(MentorWish(participant_id=participant_id, kind=kind, value=value, rank=rank))
    db.flush()
    return before, after


def rename_wished(*, db: Session, old_key: str, new_key: str) -> None:
    """Let wishes for OLD name NEW (``person link``); one already naming NEW is kept once."""
    for row in db.exec(
        select(MentorWish).where(MentorWish.kind == ADEPT).where(MentorWish.value == old_key)
    ).all():
        twin = db.exec(
            select(MentorWish)
            .where(MentorWish.participant_id == row.participant_id)
            .where(MentorWish.kind == ADEPT)
            .where(MentorWish.value == new_key)
        ).first()
        if twin is not None:
            db.delete(row)
        else:
            row.value = new_key
            db.add(row)
    db.flush()


def exclude_people(db: Session, one: int, two: int, reason: str) -> int | None:
    """Record that two people must never be paired; end (or drop, if proposed) their live
    pairs. Return how many pairs were undone, or None when they were excluded already.

    The one way an exclusion is made: ``pair exclude``, a mentor's adepts not to mentor, a
    declined proposal.
    """
    a_id, b_id = sorted((one, two))
    known = db.exec(
        select(Exclusion).where(Exclusion.person_a_id == a_id).where(Exclusion.person_b_id == b_id)
    ).first()
    if known is not None:
        return None
    db.add(Exclusion(person_a_id=a_id, person_b_id=b_id, reason=reason[:500]))
    parts = {
        id_of(p)
        for p in db.exec(select(Participant).where(col(Participant.person_id).in_((a_id, b_id))))
    }
    undone = 0
    for pairing in db.exec(
        select(Pairing)
        .where(col(Pairing.state) != PairingState.ENDED)
        .where(col(Pairing.adept_id).in_(parts) | col(Pairing.mentor_id).in_(parts))
    ).all():
        if {pairing.adept_id, pairing.mentor_id} <= parts:
            if pairing.state == PairingState.ACTIVE:
                pairing.end(on=today(), reason=f"excluded: {reason}")
                db.add(pairing)
            else:
                db.delete(pairing)
            undone += 1
    db.flush()
    return undone


@dataclass(frozen=True)
class WishChange:
    """What one door changed of a mentor's wishes: (what, before, after) per kind."""

    name: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    undone: int = 0

    def lines(self) -> list[str]:
        """What a door that adds the mentor says of their wishes (nothing when none)."""
        return [self.describe()] if self.changes else []

    def describe(self) -> str:
        if not self.changes:
            return f"{self.name}'s wishes are unchanged."
        return f"{self.name}: " + "; ".join(f"{w}: {b} → {a}" for w, b, a in self.changes) + "."


def _said(values: Sequence[str]) -> str:
    return ", ".join(values) or "–"


def store_wishes(
    db: Session,
    *,
    context: ParticipantContext,
    part: Participant,
    facts: ParticipantFacts,
    kinds: Iterable[str] = (LOCATION, ADEPT),
) -> WishChange:
    """Store a mentor's wishes as the intake took them (after its checks).

    ``kinds``: which lists the door sets (a blank roster cell leaves its list as it is;
    ``participant wishes --location`` replaces the towns only). Adepts not to mentor are
    added as exclusions (reason "jäv" unless one is given in brackets), never removed here.
    """
    from chefintro.intake.participants import not_adept

    result = WishChange(name=facts.name)
    names = {key: ref.name for key, ref in context.adepts.items()}
    if LOCATION in kinds:
        towns = [clean_field(t, what="A wished town") or "" for t in facts.wished_locations]
        before, after = replace_wishes(db, id_of(part), LOCATION, towns)
        if before != after:
            result.changes.append(("wished towns", _said(before), _said(after)))
    if ADEPT in kinds:
        keys = [context.resolve(wish, Role.ADEPT)[0] for wish in facts.wished_adepts]
        wanted = [k for k in keys if k is not None and k in context.adepts]
        before, after = replace_wishes(db, id_of(part), ADEPT, wanted)
        if before != after:
            shown = ([names.get(k, k) for k in before], [names.get(k, k) for k in after])
            result.changes.append(("wished adepts", _said(shown[0]), _said(shown[1])))
    undone = 0
    for value in facts.not_adepts:
        who, why = not_adept(value)
        key = context.resolve(who, Role.ADEPT)[0]
        adept = _person(db, key) if key is not None and key in context.adepts else None
        if adept is None:
            continue
        reason = clean_field(why, what="The reason") if why else CONFLICT
        done = exclude_people(db, id_of(adept), part.person_id, reason or CONFLICT)
        if done is not None:
            undone += done
            result.changes.append(("not to mentor", "–", f"{adept.name} ({reason or CONFLICT})"))
    return WishChange(result.name, result.changes, undone)


def _person(db: Session, key: str) -> Person | None:
    return db.exec(select(Person).where(Person.email_key == key)).first()


#: The participant intake's columns of a mentor's wishes (its findings for this door).
WISH_COLUMNS = frozenset({"wished_locations", "wished_adepts", "not_adepts"})


def set_mentor_wishes(
    *,
    db: Session,
    cohort: Cohort,
    email: str,
    locations: list[str] | None,
    adepts: list[str] | None,
    not_adepts: list[str],
) -> tuple[WishChange, list[str]]:
    """Change a mentor's wishes (``participant wishes``): the lists given replace theirs,
    ``not_adepts`` are added as exclusions. Returns what changed and the intake's warnings.

    The wishes go through the participant intake's check (a mentor's; each adept named is
    one adept of the cohort), so the command, ``participant add`` and a roster row say the
    same. ``db undo`` takes the change back.
    """
    from chefintro.changes import Kind, mark_change
    from chefintro.cohorts import get_participant, require_open
    from chefintro.intake import raise_first
    from chefintro.intake.participants import (
        ParticipantContext,
        ParticipantFacts,
        check_participant,
    )
    from chefintro.registry import agency_of

    mark_change(db, kind=Kind.REPLACING, what="a mentor's wishes changed")
    require_open(cohort)
    part = get_participant(db=db, cohort=cohort, email=email)
    person = db.get(Person, part.person_id)
    assert person is not None  # the foreign key guarantees it
    facts = ParticipantFacts(
        name=person.name,
        email=person.email,
        agency=agency_of(db=db, person=person).code,
        role=Role(part.role),
        person_id=id_of(person),
        wished_locations=tuple(locations or ()),
        wished_adepts=tuple(w.strip() for w in adepts or () if w.strip()),
        not_adepts=tuple(w.strip() for w in not_adepts if w.strip()),
    )
    context = ParticipantContext.for_cohort(db=db, cohort=cohort, person_ids=[id_of(person)])
    findings = [f for f in check_participant(context, facts) if f.column in WISH_COLUMNS]
    warnings = raise_first(findings)
    kinds = [k for k, given in ((LOCATION, locations), (ADEPT, adepts)) if given is not None]
    return store_wishes(db, context=context, part=part, facts=facts, kinds=kinds), warnings


def not_to_mentor(db: Session, cohort: Cohort) -> dict[str, list[str]]:
    """Return, per mentor's e-mail key, the cohort's adepts they are excluded from, as a
    roster writes them: the adept's e-mail, and the reason in brackets unless it is "jäv"."""
    rows = db.exec(
        select(Participant.person_id, Participant.role, Person.email_key)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .where(Participant.cohort_id == cohort.id)
    ).all()
    mentors = {pid: key for pid, role, key in rows if role == Role.MENTOR}
    adepts = {pid: key for pid, role, key in rows if role == Role.ADEPT}
    found: dict[str, list[str]] = {}
    if not mentors or not adepts:
        return found
    for exclusion in db.exec(select(Exclusion).order_by(col(Exclusion.id))).all():
        for mentor, adept in (
            (exclusion.person_a_id, exclusion.person_b_id),
            (exclusion.person_b_id, exclusion.person_a_id),
        ):
            if mentor in mentors and adept in adepts:
                why = "" if exclusion.reason == CONFLICT else f" ({exclusion.reason})"
                found.setdefault(mentors[mentor], []).append(adepts[adept] + why)
    return found


def forget_cohorts_wishes(db: Session, cohort_ids: Iterable[int]) -> None:
    """Anonymising: drop the cohorts' mentor wishes (names and towns of people) and the
    free-text reasons of their declined proposals; the answers and their days stay."""
    from chefintro.models import PairProposal

    ids = list(cohort_ids)
    parts = select(Participant.id).where(col(Participant.cohort_id).in_(ids))
    for wish in db.exec(select(MentorWish).where(col(MentorWish.participant_id).in_(parts))):
        db.delete(wish)
    for proposal in db.exec(select(PairProposal).where(col(PairProposal.cohort_id).in_(ids))):
        if proposal.reason is not None:
            proposal.reason = None
            db.add(proposal)
    db.flush()
