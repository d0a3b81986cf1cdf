"""Proposals to mentors (issue 34): one letter per proposed pair, to its mentor, asking
whether they take the adept.

A proposal is named by the pair's people (``pair:<adept's person id>:<mentor's person
id>``, :func:`~chefintro.messages.records.pair_key`) in the ``proposal`` kind of the sent
records. This module is also the batch's book (``ledger``): the claim, confirm and release
of :mod:`chefintro.messages.records`, where a confirmed letter — or a written draft — also
records the proposal and its day (:func:`chefintro.pairing.consent.record_proposals`), from
which ``report pairs`` counts the days the mentor has not answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session

from chefintro.clock import today
from chefintro.enums import Role
from chefintro.errors import RuleError
from chefintro.ids import id_of
from chefintro.messages import records
from chefintro.messages.content import (
    PROPOSAL,
    Outgoing,
    _check_cohort,
    _common,
    _numbered,
    _person_fields,
    _recipient,
    safe_file_stem,
    weekday_date,
)
from chefintro.messages.records import Claim, pair_key
from chefintro.models import Cohort

if TYPE_CHECKING:
    from chefintro.messages.service import Batch

#: Days the letter gives the mentor to answer.
ANSWER_DAYS = 7


def proposal_messages(*, db: Session, cohort: Cohort) -> list[Outgoing]:
    """Return one letter per proposed pair the mentor has not answered, to the mentor."""
    from chefintro.cohorts import require_open
    from chefintro.pairing.consent import proposed_pairs

    _check_cohort(cohort)
    require_open(cohort)
    pairs = proposed_pairs(db=db, cohort=cohort)
    if not pairs:
        raise RuleError(
            f"Cohort {cohort.name} has no proposed pair awaiting a mentor's answer; propose "
            "pairs with 'chefintro pair suggest' or 'pair rematch --propose'."
        )
    common = _common(db, cohort)
    reply_by = weekday_date(today() + timedelta(days=ANSWER_DAYS))
    return _numbered(
        [
            Outgoing(
                kind=PROPOSAL,
                subject_key=pair_key(id_of(p.adept), id_of(p.mentor)),
                label=f"{p.adept.name} to {p.mentor.name}",
                file_stem=safe_file_stem(f"{p.mentor.name}--{p.adept.name}"),
                to=[_recipient(p.mentor)],
                context={
                    **common,
                    "adept": _person_fields(p.adept, p.adept_agency, Role.ADEPT),
                    "mentor": _person_fields(p.mentor, p.mentor_agency, Role.MENTOR),
                    "proposal": {"reply_by": reply_by, "days": ANSWER_DAYS},
                },
            )
            for p in pairs
        ]
    )


def _people_of(subject_key: str) -> tuple[int, int]:
    """Return (adept person id, mentor person id) of a ``pair:A:M`` key."""
    _, adept, mentor = subject_key.split(":")
    return int(adept), int(mentor)


def _record(db: Session, cohort_id: int, subject_keys: Iterable[str], *, undoable: bool) -> None:
    from chefintro.pairing.consent import record_proposals

    cohort = db.get(Cohort, cohort_id)
    assert cohort is not None  # the batch's cohort
    people = [_people_of(k) for k in subject_keys]
    record_proposals(db=db, cohort=cohort, people=people, undoable=undoable)


# --- the book: records.py's claim, confirm and release, recording the proposals ----------

#: Which letters went: the people's book (``sent_message``), as for every letter to people.
sent_to = records.sent_to
#: Mark the mentor ``sending`` (see records.claim).
claim = records.claim
#: Give back the claim on a mentor the letter did not reach (no proposal is recorded).
release = records.release


def confirm(*, db: Session, claimed: Claim, person_ids: Iterable[int]) -> int:
    """Mark the mentor ``sent`` and record the proposal (its day: today); return how many."""
    count = records.confirm(db=db, claimed=claimed, person_ids=person_ids)
    if count:
        _record(db, claimed.cohort_id, [claimed.subject_key], undoable=False)
    return count


def drafted(*, db: Session, batch: Batch) -> None:
    """Record the proposals of the drafts just written (their day: today)."""
    keys = [w.outgoing.subject_key for w in batch.waiting]
    _record(db, batch.cohort_id, keys, undoable=True)
