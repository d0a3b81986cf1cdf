"""Scrubbing a person from other people's rows: their e-mail from wishes (an adept's wished
mentors, a mentor's wished adepts), their name and e-mail from free text (pairing reasons,
exclusion reasons, a declined proposal's reason)."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from chefintro.models import Exclusion, MentorWish, Pairing, PairProposal, Participant, Person

ERASED = "[raderad]"


def needles_of(person: Person) -> list[str]:
    """Return the texts to scrub for a person: name, e-mail and its key (3 characters up)."""
    return [v for v in {person.name, person.email, person.email_key} if v and len(v) >= 3]


def _scrub(value: Any, pattern: re.Pattern[str]) -> Any:
    """Return ``value`` (JSON-like) with every occurrence of the pattern replaced."""
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, pattern) for k, v in value.items()}
    return value


def forget_in_others(db: Session, needles: list[str], email_keys: set[str]) -> None:
    """Remove names and e-mail addresses from rows about other people."""
    for part in db.exec(select(Participant)).all():
        wished = list(part.preferred_mentors or [])
        kept = [e for e in wished if e not in email_keys]
        if kept != wished:
            part.preferred_mentors = kept
            db.add(part)
    for wish in db.exec(
        select(MentorWish)
        .where(col(MentorWish.kind) == "adept")
        .where(col(MentorWish.value).in_(email_keys))
    ).all():
        db.delete(wish)
    if needles:  # an empty pattern would match everywhere
        pattern = re.compile(
            "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.I
        )
        for pairing in db.exec(select(Pairing)).all():
            scrubbed = _scrub(pairing.reasons, pattern)
            if scrubbed != pairing.reasons:
                pairing.reasons = scrubbed
                db.add(pairing)
        for exclusion in db.exec(select(Exclusion)).all():
            reason = pattern.sub(ERASED, exclusion.reason)
            if reason != exclusion.reason:
                exclusion.reason = reason
                db.add(exclusion)
        for proposal in db.exec(select(PairProposal).where(col(PairProposal.reason).is_not(None))):
            reason = pattern.sub(ERASED, proposal.reason or "")
            if reason != proposal.reason:
                proposal.reason = reason
                db.add(proposal)
    db.flush()
