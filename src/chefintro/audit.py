"""The audit log and purging: the one service that records privacy-relevant actions
(backups, restores, exports, erasures, anonymisations) and makes deleted data leave the
store file. The log holds counts and cohort names only, never a name or an e-mail address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from chefintro.models import AuditEntry
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.store import Store
    from chefintro.store.journal import UndoPlan
    from chefintro.store.snapshots import UndoResult

#: Longest detail kept in one audit entry.
MAX_DETAIL = 1000
#: Actions whose effect a restore of an older backup undoes (their data comes back).
PERSONAL_DATA_REMOVALS = frozenset({"erase", "anonymise"})


@dataclass(frozen=True)
class AuditInfo:
    at: datetime
    action: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "action": self.action, "detail": self.detail}


def log(*, db: Session, action: str, detail: str) -> AuditEntry:
    """Record a privacy-relevant action; ``detail`` holds counts and cohort names only."""
    entry = AuditEntry(action=action, detail=detail[:MAX_DETAIL])
    db.add(entry)
    db.flush()
    return entry


def carry_over(*, db: Session, entries: Iterable[tuple[datetime, str, str]]) -> None:
    """Append audit entries kept from a replaced store, with their original times."""
    for at, action, detail in entries:
        db.add(AuditEntry(at=at, action=action, detail=detail[:MAX_DETAIL]))
    db.flush()


def audit_entries(*, db: Session) -> list[AuditInfo]:
    """Return the audit log, oldest first."""
    rows = db.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [AuditInfo(at=r.at, action=r.action, detail=r.detail) for r in rows]


# --- purging ----------------------------------------------------------------------------


class Purge(StrEnum):
    """What became of the deleted rows' bytes after a commit."""

    DONE = "done"  # SQLite: write-ahead log emptied and the file rebuilt (VACUUM)
    BUSY = "busy"  # SQLite: another process kept the log open; rows overwritten only
    SERVER = "server"  # PostgreSQL: the database administrator runs VACUUM FULL


def purge(store: Store) -> Purge:
    """Make deleted rows leave the store file, as far as this process can."""
    from chefintro.store import purge_deleted

    if not store.is_sqlite:
        return Purge.SERVER
    return Purge.DONE if purge_deleted(store) else Purge.BUSY


# --- backup and restore -----------------------------------------------------------------


@dataclass(frozen=True)
class BackupDone:
    path: Path
    logged: bool  # False when the store was busy: the backup is complete, the log lacks it


def backup(*, location: str, target: Path, store: Callable[[], Store]) -> BackupDone:
    """Back up the store at ``location`` to ``target``, then record it in the audit log.

    ``store`` opens the store for the log entry (after the copy is made). A writer holding
    the store must not make a complete backup look failed: then ``logged`` is False.
    """
    from chefintro.errors import StoreBusyError
    from chefintro.store import backup_store, schema_version_of_file, translate_db_error

    written = backup_store(location, target)
    detail = f"backup written (schema {schema_version_of_file(written)})"
    try:
        with store().transaction() as db:
            log(db=db, action="backup", detail=detail)
    except Exception as exc:
        if not isinstance(translate_db_error(exc), StoreBusyError):
            raise
        return BackupDone(path=written, logged=False)
    return BackupDone(path=written, logged=True)


@dataclass(frozen=True)
class RestoreDone:
    previous: Path | None
    #: Erasures and anonymisations made after the backup: their data is back.
    undone: list[tuple[datetime, str, str]]


def restore(*, location: str, source: Path, store: Callable[[], Store]) -> RestoreDone:
    """Replace the store with the backup ``source`` and record it in the audit log.

    The audit log tells what happened to this installation, so the entries the backup
    lacks (made after it) are carried over into the restored store.
    """
    from chefintro.store import restore_store

    result = restore_store(location, source)
    with store().transaction() as db:
        carry_over(db=db, entries=result.later_entries)
        kept = "; the previous store was kept beside it" if result.previous else ""
        log(db=db, action="restore", detail=f"restored a backup (schema {result.version}){kept}")
    undone = [e for e in result.later_entries if e[1] in PERSONAL_DATA_REMOVALS]
    return RestoreDone(previous=result.previous, undone=undone)


# --- undo -------------------------------------------------------------------------------


def undo(*, location: str, plan: UndoPlan, store: Callable[[], Store]) -> UndoResult:
    """Put the store back as it was in the plan's snapshot and record it in the audit log.

    As with a restore, the audit entries the snapshot lacks are carried over. The log
    names the commands undone (command words and times only).
    """
    from chefintro.store.snapshots import undo as put_back

    result = put_back(location, plan.snapshot)
    names = [f"'{e.command}' of {e.finished_local:%Y-%m-%d %H:%M}" for e in plan.undone]
    if plan.unjournalled:
        names.append(f"'{plan.unjournalled}' (before the journal)")
    with store().transaction() as db:
        carry_over(db=db, entries=result.later_entries)
        log(
            db=db,
            action="undo",
            detail=f"undid {plural(len(names), 'command')}: {', '.join(names)}",
        )
    return result
