"""Erasing a person: everything that refers to them, from the store and every undo snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from chefintro import audit
from chefintro.changes import Kind, mark_change
from chefintro.ids import id_of
from chefintro.privacy.footprint import Erasure, Footprint, footprint
from chefintro.privacy.scrub import forget_in_others, needles_of
from chefintro.registry import find_person

if TYPE_CHECKING:
    from chefintro.store import Store


def erasure_preview(*, db: Session, email: str) -> Erasure:
    """Return what :func:`erase_person` would remove, changing nothing."""
    return footprint(db, email).erasure()


def erase_person(*, db: Session, email: str) -> Erasure:
    """Remove a person with everything that refers to them, and log it without their data.

    Besides their own rows (survey answers included) this removes their e-mail from other
    adepts' mentor wishes and their name and e-mail from free text (pairing reasons,
    exclusion reasons). The bytes are overwritten on commit (``secure_delete``);
    ``store.purge_deleted`` then clears the write-ahead log and compacts a SQLite file.
    """
    mark_change(db, kind=Kind.ERASURE, what="one person erased")
    erasure = _erase(db, footprint(db, email))
    audit.log(db=db, action="erase", detail=f"erased one person: {erasure.summary()}")
    return erasure


def forget_person(*, db: Session, email: str) -> bool:
    """Erase a person from a copy of the store (an undo snapshot); False if not in it."""
    if find_person(db=db, email=email) is None:
        return False
    _erase(db, footprint(db, email))
    return True


def _erase(db: Session, found: Footprint) -> Erasure:
    from chefintro.messages.records import forget_person as forget_sent_messages
    from chefintro.network.consent import forget_consents
    from chefintro.pairing.consent import forget_proposals
    from chefintro.surveys.answers import delete_answers

    person = found.person
    needles = needles_of(person)
    delete_answers(db=db, participant_ids=[id_of(p) for p in found.participants])
    forget_consents(db, [id_of(p) for p in found.participants])
    for group in (found.pairings, found.attendance, found.memberships):
        for row in group:
            db.delete(row)
        db.flush()
    for exclusion in found.exclusions:
        db.delete(exclusion)
    for part in found.participants:
        db.delete(part)
    db.flush()
    forget_in_others(db, needles, {person.email_key})
    forget_sent_messages(db=db, person_id=id_of(person))
    forget_proposals(db=db, person_id=id_of(person))
    erasure = found.erasure()
    db.delete(person)
    db.flush()
    return erasure


def erase(*, store: Store, email: str) -> tuple[Erasure, audit.Purge, int]:
    """Erase a person (see :func:`erase_person`) from the store and from every copy of it
    chefintro keeps, in the crash-safe order of :mod:`chefintro.privacy.pending`; the last
    value is how many copies were scrubbed."""
    from chefintro.privacy.pending import (
        PendingStep,
        begin_pending,
        end_pending,
        person_hash,
        scrub_all,
    )

    with store.transaction() as db:
        found = find_person(db=db, email=email)
        erasure = erase_person(db=db, email=email)
        assert found is not None  # erase_person raised NotFoundError otherwise
        key = person_hash(found.email_key)
        begin_pending(store.location, PendingStep(kind="erase", person=key))
        scrubbed = scrub_all(store.location, lambda copy: forget_by_hash(copy, key))
    purge = audit.purge(store)
    end_pending(store.location)
    return erasure, purge, scrubbed


def forget_by_hash(db: Session, key: str) -> bool:
    """Erase the person with the hash ``key`` from a copy of the store; False if absent."""
    from chefintro.privacy.pending import find_by_hash

    person = find_by_hash(db, key)
    return person is not None and forget_person(db=db, email=person.email)
