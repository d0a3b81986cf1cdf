"""Consent to be listed: recorded per participant with its day, read by every listing.

Nothing of a person is shown in the directory, the alumni list, the ideas or the pipeline
without a consent that says yes. For one cohort that is the participant's own answer, and
the person's latest answer must not be no; across years (alumni, pipeline) it is the
person's latest answer, by cohort start. So a later no withdraws an earlier yes
everywhere, while a later yes does not list someone in a year they said no to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro.enums import CohortStatus
from chefintro.errors import RuleError
from chefintro.ids import id_of
from chefintro.intake.participants import consent_change
from chefintro.models import Cohort, ListingConsent, Participant

#: The Swedish words for an answer, as workbooks and messages show it.
CONSENT_LABELS = {True: "ja", False: "nej", None: "–"}


@dataclass(frozen=True)
class ConsentChange:
    """A consent recorded: from what (None: never asked) to what, on which day."""

    before: bool | None
    after: bool
    recorded_on: date

    def describe(self) -> str:
        return f"{CONSENT_LABELS[self.before]} → {CONSENT_LABELS[self.after]}"

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "listed": self.after,
            "recorded_on": self.recorded_on.isoformat(),
        }


def stored_consents(db: Session, participant_ids: Iterable[int]) -> dict[int, ListingConsent]:
    """The stored consent of each of these participants that has one."""
    ids = list(participant_ids)
    found: dict[int, ListingConsent] = {}
    for start in range(0, len(ids), 500):
        for row in db.exec(
            select(ListingConsent).where(
                col(ListingConsent.participant_id).in_(ids[start : start + 500])
            )
        ).all():
            found[row.participant_id] = row
    return found


def record_consent(
    db: Session,
    *,
    participant: Participant,
    given: bool | None,
    on: date,
    stored: ListingConsent | None = None,
    looked_up: bool = False,
) -> ConsentChange | None:
    """Record a participant's answer (through the intake's rule); None when nothing changed.

    ``stored`` with ``looked_up`` spares a query per row for a roster that looked them up
    at once (:func:`stored_consents`).
    """
    if not looked_up:
        stored = stored_consents(db, [id_of(participant)]).get(id_of(participant))
    before = stored.listed if stored is not None else None
    after = consent_change(before, given)
    if after is None:
        return None
    if stored is None:
        db.add(ListingConsent(participant_id=id_of(participant), listed=after, recorded_on=on))
    else:
        stored.listed = after
        stored.recorded_on = on
        db.add(stored)
    return ConsentChange(before, after, on)


def require_consentable(cohort: Cohort) -> None:
    """An anonymised cohort keeps no one to list."""
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(
            f"Cohort {cohort.name} is anonymised; its people are no longer listed anywhere."
        )


def listed_participants(db: Session, cohort: Cohort) -> set[int]:
    """The ids of the cohort's participants who consented to be listed and whose latest
    answer (in this cohort or a later one) is not no."""
    rows = db.execute(
        sa_select(col(ListingConsent.participant_id), col(Participant.person_id))
        .join(Participant, col(Participant.id) == col(ListingConsent.participant_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(ListingConsent.listed).is_(True))
    ).all()
    still = listed_people(db)
    return {int(pid) for pid, person in rows if int(person) in still}


def listed_people(db: Session) -> set[int]:
    """The ids of the people whose latest answer (by cohort start) is yes."""
    rows = db.execute(
        sa_select(col(Participant.person_id), col(ListingConsent.listed))
        .join(Participant, col(Participant.id) == col(ListingConsent.participant_id))
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(col(Cohort.status) != CohortStatus.ANONYMISED)
        .order_by(col(Cohort.starts_on), col(ListingConsent.recorded_on))
    ).all()
    latest: dict[int, bool] = {}
    for person_id, listed in rows:
        latest[int(person_id)] = bool(listed)
    return {person for person, listed in latest.items() if listed}


@dataclass(frozen=True)
class ConsentAnswer:
    """What ``participant consent`` recorded for whom (None: the answer was already so)."""

    name: str
    email: str
    cohort: str
    listed: bool
    change: ConsentChange | None

    def to_json(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "cohort": self.cohort,
            "listed": self.listed,
            "change": self.change.to_json() if self.change else None,
        }


def set_consent(
    *, db: Session, cohort: Cohort, email: str, listed: bool, today: date
) -> ConsentAnswer:
    """Record a participant's answer to being listed, dated today."""
    from chefintro.cohorts import get_participant
    from chefintro.models import Person

    require_consentable(cohort)
    part = get_participant(db=db, cohort=cohort, email=email)
    person = db.get(Person, part.person_id)
    assert person is not None  # the foreign key guarantees it
    change = record_consent(db, participant=part, given=listed, on=today)
    db.flush()
    return ConsentAnswer(person.name, person.email, cohort.name, listed, change)


def forget_consents(db: Session, participant_ids: list[int]) -> int:
    """Delete these participants' consent records (erasure); return how many."""
    found = stored_consents(db, participant_ids)
    for row in found.values():
        db.delete(row)
    db.flush()
    return len(found)
