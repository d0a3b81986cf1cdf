"""What a pair said of itself: its check-in notes and agreement, for a person's export and
for forgetting them when the cohort is anonymised."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from chefintro.models import Cohort, PairAgreement, Pairing, PairNote


def own_words(db: Session, pairing_ids: Sequence[int | None]) -> dict[int, dict[str, Any]]:
    """Return pairing id → its agreement and check-in notes (a person's export)."""
    ids = [i for i in pairing_ids if i is not None]
    result: dict[int, dict[str, Any]] = {i: {"agreement": None, "notes": []} for i in ids}
    for agreement in db.exec(
        select(PairAgreement).where(col(PairAgreement.pairing_id).in_(ids))
    ).all():
        result[agreement.pairing_id]["agreement"] = {
            "agreed": agreement.agreed,
            "date": agreement.agreed_on.isoformat() if agreement.agreed_on else None,
            "source": agreement.source,
        }
    for note in db.exec(
        select(PairNote).where(col(PairNote.pairing_id).in_(ids)).order_by(col(PairNote.held_on))
    ).all():
        result[note.pairing_id]["notes"].append(
            {"date": note.held_on.isoformat(), "text": note.text}
        )
    return result


def forget_cohort_notes(db: Session, cohort: Cohort) -> int:
    """Delete the check-in notes of a cohort's pairs (anonymising it); return how many."""
    ids = select(Pairing.id).where(Pairing.cohort_id == cohort.id)
    count = len(db.exec(select(PairNote.id).where(col(PairNote.pairing_id).in_(ids))).all())
    db.exec(delete(PairNote).where(col(PairNote.pairing_id).in_(ids)))
    db.flush()
    return count
