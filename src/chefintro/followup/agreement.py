"""A pair's mentoring agreement: whether they have agreed how they work together, and when.

Set by ``pair agree`` or by a check-in (:mod:`chefintro.followup.checkin`), through
:func:`record_agreement` and the agreement intake (:mod:`chefintro.intake.agreements`).
Each change says what it was before; the change is marked replacing, so ``db undo`` takes
it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from chefintro import clock
from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.followup.pairs import PairDays, active_pairing, adept_and_mentor, find_adept
from chefintro.ids import id_of
from chefintro.intake import raise_first
from chefintro.intake.agreements import AgreementFacts, check_agreement
from chefintro.models import Cohort, PairAgreement

SOURCE_COMMAND = "command"
SOURCE_CHECKIN = "checkin"

Agreement = tuple[bool, date | None]


def agreement_text(value: Agreement | None) -> str:
    """Say an agreement in words: 'none', 'agreed on 2027-02-10', 'not agreed (2027-02-10)'."""
    if value is None:
        return "none"
    agreed, day = value
    when = f" on {day}" if agreed else f" ({day})"
    return ("agreed" if agreed else "not agreed") + (when if day else "")


def check_agreement_day(*, cohort: Cohort, pairing: PairDays, day: date, today: date) -> None:
    """Raise the agreement intake's first problem for ``day``."""
    raise_first(
        check_agreement(
            AgreementFacts(
                day, today, cohort.name, cohort.starts_on, cohort.ends_on, pairing.ended_on
            )
        )
    )


def agreement_of(db: Session, pairing: PairDays) -> PairAgreement | None:
    return db.exec(select(PairAgreement).where(PairAgreement.pairing_id == pairing.id)).first()


def record_agreement(
    *, db: Session, pairing: PairDays, agreed: bool, day: date, source: str
) -> tuple[Agreement | None, Agreement]:
    """Store the pair's agreement; return it (agreed, day) before and after."""
    row = agreement_of(db, pairing)
    before = None if row is None else (row.agreed, row.agreed_on)
    after = (agreed, day)
    if row is None:
        row = PairAgreement(pairing_id=id_of(pairing), agreed=agreed, agreed_on=day, source=source)
    elif before == after:
        return before, after
    else:
        row.agreed, row.agreed_on, row.source = agreed, day, source
    db.add(row)
    db.flush()
    return before, after


@dataclass(frozen=True)
class AgreementChange:
    adept: str
    adept_name: str
    mentor: str
    mentor_name: str
    before: Agreement | None
    after: Agreement

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        who = f"{self.adept_name} – {self.mentor_name}"
        if not self.changed:
            return f"The agreement of {who} was already {agreement_text(self.after)}."
        return f"Agreement of {who}: {agreement_text(self.before)} → {agreement_text(self.after)}."

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "mentor": self.mentor,
            "agreed": self.after[0],
            "date": self.after[1].isoformat() if self.after[1] else None,
            "before": None
            if self.before is None
            else {
                "agreed": self.before[0],
                "date": self.before[1].isoformat() if self.before[1] else None,
            },
        }


def agree(
    *,
    db: Session,
    cohort: Cohort,
    adept: str,
    agreed: bool = True,
    day: date | None = None,
    today: date | None = None,
) -> AgreementChange:
    """Record whether the adept's active pair has agreed how they work together."""
    require_open(cohort)
    now = today or clock.today()
    part, person = find_adept(db=db, cohort=cohort, ref=adept)
    pairing = active_pairing(db=db, cohort=cohort, adept=part, person=person)
    when = day or now
    check_agreement_day(cohort=cohort, pairing=pairing, day=when, today=now)
    before, after = record_agreement(
        db=db, pairing=pairing, agreed=agreed, day=when, source=SOURCE_COMMAND
    )
    if before != after:
        mark_change(db, kind=Kind.REPLACING, what="pair agree: a pair's agreement set")
    adept_person, mentor_person = adept_and_mentor(db, pairing)
    return AgreementChange(
        adept=adept_person.email,
        adept_name=adept_person.name,
        mentor=mentor_person.email,
        mentor_name=mentor_person.name,
        before=before,
        after=after,
    )
