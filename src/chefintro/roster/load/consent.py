"""The Deltagare sheet's Samtycke column: each row's consent to be listed, through the
participant intake's rule (:func:`chefintro.intake.participants.consent_change`), as
``participant consent`` records it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chefintro import clock
from chefintro.ids import id_of
from chefintro.intake.participants import consent_change
from chefintro.models import Cohort, ListingConsent, Participant, Person
from chefintro.network.consent import CONSENT_LABELS, record_consent, stored_consents
from chefintro.roster.read.rows import ParticipantRow

HEADER = "Samtycke"


class RosterConsents:
    """Answers worked out in the row loop, written once the new participants exist."""

    def __init__(
        self, db: Session, parts: dict[int, Participant], rows: Sequence[ParticipantRow]
    ) -> None:
        self.db = db
        asked = any(row.consent is not None for row in rows)
        self.stored: dict[int, ListingConsent] = (
            stored_consents(db, [id_of(p) for p in parts.values()]) if asked and parts else {}
        )
        self.pending: dict[str, bool] = {}

    def field(
        self,
        row: ParticipantRow,
        key: str,
        existing: Participant | None,
        changed_fields: list[tuple[str, object, object]],
    ) -> None:
        """List the row's consent change (Samtycke: – → ja) and keep it for :meth:`write`."""
        if row.consent is None:
            return
        stored = self.stored.get(id_of(existing)) if existing is not None else None
        before = stored.listed if stored is not None else None
        after = consent_change(before, row.consent)
        if after is None:
            return
        changed_fields.append((HEADER, CONSENT_LABELS[before], CONSENT_LABELS[after]))
        self.pending[key] = after

    def write(self, cohort: Cohort | None) -> None:
        """Record the answers, dated today (after the inserts, so every participant exists)."""
        if not self.pending or cohort is None:
            return
        today = clock.today()
        for part, key in participants_by_key(self.db, cohort, list(self.pending)):
            record_consent(
                self.db,
                participant=part,
                given=self.pending[key],
                on=today,
                stored=self.stored.get(id_of(part)),
                looked_up=True,
            )
        self.db.flush()


def participants_by_key(
    db: Session, cohort: Cohort, keys: list[str]
) -> Iterator[tuple[Participant, str]]:
    """Yield the cohort's participants with these e-mail keys, with their key (500 a query)."""
    for start in range(0, len(keys), 500):
        found = db.exec(  # type: ignore[call-overload]
            sa_select(Participant, col(Person.email_key))
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
            .where(col(Person.email_key).in_(keys[start : start + 500]))
        ).all()
        yield from ((part, str(key)) for part, key in found)
