"""The import's change report: what each roster row does to the store, counted per sheet.

Every loader records one :class:`Change` per row (added, changed with field: old → new,
unchanged, skipped); ``roster import`` prints them after the commit (or in a dry run) and
``--json`` carries them all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, NamedTuple

from chefintro.roster.columns import SHEETS, SheetKey


@dataclass
class SheetCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def to_json(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class FieldChange:
    """One field of a row that an import changes: its Swedish header, old and new value."""

    field: str
    old: str | None
    new: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"field": self.field, "old": self.old, "new": self.new}


class Change(NamedTuple):
    """What an import does with one row: added, changed (which fields), unchanged, skipped.

    A named tuple, immutable like FieldChange, and built once per row of a roster: tens of
    thousands for a large one, where a frozen dataclass costs three times as much (issue 16).
    """

    sheet: str
    row: int | None
    action: str  # "added", "changed", "unchanged" or "skipped"
    subject: str  # who or what: an e-mail, an agency code, a session, "adept → mentor"
    fields: tuple[FieldChange, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "subject": self.subject,
            "fields": [f.to_json() for f in self.fields],
        }

    def describe(self) -> str:
        """One line for people: ``Deltagare row 4: changed anna@csn.se — Ort: Umeå → Luleå``."""
        where = f"{self.sheet} row {self.row}" if self.row is not None else self.sheet
        line = f"{where}: {self.action} {self.subject}"
        if self.fields and self.action != "added":
            line += " — " + "; ".join(
                f"{f.field}: {_shown(f.old)} → {_shown(f.new)}" for f in self.fields
            )
        return line


def _shown(value: str | None) -> str:
    return "(tomt)" if value is None or value == "" else value


def change_text(value: object) -> str | None:
    """Return a stored or read value as the text a change list shows."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or None
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def diff(pairs: list[tuple[str, object, object]]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, change_text(old), change_text(new))
        for name, old, new in pairs
        if change_text(old) != change_text(new)
    )


#: The column of SheetCounts each action is counted in; any other action is "skipped".
_COUNTED = {"added": "added", "changed": "updated", "unchanged": "unchanged"}


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do), per sheet and per row."""

    cohort: str | None
    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list)

    def counts(self, key: SheetKey) -> SheetCounts:
        return self.sheets.setdefault(SHEETS[key].sv, SheetCounts())

    def record(self, key: SheetKey, change: Change) -> None:
        """Count a row's outcome on its sheet and keep the change for the preview."""
        counts = self.counts(key)
        column = _COUNTED.get(change.action, "skipped")
        setattr(counts, column, getattr(counts, column) + 1)
        self.changes.append(change)

    def record_all(self, key: SheetKey, changes: list[Change]) -> None:
        """Count each row's outcome on its sheet, in one pass, and keep the changes."""
        counts = self.counts(key)
        for action, number in Counter(change.action for change in changes).items():
            column = _COUNTED.get(action, "skipped")
            setattr(counts, column, getattr(counts, column) + number)
        self.changes.extend(changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "dry_run": self.dry_run,
            "sheets": {name: c.to_json() for name, c in self.sheets.items()},
            "warnings": self.warnings,
            "changes": [c.to_json() for c in self.changes],
        }
