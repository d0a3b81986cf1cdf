"""Rows → store: validate a read roster against the store and write it in one transaction.

The whole import runs inside the caller's transaction; every problem found (reader's and
the store's) is collected, and any problem means the caller rolls back, so the store is
left exactly as it was. A dry run does the same work and always rolls back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro import cohorts, registry, rules
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.errors import ChefintroError, InvalidInputError, Problem
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Pairing, Participant, Person
from chefintro.registry import normalise_code
from chefintro.roster.columns import SHEETS, SheetKey
from chefintro.roster.rows import RosterData
from chefintro.text import email_key

T = TypeVar("T")

_PERSON_FIELDS = ("name", "email", "unit", "title", "field", "location", "manager_since")


@dataclass
class SheetCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def to_json(self) -> dict[str, int]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do), per sheet."""

    cohort: str | None
    sheets: dict[str, SheetCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def counts(self, key: SheetKey) -> SheetCounts:
        return self.sheets.setdefault(SHEETS[key].sv, SheetCounts())

    def to_json(self) -> dict[str, Any]:
        return {
            "cohort": self.cohort,
            "dry_run": self.dry_run,
            "sheets": {name: c.to_json() for name, c in self.sheets.items()},
            "warnings": self.warnings,
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

    # -- helpers ---------------------------------------------------------------------------

    def problem(self, key: SheetKey, row: int | None, column: str | None, message: str) -> None:
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
        counts = (
            self.summary.counts(SheetKey.AGENCIES) if self.data.has(SheetKey.AGENCIES) else None
        )
        for row in self.data.agencies:
            assert counts is not None
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
            if found is None:
                agency = Agency(code=code, name=row.name)
                self.db.add(agency)
                counts.added += 1
            elif found.name != row.name:
                agency = found
                agency.name = row.name
                self.db.add(agency)
                counts.updated += 1
            else:
                agency = found
                counts.unchanged += 1
            self.by_code[code] = agency
            self.by_name[row.name.casefold()] = agency
        self.db.flush()

    def load_participants(self) -> None:
        if not self.data.has(SheetKey.PARTICIPANTS):
            return
        counts = self.summary.counts(SheetKey.PARTICIPANTS)
        cohort = self.need_cohort(SheetKey.PARTICIPANTS) if self.data.participants else None
        people = {p.email_key: p for p in self.db.exec(select(Person)).all()}
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
        new_people: list[dict[str, Any]] = []
        pending_parts: list[tuple[str, dict[str, Any]]] = []
        outcome: dict[int, str] = {}
        file_mentors = {email_key(r.email) for r in self.data.participants if r.role == Role.MENTOR}
        cohort_mentors = {
            people_key
            for people_key, person in people.items()
            if person.id in parts and parts[int(person.id)].role == Role.MENTOR
        }
        unknown_preferences = 0
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
            person = people.get(key)
            state = "unchanged"
            if person is None:
                record = dict.fromkeys(_PERSON_FIELDS)
                record.update(values, email_key=key)
                new_people.append(record)
                state = "added"
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
                changed = False
                for name, value in values.items():
                    if getattr(person, name) != value:
                        setattr(person, name, value)
                        changed = True
                if changed:
                    self.db.add(person)
                    state = "updated"
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
                preferred = [email_key(e) for e in row.preferred_mentors]
                unknown_preferences += sum(
                    1 for p in preferred if p not in file_mentors and p not in cohort_mentors
                )
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
                    state = "added"
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
                    changed = False
                    for name, value in given.items():
                        current = getattr(existing, name)
                        if name == "preferred_mentors":
                            current = list(current or [])
                        if current != value:
                            setattr(existing, name, value)
                            changed = True
                    if changed:
                        self.db.add(existing)
                        state = "updated" if state == "unchanged" else state
            outcome[row.row] = state
        if unknown_preferences:
            self.summary.warnings.append(
                f"{unknown_preferences} wished mentor(s) in 'Önskade mentorer' are not mentors "
                "of the cohort; they are kept but play no part in matching until they are."
            )
        if self.problems:
            return
        if new_people:
            self.db.execute(insert(Person), new_people)
        self.db.flush()
        if pending_parts and cohort is not None:
            ids: dict[str, int] = dict(
                self.db.execute(
                    sa_select(col(Person.email_key), col(Person.id)).where(
                        col(Person.email_key).in_({k for k, _ in pending_parts})
                    )
                ).all()
            )
            self.db.execute(
                insert(Participant),
                [
                    {
                        "cohort_id": cohort.id,
                        "person_id": ids[k],
                        "status": ParticipantStatus.ACTIVE.value,
                        "continues": False,
                        **v,
                    }
                    for k, v in pending_parts
                ],
            )
            self.db.flush()
        for state in outcome.values():
            setattr(counts, state, getattr(counts, state) + 1)
        if cohort is not None and pending_parts:
            self._eligibility_warning(cohort)

    def _eligibility_warning(self, cohort: Cohort) -> None:
        short, unknown = cohorts.eligibility_counts(db=self.db, cohort=cohort)
        if short or unknown:
            self.summary.warnings.append(
                f"Eligibility: {short} participant(s) of cohort {cohort.name} have managed for "
                f"less than the programme asks, {unknown} have no manager-since date; see "
                "'chefintro participant list'."
            )

    def load_sessions(self) -> None:
        if not self.data.has(SheetKey.SESSIONS):
            return
        from chefintro.sessions import ProgrammeSessionData, upsert_session

        counts = self.summary.counts(SheetKey.SESSIONS)
        if not self.data.sessions:
            return
        cohort = self.need_cohort(SheetKey.SESSIONS)
        if cohort is None:
            return
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
            outcome = self.guarded(
                SheetKey.SESSIONS,
                row.row,
                "starts_at",
                partial(upsert_session, db=self.db, cohort=cohort, data=data),
            )
            if outcome is not None:
                setattr(counts, outcome, getattr(counts, outcome) + 1)

    def load_pairs(self) -> None:
        if not self.data.has(SheetKey.PAIRS):
            return
        from chefintro import pairing

        counts = self.summary.counts(SheetKey.PAIRS)
        if not self.data.pairs:
            return
        cohort = self.need_cohort(SheetKey.PAIRS)
        if cohort is None:
            return
        lock_column = "locked" in self.data.headers.get(SheetKey.PAIRS, {})
        current = {
            (email_key(p.adept), email_key(p.mentor)): p
            for p in pairing.list_pairs(db=self.db, cohort=cohort)
        }
        asked: list[tuple[int, bool]] = []  # (sheet row, whether the pair exists already)
        requests: list[pairing.PairRequest] = []
        for row in self.data.pairs:
            lock = row.locked if lock_column else True
            found = current.get((email_key(row.adept), email_key(row.mentor)))
            if found is not None and found.locked == lock:
                counts.unchanged += 1
                continue
            asked.append((row.row, found is not None))
            requests.append(pairing.PairRequest(row.adept, row.mentor, lock))
        if not requests:
            return
        # One call for every Par row: the pair rules of 'pair set', the problem built once.
        outcomes = pairing.set_pairs(db=self.db, cohort=cohort, requests=requests)
        for (number, existed), outcome in zip(asked, outcomes, strict=True):
            if isinstance(outcome, ChefintroError):
                self.problem(SheetKey.PAIRS, number, "mentor", outcome.message)
            elif existed:
                counts.updated += 1
            else:
                counts.added += 1

    def load_attendance(self) -> None:
        if not self.data.has(SheetKey.ATTENDANCE):
            return
        counts = self.summary.counts(SheetKey.ATTENDANCE)
        if not self.data.attendance:
            return
        from chefintro.attendance import record_attendance
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
            else:
                what = "no session" if not matches else "more than one session"
                self.problems.append(
                    Problem(
                        f"{what} of cohort {cohort.name} matches this column; write the "
                        "header as the export does: 'Titel (ÅÅÅÅ-MM-DD TT:MM)'",
                        sheet=self.data.sheets.get(SheetKey.ATTENDANCE),
                        row=1,
                        column=column.header,
                    )
                )
        for row in self.data.attendance:
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
                if result is not None:
                    counts.added += result.created
                    counts.updated += result.changed
                    counts.unchanged += result.unchanged

    def load_meetings(self) -> None:
        if not self.data.has(SheetKey.MEETINGS):
            return
        counts = self.summary.counts(SheetKey.MEETINGS)
        if not self.data.meetings:
            return
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
            setattr(counts, change.outcome, getattr(counts, change.outcome) + 1)
        self.db.flush()
        if early:
            self.summary.warnings.append(
                f"{early} meeting(s) on 'Möten' are dated before their pair was made active; "
                "they were taken anyway."
            )


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
    loader.summary.dry_run = dry_run
    if loader.problems:
        db.rollback()
        count = len(loader.problems)
        loader.problems.sort(key=lambda p: (p.sheet or "", p.row or 0))
        raise InvalidInputError(
            f"{data.path.name}: {count} problem{'s' if count != 1 else ''} found; "
            "nothing was imported.",
            loader.problems,
        )
    if dry_run:
        db.rollback()
    return loader.summary
