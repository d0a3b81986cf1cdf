"""The demo's network: consent to be listed, visits to the other agency, and the second
year (``chefintro demo --years 2``) — cohort 2027 closes, cohort 2028 comes from its plan,
and 2027's people answer the follow-up survey 12 months on.

Everything goes through the same service functions as the commands; the answers are
drawn by seeded generators of their own, so the first year is the same year with or
without a second one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from chefintro.store import Store

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.models import Cohort

SECOND_PLAN = "plan-2028.toml"
#: The follow-up survey of the first year, 12 months after it ended.
FOLLOW_UP_SURVEY = "uppföljning-12-mån"
#: How many times :func:`play_network_year` reports progress.
NETWORK_STEPS = 1


@dataclass(frozen=True)
class ConsentCount:
    """A cohort's answers to being listed: yes, no, never answered (withdrawn not counted)."""

    cohort: str
    yes: int
    no: int
    unanswered: int


@dataclass
class NetworkYear:
    cohort: str
    consent: ConsentCount
    visits: int


def _consent_draw(rng: random.Random) -> bool | None:
    """Most say yes; some say no; some never answer."""
    roll = rng.random()
    return True if roll < 0.76 else False if roll < 0.88 else None


def consent_count(db: Session, cohort: Cohort) -> ConsentCount:
    """Count the cohort's answers (the stored ones; no record is 'never answered')."""
    from sqlmodel import col, select

    from chefintro.enums import ParticipantStatus
    from chefintro.models import Participant
    from chefintro.network.consent import stored_consents

    active = db.exec(
        select(Participant.id)
        .where(Participant.cohort_id == cohort.id)
        .where(col(Participant.status) != ParticipantStatus.WITHDRAWN)
    ).all()
    stored = stored_consents(db, [pid for pid in active if pid is not None])
    yes = sum(1 for row in stored.values() if row.listed)
    return ConsentCount(cohort.name, yes, len(stored) - yes, len(active) - len(stored))


def play_network_year(
    store: Store, *, ask_consent: bool, progress: Callable[[str], None] | None = None
) -> NetworkYear:
    """The current cohort's network year: consent asked at the kick-off (when the roster
    did not carry it), and a visit to the mentor's agency for a third of the pairs."""
    from chefintro import cohorts, followup, pairing
    from chefintro.network.consent import set_consent

    if progress is not None:
        progress("Consent to be listed, and visits to the other agency")
    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        rng = random.Random(f"network-{cohort.name}")
        if ask_consent:
            for person in cohorts.list_participants(db=db, cohort=cohort):
                answer = _consent_draw(rng)
                if answer is not None:
                    set_consent(
                        db=db,
                        cohort=cohort,
                        email=person.email,
                        listed=answer,
                        today=cohort.starts_on,
                    )
        visits = 0
        autumn = cohort.starts_on + timedelta(weeks=34)
        for pair in pairing.list_pairs(db=db, cohort=cohort):
            if rng.random() < 0.35:
                followup.log_meeting(
                    db=db,
                    cohort=cohort,
                    adept=pair.adept,
                    day=autumn + timedelta(days=rng.randrange(0, 42)),
                    minutes=rng.choice((180, 240, 300)),
                    today=cohort.ends_on,
                    kind="visit",
                )
                visits += 1
        return NetworkYear(cohort.name, consent_count(db, cohort), visits)


def close_year(store: Store) -> str:
    """Close the current cohort as on its last day (the demo's year lies ahead of today)."""
    from chefintro import cohorts

    with store.transaction() as db:
        cohort = cohorts.current_cohort(db=db)
        cohorts.close_cohort(db=db, cohort=cohort, force=True)
        cohort.closed_on = cohort.ends_on
        db.add(cohort)
        return cohort.name


def answer_follow_up(store: Store, *, cohort_name: str, directory: Path) -> int:
    """The first year's people answer the 12-month follow-up through a Forms-shaped file:
    most answer, most are still managers, a few have moved agency. Returns the answers."""
    from chefintro import cohorts, registry, surveys
    from chefintro.enums import SurveyPhase
    from chefintro.surveys.questions import AGENCY_NOW_QUESTION, STILL_MANAGER_QUESTION
    from chefintro.yearend_demo import write_forms_csv

    rng = random.Random(f"follow-up-{cohort_name}")
    with store.transaction() as db:
        cohort = cohorts.get_cohort(db=db, name=cohort_name)
        survey = surveys.add_survey(
            db=db, cohort=cohort, name=FOLLOW_UP_SURVEY, phase=SurveyPhase.FOLLOWUP
        )
        agencies = {a.code: a.name for a in registry.list_agencies(db=db)}
        answers = []
        for person in cohorts.list_participants(db=db, cohort=cohort):
            if person.status == "withdrawn" or rng.random() < 0.2:
                continue
            still = rng.random() < 0.9
            moved = rng.random() < 0.15
            where = rng.choice(sorted(agencies.values())) if moved else agencies[person.agency]
            values = {
                STILL_MANAGER_QUESTION.text: "ja" if still else "nej",
                AGENCY_NOW_QUESTION.text: where,
            }
            answers.append((person.name, person.email, values))
        path = directory / f"forms-{FOLLOW_UP_SURVEY}-{cohort_name}.csv"
        asked = [STILL_MANAGER_QUESTION.text, AGENCY_NOW_QUESTION.text]
        write_forms_csv(path, asked, answers, (cohort.ends_on.year + 1, "11"))
        surveys.import_answers(db=db, cohort=cohort, survey=survey, path=path)
        return len(answers)


def later_no(store: Store) -> list[str]:
    """The names of people who said yes in an earlier cohort and no in a later one."""
    from sqlalchemy import select as sa_select
    from sqlmodel import col

    from chefintro.models import Cohort, ListingConsent, Participant, Person

    with store.transaction() as db:
        rows = db.execute(
            sa_select(col(Person.name), col(ListingConsent.listed))
            .join(Participant, col(Participant.person_id) == col(Person.id))
            .join(ListingConsent, col(ListingConsent.participant_id) == col(Participant.id))
            .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
            .order_by(col(Cohort.starts_on))
        ).all()
    answers: dict[str, list[bool]] = {}
    for name, listed in rows:
        answers.setdefault(str(name), []).append(bool(listed))
    return sorted(n for n, said in answers.items() if True in said[:-1] and not said[-1])


def second_year_day(start: date) -> date:
    """The day the second year's pairs are followed up to (as the first year's 30 April)."""
    return date(start.year, 4, 30)


def recount(store: Store, years: list[NetworkYear]) -> list[NetworkYear]:
    """Count each year's consent again at the end (after the year's withdrawal), as the
    directory counts the people it leaves out."""
    from dataclasses import replace

    from chefintro import cohorts

    with store.transaction() as db:
        return [
            replace(y, consent=consent_count(db, cohorts.get_cohort(db=db, name=y.cohort)))
            for y in years
        ]
