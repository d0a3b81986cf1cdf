"""The Deltagare sheet's mentor columns (issue 34): Önskad ort, Önskade adepter and Jäv,
through the participant intake's rule (its ``mentor_wishes`` check, run with the row), and
stored as ``participant wishes`` stores them (:func:`chefintro.mentor_wishes.store_wishes`).

A blank cell keeps what is stored; a filled one replaces the towns or wished adepts, and
adds its adepts not to mentor as exclusions.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from chefintro.enums import Role
from chefintro.ids import id_of
from chefintro.intake.participants import ParticipantContext, ParticipantFacts, not_adept
from chefintro.mentor_wishes import ADEPT, LOCATION, MentorWishes, store_wishes, wishes_of
from chefintro.models import Cohort, Exclusion, Participant, Person
from chefintro.roster.load.consent import participants_by_key
from chefintro.roster.read.rows import ParticipantRow

HEADERS = {LOCATION: "Önskad ort", ADEPT: "Önskade adepter", "not": "Jäv"}


def _said(values: Sequence[str]) -> str | None:
    return "; ".join(values) or None


class RosterMentorWishes:
    """Wishes worked out in the row loop, written once the new participants exist."""

    def __init__(
        self, db: Session, parts: dict[int, Participant], rows: Sequence[ParticipantRow]
    ) -> None:
        self.db = db
        asked = any(r.wished_locations or r.wished_adepts or r.not_adepts for r in rows)
        self.stored: dict[int, MentorWishes] = (
            wishes_of(db, [id_of(p) for p in parts.values()]) if asked and parts else {}
        )
        self.pending: dict[str, ParticipantFacts] = {}
        self.excluded: set[frozenset[str]] = (
            _excluded_keys(db) if any(r.not_adepts for r in rows) else set()
        )

    def field(
        self,
        row: ParticipantRow,
        key: str,
        existing: Participant | None,
        facts: ParticipantFacts,
        context: ParticipantContext,
        changed_fields: list[tuple[str, object, object]],
    ) -> None:
        """List the row's changes (Önskad ort: – → Umeå) and keep them for :meth:`write`."""
        if row.role != Role.MENTOR or not (
            row.wished_locations or row.wished_adepts or row.not_adepts
        ):
            return
        stored = self.stored.get(id_of(existing)) if existing is not None else None
        before = stored or MentorWishes()
        if row.wished_locations and [t.casefold() for t in before.locations] != [
            t.casefold() for t in row.wished_locations
        ]:
            changed_fields.append(
                (HEADERS[LOCATION], _said(before.locations), _said(row.wished_locations))
            )
        if row.wished_adepts:
            keys = [context.resolve(w, Role.ADEPT)[0] for w in row.wished_adepts]
            after = [k for k in keys if k is not None and k in context.adepts]
            if after != before.adepts:
                changed_fields.append((HEADERS[ADEPT], _said(before.adepts), _said(after)))
        new = []
        for value in row.not_adepts:
            found = context.resolve(not_adept(value)[0], Role.ADEPT)[0]
            if found in context.adepts and frozenset((found, key)) not in self.excluded:
                new.append(context.adepts[found].email)
        if new:
            changed_fields.append((HEADERS["not"], None, _said(new)))
        self.pending[key] = facts

    def write(self, cohort: Cohort | None, context: ParticipantContext | None) -> None:
        """Store the wishes (after the inserts, so every participant exists)."""
        if not self.pending or cohort is None or context is None:
            return
        for part, key in participants_by_key(self.db, cohort, list(self.pending)):
            facts = self.pending[key]
            given = ((LOCATION, facts.wished_locations), (ADEPT, facts.wished_adepts))
            kinds = [kind for kind, values in given if values]
            store_wishes(self.db, context=context, part=part, facts=facts, kinds=kinds)
        self.db.flush()


def _excluded_keys(db: Session) -> set[frozenset[str]]:
    """Every exclusion as the two people's e-mail keys."""
    first, second = aliased(Person), aliased(Person)
    rows = db.execute(
        sa_select(col(first.email_key), col(second.email_key))
        .select_from(Exclusion)
        .join(first, col(first.id) == col(Exclusion.person_a_id))
        .join(second, col(second.id) == col(Exclusion.person_b_id))
    ).all()
    return {frozenset((a, b)) for a, b in rows}
