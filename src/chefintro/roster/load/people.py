"""Loads a roster's people: Myndigheter (agencies) and Deltagare (people and participants).

New people and participants are inserted with Core ``executemany`` in batches; people
already stored are compared field by field, and only what differs is changed and listed
(field: old → new). Every participant rule comes from :mod:`chefintro.rules`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from chefintro import registry, rules
from chefintro.bulk import insert_many
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import ChefintroError
from chefintro.ids import id_of
from chefintro.intake import Finding
from chefintro.intake.participants import (
    MentorRef,
    ParticipantContext,
    ParticipantFacts,
    check_participant,
)
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.registry import normalise_code
from chefintro.roster.columns import SHEETS, SheetKey
from chefintro.roster.load.changes import Change, FieldChange, diff
from chefintro.roster.load.consent import RosterConsents
from chefintro.roster.load.loader import Loader
from chefintro.roster.load.mentor_wishes import RosterMentorWishes
from chefintro.roster.read.cells import email_cell_key
from chefintro.roster.read.rows import ParticipantRow
from chefintro.words import plural

_PERSON_FIELDS = ("name", "email", "unit", "title", "field", "location", "manager_since")

#: Not yet looked up (None is an agency the loader does not know).
_UNRESOLVED: Any = object()

#: A new person's stored fields, in _PERSON_FIELDS' order, read from their row at once.
_person_values = attrgetter(*_PERSON_FIELDS)


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


#: A participant the import adds: its row, e-mail key, wishes, agency id, unit and title.
_NewPart = tuple[ParticipantRow, str, tuple[str, ...], int, str | None, str | None]


class _RowPart(NamedTuple):
    """One Deltagare row with what the loop found for it: its stored person (None for
    someone new), e-mail key, agency id and code."""

    row: ParticipantRow
    person: Person | None
    key: str
    agency_id: int
    code: str


def _added_fields(
    code: str,
    shared: dict[str, tuple[FieldChange, ...]],
    changed_fields: list[tuple[str, object, object]],
) -> tuple[FieldChange, ...]:
    """A new person's listed fields: Myndighet (one shared tuple per agency), and a
    consent the row gives."""
    fields = shared.get(code)
    if fields is None:
        fields = shared[code] = diff([("Myndighet", None, code)])
    return (*fields, *diff(changed_fields)) if changed_fields else fields


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
        parts, live_pairs = self._cohort_state(cohort)
        context = self._context(cohort, people) if cohort is not None else None
        self._consents = RosterConsents(self.db, parts, rows)
        self._wishes = RosterMentorWishes(self.db, parts, rows)
        # Rows whose person is new, and rows whose participant is new: what the inserts
        # after the loop need (the rows themselves, not copies of their values).
        new_people: list[tuple[ParticipantRow, int, str]] = []  # row, agency id, e-mail key
        # row, e-mail key, wishes, and the agency, unit and title the participant keeps
        new_parts: list[_NewPart] = []
        outcome: list[Change] = []
        # A new person's one listed field, Myndighet: one shared tuple per agency.
        added_fields: dict[str, tuple[FieldChange, ...]] = {}
        # Each way the file writes an agency, resolved once: (agency, its id, its code).
        resolved: dict[str, tuple[Agency, int, str] | None] = {}
        # What joining says, worked out once per role (a large roster repeats it).
        joining = {role: f" to cohort {cohort.name} as {role}" for role in Role} if cohort else {}
        for row in rows:
            found = self._agency_of_row(row, resolved)
            if found is None:
                continue
            name_refused = rules.name_problem(row.name)
            if name_refused is not None:
                self.problem(SheetKey.PARTICIPANTS, row.row, "name", name_refused)
                continue
            key = email_cell_key(row.email)  # the reader cleaned it
            agency, agency_id, code = found
            person = people.get(key)
            joins = ""
            changed_fields: list[tuple[str, object, object]] = []
            if person is None:
                new_people.append((row, agency_id, key))
                action = "added"
            elif self._update_person(row, person, agency, agencies_by_id, changed_fields):
                action = "changed" if changed_fields else "unchanged"
            else:
                continue
            if context is not None and cohort is not None:
                joined = self._take_part(
                    _RowPart(row, person, key, agency_id, code),
                    context,
                    cohort,
                    (parts, live_pairs),
                    changed_fields,
                    new_parts,
                )
                if joined is None:
                    continue
                if joined:
                    # Joining the cohort is an addition, whatever the person's own fields do.
                    action, joins = "added", joining[row.role]
                elif changed_fields and action == "unchanged":
                    action = "changed"
            if action == "added" and person is None:
                fields = _added_fields(code, added_fields, changed_fields)
            else:
                fields = diff(changed_fields) if action != "unchanged" else ()
            outcome.append(
                Change(
                    sheet, row.row, action, f"{row.name} <{row.email}>", fields, joins, bool(person)
                )
            )
        if not self.problems:
            self._write(cohort, context, (new_people, new_parts), outcome)

    def _write(
        self,
        cohort: Cohort | None,
        context: ParticipantContext | None,
        new: tuple[list[tuple[ParticipantRow, int, str]], list[_NewPart]],
        outcome: list[Change],
    ) -> None:
        """Write what the rows decided (no row had a problem): the new people and
        participants in bulk, the consents and mentors' wishes, and the changes listed."""
        self._insert(cohort, *new)
        self._consents.write(cohort)
        self._wishes.write(cohort, context)
        self.summary.record_all(SheetKey.PARTICIPANTS, outcome)

    def _cohort_state(self, cohort: Cohort | None) -> tuple[dict[int, Participant], dict[int, int]]:
        """The cohort's participants by person, and each mentor's live pairs (for capacity)."""
        if cohort is None:
            return {}, {}
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
        self.had_participants = bool(parts)
        return parts, live_pairs

    def _agency_of_row(
        self, row: ParticipantRow, resolved: dict[str, tuple[Agency, int, str] | None]
    ) -> tuple[Agency, int, str] | None:
        """The row's agency (resolved once per spelling), or None with the row's problem."""
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
        return found  # type: ignore[no-any-return]

    def _take_part(
        self,
        at: _RowPart,
        context: ParticipantContext,
        cohort: Cohort,
        stored: tuple[dict[int, Participant], dict[int, int]],
        changed_fields: list[tuple[str, object, object]],
        new_parts: list[_NewPart],
    ) -> bool | None:
        """Send the row through the participant intake, as 'participant add' does, on its
        values as the import leaves them (a blank cell keeps the stored value).

        Returns None when the row is refused, True when the person joins the cohort, and
        False when they were in it already (their part changed in place, if at all).
        """
        row, person = at.row, at.person
        shown: ParticipantRow | Person = row if person is None else person
        facts = ParticipantFacts(
            shown.name,
            shown.email,
            at.code,
            row.role,
            shown.manager_since,
            row.capacity,
            row.wished_field,
            row.preferred_mentors,
            None if person is None else person.id,
            row.wished_locations or (),
            row.wished_adepts or (),
            row.not_adepts or (),
        )
        if not self._take_findings(row, check_participant(context, facts)):
            return None
        preferred = context.wished_keys(facts) if row.preferred_mentors else []
        parts, live_pairs = stored
        existing = parts.get(id_of(person)) if person is not None else None
        self._consents.field(row, at.key, existing, changed_fields)
        self._wishes.field(row, at.key, existing, facts, context, changed_fields)
        if existing is None:
            new_parts.append((row, at.key, tuple(preferred), at.agency_id, shown.unit, shown.title))
            return True
        if not self._update_participant(
            row, cohort, existing, preferred, live_pairs, changed_fields
        ):
            return None
        return False

    def _context(self, cohort: Cohort, people: dict[str, Person]) -> ParticipantContext:
        """The participant intake's context: the cohort's mentors and this file's."""
        rows = self.data.participants
        known = [
            people[key] for key in map(email_cell_key, (r.email for r in rows)) if key in people
        ]
        context = ParticipantContext.for_cohort(
            db=self.db, cohort=cohort, person_ids=[id_of(p) for p in known]
        )
        on_file: dict[Role, dict[str, MentorRef]] = {Role.MENTOR: {}, Role.ADEPT: {}}
        for r in rows:
            file_agency = self.agency(r.agency)
            on_file[r.role][email_cell_key(r.email)] = MentorRef(
                r.name, r.email, file_agency.code if file_agency else ""
            )
        context.add_mentors(on_file[Role.MENTOR])
        context.add_mentors(on_file[Role.ADEPT], Role.ADEPT)
        return context

    def _take_findings(self, row: ParticipantRow, findings: list[Finding]) -> bool:
        """Record a row's problems (False: the row is refused) or its warnings (True)."""
        if findings and findings[0].is_problem:
            for finding in findings:
                if finding.is_problem:
                    self.problem(SheetKey.PARTICIPANTS, row.row, finding.column, finding.text)
            return False
        if findings:
            where = self.data.where(SheetKey.PARTICIPANTS, row.row)
            self.summary.warnings.extend(f"{where}: {finding.text}" for finding in findings)
        return True

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
            changed_fields.append(("Myndighet", old_code, agency.code))
        else:
            old_code = None
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
            # What the person is now reaches their open cohorts; closed years keep theirs.
            carried = registry.carry_to_open_cohorts(db=self.db, person=person).joining(
                self.cohort.name if self.cohort is not None else None
            )
            if old_code is not None:
                self.summary.warnings.append(
                    f"{self.data.where(SheetKey.PARTICIPANTS, row.row)}: {person.name} "
                    f"({person.email}) {carried.describe(old_code, agency.code)}."
                )
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
                    f"{row.name} mentors {plural(live, 'adept')} in cohort {cohort.name}; "
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
        new_parts: list[_NewPart],
    ) -> None:
        """Insert the new people, then the new participants, each in Core batches."""
        if new_people:
            rows, agency_ids, keys = zip(*new_people, strict=True)
            values = zip(*map(_person_values, rows), strict=True)  # a column per field
            person = dict(zip(_PERSON_FIELDS, values, strict=True))
            insert_many(self.db, Person, {**person, "agency_id": agency_ids, "email_key": keys})
        self.db.flush()
        if not new_parts or cohort is None:
            return
        rows, keys, preferred, agency_ids, units, titles = zip(*new_parts, strict=True)
        wanted = set(keys)
        ids: dict[str, int | None] = {  # the id column is typed optional
            key: person_id
            for key, person_id in self.db.connection().execute(
                sa_select(col(Person.email_key), col(Person.id))
            )
            if key in wanted
        }
        count = len(rows)
        insert_many(
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
                "agency_id": agency_ids,
                "unit": units,
                "title": titles,
            },
        )
        self.db.flush()
