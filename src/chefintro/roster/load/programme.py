"""Loads a roster's programme sheets: Träffar (sessions), Par, Närvaro and Möten.

Each row goes through the service that the matching command uses (``session add``/``edit``,
``pair set``, ``session attend``, ``pair meet``), so a roster obeys the same rules; every
row's outcome goes to the change report.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from chefintro.enums import AttendanceStatus, PairingState, Role
from chefintro.errors import ChefintroError, Problem
from chefintro.ids import id_of
from chefintro.intake.sessions import SessionFacts, check_session
from chefintro.models import Cohort, Participant, Person
from chefintro.roster.columns import SHEETS, SheetKey
from chefintro.roster.load.changes import Change, FieldChange, diff
from chefintro.roster.load.loader import Loader
from chefintro.text import email_key
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.models import ProgrammeSession
    from chefintro.roster.read.rows import ProgrammeSessionRow
    from chefintro.sessions import ProgrammeSessionData


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


#: A Närvaro row's change: its action and the fields it changes.
_Listed = tuple[str, tuple[FieldChange, ...]]


def _listed_marks(
    fields: tuple[tuple[str, str | None, str], ...], seen: dict[Any, _Listed]
) -> _Listed:
    """A Närvaro row's action and changed fields from its (header, old label, new label)s.

    The rows of a year share a few hundred of these (a few words in a few columns): each
    is worked out once, and the rows share its (immutable) field changes.
    """
    found = seen.get(fields)
    if found is not None:
        return found
    changed = diff(list(fields))
    if not changed:
        action = "unchanged"
    elif all(f.old is None for f in changed):
        action = "added"
    else:
        action = "changed"
    if len(seen) < _LISTED_SIZE:
        seen[fields] = (action, changed)
    return action, changed


#: How many different Närvaro rows' changes are remembered (a store's earlier marks can
#: make every row differ; past this many they are worked out row by row).
_LISTED_SIZE = 10_000


class ProgrammeLoader(Loader):
    """Loads Träffar, Par, Närvaro and Möten (after the people they name)."""

    def load_sessions(self) -> None:
        if not self.data.has(SheetKey.SESSIONS):
            return
        from chefintro.models import ProgrammeSession

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
            self._load_session(row, cohort, stored, hosts)

    def _load_session(
        self,
        row: ProgrammeSessionRow,
        cohort: Cohort,
        stored: dict[int | None, ProgrammeSession],
        hosts: dict[Any, str],
    ) -> None:
        """One Träffar row through ``session add``/``edit``, then its line in the report."""
        from chefintro.sessions import ProgrammeSessionData

        sheet = SHEETS[SheetKey.SESSIONS].sv
        host = None
        if row.host:
            agency = self.agency(row.host)
            if agency is None:
                self.problem(SheetKey.SESSIONS, row.row, "host", f"unknown agency {row.host!r}")
                return
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
        planned = self._session_action(row, data, cohort, stored, hosts, subject)
        if planned is None:
            return
        found, before, action = planned
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
            return
        facts = SessionFacts(
            row.title, row.starts_at, row.ends_at, cohort.name, cohort.starts_on, cohort.ends_on
        )
        where = self.data.where(SheetKey.SESSIONS, row.row)
        self.summary.warnings.extend(f"{where}: {finding.text}" for finding in check_session(facts))
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
            fields = diff(
                [
                    (name, before[name], value)
                    for name, value in after.items()
                    if value is not None or name in ("Plats", "Värd")
                ]
            )
            change = Change(sheet, row.row, "changed" if fields else "unchanged", subject, fields)
        self.summary.record(SheetKey.SESSIONS, change)

    def _session_action(
        self,
        row: ProgrammeSessionRow,
        data: ProgrammeSessionData,
        cohort: Cohort,
        stored: dict[int | None, ProgrammeSession],
        hosts: dict[Any, str],
        subject: str,
    ) -> tuple[ProgrammeSession | None, dict[str, object] | None, Callable[[], object]] | None:
        """Decide whether a row edits its numbered day, or adds or updates one by title and start.

        Returns the stored day it matches, that day's values before, and the call to make;
        None when the row's numbered day was removed since the export (it is not recreated).
        """
        from chefintro.sessions import edit_session, upsert_session

        sheet = SHEETS[SheetKey.SESSIONS].sv
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
                self.summary.record(SheetKey.SESSIONS, Change(sheet, row.row, "skipped", subject))
                self.removed_sessions.add((row.title.casefold(), row.starts_at))
                return None
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
        return found, before, action

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
                fields = diff([("Låst", found.locked, lock)])
                asked.append(Change(sheet, row.row, "changed", subject, fields))
            elif other is not None:
                fields = diff([("Mentor", other.mentor, row.mentor)])
                asked.append(Change(sheet, row.row, "changed", subject, fields))
            else:
                asked.append(Change(sheet, row.row, "added", subject))
            requests.append(pairing.PairRequest(row.adept, row.mentor, lock, exact_lock=True))
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
        from chefintro.attendance import mark_refusal, members_by_key, record_marks
        from chefintro.roster.columns import STATUS_LABELS

        cohort = self.need_cohort(SheetKey.ATTENDANCE)
        if cohort is None:
            return
        column_to_session = self._attendance_columns(cohort)
        before = self._stored_marks(cohort)
        members = members_by_key(db=self.db, cohort=cohort)
        known: dict[str, Role] | None = None  # read when a row names someone not a member
        # Every mark of the sheet, the last one given for a day and person winning, as when
        # the rows were recorded one after the other ('session attend' for each cell).
        marks: dict[tuple[int, int], AttendanceStatus] = {}
        changes: list[Change] = []
        listed: dict[tuple[tuple[str, str | None, str], ...], _Listed] = {}
        for row in self.data.attendance:
            key = email_key(row.email)
            member = members.get(key)
            if member is None:
                known = self.participants_known() if known is None else known
                if key not in known:
                    self.problem(
                        SheetKey.ATTENDANCE,
                        row.row,
                        "email",
                        f"{row.email} is not a participant of cohort {cohort.name}",
                    )
                    continue
            refusal = mark_refusal(member, cohort) if member is not None else None
            fields: list[tuple[str, str | None, str]] = []
            for mark in row.marks:
                session = mark.session
                session_id = column_to_session.get(session.column)
                if session_id is None:
                    continue
                if refusal is not None:
                    self.problem(SheetKey.ATTENDANCE, row.row, "email", refusal.message)
                    continue
                if member is not None:
                    marks[(session_id, member.participant_id)] = mark.status
                elif not self._record_one(row.row, row.email, cohort, session_id, mark.status):
                    continue  # on Deltagare yet not in the cohort: the service says why
                fields.append(
                    (session.header, before.get((session_id, key)), STATUS_LABELS[mark.status])
                )
            if not row.marks:
                continue
            action, changed = _listed_marks(tuple(fields), listed)
            changes.append(Change(sheet, row.row, action, row.email, changed))
        self.summary.record_all(SheetKey.ATTENDANCE, changes)
        if marks and not self.problems:
            record_marks(db=self.db, cohort=cohort, marks=marks)

    def _record_one(
        self, row: int, email: str, cohort: Cohort, session_id: int, status: AttendanceStatus
    ) -> bool:
        """One mark through ``session attend``'s service; False when it refused."""
        from chefintro.attendance import record_attendance

        return None is not self.guarded(
            SheetKey.ATTENDANCE,
            row,
            "email",
            partial(
                record_attendance,
                db=self.db,
                cohort=cohort,
                session_id=session_id,
                emails=[email],
                status=status,
            ),
        )

    def _attendance_columns(self, cohort: Cohort) -> dict[int, int]:
        """Map each Närvaro column to the one programme day its header names.

        A header that names no day, or more than one, is a problem; one that names a day
        removed since the export is a warning, and its marks are left out.
        """
        from chefintro.sessions import list_sessions

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
        return column_to_session

    def _stored_marks(self, cohort: Cohort) -> dict[tuple[int, str], str | None]:
        """Every stored mark of the cohort, in one query, as its label in the change report
        (what the report compares a cell to), by (session id, e-mail key)."""
        from chefintro.models import Attendance
        from chefintro.roster.columns import STATUS_LABELS

        labels = {status.value: STATUS_LABELS.get(status) for status in AttendanceStatus}
        before: dict[tuple[int, str], str | None] = {}
        for sid, key, status in self.db.exec(
            select(Attendance.session_id, Person.email_key, Attendance.status)
            .join(Participant, col(Participant.id) == col(Attendance.participant_id))
            .join(Person, col(Person.id) == col(Participant.person_id))
            .where(col(Participant.cohort_id) == cohort.id)
        ).all():
            if status:
                before[(sid, key)] = labels[str(status)]
        return before

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
        days = followup.MeetingDays(cohort, today())
        early = 0
        added: dict[int | None, tuple[FieldChange, ...]] = {}  # "Minuter" of an added row
        changes: list[Change] = []
        for row in self.data.meetings:
            try:
                pairing = index.pairing_for(adept=row.adept, mentor=row.mentor, day=row.held_on)
            except ChefintroError as exc:
                column = "mentor" if row.mentor is not None else "adept"
                self.problem(SheetKey.MEETINGS, row.row, column, exc.message)
                continue
            try:
                warning = days.check(pairing, row.held_on)
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
                fields = diff([("Minuter", change.minutes_before, row.minutes)])
                changes.append(Change(sheet, row.row, "changed", who, fields))
            else:
                fields = ()
                if change.outcome == "added":
                    found = added.get(row.minutes)
                    if found is None:
                        found = added[row.minutes] = diff([("Minuter", None, row.minutes)])
                    fields = found
                changes.append(Change(sheet, row.row, change.outcome, who, fields))
        self.summary.record_all(SheetKey.MEETINGS, changes)
        index.meetings.write()
        if early:
            self.summary.warnings.append(
                f"{plural(early, 'meeting')} on 'Möten' {noun(early, 'is', 'are')} dated before "
                f"{noun(early, 'its', 'their')} pair was made active; "
                f"{noun(early, 'it was', 'they were')} taken anyway."
            )
