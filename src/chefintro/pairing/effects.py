"""What a change of pairs leaves behind: adepts without a mentor, mentors with a free place.

Every command that changes pairs (pair apply, exclude, remove, end, set; participant
withdraw; a roster that withdraws the people it leaves out) takes :func:`live_pairs`
before its change and :func:`pair_effects` after it, in the same transaction, and says
what the result names. One rule for all of them: an adept who had a live (proposed or
active) pair and has none is left without a mentor; a mentor with fewer live pairs than
before, and fewer than their capacity, has a free place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from chefintro.enums import ParticipantStatus, Role
from chefintro.ids import id_of
from chefintro.models import Cohort, Pairing, Participant, Person
from chefintro.pairing.problem import LIVE
from chefintro.text import swedish_key
from chefintro.words import listing, noun, plural


def live_pairs(*, db: Session, cohort: Cohort) -> dict[int, int]:
    """Return adept participant id → mentor participant id of the cohort's live pairs."""
    rows = db.exec(
        select(Pairing.adept_id, Pairing.mentor_id)
        .where(col(Pairing.cohort_id) == cohort.id)
        .where(col(Pairing.state).in_(LIVE))
    ).all()
    return dict(rows)


@dataclass(frozen=True)
class PairEffects:
    """The adepts a change left without a mentor and the mentors' places it freed."""

    #: "Name (e-mail)" of active adepts who lost their live pair.
    unpaired: list[str] = field(default_factory=list)
    #: "Name (e-mail)" of active adepts who had no live pair before and have none now.
    still_unpaired: list[str] = field(default_factory=list)
    #: "Name (e-mail): n of m places free" of active mentors with a place freed.
    free_places: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The sentences a command prints (nothing when nothing was left behind)."""
        result: list[str] = []
        if self.unpaired:
            result.append(
                f"Left without a mentor: {listing(self.unpaired)} "
                "(pair them with 'chefintro pair set' or 'chefintro pair rematch')."
            )
        if self.still_unpaired:
            count = len(self.still_unpaired)
            result.append(
                f"Still without a mentor: {listing(self.still_unpaired)} "
                f"({plural(count, 'adept')}; 'chefintro pair unmatched' says why)."
            )
        if self.free_places:
            count = len(self.free_places)
            result.append(
                f"Free mentor {noun(count, 'place')}: {listing(self.free_places, limit=10)}."
            )
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "left_without_mentor": self.unpaired,
            "still_without_mentor": self.still_unpaired,
            "free_mentor_places": self.free_places,
        }


def pair_effects(
    *, db: Session, cohort: Cohort, before: dict[int, int], all_unpaired: bool = False
) -> PairEffects:
    """Compare the cohort's live pairs with ``before`` (from :func:`live_pairs`).

    ``all_unpaired`` also names the active adepts who had no pair before either (what
    ``pair apply`` leaves unplaced).
    """
    db.flush()
    after = live_pairs(db=db, cohort=cohort)
    rows = db.exec(
        select(Participant, Person)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(Participant.status) == ParticipantStatus.ACTIVE)
    ).all()
    people = {id_of(part): (part, person) for part, person in rows}

    def shown(part_id: int) -> str:
        person = people[part_id][1]
        return f"{person.name} ({person.email})"

    def order(part_id: int) -> tuple[tuple[str, str], str]:
        person = people[part_id][1]
        return swedish_key(person.name), person.email.casefold()

    adepts = [pid for pid, (part, _) in people.items() if part.role == Role.ADEPT]
    lost = sorted((a for a in adepts if a in before and a not in after), key=order)
    never = sorted((a for a in adepts if a not in before and a not in after), key=order)
    count_before: dict[int, int] = {}
    for mentor in before.values():
        count_before[mentor] = count_before.get(mentor, 0) + 1
    count_after: dict[int, int] = {}
    for mentor in after.values():
        count_after[mentor] = count_after.get(mentor, 0) + 1
    freed: list[str] = []
    for mentor in sorted(count_before, key=lambda m: order(m) if m in people else (("", ""), "")):
        found = people.get(mentor)
        if found is None or found[0].role != Role.MENTOR:
            continue  # withdrawn: their places are not free
        now = count_after.get(mentor, 0)
        capacity = found[0].capacity
        if now < count_before[mentor] and now < capacity:
            free = capacity - now
            freed.append(f"{shown(mentor)}: {free} of {plural(capacity, 'place')} free")
    return PairEffects(
        [shown(a) for a in lost], [shown(a) for a in never] if all_unpaired else [], freed
    )
