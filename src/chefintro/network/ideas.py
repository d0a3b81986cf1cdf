"""Ideas taken home, per receiving agency: the end survey's idea question, with no names.

An idea belongs to the agency its writer took part for (the receiving agency). Only the
ideas of participants who consented to be listed are shown (an anonymised cohort keeps
only those, unlinked); an agency with fewer than ``survey.min_group`` ideas is hidden, so
no idea can be traced to a person. Visits to the other agency are counted per the
visiting adept's agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chefintro import settings
from chefintro.enums import Role
from chefintro.intake.meetings import VISIT
from chefintro.models import (
    Agency,
    Answer,
    Cohort,
    ListingConsent,
    Meeting,
    Pairing,
    Participant,
    Question,
    Survey,
)
from chefintro.network.consent import listed_people
from chefintro.surveys.questions import IDEA_QUESTION
from chefintro.text import question_key, swedish_key


@dataclass
class AgencyIdeas:
    agency: str
    ideas: list[str] = field(default_factory=list)
    visits: int = 0
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "count": None if self.hidden else len(self.ideas),
            "hidden": self.hidden,
            "ideas": [] if self.hidden else self.ideas,
            "visits": self.visits,
        }


@dataclass
class IdeasReport:
    cohorts: list[str]
    min_group: int
    agencies: list[AgencyIdeas]

    def to_json(self) -> dict[str, Any]:
        return {
            "cohorts": self.cohorts,
            "min_group": self.min_group,
            "agencies": [a.to_json() for a in self.agencies],
        }


def idea_question_ids(db: Session, cohort_ids: list[int]) -> list[int]:
    """The questions of these cohorts' surveys that ask for an idea taken home."""
    wanted = question_key(IDEA_QUESTION.text)
    rows = db.execute(
        sa_select(col(Question.id), col(Question.text))
        .join(Survey, col(Survey.id) == col(Question.survey_id))
        .where(col(Survey.cohort_id).in_(cohort_ids))
    ).all()
    return [int(qid) for qid, text in rows if question_key(text) == wanted]


def _ideas(db: Session, question_ids: list[int]) -> dict[str, list[str]]:
    """The consenting writers' ideas by their agency (unlinked answers by theirs); a
    writer whose latest answer is no, in a later cohort, is left out."""
    still = listed_people(db)
    linked = db.execute(
        sa_select(col(Agency.code), col(Answer.text), col(Participant.person_id))
        .join(Participant, col(Participant.id) == col(Answer.participant_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .join(ListingConsent, col(ListingConsent.participant_id) == col(Participant.id))
        .where(col(ListingConsent.listed).is_(True))
        .where(col(Answer.question_id).in_(question_ids))
    ).all()
    unlinked = db.execute(
        sa_select(col(Answer.agency), col(Answer.text))
        .where(col(Answer.participant_id).is_(None))
        .where(col(Answer.question_id).in_(question_ids))
    ).all()
    found: dict[str, list[str]] = {}
    kept = [(code, text) for code, text, person in linked if int(person) in still]
    for code, text in [*kept, *unlinked]:
        if code and text and text.strip():
            found.setdefault(str(code), []).append(text.strip())
    return found


def _visits(db: Session, cohort_ids: list[int]) -> dict[str, int]:
    """Visits to the other agency, by the visiting adept's agency."""
    rows = db.execute(
        sa_select(col(Agency.code), func.count())
        .select_from(Meeting)
        .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
        .join(Participant, col(Participant.id) == col(Pairing.adept_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Meeting.kind) == VISIT)
        .where(col(Pairing.cohort_id).in_(cohort_ids))
        .where(col(Participant.role) == Role.ADEPT)
        .group_by(col(Agency.code))
    ).all()
    return {str(code): int(count) for code, count in rows}


def ideas_report(*, db: Session, cohorts: list[Cohort]) -> IdeasReport:
    """The ideas of these cohorts per receiving agency, small groups hidden."""
    minimum = settings.get_int(db=db, key=settings.SURVEY_MIN_GROUP)
    ids = [c.id for c in cohorts if c.id is not None]
    ideas = _ideas(db, idea_question_ids(db, ids))
    visits = _visits(db, ids)
    agencies = []
    for code in sorted(set(ideas) | set(visits), key=swedish_key):
        texts = sorted(ideas.get(code, []), key=swedish_key)  # no order to trace
        hidden = 0 < len(texts) < minimum
        agencies.append(AgencyIdeas(code, [] if hidden else texts, visits.get(code, 0), hidden))
    return IdeasReport([c.name for c in cohorts], minimum, agencies)


def forget_for_anonymising(db: Session, cohort: Cohort) -> tuple[int, int]:
    """Before a cohort's answers are unlinked: delete the ideas of those who did not consent
    to be listed (unlinked, an idea could no longer be held back), then the cohort's
    consent records. Returns (ideas deleted, consents deleted)."""
    from sqlalchemy import delete

    questions = idea_question_ids(db, [cohort.id] if cohort.id is not None else [])
    parts = list(
        db.execute(
            sa_select(col(Participant.id)).where(col(Participant.cohort_id) == cohort.id)
        ).scalars()
    )
    listed = set(
        db.execute(
            sa_select(col(ListingConsent.participant_id))
            .where(col(ListingConsent.participant_id).in_(parts))
            .where(col(ListingConsent.listed).is_(True))
        ).scalars()
    )
    unlisted = [pid for pid in parts if pid not in listed]
    ideas = 0
    if questions and unlisted:
        ideas = db.execute(
            delete(Answer)
            .where(col(Answer.question_id).in_(questions))
            .where(col(Answer.participant_id).in_(unlisted))
        ).rowcount  # type: ignore[attr-defined]
    consents = db.execute(
        delete(ListingConsent).where(col(ListingConsent.participant_id).in_(parts))
    ).rowcount  # type: ignore[attr-defined]
    db.flush()
    return int(ideas or 0), int(consents or 0)
