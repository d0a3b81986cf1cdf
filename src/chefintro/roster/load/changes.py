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
from chefintro.roster.read.hidden import HiddenLine, HiddenPolicy
from chefintro.words import listing, noun, plural


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
    #: What "added" means, in words: " to cohort 2027 as adept".
    detail: str = ""
    #: Whether the subject was stored before (a person joining the cohort): its field
    #: changes are then listed even though the row is counted as added.
    existing: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "subject": self.subject,
            "fields": [f.to_json() for f in self.fields],
            "detail": self.detail.strip(),
        }

    def describe(self) -> str:
        """One line for people: ``Deltagare row 4: changed anna@csn.se — Ort: Umeå → Luleå``.

        The words say what happens: "added … to cohort 2027 as adept" for a person who
        joins the cohort (never a role changing from blank), "moved … from CSN to BV" for
        a person whose agency changes, "changed" for the rest.
        """
        where = f"{self.sheet} row {self.row}" if self.row is not None else self.sheet
        shown = self.fields if self.action != "added" or self.existing else ()
        verb = self.action
        moved = next((f for f in shown if f.field == "Myndighet" and f.old), None)
        detail = self.detail
        if moved is not None and self.action == "changed":
            verb, detail = "moved", f" from {moved.old} to {moved.new}"
            shown = tuple(f for f in shown if f is not moved)
        line = f"{where}: {verb} {self.subject}{detail}"
        if shown:
            line += " — " + "; ".join(
                f"{f.field}: {_shown(f.old)} → {_shown(f.new)}" for f in shown
            )
        return line


def _shown(value: str | None) -> str:
    return "(tomt)" if value is None or value == "" else value


def change_text(value: object) -> str | None:
    """Return a stored or read value as the text a change list shows."""
    if value is None:
        return None
    if type(value) is str:
        return value
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
    changes = []
    for name, old, new in pairs:
        before, after = change_text(old), change_text(new)
        if before != after:
            changes.append(FieldChange(name, before, after))
    return tuple(changes)


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
    #: Hidden and filtered-out rows and columns found (listed whatever was done with them).
    hidden: list[HiddenLine] = field(default_factory=list)
    hidden_policy: HiddenPolicy | None = None
    #: The cohort's active participants of the file's agencies that the file leaves out.
    missing: list[str] = field(default_factory=list)
    missing_agencies: list[str] = field(default_factory=list)
    #: Whether they were withdrawn (``--withdraw-missing``).
    withdrew_missing: bool = False
    #: Who was left without a mentor and whose place became free by the withdrawals.
    pair_effects: list[str] = field(default_factory=list)
    #: The file's name, for messages about it.
    source: str | None = None

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

    def missing_text(self) -> str:
        """One sentence naming the file's agencies' participants it leaves out."""
        count = len(self.missing)
        state = "withdrawn" if self.withdrew_missing else "still active"
        return (
            f"{plural(count, 'participant')} of {', '.join(self.missing_agencies)} in cohort "
            f"{self.cohort} {noun(count, 'is', 'are')} not in {self.source or 'the file'} "
            f"({state}): {listing(self.missing, limit=20)}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "dry_run": self.dry_run,
            "sheets": {name: c.to_json() for name, c in self.sheets.items()},
            "warnings": self.warnings,
            "changes": [c.to_json() for c in self.changes],
            "hidden": [h.to_json() for h in self.hidden],
            "hidden_policy": None if self.hidden_policy is None else str(self.hidden_policy),
            "missing": self.missing,
            "missing_withdrawn": self.withdrew_missing,
            "pair_effects": self.pair_effects,
        }
