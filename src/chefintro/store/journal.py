"""The change boundary's store side: the undo snapshot and the command journal.

Every transaction a command opens (``Store.transaction``) runs through a :class:`Boundary`.
When it commits, the boundary looks at what the transaction changed: the services' marks
(``chefintro.changes.mark_change``) and the rows its statements wrote. A transaction that
changed the coordinator's data gets one row in ``command_journal`` (command, started,
finished, a summary without personal data, and the snapshot file if one was taken), in the
same transaction as the change. Before a destructive, replacing or bulk change of a
SQLite store, the boundary first copies the store as last committed: the copy is read
through a connection of its own while this transaction still holds the write lock, so it
is the state before the command, and no other writer can commit in between. A snapshot
is thus taken only for a change that is about to be committed; if the commit fails, the
snapshot is dropped again.

Why at the commit and not at the first mark: the boundary then decides from everything
the transaction did (a forgotten mark on a deleting statement still gets its snapshot),
and a command refused half-way takes no copy at all. In write-ahead-log mode (the
default) readers never wait for the writer; in rollback-journal mode (network shares,
``CHEFINTRO_NO_WAL``) the engine keeps the transaction's pages in memory
(``cache_spill=OFF``) so that the store file stays readable until the commit.

``db undo`` reads the journal back (:func:`plan_undo`): it goes back to the newest snapshot
that still exists and names every journalled command after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, event, func
from sqlmodel import Session, col, select

from chefintro.changes import Changes, Kind, count_statement, reset_changes
from chefintro.errors import NotFoundError
from chefintro.models import CommandJournal, utcnow
from chefintro.words import plural

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from chefintro.store.opened import Store

#: Journal rows kept; older ones are dropped (their snapshots are long gone).
KEEP_ROWS = 1000
#: Default of the ``undo.max_mb`` setting: snapshots take at most this many megabytes.
DEFAULT_MAX_MB = 500

_CONNECTION_KEY = "chefintro.changes"


def count_writes(
    conn: Connection,
    cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    """Engine hook: add the rows a statement wrote to its transaction's changes."""
    changes = conn.info.get(_CONNECTION_KEY)
    if isinstance(changes, Changes):
        count_statement(changes, statement, int(getattr(cursor, "rowcount", -1) or 0))


class Boundary:
    """One command's transaction as the boundary sees it (see the module)."""

    def __init__(self, store: Store, db: Session) -> None:
        self.store = store
        self.db = db
        self.started = utcnow()
        self.changes = reset_changes(db)
        self.snapshot: Path | None = None
        # The pooled connections' info dicts (they outlive this transaction's Connection).
        self._infos: list[dict[Any, Any]] = []
        event.listen(db, "after_begin", self._attach)

    def _attach(self, _session: Session, _transaction: Any, connection: Connection) -> None:
        connection.info[_CONNECTION_KEY] = self.changes
        self._infos.append(connection.info)

    def commit(self) -> None:
        """Snapshot (if undoable), journal (if changed), then commit."""
        db = self.db
        db.flush()
        changes = self.changes
        if changes.changed:
            snapshot_name = None
            if changes.undoable and self.store.is_sqlite:
                snapshot_name = self._take_snapshot()
            record(
                db=db,
                command=self.store.command,
                kind=changes.kind,
                summary=changes.summary(),
                snapshot=snapshot_name,
                started=self.started,
            )
        db.commit()
        self.snapshot = None  # committed: the snapshot now belongs to the journal

    def _take_snapshot(self) -> str | None:
        from chefintro.store.snapshots import take_snapshot

        taken = take_snapshot(
            self.store.location, self.store.command, max_bytes=max_snapshot_bytes(self.db)
        )
        if taken is None:
            return None
        self.snapshot = taken.path
        return taken.path.name

    def abandon(self) -> None:
        """Roll back and drop a snapshot taken for a commit that did not happen."""
        from chefintro.store.snapshots import discard

        try:
            self.db.rollback()
        finally:
            if self.snapshot is not None:
                discard(taken_path=self.snapshot)
                self.snapshot = None

    def close(self) -> None:
        for info in self._infos:
            info.pop(_CONNECTION_KEY, None)
        self._infos.clear()
        event.remove(self.db, "after_begin", self._attach)


def max_snapshot_bytes(db: Session) -> int:
    """The ``undo.max_mb`` setting in bytes."""
    from chefintro import settings

    return settings.get_int(db=db, key=settings.UNDO_MAX_MB) * 1024 * 1024


def record(
    *,
    db: Session,
    command: str,
    kind: Kind,
    summary: str,
    snapshot: str | None,
    started: datetime | None = None,
) -> None:
    """Write one journal row (and drop rows beyond :data:`KEEP_ROWS`)."""
    now = utcnow()
    db.add(
        CommandJournal(
            command=command[:200],
            kind=str(kind),
            started=started or now,
            finished=now,
            summary=summary[:500],
            snapshot=snapshot,
        )
    )
    db.flush()
    newest = db.exec(select(func.max(CommandJournal.id))).one()
    if newest is not None and newest > KEEP_ROWS:
        db.exec(delete(CommandJournal).where(col(CommandJournal.id) <= newest - KEEP_ROWS))


# --- reading it back --------------------------------------------------------------------


@dataclass(frozen=True)
class JournalEntry:
    """One journalled command as ``db undo`` and ``db snapshots`` show it."""

    id: int
    command: str
    kind: str
    started: datetime
    finished: datetime
    summary: str
    snapshot: str | None
    snapshot_kept: bool

    @property
    def finished_local(self) -> datetime:
        return self.finished.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)

    @property
    def erasure(self) -> bool:
        return self.kind == Kind.ERASURE

    def to_json(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "kind": self.kind,
            "started": self.started.isoformat(timespec="seconds"),
            "finished": self.finished.isoformat(timespec="seconds"),
            "changed": self.summary,
            "snapshot": self.snapshot if self.snapshot_kept else None,
        }


def read_journal(*, db: Session, location: str, limit: int = KEEP_ROWS) -> list[JournalEntry]:
    """Return the journal, newest first."""
    from chefintro.store.snapshots import snapshot_path

    rows = db.exec(
        select(CommandJournal).order_by(col(CommandJournal.id).desc()).limit(limit)
    ).all()
    return [
        JournalEntry(
            id=row.id or 0,
            command=row.command,
            kind=row.kind,
            started=row.started,
            finished=row.finished,
            summary=row.summary,
            snapshot=row.snapshot,
            snapshot_kept=bool(row.snapshot and snapshot_path(location, row.snapshot)),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class UndoPlan:
    """What ``db undo`` does: the snapshot it puts back and every command that undoes.

    ``undone`` is newest first and ends with the command the snapshot was taken before.
    ``unjournalled`` names a snapshot taken before chefintro kept a journal (then more
    commands than those listed may be undone: the ones before the journal began).
    """

    snapshot: Path
    undone: list[JournalEntry] = field(default_factory=list)
    unjournalled: str | None = None

    @property
    def erasures(self) -> list[JournalEntry]:
        return [e for e in self.undone if e.erasure]


def plan_undo(*, db: Session, location: str) -> UndoPlan:
    """Return what ``db undo`` would do now, or raise NotFoundError."""
    from chefintro.store.snapshots import legacy_snapshots, snapshot_path

    journal = read_journal(db=db, location=location)
    for index, entry in enumerate(journal):
        path = snapshot_path(location, entry.snapshot) if entry.snapshot else None
        if path is not None:
            return UndoPlan(snapshot=path, undone=journal[: index + 1])
    legacy = legacy_snapshots(location, {e.snapshot for e in journal if e.snapshot})
    if legacy:
        return UndoPlan(snapshot=legacy[0].path, undone=journal, unjournalled=legacy[0].command)
    if journal:
        raise NotFoundError(
            f"There is nothing to undo: none of the {plural(len(journal), 'journalled command')} "
            "left a snapshot (snapshots are taken before commands that remove, replace or "
            "import data, and the oldest are dropped; 'chefintro db snapshots' lists them)."
        )
    raise NotFoundError(
        "There is nothing to undo: no snapshot has been taken (snapshots are taken "
        "before commands that remove, replace or import data)."
    )
