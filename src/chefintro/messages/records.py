"""Who was sent which message: the ``sent_message`` rows (no names, addresses or text)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from chefintro.models import SentMessage, utcnow


def sent_to(*, db: Session, kind: str, cohort_id: int) -> set[tuple[str, int]]:
    """Return (subject key, person id) of every message of ``kind`` sent in the cohort."""
    rows = db.exec(
        select(SentMessage.subject_key, SentMessage.person_id)
        .where(SentMessage.kind == kind)
        .where(SentMessage.cohort_id == cohort_id)
    ).all()
    return {(key, person) for key, person in rows}


def record_sent(
    *, db: Session, kind: str, cohort_id: int, subject_key: str, person_ids: Iterable[int]
) -> int:
    """Record that the message went to these people (again, with ``--again``); return count."""
    ids = sorted(set(person_ids))
    existing = {
        row.person_id: row
        for row in db.exec(
            select(SentMessage)
            .where(SentMessage.kind == kind)
            .where(SentMessage.cohort_id == cohort_id)
            .where(SentMessage.subject_key == subject_key)
            .where(col(SentMessage.person_id).in_(ids))
        ).all()
    }
    now = utcnow()
    for person_id in ids:
        row = existing.get(person_id)
        if row is None:
            row = SentMessage(
                kind=kind, cohort_id=cohort_id, subject_key=subject_key, person_id=person_id
            )
        row.sent_at = now
        db.add(row)
    db.flush()
    return len(ids)


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
    """Delete a person's sent-message records (for ``person erase``); return how many."""
    rows = sent_messages_of(db=db, person_id=person_id)
    for row in rows:
        db.delete(row)
    db.flush()
    return len(rows)
