"""A mentor's own wishes (issue 34): the towns they would like their adept from and the
adepts they would like, best first, kept in ``mentor_wish``; adepts they should not mentor
are exclusions (reason "jäv" unless another is given).

Wished adepts are found as an adept's wished mentors are: by e-mail address, or by a
name that one adept of the cohort has (:meth:`ParticipantContext.resolve`, asked about
the adepts), and kept by e-mail key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from chefintro.models import MentorWish

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
        rows = db.exec(
            select(MentorWish)
            .where(col(MentorWish.participant_id).in_(ids[start : start + 500]))
            .order_by(col(MentorWish.participant_id), col(MentorWish.rank), col(MentorWish.id))
        ).all()
        for row in rows:
            found.setdefault(row.participant_id, MentorWishes()).of(row.kind).append(row.value)
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
