"""Loads a roster's people: Myndigheter (agencies) and Deltagare (people and participants).

New people and participants are inserted with Core ``executemany`` in batches; people
already stored are compared field by field, and only what differs is changed and listed
(field: old → new). Every participant rule comes from :mod:`chefintro.rules`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import islice
from operator import attrgetter
from typing import Any

from sqlalchemy import Table, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from chefintro import cohorts, registry, rules
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import ChefintroError
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.registry import normalise_code
from chefintro.roster.cells import email_cell_key
from chefintro.roster.changes import Change, FieldChange, diff
from chefintro.roster.columns import SHEETS, SheetKey
from chefintro.roster.loader import Loader
from chefintro.roster.rows import ParticipantRow
from chefintro.text import swedish_key

_PERSON_FIELDS = ("name", "email", "unit", "title", "field", "location", "manager_since")

_INSERT_BATCH = 1000

#: Not yet looked up (None is an agency the loader does not know).
_UNRESOLVED: Any = object()

#: A new person's stored fields, in _PERSON_FIELDS' order, read from their row at once.
_person_values = attrgetter(*_PERSON_FIELDS)


class _Processed(dict[Any, Any]):
    """A bind processor's results by value: a roster repeats its dates, flags and blanks.

    Values that are equal share one result, so a column must not mix values that are equal
    but stored differently (True and 1 in a JSON column); the roster's never do.
    """

    def __init__(self, process: Callable[[Any], Any]) -> None:
        super().__init__()
        self.process = process

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.process(value)
        return result


def _insert_many(
    db: Session,
    model: type[SQLModel],
    columns: dict[str, Sequence[Any]],
) -> None:
    """Insert rows given a column at a time (name → one value per row) with executemany.

    The table, not the entity: the ORM's bulk insert leaves out None values and so runs one
    executemany per pattern of blank cells, thousands for a large roster. The statement is
    compiled once for the store's dialect and each value goes through its column type's own
    bind processor (dates and JSON as the dialect stores them), once per distinct value; the
    rows are zipped together from the columns in C, and batches keep the driver's copy of
    the parameters small (issue 16). Values must be hashable (a tuple, not a list, for JSON).
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    connection = db.connection()
    dialect = connection.dialect
    keys = list(columns)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"insert into {table.name}: the columns differ in length")
    if not lengths.pop():
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=keys, for_executemany=True)
    # The statement's parameters, in its order.
    names = list(compiled.positiontup or ()) if compiled.positional else keys
    if sorted(names) != sorted(keys):
        raise ValueError(f"insert into {table.name}: {names} are not the columns {keys}")
    ordered: list[Iterable[Any]] = []
    for name in names:
        values = columns[name]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        ordered.append(values if process is None else map(_Processed(process).__getitem__, values))
    rows: Iterator[Any] = zip(*ordered, strict=True)
    if not compiled.positional:
        rows = (dict(zip(names, row, strict=True)) for row in rows)
    while batch := list(islice(rows, _INSERT_BATCH)):
        connection.exec_driver_sql(compiled.string, batch)


#: The Swedish header of each field a Deltagare row may change, for the change list.
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


def _given(row: ParticipantRow, preferred: list[str]) -> dict[str, Any]:
    """The participant fields a row fills in (a blank cell keeps what the store has)."""
    given: dict[str, Any] = {}
    if row.capacity is not None:
        given["capacity"] = row.capacity
    if row.wished_field is not None:
        given["wished_field"] = row.wished_field
    if preferred:
        given["preferred_mentors"] = preferred
    return given


def _by_name(entry: tuple[str, str, str]) -> tuple[tuple[str, str], str]:
    return swedish_key(entry[0]), entry[1].casefold()  # participant list's order


def _names(entries: list[tuple[str, str, str]], limit: int = 10) -> str:
    """The first ``limit`` entries in Swedish order of name, and how many more there are."""
    shown = ", ".join(entry[2] for entry in heapq.nsmallest(limit, entries, key=_by_name))
    return shown + (f" and {len(entries) - limit} more" if len(entries) > limit else "")


class PeopleLoader(Loader):
    """Loads Myndigheter and Deltagare."""

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
                        diff([("Namn", None, row.name), ("Kontakt", None, row.contact)]),
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
                    Change(sheet, row.row, "changed", code, diff([("Kontakt", old, contact)])),
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
                key = email_cell_key(wish)
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
        """Load Deltagare: add or update each row's person, and their part in the cohort.

        One pass over the rows decides everything (the rulebook's checks, what changes);
        new people and participants are then inserted in bulk, only when no problem was
        found. A person already stored is compared field by field and changed in place.
        """
        if not self.data.has(SheetKey.PARTICIPANTS):
            return
        sheet = SHEETS[SheetKey.PARTICIPANTS].sv
        self.summary.counts(SheetKey.PARTICIPANTS)
        rows = self.data.participants
        cohort = self.need_cohort(SheetKey.PARTICIPANTS) if rows else None
        people = {p.email_key: p for p in self.db.exec(select(Person)).all()}
        agencies_by_id = {a.id: a for a in self.by_code.values() if a.id is not None}
        parts: dict[int, Participant] = {}
        live_pairs: dict[int, int] = {}
        if cohort is not None:
            parts = {
                p.person_id: p
                for p in self.db.exec(
                    select(Participant).where(col(Participant.cohort_id) == cohort.id)
                ).all()
            }
            live_pairs = dict(
                self.db.execute(
                    sa_select(col(Pairing.mentor_id), func.count())
                    .where(col(Pairing.cohort_id) == cohort.id)
                    .where(col(Pairing.state) != PairingState.ENDED)
                    .group_by(col(Pairing.mentor_id))
                ).all()
            )
        mentors_by_key, mentors_by_name = self._mentors(people, parts, agencies_by_id)
        # Rows whose person is new, and rows whose participant is new: what the inserts
        # after the loop need (the rows themselves, not copies of their values).
        new_people: list[tuple[ParticipantRow, int, str]] = []  # row, agency id, e-mail key
        new_parts: list[tuple[ParticipantRow, str, tuple[str, ...]]] = []  # row, key, wishes
        outcome: list[Change] = []
        # A new person's one listed field, Myndighet: one shared tuple per agency.
        added_fields: dict[str, tuple[FieldChange, ...]] = {}
        today = date.today()
        warnings = self.summary.warnings
        # This file's participants: (name, e-mail, manager since, role), for eligibility.
        members: list[tuple[str, str, date | None, Role]] = []
        # Each way the file writes an agency, resolved once: (agency, its id, its code).
        resolved: dict[str, tuple[Agency, int, str] | None] = {}
        for row in rows:
            found = resolved.get(row.agency, _UNRESOLVED)
            if found is _UNRESOLVED:
                agency = self.agency(row.agency)
                found = resolved[row.agency] = (
                    (agency, id_of(agency), agency.code) if agency is not None else None
                )
            if found is None:
                known = ", ".join(sorted(self.by_code)) or "none registered"
                self.problem(
                    SheetKey.PARTICIPANTS,
                    row.row,
                    "agency",
                    f"unknown agency {row.agency!r}; use a code or name of: {known}",
                )
                continue
            name_refused = rules.name_problem(row.name)
            if name_refused is not None:
                self.problem(SheetKey.PARTICIPANTS, row.row, "name", name_refused)
                continue
            key = email_cell_key(row.email)  # the reader cleaned it
            if row.manager_since is not None and row.manager_since > today:
                warnings.append(
                    f"Deltagare row {row.row}: {row.name} becomes a manager on "
                    f"{row.manager_since.isoformat()}, after today; check Chef sedan."
                )
            agency, agency_id, code = found
            person = people.get(key)
            changed_fields: list[tuple[str, object, object]] = []
            if person is None:
                new_people.append((row, agency_id, key))
                action = "added"
            elif self._update_person(row, person, agency, agencies_by_id, changed_fields):
                action = "changed" if changed_fields else "unchanged"
            else:
                continue
            if cohort is not None:
                try:
                    rules.participant_capacity(row.role, row.capacity)
                except ChefintroError as exc:
                    self.problem(SheetKey.PARTICIPANTS, row.row, "capacity", exc.message)
                    continue
                try:
                    rules.check_wishes(
                        row.role,
                        wished_field=row.wished_field,
                        preferred_mentors=row.preferred_mentors,
                    )
                except ChefintroError as exc:
                    column = "wished_field" if row.wished_field else "preferred_mentors"
                    self.problem(SheetKey.PARTICIPANTS, row.row, column, exc.message)
                    continue
                preferred = (
                    self._resolve_wishes(row, agency, mentors_by_key, mentors_by_name)
                    if row.preferred_mentors
                    else []
                )
                existing = parts.get(id_of(person)) if person is not None else None
                if existing is None:
                    new_parts.append((row, key, tuple(preferred)))
                    if action != "added":
                        changed_fields.append(("Roll", None, row.role.value))
                        action = "changed"
                elif not self._update_participant(
                    row, cohort, existing, preferred, live_pairs, changed_fields
                ):
                    continue
                elif changed_fields and action == "unchanged":
                    action = "changed"
            if action == "added" and person is None:
                fields = added_fields.get(code)
                if fields is None:
                    fields = added_fields[code] = diff([("Myndighet", None, code)])
            else:
                fields = diff(changed_fields) if action != "unchanged" else ()
            outcome.append(Change(sheet, row.row, action, f"{row.name} <{row.email}>", fields))
            if cohort is not None:
                # As stored once the import is done: a blank cell keeps the stored value.
                shown: ParticipantRow | Person = row if person is None else person
                members.append((shown.name, shown.email, shown.manager_since, row.role))
        if self.problems:
            return
        self._insert(cohort, new_people, new_parts)
        self.summary.record_all(SheetKey.PARTICIPANTS, outcome)
        if cohort is not None and members:
            self._eligibility_warning(cohort, members)

    def _mentors(
        self,
        people: dict[str, Person],
        parts: dict[int, Participant],
        agencies_by_id: dict[int, Agency],
    ) -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
        """Mentors of the cohort and of the file, for wishes by address or by name.

        Return e-mail key → (name, agency code), and case-folded name → e-mail keys.
        """
        mentors_by_key: dict[str, tuple[str, str]] = {}
        for key, someone in people.items():
            part = parts.get(id_of(someone))
            if part is not None and part.role == Role.MENTOR:
                agency = agencies_by_id.get(someone.agency_id)
                mentors_by_key[key] = (someone.name, agency.code if agency else "")
        for r in self.data.participants:
            if r.role == Role.MENTOR:
                file_agency = self.agency(r.agency)
                mentors_by_key[email_cell_key(r.email)] = (
                    r.name,
                    file_agency.code if file_agency else "",
                )
        mentors_by_name: dict[str, list[str]] = {}
        for key, (name, _code) in mentors_by_key.items():
            mentors_by_name.setdefault(name.casefold(), []).append(key)
        return mentors_by_key, mentors_by_name

    def _update_person(
        self,
        row: ParticipantRow,
        person: Person,
        agency: Agency,
        agencies_by_id: dict[int, Agency],
        changed_fields: list[tuple[str, object, object]],
    ) -> bool:
        """Change a stored person to match the row, listing each change; False on a problem.

        A blank cell keeps what the store has; a move to another agency is named, and
        refused while the person is paired with someone of that agency.
        """
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
                return False
            old = agencies_by_id.get(person.agency_id)
            old_code = old.code if old is not None else "?"
            self.summary.warnings.append(
                f"Deltagare row {row.row}: {person.name} ({person.email}) moves from "
                f"{old_code} to {agency.code}."
            )
            changed_fields.append(("Myndighet", old_code, agency.code))
        for name in _PERSON_FIELDS:
            value = getattr(row, name)
            if value is None:
                continue
            current = getattr(person, name)
            if current != value:
                changed_fields.append((_HEADERS[name], current, value))
                setattr(person, name, value)
        if person.agency_id != agency.id:
            person.agency_id = agency.id  # type: ignore[assignment]
        if changed_fields:
            self.db.add(person)
        return True

    def _update_participant(
        self,
        row: ParticipantRow,
        cohort: Cohort,
        existing: Participant,
        preferred: list[str],
        live_pairs: dict[int, int],
        changed_fields: list[tuple[str, object, object]],
    ) -> bool:
        """Change a stored participant to match the row; False (a problem) when it may not.

        A blank or absent cell keeps what the store has, as for people: a roster that
        leaves out a column must not reset capacities or wishes.
        """
        if existing.role != row.role:
            self.problem(
                SheetKey.PARTICIPANTS,
                row.row,
                "role",
                f"{row.email} is already {existing.role} in cohort {cohort.name}; "
                f"a person has one role per cohort",
            )
            return False
        given = _given(row, preferred)
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
                return False
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
        return True

    def _insert(
        self,
        cohort: Cohort | None,
        new_people: list[tuple[ParticipantRow, int, str]],
        new_parts: list[tuple[ParticipantRow, str, tuple[str, ...]]],
    ) -> None:
        """Insert the new people, then the new participants, each in Core batches."""
        if new_people:
            rows, agency_ids, keys = zip(*new_people, strict=True)
            values = zip(*map(_person_values, rows), strict=True)  # a column per field
            person = dict(zip(_PERSON_FIELDS, values, strict=True))
            _insert_many(self.db, Person, {**person, "agency_id": agency_ids, "email_key": keys})
        self.db.flush()
        if not new_parts or cohort is None:
            return
        rows, keys, preferred = zip(*new_parts, strict=True)
        wanted = set(keys)
        ids: dict[str, int | None] = {  # the id column is typed optional
            key: person_id
            for key, person_id in self.db.connection().execute(
                sa_select(col(Person.email_key), col(Person.id))
            )
            if key in wanted
        }
        count = len(rows)
        _insert_many(
            self.db,
            Participant,
            {
                "cohort_id": (cohort.id,) * count,
                "person_id": [ids[key] for key in keys],
                "status": (ParticipantStatus.ACTIVE.value,) * count,
                "continues": (False,) * count,
                "role": [row.role.value for row in rows],
                "capacity": [1 if row.capacity is None else row.capacity for row in rows],
                "wished_field": [row.wished_field for row in rows],
                "preferred_mentors": preferred,
            },
        )
        self.db.flush()

    def _eligibility_warning(
        self, cohort: Cohort, members: list[tuple[str, str, date | None, Role]]
    ) -> None:
        """Name this file's participants who fail eligibility (never the rest of the cohort).

        The rule is :func:`rules.eligibility`, as for ``participant list``, on each row's
        values as the import leaves them; only the names shown are put in Swedish order.
        """
        adept, mentor, adept_max = cohorts.eligibility_limits(self.db)
        limits = {"adept_months": adept, "mentor_months": mentor, "adept_max_months": adept_max}
        short: list[tuple[str, str, str]] = []  # (name, e-mail, as shown)
        unknown: list[tuple[str, str, str]] = []
        starts_on = cohort.starts_on
        # A large roster repeats its start dates: each (date, role) is judged once.
        judged: dict[tuple[date | None, Role], tuple[str, int | None, int]] = {}
        for name, email, manager_since, role in members:
            verdict = judged.get((manager_since, role))
            if verdict is None:
                verdict = judged[manager_since, role] = rules.eligibility(
                    manager_since=manager_since, role=role, starts_on=starts_on, **limits
                )
            status, months, _needed = verdict
            if status == rules.SHORT:
                short.append((name, email, f"{name} ({months} months)"))
            elif status == rules.UNKNOWN:
                unknown.append((name, email, name))
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
