"""The roster loader's shared state and checks: located problems, the cohort, references.

:class:`Loader` holds what every sheet's loader needs: the session, the read roster, the
problems found so far (bounded like the reader's), the summary and the agencies by code
and name. The sheets themselves are loaded by :mod:`chefintro.roster.load.people`
(Myndigheter, Deltagare) and :mod:`chefintro.roster.load.programme` (Träffar, Par,
Närvaro, Möten); :func:`chefintro.roster.load.roster_import.import_roster` runs them in order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chefintro import cohorts
from chefintro.enums import Role
from chefintro.errors import ChefintroError, Problem
from chefintro.models import Agency, Cohort, Participant, Person
from chefintro.roster.columns import SheetKey
from chefintro.roster.load.changes import ImportSummary
from chefintro.roster.read.rows import PairRow, RosterData
from chefintro.roster.read.sheets import MAX_PROBLEMS
from chefintro.text import email_key

T = TypeVar("T")


class Loader:
    """What every sheet loader shares; a problem anywhere means the caller rolls back."""

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
        #: (title, start) of Träffar rows skipped as removed after the export.
        self.removed_sessions: set[tuple[str, datetime]] = set()
        #: Whether the cohort had participants before Deltagare loaded (None: not known);
        #: a cohort that had none cannot have anyone the file leaves out.
        self.had_participants: bool | None = None

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

    # -- references between sheets --------------------------------------------------------

    def exported(self) -> str:
        when = self.data.exported_at
        return f" (exported {when:%Y-%m-%d %H:%M})" if when is not None else ""

    def participants_known(self) -> dict[str, Role]:
        """E-mail key → role of everyone in the cohort or on this file's Deltagare sheet."""
        known: dict[str, Role] = {}
        cohort = self.cohort
        if cohort is not None:
            for key, role in self.db.execute(
                sa_select(col(Person.email_key), col(Participant.role))
                .join(Participant, col(Participant.person_id) == col(Person.id))
                .where(col(Participant.cohort_id) == cohort.id)
            ).all():
                known[key] = Role(role)
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
