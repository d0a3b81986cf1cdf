"""Which letters went to which agency's contact: the ``agency_letter`` rows.

The same claim, confirm and release as :mod:`chefintro.messages.records`, for letters whose
recipient is an agency (its HR contact) rather than a person: a recipient's id is the
agency's id. A letter is named by ``digest:<agency code>:<day>`` (the code is the agency's
stable name; its row id could be taken by another agency later).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from chefintro.messages.records import Claim, ClaimLost
from chefintro.models import SENDING, SENT, AgencyLetter, utcnow


def digest_key(agency_code: str, day: date) -> str:
    """Return the key of an agency's digest of one day."""
    return f"digest:{agency_code}:{day.isoformat()}"


def sent_to(*, db: Session, kind: str, cohort_id: int) -> dict[tuple[str, int], str]:
    """Return (subject key, agency id) → status of every letter of ``kind`` in the cohort."""
    rows = db.exec(
        select(AgencyLetter.subject_key, AgencyLetter.agency_id, AgencyLetter.status)
        .where(AgencyLetter.kind == kind)
        .where(AgencyLetter.cohort_id == cohort_id)
    ).all()
    return {(key, agency): status for key, agency, status in rows}


def claim(
    *,
    db: Session,
    kind: str,
    cohort_id: int,
    subject_key: str,
    person_ids: Iterable[int],
    again_before: datetime | None,
) -> Claim:
    """Mark the agencies ``sending`` (``person_ids`` are agency ids); see records.claim."""
    ids = sorted(set(person_ids))
    result = Claim(kind=kind, cohort_id=cohort_id, subject_key=subject_key)
    existing = {
        row.agency_id: row
        for row in db.exec(
            select(AgencyLetter)
            .where(AgencyLetter.kind == kind)
            .where(AgencyLetter.cohort_id == cohort_id)
            .where(AgencyLetter.subject_key == subject_key)
            .where(col(AgencyLetter.agency_id).in_(ids))
        ).all()
    }
    now = utcnow()
    for agency_id in ids:
        row = existing.get(agency_id)
        if row is None:
            db.add(
                AgencyLetter(
                    kind=kind,
                    cohort_id=cohort_id,
                    subject_key=subject_key,
                    agency_id=agency_id,
                    sent_at=now,
                    status=SENDING,
                )
            )
            result.new.append(agency_id)
            continue
        if again_before is None or row.sent_at >= again_before:
            continue
        before = (row.status, row.sent_at)
        taken = db.exec(
            update(AgencyLetter)
            .where(col(AgencyLetter.id) == row.id)
            .where(col(AgencyLetter.sent_at) == row.sent_at)
            .values(status=SENDING, sent_at=now)
        )
        if taken.rowcount == 1:
            result.retaken[agency_id] = before
    try:
        db.flush()
    except IntegrityError:
        raise ClaimLost from None
    return result


def _where(claimed: Claim) -> object:
    return (
        (col(AgencyLetter.kind) == claimed.kind)
        & (col(AgencyLetter.cohort_id) == claimed.cohort_id)
        & (col(AgencyLetter.subject_key) == claimed.subject_key)
    )


def confirm(*, db: Session, claimed: Claim, person_ids: Iterable[int]) -> int:
    """Mark these claimed agencies ``sent`` now; return how many."""
    ids = sorted(set(person_ids) & set(claimed.person_ids))
    if ids:
        db.exec(
            update(AgencyLetter)
            .where(_where(claimed))  # type: ignore[arg-type]
            .where(col(AgencyLetter.agency_id).in_(ids))
            .values(status=SENT, sent_at=utcnow())
        )
    return len(ids)


def release(*, db: Session, claimed: Claim, person_ids: Iterable[int]) -> None:
    """Give back the claim on agencies the letter did not reach."""
    ids = set(person_ids)
    gone = [i for i in claimed.new if i in ids]
    if gone:
        db.exec(
            delete(AgencyLetter)
            .where(_where(claimed))  # type: ignore[arg-type]
            .where(col(AgencyLetter.agency_id).in_(gone))
        )
    for agency_id, (status, sent_at) in claimed.retaken.items():
        if agency_id in ids:
            db.exec(
                update(AgencyLetter)
                .where(_where(claimed))  # type: ignore[arg-type]
                .where(col(AgencyLetter.agency_id) == agency_id)
                .values(status=status, sent_at=sent_at)
            )
