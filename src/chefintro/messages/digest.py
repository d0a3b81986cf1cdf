"""The agency digest (``message agency-digest``): one letter per agency contact about that
agency's own people in the cohort, and nobody else's.

What a digest holds, for the agency's people only (found by the agency they have in the
cohort): who takes part and in which role; each pair's status ("i gång", "inget första
möte ännu", "inga möten på länge") with the other side named only by agency; whose
attendance is at risk; for each survey how many of them have answered — only when the
agency has at least ``survey.min_group`` people in the cohort, since a smaller count
points at a person; and what the coordinator needs: roster fields missing, adepts still
without a mentor. A letter is recorded per agency and day
(:mod:`chefintro.messages.agency_records`), so ``--send`` sends it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from chefintro import settings
from chefintro.attendance import AT_RISK, CANNOT_COMPLETE, attendance_report
from chefintro.cohorts import members_query
from chefintro.enums import PairingState, ParticipantStatus, Role, SurveyPhase
from chefintro.errors import RuleError
from chefintro.followup.status import (
    STATUS_NO_FIRST_MEETING,
    STATUS_OK,
    STATUS_QUIET,
    PairStatus,
    pair_statuses,
)
from chefintro.ids import id_of
from chefintro.messages.agency_records import digest_key
from chefintro.messages.content import (
    AGENCY_DIGEST,
    ROLES_SV,
    Outgoing,
    Recipient,
    _check_cohort,
    _common,
    _numbered,
    safe_file_stem,
    weekday_date,
)
from chefintro.models import Agency, Answer, Cohort, Pairing, Participant, Person, Survey
from chefintro.settings import SURVEY_MIN_GROUP
from chefintro.text import email_key, swedish_key

STATUS_SV = {
    STATUS_OK: "i gång",
    STATUS_NO_FIRST_MEETING: "inget första möte ännu",
    STATUS_QUIET: "inga möten på länge",
}
ATTENDANCE_SV = {
    AT_RISK: "under närvarokravet hittills",
    CANNOT_COMPLETE: "kan inte längre nå närvarokravet",
}
#: The roster fields the coordinator asks an agency to fill in, in Swedish.
MISSING_SV = (
    ("unit", "enhet"),
    ("title", "befattning"),
    ("field", "verksamhetsområde"),
    ("location", "ort"),
    ("manager_since", "chef sedan"),
)


@dataclass
class Digests:
    """The digests to write, and the agencies with people but no contact (left out)."""

    items: list[Outgoing]
    without_contact: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Facts:
    """What every digest draws on, gathered once for the cohort."""

    agencies: dict[int, Agency]
    pairs: list[PairStatus]
    at_risk: dict[str, str]  # e-mail key → status
    surveys: list[Survey]
    answered: dict[int, set[int]]  # survey id → participant ids
    unpaired: set[int]  # participant ids of active adepts without a live pair
    min_group: int


def _gather(db: Session, cohort: Cohort, as_of: date) -> _Facts:
    report = pair_statuses(db=db, cohort=cohort, as_of=as_of)
    attendance = attendance_report(db=db, cohort=cohort, now=datetime.combine(as_of, time.max))
    surveys = [
        s
        for s in db.exec(select(Survey).where(Survey.cohort_id == cohort.id)).all()
        if s.phase != SurveyPhase.CHECKIN
    ]
    answered: dict[int, set[int]] = {id_of(s): set() for s in surveys}
    for survey_id, participant_id in db.exec(
        select(Answer.survey_id, Answer.participant_id)
        .where(col(Answer.survey_id).in_(list(answered)))
        .where(col(Answer.participant_id).is_not(None))
    ).all():
        if participant_id is not None:
            answered[survey_id].add(participant_id)
    live = set(
        db.exec(
            select(Pairing.adept_id)
            .where(Pairing.cohort_id == cohort.id)
            .where(Pairing.state == PairingState.ACTIVE)
        ).all()
    )
    adepts = db.exec(
        select(Participant.id)
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.role == Role.ADEPT)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    ).all()
    return _Facts(
        agencies={id_of(a): a for a in db.exec(select(Agency)).all()},
        pairs=report.rows,
        at_risk={
            email_key(r.email): r.standing.status
            for r in attendance.rows
            if r.standing.status in ATTENDANCE_SV
        },
        surveys=sorted(surveys, key=lambda s: (s.created_at, id_of(s))),
        answered=answered,
        unpaired={a for a in adepts if a is not None and a not in live},
        min_group=settings.get_int(db=db, key=SURVEY_MIN_GROUP),
    )


def _pair_lines(
    facts: _Facts, agency: Agency, keys: set[str], names: dict[str, str]
) -> list[dict[str, str]]:
    """The agency's people's pairs: their own name, role, status; the other side by agency."""
    by_code = {a.code: a.name for a in facts.agencies.values()}
    lines = []
    for row in facts.pairs:
        for role, mine, mine_code, other_role, other_code in (
            (Role.ADEPT, row.adept, row.adept_agency, Role.MENTOR, row.mentor_agency),
            (Role.MENTOR, row.mentor, row.mentor_agency, Role.ADEPT, row.adept_agency),
        ):
            key = email_key(mine)
            if mine_code != agency.code or key not in keys:
                continue
            lines.append(
                {
                    "name": names[key],
                    "role": ROLES_SV[role],
                    "partner": f"{ROLES_SV[other_role]} från {by_code.get(other_code, other_code)}",
                    "status": STATUS_SV[row.status],
                }
            )
    lines.sort(key=lambda line: swedish_key(line["name"]))
    return lines


def _survey_lines(facts: _Facts, participant_ids: Sequence[int]) -> list[dict[str, Any]]:
    ours = set(participant_ids)
    lines = []
    for survey in facts.surveys:
        shown = len(ours) >= facts.min_group
        answered = len(ours & facts.answered[id_of(survey)]) if shown else None
        lines.append(
            {
                "name": survey.name,
                "shown": shown,
                "answered": answered,
                "waiting": len(ours) - answered if answered is not None else None,
                "people": len(ours),
                "min_group": facts.min_group,
            }
        )
    return lines


def _missing(person: Person) -> list[str]:
    return [label for name, label in MISSING_SV if getattr(person, name) in (None, "")]


def _digest(
    facts: _Facts, agency: Agency, members: list[tuple[Participant, Person]], as_of: date
) -> dict[str, Any]:
    members.sort(key=lambda m: (swedish_key(m[1].name), m[1].email_key))
    keys = {person.email_key for _, person in members}
    names = {person.email_key: person.name for _, person in members}
    return {
        "as_of": weekday_date(as_of),
        "people": [
            {"name": person.name, "role": ROLES_SV[Role(part.role)]} for part, person in members
        ],
        "pairs": _pair_lines(facts, agency, keys, names),
        "attendance": [
            {"name": person.name, "status": ATTENDANCE_SV[facts.at_risk[person.email_key]]}
            for _, person in members
            if person.email_key in facts.at_risk
        ],
        "surveys": _survey_lines(facts, [id_of(part) for part, _ in members]),
        "missing": [
            {"name": person.name, "fields": ", ".join(_missing(person))}
            for _, person in members
            if _missing(person)
        ],
        "unpaired": [person.name for part, person in members if id_of(part) in facts.unpaired],
    }


def agency_digests(*, db: Session, cohort: Cohort, as_of: date) -> Digests:
    """Return one digest per agency with people in the cohort and a contact."""
    _check_cohort(cohort)
    facts = _gather(db, cohort, as_of)
    by_agency: dict[int, list[tuple[Participant, Person]]] = {}
    for part, person, _agency in db.exec(
        members_query(cohort).where(Participant.status != ParticipantStatus.WITHDRAWN)
    ).all():
        by_agency.setdefault(part.agency_id, []).append((part, person))
    common = _common(db, cohort)
    result = Digests(items=[])
    for agency_id, members in by_agency.items():
        agency = facts.agencies[agency_id]
        if not agency.contact:
            result.without_contact.append(agency.code)
            continue
        result.items.append(
            Outgoing(
                kind=AGENCY_DIGEST,
                subject_key=digest_key(agency.code, as_of),
                label=f"{agency.code} ({agency.contact})",
                file_stem=safe_file_stem(agency.code),
                to=[Recipient(person_id=agency_id, name=agency.name, email=agency.contact)],
                context={
                    **common,
                    "agency": {"code": agency.code, "name": agency.name},
                    "digest": _digest(facts, agency, members, as_of),
                },
            )
        )
    if not result.items:
        raise RuleError(
            f"No agency with people in cohort {cohort.name} has a contact to write to; set one "
            "with 'chefintro agency edit CODE --contact EMAIL'."
        )
    result.items.sort(key=lambda o: o.label.casefold())
    result.without_contact.sort()
    _numbered(result.items)
    return result
