"""Who was sent which message: the ``sent_message`` rows (no names, addresses or text).

A message is named by stable identity (:func:`pair_key`, :func:`group_key`,
:func:`session_key`), never by a row id that a new pair, group or day could take over.
Sending is claim, send, confirm: :func:`claim` marks the recipients ``sending`` in its own
transaction before the message goes, so a second run at the same time finds them taken;
:func:`confirm` marks them ``sent`` once the server took it, and :func:`release` gives
back a claim the server refused. A claim still ``sending`` after its run is a message in
doubt: the server may or may not have taken it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chefintro.models import SENDING, SENT, AgencyLetter, SentMessage, utcnow

__all__ = ["SENDING", "SENT"]


@dataclass(frozen=True)
class Book:
    """A table of sent records and the column that names their recipient: people's
    messages here, agency contacts' letters in :mod:`.agency_records` (one claim, confirm
    and release for both)."""

    model: type[SentMessage] | type[AgencyLetter]
    recipient: str  # "person_id" or "agency_id"

    def recipient_column(self) -> Any:
        return col(getattr(self.model, self.recipient))

    def of_claim(self, claimed: Claim) -> Any:
        """The rows of one claim's message (its recipients aside)."""
        model = self.model
        return (
            (col(model.kind) == claimed.kind)
            & (col(model.cohort_id) == claimed.cohort_id)
            & (col(model.subject_key) == claimed.subject_key)
        )


#: The people's messages (``sent_message``).
PEOPLE = Book(SentMessage, "person_id")
#: The letters to agency contacts (``agency_letter``).
AGENCIES = Book(AgencyLetter, "agency_id")


def pair_key(adept_person_id: int, mentor_person_id: int) -> str:
    """Return the key of a pair's introduction: the two people (the cohort is a column)."""
    return f"pair:{adept_person_id}:{mentor_person_id}"


def group_key(formation: str, member_participant_ids: Iterable[int]) -> str:
    """Return the key of a peer group's letter: its formation and its members.

    Members are named by participant (their part in the cohort), which stays the same when
    ``person link`` joins two records of one person.
    """
    joined = ",".join(str(i) for i in sorted(member_participant_ids))
    return f"group:{formation}:{hashlib.sha256(joined.encode('ascii')).hexdigest()[:16]}"


def session_key(uid: str) -> str:
    """Return the key of a programme day's reminder: the day's calendar UID."""
    return f"session:{uid}"


def sent_to(
    *, db: Session, kind: str, cohort_id: int, book: Book = PEOPLE
) -> dict[tuple[str, int], str]:
    """Return (subject key, recipient id) → status of every record of ``kind`` in the cohort."""
    model = book.model
    rows = db.execute(
        select(model.subject_key, book.recipient_column(), model.status)
        .where(model.kind == kind)
        .where(model.cohort_id == cohort_id)
    ).all()
    return {(key, recipient): status for key, recipient, status in rows}


@dataclass
class Claim:
    """The recipients one run claimed for one message, and what their records were."""

    kind: str
    cohort_id: int
    subject_key: str
    new: list[int] = field(default_factory=list)
    #: person id → (status, time) of a record taken over with ``--again``.
    retaken: dict[int, tuple[str, datetime]] = field(default_factory=dict)

    @property
    def person_ids(self) -> list[int]:
        return sorted([*self.new, *self.retaken])


def claim(
    *,
    db: Session,
    kind: str,
    cohort_id: int,
    subject_key: str,
    person_ids: Iterable[int],
    again_before: datetime | None,
    book: Book = PEOPLE,
) -> Claim:
    """Mark the recipients ``sending``; return those this run got (commit it at once).

    A recipient without a record is claimed by a new row; one with a record only with
    ``--again`` (``again_before``: the run's start), and only if that record is older
    than the run, so that two runs with ``--again`` still send it once. A recipient
    another run holds is left out. The update is conditional, so that on PostgreSQL too
    only one of two runs gets it; a unique-key clash (another run inserted first) raises
    :class:`ClaimLost`. ``person_ids`` are agency ids in the agencies' book.
    """
    ids = sorted(set(person_ids))
    result = Claim(kind=kind, cohort_id=cohort_id, subject_key=subject_key)
    model = book.model
    existing: dict[int, Any] = {
        getattr(row, book.recipient): row
        for row in db.exec(
            select(model)
            .where(model.kind == kind)
            .where(model.cohort_id == cohort_id)
            .where(model.subject_key == subject_key)
            .where(book.recipient_column().in_(ids))
        ).all()
    }
    now = utcnow()
    for recipient in ids:
        row = existing.get(recipient)
        if row is None:
            db.add(
                model(
                    kind=kind,
                    cohort_id=cohort_id,
                    subject_key=subject_key,
                    sent_at=now,
                    status=SENDING,
                    **{book.recipient: recipient},
                )
            )
            result.new.append(recipient)
            continue
        if again_before is None or row.sent_at >= again_before:
            continue
        before = (row.status, row.sent_at)
        taken = db.exec(
            update(model)
            .where(col(model.id) == row.id)
            .where(col(model.sent_at) == row.sent_at)
            .values(status=SENDING, sent_at=now)
        )
        if taken.rowcount == 1:
            result.retaken[recipient] = before
    try:
        db.flush()
    except IntegrityError:
        raise ClaimLost from None
    return result


class ClaimLost(Exception):
    """Another run claimed the message first (its records appeared while claiming)."""


def confirm(*, db: Session, claimed: Claim, person_ids: Iterable[int], book: Book = PEOPLE) -> int:
    """Mark these claimed recipients ``sent`` now; return how many."""
    ids = sorted(set(person_ids) & set(claimed.person_ids))
    if ids:
        db.exec(
            update(book.model)
            .where(book.of_claim(claimed))
            .where(book.recipient_column().in_(ids))
            .values(status=SENT, sent_at=utcnow())
        )
    return len(ids)


def release(*, db: Session, claimed: Claim, person_ids: Iterable[int], book: Book = PEOPLE) -> None:
    """Give back the claim on recipients the message did not reach (refused, not sent)."""
    ids = set(person_ids)
    gone = [i for i in claimed.new if i in ids]
    if gone:
        db.exec(
            delete(book.model)
            .where(book.of_claim(claimed))
            .where(book.recipient_column().in_(gone))
        )
    for recipient, (status, sent_at) in claimed.retaken.items():
        if recipient in ids:
            db.exec(
                update(book.model)
                .where(book.of_claim(claimed))
                .where(book.recipient_column() == recipient)
                .values(status=status, sent_at=sent_at)
            )


def rename_person(*, db: Session, old_id: int, new_id: int) -> None:
    """Rewrite the pair keys naming ``old_id`` to name ``new_id`` (``person link``).

    A record that would then repeat one already held is dropped (the message went, that is
    all a record says).
    """
    for row in _naming(db, old_id):
        prefix, adept, mentor, *rest = row.subject_key.split(":")
        key = ":".join(
            [
                prefix,
                str(new_id) if adept == str(old_id) else adept,
                str(new_id) if mentor == str(old_id) else mentor,
                *rest,
            ]
        )
        twin = db.exec(
            select(SentMessage)
            .where(SentMessage.kind == row.kind)
            .where(SentMessage.cohort_id == row.cohort_id)
            .where(SentMessage.subject_key == key)
            .where(SentMessage.person_id == row.person_id)
        ).first()
        if twin is not None:
            db.delete(row)
        else:
            row.subject_key = key
            db.add(row)
    db.flush()


#: The kinds of key that name a pair's two people: ``<prefix>:<adept>:<mentor>[:…]``.
PAIR_PREFIXES = ("pair", "nudge")


def _naming(db: Session, person_id: int) -> list[SentMessage]:
    """Return the records whose pair or nudge key names ``person_id`` as adept or mentor."""
    key = col(SentMessage.subject_key)
    rows = db.exec(
        select(SentMessage).where(
            or_(*(key.like(f"{prefix}:%") for prefix in PAIR_PREFIXES)),
            or_(key.like(f"%:{person_id}:%"), key.like(f"%:{person_id}")),
        )
    ).all()
    return [row for row in rows if str(person_id) in row.subject_key.split(":")[1:3]]


def sent_messages_of(*, db: Session, person_id: int) -> list[SentMessage]:
    """Return the sent-message records of one person, oldest first."""
    return list(
        db.exec(
            select(SentMessage)
            .where(SentMessage.person_id == person_id)
            .order_by(col(SentMessage.sent_at), col(SentMessage.id))
        ).all()
    )


def forget_person(*, db: Session, person_id: int) -> int:
    """Delete a person's sent-message records (for ``person erase``); return how many.

    Their partners' records of a pair with them go too: the key names the erased person's
    id, which a person registered later could be given.
    """
    rows = sent_messages_of(db=db, person_id=person_id)
    for row in rows:
        db.delete(row)
    db.flush()
    partners = [row.id for row in _naming(db, person_id)]
    if partners:
        db.exec(delete(SentMessage).where(col(SentMessage.id).in_(partners)))
    db.flush()
    return len(rows)
