"""Which letters went to which agency's contact: the ``agency_letter`` rows.

The claim, confirm and release of :mod:`chefintro.messages.records` on its agencies' book,
for letters whose recipient is an agency (its HR contact) rather than a person: a
recipient's id is the agency's id. A letter is named by ``digest:<agency code>:<day>``
(the code is the agency's stable name; its row id could be taken by another agency later).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session

from chefintro.messages import records
from chefintro.messages.records import AGENCIES, Claim


def digest_key(agency_code: str, day: date) -> str:
    """Return the key of an agency's digest of one day."""
    return f"digest:{agency_code}:{day.isoformat()}"


def sent_to(*, db: Session, kind: str, cohort_id: int) -> dict[tuple[str, int], str]:
    """Return (subject key, agency id) → status of every letter of ``kind`` in the cohort."""
    return records.sent_to(db=db, kind=kind, cohort_id=cohort_id, book=AGENCIES)


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
    return records.claim(
        db=db,
        kind=kind,
        cohort_id=cohort_id,
        subject_key=subject_key,
        person_ids=person_ids,
        again_before=again_before,
        book=AGENCIES,
    )


def confirm(*, db: Session, claimed: Claim, person_ids: Iterable[int]) -> int:
    """Mark these claimed agencies ``sent`` now; return how many."""
    return records.confirm(db=db, claimed=claimed, person_ids=person_ids, book=AGENCIES)


def release(*, db: Session, claimed: Claim, person_ids: Iterable[int]) -> None:
    """Give back the claim on agencies the letter did not reach."""
    records.release(db=db, claimed=claimed, person_ids=person_ids, book=AGENCIES)
