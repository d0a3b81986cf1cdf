"""The letters that make the participants report to the programme (issue 33): a nudge to
each pair ``report pairs`` flags, and a survey reminder to those who have not answered.

Each is an :class:`~chefintro.messages.content.Outgoing` named by stable identity, so the
record of sent messages (:mod:`chefintro.messages.records`) keeps it from going twice:

* a nudge is ``nudge:<adept's person id>:<mentor's person id>:<status>:<first day of the
  status>:<period>`` — one per status period; the period counts ``followup.nudge_weeks``
  from the first day, so a pair still flagged after that many weeks is nudged again, and
  a pair whose status changed (it met, then went quiet) starts a new period;
* a survey reminder is ``survey:<survey>:<when it was added>:<day>`` — one per person and
  day it is sent.

The statuses are ``report pairs``'s own (:mod:`chefintro.followup.status`), never worked
out again here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from chefintro import settings
from chefintro.enums import ParticipantStatus, Role
from chefintro.errors import RuleError, UsageError
from chefintro.followup.status import STATUS_OK, STATUS_QUIET, pair_statuses, status_began
from chefintro.ids import id_of
from chefintro.messages.content import (
    NUDGE,
    SURVEY_REMINDER,
    Outgoing,
    Recipient,
    _check_cohort,
    _common,
    _numbered,
    _person_fields,
    safe_file_stem,
    weekday_date,
)
from chefintro.models import Agency, Answer, Cohort, Participant, Person, Survey
from chefintro.settings import NUDGE_WEEKS
from chefintro.text import email_key, swedish_key


def nudge_key(
    adept_person_id: int, mentor_person_id: int, status: str, began: date, period: int
) -> str:
    """Return the key of a pair's nudge for one status period."""
    return f"nudge:{adept_person_id}:{mentor_person_id}:{status}:{began.isoformat()}:{period}"


def nudge_period(*, began: date, as_of: date, nudge_weeks: int) -> int:
    """Return which period of ``nudge_weeks`` since ``began`` the day ``as_of`` is in (0 first)."""
    return max(0, (as_of - began).days) // (7 * nudge_weeks)


def _people_by_key(db: Session, cohort: Cohort) -> dict[str, tuple[Person, Agency]]:
    rows = db.exec(
        select(Person, Agency)
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
    ).all()
    return {person.email_key: (person, agency) for person, agency in rows}


def nudge_messages(*, db: Session, cohort: Cohort, as_of: date) -> list[Outgoing]:
    """Return one nudge per pair flagged on ``as_of`` (no first meeting, or quiet)."""
    _check_cohort(cohort)
    report = pair_statuses(db=db, cohort=cohort, as_of=as_of)
    nudge_weeks = settings.get_int(db=db, key=NUDGE_WEEKS)
    people = _people_by_key(db, cohort)
    common = _common(db, cohort)
    result = []
    for row in report.rows:
        if row.status == STATUS_OK:
            continue
        began = status_began(
            status=row.status,
            since=row.since,
            last_meeting=row.last_meeting,
            first_meeting_weeks=report.first_meeting_weeks,
            quiet_weeks=report.quiet_weeks,
        )
        assert began is not None  # a flagged status has a first day
        adept, adept_agency = people[email_key(row.adept)]
        mentor, mentor_agency = people[email_key(row.mentor)]
        period = nudge_period(began=began, as_of=as_of, nudge_weeks=nudge_weeks)
        result.append(
            Outgoing(
                kind=NUDGE,
                subject_key=nudge_key(id_of(adept), id_of(mentor), row.status, began, period),
                label=f"{adept.name} & {mentor.name} ({row.status.replace('_', ' ')})",
                file_stem=safe_file_stem(f"{adept.name}--{mentor.name}"),
                to=[_recipient(adept), _recipient(mentor)],
                context={
                    **common,
                    "adept": _person_fields(adept, adept_agency, Role.ADEPT),
                    "mentor": _person_fields(mentor, mentor_agency, Role.MENTOR),
                    "pair": {
                        "status": row.status,
                        "quiet": row.status == STATUS_QUIET,
                        "since": weekday_date(row.since),
                        "last_meeting": weekday_date(row.last_meeting)
                        if row.last_meeting
                        else None,
                        "meetings": row.meetings,
                        "weeks_waiting": row.days_waiting // 7,
                    },
                },
            )
        )
    result.sort(key=lambda o: swedish_key(o.label))
    return _numbered(result)


def _recipient(person: Person) -> Recipient:
    return Recipient(person_id=id_of(person), name=person.name, email=person.email)


def survey_key(survey: Survey, day: date) -> str:
    """Return the key of a survey's reminder sent on ``day``."""
    return f"survey:{survey.name}:{survey.created_at:%Y%m%dT%H%M%S}:{day.isoformat()}"


def survey_reminder_messages(
    *, db: Session, cohort: Cohort, survey: Survey, link: str | None, as_of: date
) -> list[Outgoing]:
    """Return one reminder per active participant who has not answered ``survey``.

    ``link`` is where they answer (the Forms address); without it the letter asks them to
    reply to the coordinator for the form. Those with any answer stored are left out.
    """
    _check_cohort(cohort)
    if link is not None and not link.startswith(("https://", "http://")):
        raise UsageError(f"{link!r} is not a web address; give the survey's https:// link.")
    answered = set(
        db.exec(
            select(Answer.participant_id)
            .where(Answer.survey_id == survey.id)
            .where(col(Answer.participant_id).is_not(None))
        ).all()
    )
    rows = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    ).all()
    waiting = [(p, person, a) for p, person, a in rows if id_of(p) not in answered]
    if not rows:
        raise RuleError(f"Cohort {cohort.name} has no active participants to remind.")
    waiting.sort(key=lambda e: (swedish_key(e[1].name), e[1].email_key))
    common = _common(db, cohort)
    fields: dict[str, Any] = {"name": survey.name, "link": link}
    return _numbered(
        [
            Outgoing(
                kind=SURVEY_REMINDER,
                subject_key=survey_key(survey, as_of),
                label=f"{survey.name} to {person.name}",
                file_stem=safe_file_stem(f"{survey.name} {person.name}"),
                to=[_recipient(person)],
                context={
                    **common,
                    "recipient": _person_fields(person, agency, part.role),
                    "survey": fields,
                },
            )
            for part, person, agency in waiting
        ]
    )
