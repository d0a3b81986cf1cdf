"""The change boundary's service side: a service says what kind of change it makes.

A service that removes, replaces or imports data calls :func:`mark_change` in the
transaction it was given; the transaction boundary (``Store.transaction``) reads the marks
when it commits, takes the undo snapshot for an undoable change and writes the command
journal that ``db undo`` reads back. No command decides whether it can be undone.

The boundary also sees every row a statement writes (:func:`count_statement`), so a
command that changes data without a mark is still journalled, and one that deletes rows
is still undoable: a forgotten mark costs a snapshot, never an undo.

``what`` is a short summary for the journal: counts and command words, never a name or an
e-mail address (the journal is kept in the store and shown by ``db undo``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session


class Kind(StrEnum):
    """What a change does to what was there before."""

    PLAIN = "plain"  # adds or edits a little; journalled, no snapshot
    DESTRUCTIVE = "destructive"  # removes, ends or withdraws something
    REPLACING = "replacing"  # replaces a set (pairs, groups) with another
    BULK = "bulk"  # imports many rows at once
    ERASURE = "erasure"  # removes personal data for good: never snapshot, never undone


#: Kinds before which the boundary takes an undo snapshot.
UNDOABLE = frozenset({Kind.DESTRUCTIVE, Kind.REPLACING, Kind.BULK})

_INFO_KEY = "chefintro.changes"

#: Tables whose writes are bookkeeping, not the coordinator's data.
BOOKKEEPING = frozenset({"audit_log", "command_journal", "schema_version"})


@dataclass
class Changes:
    """What one transaction changed: the services' marks and the rows written per table."""

    marks: list[tuple[Kind, str]] = field(default_factory=list)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether a row was written: a marked change that wrote nothing changed nothing
        (an import of what is already stored), and is neither journalled nor snapshotted."""
        return bool(self.rows)

    @property
    def kind(self) -> Kind:
        """The strongest kind marked; DESTRUCTIVE when rows were deleted without a mark."""
        kinds = {k for k, _ in self.marks}
        for strongest in (Kind.ERASURE, Kind.REPLACING, Kind.BULK, Kind.DESTRUCTIVE):
            if strongest in kinds:
                return strongest
        if any(verb == "removed" for _, verb in self.rows):
            return Kind.DESTRUCTIVE
        return Kind.PLAIN

    @property
    def undoable(self) -> bool:
        return self.kind in UNDOABLE

    def summary(self, limit: int = 480) -> str:
        """The marks' words, else the rows written per table ("pairing: 2 changed")."""
        if self.marks:
            text = "; ".join(dict.fromkeys(what for _, what in self.marks if what))
        else:
            per_table: dict[str, list[str]] = {}
            for (table, verb), count in sorted(self.rows.items()):
                amount = f"{count}" if count >= 0 else "some"
                per_table.setdefault(table, []).append(f"{amount} {verb}")
            text = "; ".join(f"{t}: {', '.join(v)}" for t, v in per_table.items())
        text = text or "changed the store"
        return text if len(text) <= limit else text[: limit - 1] + "…"


def changes_of(db: Session) -> Changes:
    """Return the changes recorded for ``db``'s transaction (made on first use)."""
    found = db.info.get(_INFO_KEY)
    if not isinstance(found, Changes):
        found = Changes()
        db.info[_INFO_KEY] = found
    return found


def reset_changes(db: Session) -> Changes:
    fresh = Changes()
    db.info[_INFO_KEY] = fresh
    return fresh


def mark_change(db: Session, *, kind: Kind, what: str) -> None:
    """Say that the transaction of ``db`` makes a change of ``kind`` (see the module)."""
    changes_of(db).marks.append((kind, what))


_WRITE = re.compile(
    r"^\s*(?:(INSERT)\s+(?:OR\s+\w+\s+)?INTO|(UPDATE)(?:\s+OR\s+\w+)?|(DELETE)\s+FROM)\s+"
    r"[\"`\[]?(\w+)",
    re.IGNORECASE,
)
_VERBS = {"INSERT": "added", "UPDATE": "changed", "DELETE": "removed"}


def count_statement(changes: Changes, statement: str, rowcount: int) -> None:
    """Add what a statement wrote to ``changes`` (rowcount -1: unknown, counted as some)."""
    if rowcount == 0:
        return
    match = _WRITE.match(statement)
    if match is None:
        return
    verb = _VERBS[(match.group(1) or match.group(2) or match.group(3)).upper()]
    table = match.group(4).lower()
    if table in BOOKKEEPING:
        return
    key = (table, verb)
    before = changes.rows.get(key, 0)
    changes.rows[key] = -1 if rowcount < 0 or before < 0 else before + rowcount
