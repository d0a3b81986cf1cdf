"""Anonymising a closed cohort: its archive workbook first, then pseudonyms in the store and
in every undo snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from chefintro import audit
from chefintro.changes import Kind, mark_change
from chefintro.enums import CohortStatus
from chefintro.errors import RuleError
from chefintro.ids import id_of
from chefintro.mentor_wishes import forget_cohorts_wishes
from chefintro.models import Cohort, Exclusion, Participant, Person
from chefintro.privacy.export import cohort_archive
from chefintro.privacy.scrub import forget_in_others, needles_of
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.store import Store

PSEUDONYM_NAME = "Deltagare {:04d}"
PSEUDONYM_EMAIL = "anon-{:04d}@invalid"
_PSEUDONYM_KEY = re.compile(r"^anon-(\d+)@invalid$")


@dataclass(frozen=True)
class Pseudonym:
    """The personal data a pseudonymised person has now, to apply to undo snapshots."""

    person_id: int
    cohort_id: int
    name: str
    email: str
    manager_since: date | None


@dataclass(frozen=True)
class Anonymisation:
    """What anonymising a cohort did."""

    cohort: str
    pseudonymised: int
    kept: int
    exclusions_removed: int
    archive: Path
    survey_answers_unlinked: int = 0
    pseudonyms: list[Pseudonym] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"cohort {self.cohort}: {self.pseudonymised} people pseudonymised, {self.kept} "
            f"kept (also in a cohort that is not anonymised), {self.exclusions_removed} "
            f"{noun(self.exclusions_removed, 'exclusion')} removed, "
            f"{plural(self.survey_answers_unlinked, 'survey answer')} kept "
            "unlinked; archive workbook written first"
        )


def check_anonymisable(cohort: Cohort) -> None:
    """Raise RuleError unless the cohort is closed (and not anonymised yet)."""
    if cohort.status == CohortStatus.ANONYMISED:
        raise RuleError(f"Cohort {cohort.name} is already anonymised.")
    if cohort.status != CohortStatus.CLOSED:
        raise RuleError(
            f"Cohort {cohort.name} is {cohort.status}; only a closed cohort can be anonymised. "
            "Close it first with 'chefintro --cohort NAME cohort close'."
        )


def anonymise_cohort(*, db: Session, cohort: Cohort, archive: Path) -> Anonymisation:
    """Archive a closed cohort to a workbook, then replace its people's personal data.

    People who take part only in anonymised cohorts (this one included) get a pseudonym
    ("Deltagare 0001", anon-0001@invalid) and lose unit, title and location; their agency,
    field and the year they became managers stay for the statistics. People who also take
    part in a cohort that is not anonymised keep their data. The archive is written before
    anything changes, and never over an existing file.
    """
    from chefintro.roster.write.person_export import write_cohort_archive

    check_anonymisable(cohort)
    mark_change(db, kind=Kind.ERASURE, what=f"cohort {cohort.name} anonymised")
    write_cohort_archive(archive, cohort_archive(db, cohort))

    members, people, leaving = _leaving(db, cohort)
    needles, old_keys = _pseudonymise(db, leaving)

    removed = 0
    leaving_ids = {p.id for p in leaving}
    for exclusion in db.exec(select(Exclusion)).all():
        if exclusion.person_a_id in leaving_ids or exclusion.person_b_id in leaving_ids:
            db.delete(exclusion)
            removed += 1
    for part, _ in members:
        if part.preferred_mentors:
            part.preferred_mentors = []
            db.add(part)
    db.flush()
    forget_in_others(db, needles, old_keys)
    from chefintro.network.ideas import forget_for_anonymising
    from chefintro.surveys.answers import unlink_answers

    forget_for_anonymising(db, cohort)
    unlinked = unlink_answers(db=db, cohort=cohort)
    from chefintro.followup.notes import forget_cohort_notes

    forget_cohort_notes(db, cohort)  # what pairs said of their meetings is theirs alone
    forget_cohorts_wishes(db, [id_of(cohort)])  # mentors' wishes, why they declined
    cohort.status = CohortStatus.ANONYMISED
    db.add(cohort)
    db.flush()
    result = Anonymisation(
        cohort=cohort.name,
        pseudonymised=len(leaving),
        kept=len(people) - len(leaving),
        exclusions_removed=removed,
        archive=archive,
        survey_answers_unlinked=unlinked,
        pseudonyms=[_pseudonym_of(p, cohort) for p in leaving],
    )
    audit.log(db=db, action="anonymise", detail=result.summary())
    return result


def _leaving(
    db: Session, cohort: Cohort
) -> tuple[list[tuple[Participant, Person]], dict[int, Person], list[Person]]:
    """The cohort's members, its people, and those who take part in no cohort that keeps
    personal data (they get a pseudonym)."""
    members = list(
        db.exec(
            select(Participant, Person)
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(Participant.cohort_id == cohort.id)
            .order_by(col(Person.id))
        ).all()
    )
    people: dict[int, Person] = {}
    for _, person in members:
        people.setdefault(id_of(person), person)
    statuses = db.exec(
        select(Participant.person_id, Cohort.status)
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(col(Participant.person_id).in_(list(people)))
        .where(Participant.cohort_id != cohort.id)
    ).all()
    kept = {pid for pid, status in statuses if status != CohortStatus.ANONYMISED}
    return members, people, [p for pid, p in people.items() if pid not in kept]


def _pseudonymise(db: Session, leaving: list[Person]) -> tuple[list[str], set[str]]:
    """Give each leaving person a pseudonym; drop their unit, title and location, on the
    person and on every participation (what they were in a cohort is theirs too). Return
    the texts and keys to forget in others' rows."""
    needles: list[str] = []
    old_keys: set[str] = set()
    number = _last_pseudonym(db)
    for person in leaving:
        needles.extend(needles_of(person))
        old_keys.add(person.email_key)
        number += 1
        person.name = PSEUDONYM_NAME.format(number)
        person.email = person.email_key = PSEUDONYM_EMAIL.format(number)
        person.unit = person.title = person.location = None
        if person.manager_since is not None:
            person.manager_since = date(person.manager_since.year, 1, 1)
        db.add(person)
    _forget_roles(db, {id_of(p) for p in leaving})
    db.flush()
    return needles, old_keys


def _forget_roles(db: Session, person_ids: set[int]) -> None:
    """Empty the unit and title the participations of these people kept."""
    if not person_ids:
        return
    for part in db.exec(
        select(Participant).where(col(Participant.person_id).in_(list(person_ids)))
    ).all():
        if part.unit is not None or part.title is not None:
            part.unit = part.title = None
            db.add(part)


def _last_pseudonym(db: Session) -> int:
    keys = db.exec(
        select(Person.email_key).where(col(Person.email_key).like("anon-%@invalid"))
    ).all()
    numbers = [int(m.group(1)) for k in keys if (m := _PSEUDONYM_KEY.match(k))]
    return max(numbers, default=0)


def apply_pseudonyms(*, db: Session, pseudonyms: list[Pseudonym]) -> None:
    """Pseudonymise the same people in a copy of the store (an undo snapshot) as in the store."""
    needles: list[str] = []
    old_keys: set[str] = set()
    ids = set()
    for pseudonym in pseudonyms:
        person = db.get(Person, pseudonym.person_id)
        if person is None:
            continue
        ids.add(pseudonym.person_id)
        needles.extend(needles_of(person))
        old_keys.add(person.email_key)
        person.name = pseudonym.name
        person.email = person.email_key = pseudonym.email
        person.unit = person.title = person.location = None
        person.manager_since = pseudonym.manager_since
        db.add(person)
    _forget_roles(db, ids)
    db.flush()
    for exclusion in db.exec(select(Exclusion)).all():
        if exclusion.person_a_id in ids or exclusion.person_b_id in ids:
            db.delete(exclusion)
    cohorts = {p.cohort_id for p in pseudonyms}
    forget_cohorts_wishes(db, cohorts)
    for part in db.exec(select(Participant).where(col(Participant.cohort_id).in_(cohorts))).all():
        if part.preferred_mentors:
            part.preferred_mentors = []
            db.add(part)
    db.flush()
    forget_in_others(db, needles, old_keys)


def anonymise(*, store: Store, name: str, archive: Path) -> tuple[Anonymisation, audit.Purge, int]:
    """Anonymise the cohort ``name`` (see :func:`anonymise_cohort`) in the store and in every
    copy of it chefintro keeps, in the crash-safe order of :mod:`chefintro.privacy.pending`;
    the last value is how many copies."""
    from chefintro.cohorts import get_cohort
    from chefintro.privacy.pending import PendingStep, begin_pending, end_pending, scrub_all

    with store.transaction() as db:
        result = anonymise_cohort(db=db, cohort=get_cohort(db=db, name=name), archive=archive)
        begin_pending(store.location, PendingStep(kind="anonymise", cohort=result.cohort))
        scrubbed = scrub_all(
            store.location, lambda copy: apply_pseudonyms(db=copy, pseudonyms=result.pseudonyms)
        )
    purge = audit.purge(store)
    end_pending(store.location)
    return result, purge, scrubbed


def pseudonyms_in(*, db: Session, cohort: Cohort) -> list[Pseudonym]:
    """The pseudonyms an anonymised cohort's people have in the store (to apply to copies)."""
    people = db.exec(
        select(Person)
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .where(Participant.cohort_id == cohort.id)
        .order_by(col(Person.id))
    ).all()
    return [_pseudonym_of(p, cohort) for p in people if _PSEUDONYM_KEY.match(p.email_key)]


def _pseudonym_of(person: Person, cohort: Cohort) -> Pseudonym:
    """What a pseudonymised person now reads as, to apply to the copies of the store."""
    return Pseudonym(
        person_id=id_of(person),
        cohort_id=id_of(cohort),
        name=person.name,
        email=person.email,
        manager_since=person.manager_since,
    )
