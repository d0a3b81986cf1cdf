"""A pair's own report (``pair history``): its dates, meetings, agreement, the nudges it
was sent and the notes of its check-ins. The notes are shown here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from chefintro.enums import PairingState
from chefintro.followup.agreement import agreement_of
from chefintro.followup.pairs import adept_and_mentor, find_adept
from chefintro.ids import id_of
from chefintro.models import SENT, Cohort, Meeting, Pairing, PairNote, SentMessage


@dataclass
class PairHistory:
    adept: str
    adept_name: str
    mentor: str
    mentor_name: str
    state: str
    since: date | None
    ended_on: date | None
    end_reason: str | None
    meetings: list[tuple[date, int | None]] = field(default_factory=list)
    agreed: bool | None = None
    agreed_on: date | None = None
    agreement_source: str | None = None
    #: (status, the first day of that status, the day the nudge went)
    nudges: list[tuple[str, date, date]] = field(default_factory=list)
    notes: list[tuple[date, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "adept": self.adept,
            "mentor": self.mentor,
            "state": self.state,
            "since": self.since.isoformat() if self.since else None,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
            "end_reason": self.end_reason,
            "meetings": [{"date": d.isoformat(), "minutes": m} for d, m in self.meetings],
            "agreed": self.agreed,
            "agreed_on": self.agreed_on.isoformat() if self.agreed_on else None,
            "agreement_source": self.agreement_source,
            "nudges": [
                {"status": s, "status_since": b.isoformat(), "sent_on": d.isoformat()}
                for s, b, d in self.nudges
            ],
            "notes": [{"date": d.isoformat(), "text": t} for d, t in self.notes],
        }


def _nudges(db: Session, cohort: Cohort, adept_id: int, mentor_id: int) -> list[Any]:
    rows = db.exec(
        select(SentMessage.subject_key, SentMessage.sent_at)
        .where(SentMessage.kind == "nudge")
        .where(SentMessage.cohort_id == cohort.id)
        .where(SentMessage.person_id == adept_id)
        .where(SentMessage.status == SENT)
        .where(col(SentMessage.subject_key).like(f"nudge:{adept_id}:{mentor_id}:%"))
        .order_by(col(SentMessage.sent_at))
    ).all()
    result = []
    for key, sent_at in rows:
        _, _, _, status, began, _ = key.split(":")
        result.append((status, date.fromisoformat(began), sent_at.date()))
    return result


def pair_history(*, db: Session, cohort: Cohort, adept: str) -> list[PairHistory]:
    """Return every active or ended pair of the adept in the cohort, oldest first."""
    part, _ = find_adept(db=db, cohort=cohort, ref=adept)
    pairings = db.exec(
        select(Pairing)
        .where(Pairing.adept_id == part.id)
        .where(col(Pairing.state) != PairingState.PROPOSED)
        .order_by(col(Pairing.started_on), col(Pairing.id))
    ).all()
    result = []
    for pairing in pairings:
        adept_person, mentor_person = adept_and_mentor(db, pairing)
        history = PairHistory(
            adept=adept_person.email,
            adept_name=adept_person.name,
            mentor=mentor_person.email,
            mentor_name=mentor_person.name,
            state=str(pairing.state),
            since=pairing.started_on,
            ended_on=pairing.ended_on,
            end_reason=pairing.end_reason,
        )
        history.meetings = [
            (m.held_on, m.minutes)
            for m in db.exec(
                select(Meeting)
                .where(Meeting.pairing_id == pairing.id)
                .order_by(col(Meeting.held_on))
            ).all()
        ]
        agreement = agreement_of(db, pairing)
        if agreement is not None:
            history.agreed = agreement.agreed
            history.agreed_on = agreement.agreed_on
            history.agreement_source = agreement.source
        history.nudges = _nudges(db, cohort, id_of(adept_person), id_of(mentor_person))
        history.notes = [
            (n.held_on, n.text)
            for n in db.exec(
                select(PairNote)
                .where(PairNote.pairing_id == pairing.id)
                .order_by(col(PairNote.held_on))
            ).all()
        ]
        result.append(history)
    return result
