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
    pass

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


def record_path(location: str) -> Path | None:
    from chefintro.store.location import sqlite_file

    store_file = sqlite_file(location)
    return None if store_file is None else store_file.with_name(store_file.name + _SUFFIX)


def begin_pending(location: str, step: PendingStep) -> None:
    """Write the pending record durably (a SQLite store only: PostgreSQL keeps no copies)."""
    record = record_path(location)
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
    record = record_path(location)
    if record is not None:
        record.unlink(missing_ok=True)
        fsync(record.parent)


def read_pending(location: str) -> PendingStep | None:
    record = record_path(location)
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
