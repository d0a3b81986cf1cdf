"""Erasure and anonymisation that hold through a crash: a pending step, written first.

Erasing a person or anonymising a cohort changes the store and every copy of it chefintro
keeps (``store.snapshots.product_copies``). The order is what makes a kill harmless:

1. the change is made in the store's transaction, not committed yet;
2. a pending record is written beside the store (``<store>.pending-privacy``; for an
   erasure it holds a keyed hash of the e-mail address, never the address);
3. every copy is scrubbed (or deleted when it cannot be);
4. the store commits, and its file is purged;
5. the record is removed.

A kill before 2 changes nothing. After 2, the next chefintro command that opens the store
finishes the step first (:func:`finish_pending`): it erases the person from the store if
they are still there, scrubs every copy again, purges, and says so. So no copy keeps an
erased person, and 'db undo' or 'db restore' of a copy chefintro made cannot bring one back.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from chefintro.errors import StoreIOError
from chefintro.files import fsync
from chefintro.models import Person

if TYPE_CHECKING:
    from chefintro.store import Store

_SUFFIX = ".pending-privacy"


@dataclass(frozen=True)
class PendingStep:
    """An erasure (``person`` is the keyed hash) or an anonymisation (``cohort``)."""

    kind: str
    person: str | None = None
    cohort: str | None = None


def person_hash(email_key: str) -> str:
    """The keyed hash a pending erasure names a person by (not their address)."""
    return hashlib.sha256(f"chefintro-erasure\0{email_key}".encode()).hexdigest()


def find_by_hash(db: Session, key: str) -> Person | None:
    for person in db.exec(select(Person)).all():
        if person_hash(person.email_key) == key:
            return person
    return None


def _record(location: str) -> Path | None:
    from chefintro.store.location import sqlite_file

    store_file = sqlite_file(location)
    return None if store_file is None else store_file.with_name(store_file.name + _SUFFIX)


def begin_pending(location: str, step: PendingStep) -> None:
    """Write the pending record durably (a SQLite store only: PostgreSQL keeps no copies)."""
    record = _record(location)
    if record is None:
        return
    temporary = record.with_name(record.name + ".tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(step.__dict__, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, record)
        fsync(record.parent)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise StoreIOError(
            f"Cannot write {record}: {exc.strerror or exc}. Nothing was erased or anonymised."
        ) from None


def end_pending(location: str) -> None:
    record = _record(location)
    if record is not None:
        record.unlink(missing_ok=True)
        fsync(record.parent)


def read_pending(location: str) -> PendingStep | None:
    record = _record(location)
    if record is None or not record.is_file():
        return None
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        return PendingStep(
            kind=str(data["kind"]), person=data.get("person"), cohort=data.get("cohort")
        )
    except (OSError, ValueError, KeyError, TypeError):
        return PendingStep(kind="unknown")


def scrub_all(location: str, change: Callable[[Session], object]) -> int:
    from chefintro.store.snapshots import scrub_copies

    return scrub_copies(location, change)


def forget_by_hash(db: Session, key: str) -> bool:
    """Erase the person with the hash ``key`` from a copy of the store; False if absent."""
    from chefintro.privacy.erasure import forget_person

    person = find_by_hash(db, key)
    return person is not None and forget_person(db=db, email=person.email)


def finish_pending(store: Store) -> str | None:
    """Finish a step a kill interrupted (see the module); return what to tell the user."""
    step = read_pending(store.location)
    if step is None:
        return None
    command, store.command = store.command, f"finishing an interrupted {step.kind}"
    try:
        return _finish(store, step)
    finally:
        store.command = command


def _finish(store: Store, step: PendingStep) -> str:
    from chefintro import audit

    if step.kind == "erase" and step.person:
        key = step.person
        with store.transaction() as db:
            person = find_by_hash(db, key)
            if person is not None:
                from chefintro.privacy.erasure import erase_person

                erase_person(db=db, email=person.email)
            copies = scrub_all(store.location, lambda copy: forget_by_hash(copy, key))
        audit.purge(store)
        end_pending(store.location)
        return (
            "An erasure was interrupted; it is finished now: the person is erased from the "
            f"store and from {copies} copy(ies) of it."
        )
    if step.kind == "anonymise" and step.cohort:
        note = _finish_anonymise(store, step.cohort)
        end_pending(store.location)
        return note
    # A record this chefintro cannot read: scrubbing needs to know whom; say so, keep it.
    return (
        f"{_record(store.location)} records an erasure or anonymisation that did not finish, "
        "but cannot be read. Erase the person (or anonymise the cohort) again, then delete it."
    )


def _finish_anonymise(store: Store, name: str) -> str:
    from chefintro import audit
    from chefintro.cohorts import find_cohort
    from chefintro.enums import CohortStatus
    from chefintro.privacy.anonymise import apply_pseudonyms, pseudonyms_in

    with store.transaction() as db:
        cohort = find_cohort(db=db, name=name)
        if cohort is None or cohort.status != CohortStatus.ANONYMISED:
            return (
                f"Anonymising cohort {name} was interrupted before the store was changed: "
                "the cohort is not anonymised. Run 'chefintro cohort anonymise' again."
            )
        pseudonyms = pseudonyms_in(db=db, cohort=cohort)
        copies = scrub_all(
            store.location, lambda copy: apply_pseudonyms(db=copy, pseudonyms=pseudonyms)
        )
    audit.purge(store)
    return (
        f"Anonymising cohort {name} was interrupted; it is finished now: {copies} copy(ies) "
        "of the store are anonymised too."
    )
