"""Rows → store: validate a read roster against the store and write it in one transaction.

The whole import runs inside the caller's transaction; every problem found (reader's and
the store's) is collected, and any problem means the caller rolls back, so the store is
left exactly as it was. A dry run does the same work and always rolls back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import partial
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Table, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from chefintro import cohorts, registry, rules
from chefintro.enums import AttendanceStatus, PairingState, ParticipantStatus, Role
from chefintro.errors import ChefintroError, InvalidInputError, Problem
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.registry import normalise_code
from chefintro.roster.columns import SHEETS, SheetKey
from chefintro.roster.rows import PairRow, ParticipantRow, RosterData
from chefintro.roster.sheets import MAX_PROBLEMS
from chefintro.text import email_key

T = TypeVar("T")

_PERSON_FIELDS = ("name", "email", "unit", "title", "field", "location", "manager_since")


_INSERT_BATCH = 1000


def _insert_many(db: Session, model: type[SQLModel], records: Iterable[dict[str, Any]]) -> None:
    """Insert complete records (every column named) with Core executemany, in batches.

    The table, not the entity: the ORM's bulk insert leaves out None values and so runs one
    executemany per pattern of blank cells, thousands for a large roster; batches keep the
    driver's copy of the parameters small (issue 16).
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    statement = insert(table)
    rows = iter(records)
    while batch := list(islice(rows, _INSERT_BATCH)):
        db.execute(statement, batch)


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


@dataclass(frozen=True)
class Change:
    """What an import does with one row: added, changed (which fields), unchanged, skipped."""

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


def _text(value: object) -> str | None:
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


def _diff(pairs: list[tuple[str, object, object]]) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(name, _text(old), _text(new))
        for name, old, new in pairs
        if _text(old) != _text(new)
    )


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
        if change.action == "added":
            counts.added += 1
        elif change.action == "changed":
            counts.updated += 1
        elif change.action == "unchanged":
            counts.unchanged += 1
        else:
            counts.skipped += 1
        self.changes.append(change)

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "dry_run": self.dry_run,
            "sheets": {name: c.to_json() for name, c in self.sheets.items()},
            "warnings": self.warnings,
            "changes": [c.to_json() for c in self.changes],
        }


class _Loader:
    def __init__(self, db: Session, data: RosterData, cohort_name: str | None) -> None:
        self.db = db
        self.data = data
        self.problems: list[Problem] = list(data.problems)
        self.cohort: Cohort | None = None
        self.cohort_name = cohort_name
        self.summary = ImportSummary(cohort=None)
        self.by_code: dict[str, Agency] = {}
        self.by_name: dict[str, Agency] = {}
        self.no_cohort = False
        #: E-mail keys of the people this file's Deltagare rows name.
        self.file_people: set[str] = set()
        #: (title, start) of Träffar rows skipped as removed after the export.
        self.removed_sessions: set[tuple[str, datetime]] = set()

    # -- helpers ---------------------------------------------------------------------------

    def problem(self, key: SheetKey, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.data.truncated = True  # bounded, like the reader: enough to fix a file by
            return
        self.problems.append(self.data.problem(key, row, column, message))

    def guarded(
        self, key: SheetKey, row: int, column: str | None, action: Callable[[], T]
    ) -> T | None:
        """Run a service call in a savepoint; a user error becomes a located problem."""
        try:
            with self.db.begin_nested():
                return action()
        except ChefintroError as exc:
            self.problem(key, row, column, exc.message)
            return None

    def obeys(self, key: SheetKey, row: int, column: str, rule: Callable[[], object]) -> bool:
        """Apply one rule of the rulebook to a row; a broken rule becomes a located problem."""
        try:
            rule()
        except ChefintroError as exc:
            self.problem(key, row, column, exc.message)
            return False
        return True

    def need_cohort(self, key: SheetKey) -> Cohort | None:
        """Return the cohort the roster's cohort sheets go to; a problem (once) if none."""
        if self.cohort is None and not self.no_cohort:
            try:
                self.cohort = cohorts.current_cohort(db=self.db, name=self.cohort_name)
                cohorts.require_open(self.cohort)
            except ChefintroError as exc:
                self.problem(key, None, None, f"the roster needs a cohort: {exc.message}")
                self.cohort = None
                self.no_cohort = True
                return None
            self.summary.cohort = self.cohort.name
        return self.cohort

    def agency(self, ref: str) -> Agency | None:
        return self.by_code.get(ref.strip().upper()) or self.by_name.get(ref.strip().casefold())

    # -- sheets ----------------------------------------------------------------------------

    def load_agencies(self) -> None:
        for agency in self.db.exec(select(Agency)).all():
            self.by_code[agency.code] = agency
            self.by_name[agency.name.casefold()] = agency
        sheet = SHEETS[SheetKey.AGENCIES].sv
        if self.data.has(SheetKey.AGENCIES):
            self.summary.counts(SheetKey.AGENCIES)
        for row in self.data.agencies:
            try:
                code = normalise_code(row.code)
            except ChefintroError as exc:
                self.problem(SheetKey.AGENCIES, row.row, "code", exc.message)
                continue
            found = self.by_code.get(code)
            namesake = self.by_name.get(row.name.casefold())
            if namesake is not None and namesake.code != code:
                self.problem(
                    SheetKey.AGENCIES,
                    row.row,
                    "name",
                    f"the name {row.name!r} belongs to agency {namesake.code} already; agency "
                    "names must differ, since rosters may name an agency instead of its code",
                )
                continue
            # A blank Kontakt cell (or an old workbook without the column) keeps the contact.
            contact = row.contact if row.contact is not None else (found.contact if found else None)
            if found is None:
                agency = Agency(code=code, name=row.name, contact=row.contact)
                self.db.add(agency)
                self.summary.record(
                    SheetKey.AGENCIES,
                    Change(
                        sheet,
                        row.row,
                        "added",
                        code,
                        _diff([("Namn", None, row.name), ("Kontakt", None, row.contact)]),
                    ),
                )
                self.by_code[code] = agency
                self.by_name[row.name.casefold()] = agency
                continue
            if found.name != row.name:
                # A roster never renames an agency: an old or mistyped sheet must not change
                # what every other agency's workbook says. 'agency edit' renames.
                self.summary.warnings.append(
                    f"Myndigheter row {row.row}: agency {code} is {found.name!r}, the roster "
                    f"calls it {row.name!r}; the name was not changed (use 'chefintro agency "
                    f"edit {code} --name …' to rename it)."
                )
            if found.contact != contact:
                # The HR contact is the agency's own detail, not its identity: a filled
                # Kontakt cell sets it (a blank one keeps it, above).
                old = found.contact
                found.contact = contact
                self.db.add(found)
                self.summary.record(
                    SheetKey.AGENCIES,
                    Change(sheet, row.row, "changed", code, _diff([("Kontakt", old, contact)])),
                )
                continue
            self.summary.record(SheetKey.AGENCIES, Change(sheet, row.row, "unchanged", code))
        self.db.flush()

    def _resolve_wishes(
        self,
        row: ParticipantRow,
        own_agency: Agency,
        mentors_by_key: dict[str, tuple[str, str]],
        mentors_by_name: dict[str, list[str]],
    ) -> list[str]:
        """Return an adept's wished mentors as e-mail keys; warn (naming them) about the rest.

        A wish may be an e-mail address or a mentor's name when the name is unique among
        the cohort's and the file's mentors.
        """
        keys: list[str] = []
        for wish in row.preferred_mentors:
            if "@" in wish:
                key = email_key(wish)
                if key not in mentors_by_key:
                    self.summary.warnings.append(
                        f"Deltagare row {row.row}: {row.name} wishes for {wish}, who is not a "
                        "mentor of the cohort; the wish is kept but plays no part in matching "
                        "until they are."
                    )
                keys.append(key)
                continue
            found = mentors_by_name.get(wish.casefold(), [])
            if len(found) != 1:
                what = "no mentor" if not found else f"{len(found)} mentors"
                self.summary.warnings.append(
                    f"Deltagare row {row.row}: {row.name} wishes for {wish!r}, but {what} of "
                    "the cohort has that name; write the mentor's e-mail address instead. "
                    "The wish was left out."
                )
                continue
            keys.append(found[0])
        for key in keys:
            mentor = mentors_by_key.get(key)
            if mentor is not None and mentor[1] == own_agency.code:
                self.summary.warnings.append(
                    f"Deltagare row {row.row}: {row.name} wishes for {mentor[0]}, who is from "
                    f"the same agency ({own_agency.code}); a mentor is always from another "
                    "agency, so the wish plays no part in matching."
                )
        return keys

    def load_participants(self) -> None:
        if not self.data.has(SheetKey.PARTICIPANTS):
            return
        sheet = SHEETS[SheetKey.PARTICIPANTS].sv
        self.summary.counts(SheetKey.PARTICIPANTS)
        cohort = self.need_cohort(SheetKey.PARTICIPANTS) if self.data.participants else None
        people = {p.email_key: p for p in self.db.exec(select(Person)).all()}
        agencies_by_id = {a.id: a for a in self.by_code.values() if a.id is not None}
        parts: dict[int, Participant] = {}
        if cohort is not None:
            parts = {
                p.person_id: p
                for p in self.db.exec(
                    select(Participant).where(col(Participant.cohort_id) == cohort.id)
                ).all()
            }
        live_pairs: dict[int, int] = {}
        if cohort is not None:
            live_pairs = dict(
                self.db.execute(
                    sa_select(col(Pairing.mentor_id), func.count())
                    .where(col(Pairing.cohort_id) == cohort.id)
                    .where(col(Pairing.state) != PairingState.ENDED)
                    .group_by(col(Pairing.mentor_id))
                ).all()
            )
        # Mentors of the cohort and of the file, for wishes by address or by name.
        mentors_by_key: dict[str, tuple[str, str]] = {}
        for key, someone in people.items():
            part = parts.get(id_of(someone))
            if part is not None and part.role == Role.MENTOR:
                agency = agencies_by_id.get(someone.agency_id)
                mentors_by_key[key] = (someone.name, agency.code if agency else "")
        for r in self.data.participants:
            if r.role == Role.MENTOR:
                file_agency = self.agency(r.agency)
                mentors_by_key[email_key(r.email)] = (
                    r.name,
                    file_agency.code if file_agency else "",
                )
        mentors_by_name: dict[str, list[str]] = {}
        for key, (name, _code) in mentors_by_key.items():
            mentors_by_name.setdefault(name.casefold(), []).append(key)
        new_people: list[dict[str, Any]] = []
        pending_parts: list[tuple[str, dict[str, Any]]] = []
        outcome: list[Change] = []
        today = date.today()
        for row in self.data.participants:
            agency = self.agency(row.agency)
            if agency is None:
                known = ", ".join(sorted(self.by_code)) or "none registered"
                self.problem(
                    SheetKey.PARTICIPANTS,
                    row.row,
                    "agency",
                    f"unknown agency {row.agency!r}; use a code or name of: {known}",
                )
                continue
            key = email_key(row.email)
            values: dict[str, Any] = {
                name: getattr(row, name)
                for name in _PERSON_FIELDS
                if getattr(row, name) is not None
            }
            values["agency_id"] = agency.id
            if row.manager_since is not None and row.manager_since > today:
                self.summary.warnings.append(
                    f"Deltagare row {row.row}: {row.name} becomes a manager on "
                    f"{row.manager_since.isoformat()}, after today; check Chef sedan."
                )
            person = people.get(key)
            action = "unchanged"
            changed_fields: list[tuple[str, object, object]] = []
            if person is None:
                record = dict.fromkeys(_PERSON_FIELDS)
                record.update(values, email_key=key)
                new_people.append(record)
                action = "added"
                changed_fields += [("Myndighet", None, agency.code)]
            else:
                if person.agency_id != agency.id:
                    partners = registry.same_agency_partners(
                        db=self.db,
                        person_id=id_of(person),
                        agency_id=id_of(agency),
                    )
                    if partners:
                        self.problem(
                            SheetKey.PARTICIPANTS,
                            row.row,
                            "agency",
                            f"{row.name} is paired with {', '.join(partners)} of {agency.code}; "
                            "adept and mentor must be from different agencies, so remove that "
                            "pair before moving them",
                        )
                        continue
                    old = agencies_by_id.get(person.agency_id)
                    old_code = old.code if old is not None else "?"
                    self.summary.warnings.append(
                        f"Deltagare row {row.row}: {person.name} ({person.email}) moves from "
                        f"{old_code} to {agency.code}."
                    )
                    changed_fields.append(("Myndighet", old_code, agency.code))
                for name, value in values.items():
                    if name == "agency_id":
                        continue
                    current = getattr(person, name)
                    if current != value:
                        changed_fields.append((_HEADERS[name], current, value))
                        setattr(person, name, value)
                if person.agency_id != agency.id:
                    person.agency_id = agency.id  # type: ignore[assignment]
                if changed_fields:
                    self.db.add(person)
                    action = "changed"
            if cohort is not None:
                if not self.obeys(
                    SheetKey.PARTICIPANTS,
                    row.row,
                    "capacity",
                    partial(rules.participant_capacity, row.role, row.capacity),
                ) or not self.obeys(
                    SheetKey.PARTICIPANTS,
                    row.row,
                    "wished_field" if row.wished_field else "preferred_mentors",
                    partial(
                        rules.check_wishes,
                        row.role,
                        wished_field=row.wished_field,
                        preferred_mentors=row.preferred_mentors,
                    ),
                ):
                    continue
                preferred = self._resolve_wishes(row, agency, mentors_by_key, mentors_by_name)
                # A blank or absent cell keeps what the store has, as for people: a roster
                # that leaves out a column must not reset capacities or wishes.
                given: dict[str, Any] = {}
                if row.capacity is not None:
                    given["capacity"] = row.capacity
                if row.wished_field is not None:
                    given["wished_field"] = row.wished_field
                if preferred:
                    given["preferred_mentors"] = preferred
                existing = parts.get(id_of(person)) if person is not None else None
                if existing is None:
                    pending_parts.append(
                        (
                            key,
                            {
                                "role": row.role.value,
                                "capacity": 1,
                                "wished_field": None,
                                "preferred_mentors": [],
                                **given,
                            },
                        )
                    )
                    if action != "added":
                        changed_fields.append(("Roll", None, row.role.value))
                    action = "added" if action == "added" else "changed"
                elif existing.role != row.role:
                    self.problem(
                        SheetKey.PARTICIPANTS,
                        row.row,
                        "role",
                        f"{row.email} is already {existing.role} in cohort {cohort.name}; "
                        f"a person has one role per cohort",
                    )
                    continue
                else:
                    if "capacity" in given and given["capacity"] < existing.capacity:
                        live = live_pairs.get(id_of(existing), 0)
                        if given["capacity"] < live:
                            self.problem(
                                SheetKey.PARTICIPANTS,
                                row.row,
                                "capacity",
                                f"{row.name} mentors {live} adept(s) in cohort {cohort.name}; "
                                f"remove pairs before lowering the capacity to {given['capacity']}",
                            )
                            continue
                    part_changed = False
                    for name, value in given.items():
                        current = getattr(existing, name)
                        if name == "preferred_mentors":
                            current = list(current or [])
                        if current != value:
                            changed_fields.append((_HEADERS[name], current, value))
                            setattr(existing, name, value)
                            part_changed = True
                    if part_changed:
                        self.db.add(existing)
                        action = "changed" if action == "unchanged" else action
            fields = _diff(changed_fields) if action != "unchanged" else ()
            outcome.append(Change(sheet, row.row, action, f"{row.name} <{row.email}>", fields))
            self.file_people.add(key)
        if self.problems:
            return
        if new_people:
            _insert_many(self.db, Person, new_people)
        self.db.flush()
        if pending_parts and cohort is not None:
            ids: dict[str, int] = dict(
                self.db.execute(
                    sa_select(col(Person.email_key), col(Person.id)).where(
                        col(Person.email_key).in_({k for k, _ in pending_parts})
                    )
                ).all()
            )
            _insert_many(
                self.db,
                Participant,
                (
                    {
                        "cohort_id": cohort.id,
                        "person_id": ids[k],
                        "status": ParticipantStatus.ACTIVE.value,
                        "continues": False,
                        **v,
                    }
                    for k, v in pending_parts
                ),
            )
            self.db.flush()
        for change in outcome:
            self.summary.record(SheetKey.PARTICIPANTS, change)
        if cohort is not None and self.file_people:
            self._eligibility_warning(cohort)

    def _eligibility_warning(self, cohort: Cohort) -> None:
        """Name this file's participants who fail eligibility (never the rest of the cohort)."""
        short: list[str] = []
        unknown: list[str] = []
        for info in cohorts.list_participants(db=self.db, cohort=cohort):
            if email_key(info.email) not in self.file_people:
                continue
            if info.eligibility == "short":
                short.append(f"{info.name} ({info.months_as_manager} months)")
            elif info.eligibility == "unknown":
                unknown.append(info.name)
        if short:
            self.summary.warnings.append(
                f"Eligibility: {_names(short)} ha(s) managed for less than the programme asks "
                f"(cohort {cohort.name})."
            )
        if unknown:
            self.summary.warnings.append(
                f"Eligibility: {_names(unknown)} ha(s) no Chef sedan date, so eligibility is "
                "unknown."
            )

    def load_sessions(self) -> None:
        if not self.data.has(SheetKey.SESSIONS):
            return
        from chefintro.models import ProgrammeSession
        from chefintro.sessions import ProgrammeSessionData, edit_session, upsert_session

        sheet = SHEETS[SheetKey.SESSIONS].sv
        self.summary.counts(SheetKey.SESSIONS)
        if not self.data.sessions:
            return
        cohort = self.need_cohort(SheetKey.SESSIONS)
        if cohort is None:
            return
        stored = {
            s.id: s
            for s in self.db.exec(
                select(ProgrammeSession)
                .where(ProgrammeSession.cohort_id == cohort.id)
                # A cancelled day counts as removed: an old export does not bring it back.
                .where(col(ProgrammeSession.cancelled).is_(False))
            ).all()
        }
        hosts = {a.id: a.code for a in self.by_code.values()}
        for row in self.data.sessions:
            host = None
            if row.host:
                agency = self.agency(row.host)
                if agency is None:
                    self.problem(SheetKey.SESSIONS, row.row, "host", f"unknown agency {row.host!r}")
                    continue
                host = agency.code
            data = ProgrammeSessionData(
                title=row.title,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                kind=row.kind,
                location=row.location,
                host=host,
            )
            subject = f"{row.title} ({row.starts_at:%Y-%m-%d %H:%M})"
            before: dict[str, object] | None
            action: Callable[[], object]
            if row.session_id is not None:
                found = stored.get(row.session_id)
                if found is None:
                    self.summary.warnings.append(
                        f"Träffar row {row.row}: the session {subject} (number {row.session_id}) "
                        f"was removed after this workbook was exported{self.exported()}; it was "
                        "not created again."
                    )
                    self.summary.record(
                        SheetKey.SESSIONS, Change(sheet, row.row, "skipped", subject)
                    )
                    self.removed_sessions.add((row.title.casefold(), row.starts_at))
                    continue
                before = _session_values(found, hosts)
                action = partial(
                    edit_session,
                    db=self.db,
                    cohort=cohort,
                    session_id=id_of(found),
                    changes=_with_blanks(data),
                )
            else:
                found = next(
                    (
                        s
                        for s in stored.values()
                        if s.title == row.title and s.starts_at == row.starts_at
                    ),
                    None,
                )
                before = _session_values(found, hosts) if found is not None else None
                action = partial(upsert_session, db=self.db, cohort=cohort, data=data)
            same_start = [
                s.title
                for s in stored.values()
                if s.starts_at == row.starts_at and (found is None or s.id != found.id)
            ]
            if same_start:
                self.summary.warnings.append(
                    f"Träffar row {row.row}: {subject} starts at the same time as "
                    f"{', '.join(repr(t) for t in same_start)}; check that it is not the same "
                    "session under another name."
                )
            done = self.guarded(SheetKey.SESSIONS, row.row, "starts_at", action)
            if done is None:
                continue
            after = {
                "Titel": row.title,
                "Typ": row.kind.value if row.kind else None,
                "Start": row.starts_at,
                "Slut": row.ends_at,
                "Plats": row.location,
                "Värd": host,
            }
            if before is None:
                change = Change(sheet, row.row, "added", subject)
            else:
                fields = _diff(
                    [
                        (name, before[name], value)
                        for name, value in after.items()
                        if value is not None or name in ("Plats", "Värd")
                    ]
                )
                change = Change(
                    sheet, row.row, "changed" if fields else "unchanged", subject, fields
                )
            self.summary.record(SheetKey.SESSIONS, change)

    def exported(self) -> str:
        when = self.data.exported_at
        return f" (exported {when:%Y-%m-%d %H:%M})" if when is not None else ""

    def participants_known(self) -> dict[str, Role]:
        """E-mail key → role of everyone in the cohort or on this file's Deltagare sheet."""
        known: dict[str, Role] = {}
        cohort = self.cohort
        if cohort is not None:
            for person, part in self.db.exec(
                select(Person, Participant)
                .join(Participant, col(Participant.person_id) == col(Person.id))
                .where(col(Participant.cohort_id) == cohort.id)
            ).all():
                known[person.email_key] = part.role
        for row in self.data.participants:
            known.setdefault(email_key(row.email), row.role)
        return known

    def check_references(self) -> None:
        """Check Par and Närvaro addresses when the people could not be loaded, so that one
        run shows every problem."""
        if not (self.data.pairs or self.data.attendance):
            return
        cohort = self.need_cohort(SheetKey.PAIRS if self.data.pairs else SheetKey.ATTENDANCE)
        if cohort is None:
            return
        known = self.participants_known()
        for pair in self.data.pairs:
            self.check_pair_people(pair, known, cohort)
        for row in self.data.attendance:
            if email_key(row.email) not in known:
                self.problem(
                    SheetKey.ATTENDANCE,
                    row.row,
                    "email",
                    f"{row.email} is not a participant of cohort {cohort.name}",
                )

    def check_pair_people(self, pair: PairRow, known: dict[str, Role], cohort: Cohort) -> bool:
        ok = True
        for field_name, address, role in (
            ("adept", pair.adept, Role.ADEPT),
            ("mentor", pair.mentor, Role.MENTOR),
        ):
            found = known.get(email_key(address))
            if found is None:
                self.problem(
                    SheetKey.PAIRS,
                    pair.row,
                    field_name,
                    f"{address} is not a participant of cohort {cohort.name}",
                )
                ok = False
            elif found != role:
                self.problem(
                    SheetKey.PAIRS,
                    pair.row,
                    field_name,
                    f"{address} is {found} in cohort {cohort.name}, not {role}",
                )
                ok = False
        return ok

    def load_pairs(self) -> None:
        if not self.data.has(SheetKey.PAIRS):
            return
        from chefintro import pairing

        sheet = SHEETS[SheetKey.PAIRS].sv
        self.summary.counts(SheetKey.PAIRS)
        if not self.data.pairs:
            return
        cohort = self.need_cohort(SheetKey.PAIRS)
        if cohort is None:
            return
        lock_column = "locked" in self.data.headers.get(SheetKey.PAIRS, {})
        pairs = pairing.list_pairs(db=self.db, cohort=cohort)
        current = {(email_key(p.adept), email_key(p.mentor)): p for p in pairs}
        by_adept = {email_key(p.adept): p for p in pairs}
        known = self.participants_known()
        live_ids = {p.id for p in pairs}
        asked: list[Change] = []  # what each request does when the rules let it
        requests: list[pairing.PairRequest] = []
        for row in self.data.pairs:
            if not self.check_pair_people(row, known, cohort):
                continue
            subject = f"{row.adept} → {row.mentor}"
            lock = row.locked if lock_column else True
            found = current.get((email_key(row.adept), email_key(row.mentor)))
            if found is None and row.pair_id is not None and row.pair_id not in live_ids:
                self.summary.warnings.append(
                    f"Par row {row.row}: the pair {subject} was removed or ended after this "
                    f"workbook was exported{self.exported()}; it was not created again (use "
                    "'chefintro pair set' to pair them anew)."
                )
                self.summary.record(SheetKey.PAIRS, Change(sheet, row.row, "skipped", subject))
                continue
            if found is not None and found.locked == lock:
                self.summary.record(SheetKey.PAIRS, Change(sheet, row.row, "unchanged", subject))
                continue
            other = by_adept.get(email_key(row.adept)) if found is None else None
            if other is not None and (other.locked or other.state == PairingState.ACTIVE):
                what = "locked" if other.locked else "active"
                self.problem(
                    SheetKey.PAIRS,
                    row.row,
                    "mentor",
                    f"{other.adept_name} already has the {what} pair with {other.mentor_name} "
                    f"({other.mentor}); a roster never replaces an active or locked pair — "
                    "remove or end it first ('chefintro pair remove')",
                )
                continue
            if found is not None:
                fields = _diff([("Låst", found.locked, lock)])
                asked.append(Change(sheet, row.row, "changed", subject, fields))
            elif other is not None:
                fields = _diff([("Mentor", other.mentor, row.mentor)])
                asked.append(Change(sheet, row.row, "changed", subject, fields))
            else:
                asked.append(Change(sheet, row.row, "added", subject))
            requests.append(pairing.PairRequest(row.adept, row.mentor, lock))
        if not requests:
            return
        # One call for every Par row: the pair rules of 'pair set', the problem built once.
        outcomes = pairing.set_pairs(db=self.db, cohort=cohort, requests=requests)
        for change, outcome in zip(asked, outcomes, strict=True):
            if isinstance(outcome, ChefintroError):
                self.problem(SheetKey.PAIRS, change.row, "mentor", outcome.message)
            else:
                self.summary.record(SheetKey.PAIRS, change)

    def load_attendance(self) -> None:
        if not self.data.has(SheetKey.ATTENDANCE):
            return
        sheet = SHEETS[SheetKey.ATTENDANCE].sv
        self.summary.counts(SheetKey.ATTENDANCE)
        if not self.data.attendance:
            return
        from chefintro.attendance import record_attendance
        from chefintro.models import Attendance
        from chefintro.roster.columns import STATUS_LABELS
        from chefintro.sessions import list_sessions

        cohort = self.need_cohort(SheetKey.ATTENDANCE)
        if cohort is None:
            return
        sessions = list_sessions(db=self.db, cohort=cohort)
        column_to_session: dict[int, int] = {}
        for column in self.data.attendance_sessions:
            matches = [
                s
                for s in sessions
                if s.title.casefold() == column.title.casefold()
                and (column.starts_on is None or s.starts_at.date() == column.starts_on)
                and (column.start_time is None or s.starts_at.time() == column.start_time)
            ]
            if len(matches) == 1:
                column_to_session[column.column] = matches[0].id
                continue
            if not matches and any(
                title == column.title.casefold()
                and (column.starts_on is None or start.date() == column.starts_on)
                for title, start in self.removed_sessions
            ):
                self.summary.warnings.append(
                    f"Närvaro column {column.header!r}: the session was removed after this "
                    f"workbook was exported{self.exported()}; its marks were not imported."
                )
                continue
            if not matches:
                what = "no session"
            else:
                what = (
                    "more than one session ("
                    + ", ".join(f"{s.title} {s.starts_at:%Y-%m-%d %H:%M}" for s in matches)
                    + ")"
                )
            self.problems.append(
                Problem(
                    f"{what} of cohort {cohort.name} matches this column; write the "
                    "header as the export does: 'Titel (ÅÅÅÅ-MM-DD TT:MM)'",
                    sheet=self.data.sheets.get(SheetKey.ATTENDANCE),
                    row=1,
                    column=column.header,
                )
            )
        before: dict[tuple[int, str], str] = {}
        for sid, key, status in self.db.exec(
            select(Attendance.session_id, Person.email_key, Attendance.status)
            .join(Participant, col(Participant.id) == col(Attendance.participant_id))
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
        ).all():
            before[(sid, key)] = str(status)
        known = self.participants_known()
        for row in self.data.attendance:
            key = email_key(row.email)
            if key not in known:
                self.problem(
                    SheetKey.ATTENDANCE,
                    row.row,
                    "email",
                    f"{row.email} is not a participant of cohort {cohort.name}",
                )
                continue
            fields: list[tuple[str, object, object]] = []
            for mark in row.marks:
                session_id = column_to_session.get(mark.session.column)
                if session_id is None:
                    continue
                result = self.guarded(
                    SheetKey.ATTENDANCE,
                    row.row,
                    "email",
                    partial(
                        record_attendance,
                        db=self.db,
                        cohort=cohort,
                        session_id=session_id,
                        emails=[row.email],
                        status=mark.status,
                    ),
                )
                if result is None:
                    continue
                old = before.get((session_id, key))
                old_label = STATUS_LABELS.get(AttendanceStatus(old)) if old else None
                fields.append((mark.session.header, old_label, STATUS_LABELS[mark.status]))
            changed = _diff(fields)
            if not row.marks:
                continue
            if not changed:
                action = "unchanged"
            elif all(f.old is None for f in changed):
                action = "added"
            else:
                action = "changed"
            self.summary.record(
                SheetKey.ATTENDANCE, Change(sheet, row.row, action, row.email, changed)
            )

    def load_meetings(self) -> None:
        if not self.data.has(SheetKey.MEETINGS):
            return
        self.summary.counts(SheetKey.MEETINGS)
        if not self.data.meetings:
            return
        sheet = SHEETS[SheetKey.MEETINGS].sv
        from chefintro import followup
        from chefintro.clock import today

        cohort = self.need_cohort(SheetKey.MEETINGS)
        if cohort is None:
            return
        index = followup.MeetingPairs(db=self.db, cohort=cohort)
        now = today()
        early = 0
        for row in self.data.meetings:
            try:
                pairing = index.pairing_for(adept=row.adept, mentor=row.mentor)
            except ChefintroError as exc:
                column = "mentor" if row.mentor is not None else "adept"
                self.problem(SheetKey.MEETINGS, row.row, column, exc.message)
                continue
            try:
                warning = followup.check_meeting_day(
                    cohort=cohort, pairing=pairing, day=row.held_on, today=now
                )
            except ChefintroError as exc:
                self.problem(SheetKey.MEETINGS, row.row, "held_on", exc.message)
                continue
            change = followup.record_meeting(
                db=self.db,
                pairing=pairing,
                day=row.held_on,
                minutes=row.minutes,
                known=index.meetings,
            )
            early += warning is not None and change.outcome != "unchanged"
            who = f"{row.adept} {row.held_on}"
            if change.outcome == "updated":
                fields = _diff([("Minuter", change.minutes_before, row.minutes)])
                self.summary.record(
                    SheetKey.MEETINGS, Change(sheet, row.row, "changed", who, fields)
                )
            else:
                added = _diff([("Minuter", None, row.minutes)]) if change.outcome == "added" else ()
                self.summary.record(
                    SheetKey.MEETINGS, Change(sheet, row.row, change.outcome, who, added)
                )
        self.db.flush()
        if early:
            self.summary.warnings.append(
                f"{early} meeting(s) on 'Möten' are dated before their pair was made active; "
                "they were taken anyway."
            )


def _names(names: list[str], limit: int = 10) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


_HEADERS: dict[str, str] = {
    "name": "Namn",
    "email": "E-post",
    "unit": "Enhet",
    "title": "Befattning",
    "field": "Verksamhetsområde",
    "location": "Ort",
    "manager_since": "Chef sedan",
    "capacity": "Kapacitet",
    "wished_field": "Önskat område",
    "preferred_mentors": "Önskade mentorer",
}


def _session_values(found: Any, hosts: dict[Any, str]) -> dict[str, object]:
    return {
        "Titel": found.title,
        "Typ": str(found.kind.value if isinstance(found.kind, Enum) else found.kind),
        "Start": found.starts_at,
        "Slut": found.ends_at,
        "Plats": found.location,
        "Värd": hosts.get(found.host_agency_id),
    }


def _with_blanks(data: Any) -> Any:
    """An exported row gives every field: a blank place or host clears it, as upsert does."""
    from chefintro.sessions import ProgrammeSessionData

    return ProgrammeSessionData(
        title=data.title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        kind=data.kind,
        location=data.location if data.location is not None else "",
        host=data.host if data.host is not None else "",
    )


#: Sheets ``roster import --only`` accepts, by any of their names.
def only_sheets(names: str) -> set[SheetKey]:
    """Return the sheets named in a comma-separated ``--only`` value; UsageError if unknown."""
    from chefintro.errors import UsageError
    from chefintro.roster.columns import IMPORT_ORDER, find_sheet

    chosen: set[SheetKey] = set()
    for name in names.split(","):
        if not name.strip():
            continue
        found = find_sheet(name)
        if found is None or found.key not in IMPORT_ORDER:
            allowed = ", ".join(SHEETS[k].sv for k in IMPORT_ORDER)
            raise UsageError(f"--only: {name.strip()!r} is not a roster sheet; use {allowed}.")
        chosen.add(found.key)
    if not chosen:
        raise UsageError("--only needs at least one sheet name.")
    return chosen


def keep_only(data: RosterData, keys: set[SheetKey]) -> None:
    """Drop every sheet of ``data`` but ``keys`` (``roster import --only``)."""
    for key in list(data.sheets):
        if key not in keys:
            del data.sheets[key]
    if SheetKey.AGENCIES not in keys:
        data.agencies = []
    if SheetKey.PARTICIPANTS not in keys:
        data.participants = []
    if SheetKey.SESSIONS not in keys:
        data.sessions = []
    if SheetKey.PAIRS not in keys:
        data.pairs = []
    if SheetKey.ATTENDANCE not in keys:
        data.attendance = []
        data.attendance_sessions = []
    sheet_names = {SHEETS[k].sv for k in keys} | {SHEETS[k].en for k in keys}
    kept = set(data.sheets.values())
    data.problems = [
        p for p in data.problems if p.sheet is None or p.sheet in kept or p.sheet in sheet_names
    ]


def import_roster(
    *, db: Session, data: RosterData, cohort_name: str | None, dry_run: bool = False
) -> ImportSummary:
    """Validate and write a read roster; raise InvalidInputError (65) with every problem.

    The caller's transaction must be rolled back when this raises; on a dry run this
    function rolls back itself after computing the summary.
    """
    loader = _Loader(db, data, cohort_name)
    loader.load_agencies()
    loader.load_participants()
    people_ok = not loader.problems
    # Sessions do not depend on the people, so their problems are found in the same run.
    loader.load_sessions()
    if people_ok:
        # Pairs and attendance need the participants written first.
        loader.load_pairs()
        loader.load_attendance()
        loader.load_meetings()
    else:
        loader.check_references()
    loader.summary.dry_run = dry_run
    if loader.problems:
        db.rollback()
        count = len(loader.problems)
        loader.problems.sort(key=lambda p: (p.sheet or "", p.row or 0))
        more = " (the reader stopped looking after that many)" if data.truncated else ""
        raise InvalidInputError(
            f"{data.path.name}: {count:,} problem{'s' if count != 1 else ''} found{more}; "
            "nothing was imported.",
            loader.problems,
        )
    if dry_run:
        db.rollback()
    return loader.summary
