"""The yearly set-up: run a whole programme year from one plan file (TOML), idempotently.

A plan names the cohort, the roster files, the session calendar, whether to match and
apply, the peer groups and the files to write. Running the same plan again changes
nothing that is already as planned. All store changes happen in one transaction; the
files are written after it commits. A dry run does the same work and rolls it back.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chefintro.changes import Kind, mark_change
from chefintro.enums import KIND_HINT, KIND_WORDS, parse_word
from chefintro.errors import (
    InvalidInputError,
    OutputError,
    Problem,
    UnreadableInputError,
    UsageError,
)
from chefintro.schedule import LETTER_KEYS, PlannedLetter, read_letters
from chefintro.store import Store
from chefintro.words import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.models import Cohort
    from chefintro.roster.read.rows import RosterData

_KNOWN = {
    "cohort": {"name", "start", "end", "min_attendance", "excused_counts", "carry_over_from"},
    "roster": {"files"},
    "session": {"title", "start", "end", "kind", "location", "host"},
    "matching": {"suggest", "apply", "allow_repeat"},
    "groups": {"size", "include_mentors"},
    "outputs": {"workbook", "agencies", "calendar"},
    "letter": LETTER_KEYS,  # the year's letters (chefintro.schedule)
}


@dataclass
class PlannedSession:
    title: str
    start: datetime
    end: datetime
    kind: str | None = None
    location: str | None = None
    host: str | None = None


@dataclass
class Plan:
    """A validated plan; relative paths already resolved against the plan's folder.

    Output paths lie inside ``output_base`` (the plan's folder or ``--out DIR``).
    """

    path: Path
    name: str
    start: date
    end: date
    min_attendance: float = 0.8
    excused_counts: bool = True
    carry_over_from: str | None = None
    rosters: list[Path] = field(default_factory=list)
    sessions: list[PlannedSession] = field(default_factory=list)
    suggest: bool = False
    apply: bool = False
    allow_repeat: bool = False
    group_size: int | None = None
    include_mentors: bool = False
    workbook: Path | None = None
    agencies_dir: Path | None = None
    calendar: Path | None = None
    output_base: Path | None = None
    #: The year's letters and their days ([[letter]]; see chefintro.schedule).
    letters: list[PlannedLetter] = field(default_factory=list)
    #: What the intake said of the plan's own rows (its days), as "[session 2] start: …".
    warnings: list[str] = field(default_factory=list)


def read_plan(path: Path, *, out_dir: Path | None = None) -> Plan:
    """Read and validate a plan; every problem is reported at once (exit 65).

    A missing roster file alone is UnreadableInputError (66); with other problems it is
    listed among them.
    """
    raw = _load_toml(path)
    reader = _PlanReader(path, out_dir)
    reader.check_known_keys(raw)
    plan = reader.read_cohort(raw)
    reader.read_rosters(raw, plan)
    reader.read_sessions(raw, plan)
    reader.read_matching_and_groups(raw, plan)
    reader.read_outputs(raw, plan)
    plan.letters = read_letters(reader, raw)
    if reader.problems:
        for file in reader.missing:
            reader.bad("[roster] files", f"{file} does not exist")
        raise InvalidInputError(
            f"{path}: {plural(len(reader.problems), 'problem')} in the plan.", reader.problems
        )
    if reader.missing:
        names = ", ".join(str(file) for file in reader.missing)
        raise UnreadableInputError(f"{path}: roster file not found: {names}.")
    return plan


def _load_toml(path: Path) -> dict[str, Any]:
    """Parse the plan file; a file that cannot be read or parsed stops here (66 or 65)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UnreadableInputError(f"{path}: no such plan file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableInputError(f"{path}: cannot read the plan ({exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid TOML: {exc}.") from None
    except RecursionError:
        raise InvalidInputError(
            f"{path}: not a usable plan: its values are nested too deeply."
        ) from None


class _PlanReader:
    """Reads a parsed plan section by section, collecting problems instead of raising.

    The sections are read in the order the problems are listed; every section adds to
    the same ``problems`` and ``missing`` lists so that all are reported at once.
    """

    def __init__(self, path: Path, out_dir: Path | None) -> None:
        self.problems: list[Problem] = []
        self.missing: list[Path] = []
        self.base = path.parent
        self.outputs_base = out_dir or self.base
        self.path = path
        # The cohort's own values as read (None when missing or wrong), for the day checks.
        self.name: str | None = None
        self.start: date | None = None
        self.end: date | None = None

    def bad(self, where: str, message: str) -> None:
        self.problems.append(Problem(f"{where}: {message}", sheet=None))

    def check_known_keys(self, raw: dict[str, Any]) -> None:
        """Name every section and key the plan does not know (a typo must not be ignored)."""
        for section, value in raw.items():
            if section not in _KNOWN:
                self.bad(section, f"unknown section; the plan knows {', '.join(sorted(_KNOWN))}")
                continue
            entries = value if isinstance(value, list) else [value]
            for entry in entries:
                if not isinstance(entry, dict):
                    self.bad(section, "must be a table")
                    continue
                for key in entry:
                    if key not in _KNOWN[section]:
                        self.bad(
                            f"[{section}] {key}",
                            f"unknown key; allowed: {', '.join(sorted(_KNOWN[section]))}",
                        )

    def typed(
        self, section: str, table: dict[str, Any], key: str, kind: type, required: bool = False
    ) -> Any:
        """Return ``table[key]`` as ``kind``, or None after noting why it cannot be used."""
        from chefintro.text import control_problem

        if key not in table:
            if required:
                self.bad(f"[{section}] {key}", "is required")
            return None
        value = table[key]
        if kind is date and isinstance(value, datetime):
            value = value.date()
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is datetime and isinstance(value, date) and not isinstance(value, datetime):
            self.bad(f"[{section}] {key}", "give a date and time, e.g. 2027-01-26T09:00:00")
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.bad(f"[{section}] {key}", f"must be a {kind.__name__}, not {value!r}")
            return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            self.bad(f"[{section}] {key}", "give Swedish wall-clock time without a time zone")
            return None
        if isinstance(value, str) and (problem := control_problem(value)) is not None:
            self.bad(f"[{section}] {key}", problem)  # the text rule of every front door
            return None
        return value

    def read_cohort(self, raw: dict[str, Any]) -> Plan:
        """Start the plan from [cohort], checked by the cohort rules every door uses."""
        from chefintro.cohorts import cohort_dates_problem, min_attendance_problem

        cohort = raw.get("cohort")
        if not isinstance(cohort, dict):
            self.bad("[cohort]", "the plan needs a [cohort] table with name, start and end")
            cohort = {}
        name = self.name = self.typed("cohort", cohort, "name", str, True)
        start = self.start = self.typed("cohort", cohort, "start", date, True)
        end = self.end = self.typed("cohort", cohort, "end", date, True)
        plan = Plan(path=self.path, name=name or "", start=start or date.min, end=end or date.min)
        if start is not None and end is not None:
            if (problem := cohort_dates_problem(start, end)) is not None:
                self.bad("[cohort] end", problem)
        min_attendance = self.typed("cohort", cohort, "min_attendance", float)
        if min_attendance is not None:
            if (problem := min_attendance_problem(min_attendance)) is not None:
                self.bad("[cohort] min_attendance", problem)
            else:
                plan.min_attendance = min_attendance
        excused = self.typed("cohort", cohort, "excused_counts", bool)
        plan.excused_counts = True if excused is None else excused
        plan.carry_over_from = self.typed("cohort", cohort, "carry_over_from", str)
        return plan

    def read_rosters(self, raw: dict[str, Any], plan: Plan) -> None:
        """Resolve [roster] files against the plan's folder; missing ones are kept aside."""
        from chefintro.text import control_problem

        roster = raw.get("roster", {})
        if not isinstance(roster, dict):
            return
        files = self.typed("roster", roster, "files", list) or []
        for item in files:
            if not isinstance(item, str):
                self.bad("[roster] files", f"must list file names, not {item!r}")
                continue
            if (problem := control_problem(item)) is not None:
                self.bad("[roster] files", problem)
                continue
            file = (self.base / item).resolve()
            if not file.is_file():
                self.missing.append(file)
            plan.rosters.append(file)

    def read_sessions(self, raw: dict[str, Any], plan: Plan) -> None:
        """Read each [[session]]; a day joins the plan only when nothing is wrong with it."""
        sessions = raw.get("session", [])
        if not isinstance(sessions, list):
            self.bad("[session]", "write each session as its own [[session]] table")
        for index, entry in enumerate(sessions if isinstance(sessions, list) else [], start=1):
            if isinstance(entry, dict):
                self._read_session(f"session {index}", entry, plan)

    def _read_session(self, where: str, entry: dict[str, Any], plan: Plan) -> None:
        """Check one programme day with the same intake checks the command and roster run."""
        from chefintro.clock import local_time
        from chefintro.intake.sessions import SessionFacts, check_session

        title = self.typed(where, entry, "title", str, True)
        s_start = self.typed(where, entry, "start", datetime, True)
        s_end = self.typed(where, entry, "end", datetime, True)
        kind = self.typed(where, entry, "kind", str)
        location = self.typed(where, entry, "location", str)
        host = self.typed(where, entry, "host", str)
        times_ok = s_start is not None and s_end is not None
        for key, value in (("start", s_start), ("end", s_end)):
            if value is None:
                continue
            try:
                local_time(value)
            except UsageError as exc:
                self.bad(f"[{where}] {key}", exc.message)
                times_ok = False
        if times_ok:
            facts = SessionFacts(title or "", s_start, s_end, self.name, self.start, self.end)
            for finding in check_session(facts):
                key = {"ends_at": "end"}.get(finding.column or "", "start")
                if finding.is_problem:
                    self.bad(f"[{where}] {key}", finding.text)
                    times_ok = False
                else:
                    plan.warnings.append(f"[{where}] {key}: {finding.text}")
        if kind is not None and parse_word(KIND_WORDS, kind) is None:
            self.bad(f"[{where}] kind", f"{kind!r} is not a session kind; use {KIND_HINT}")
        elif title and times_ok:
            plan.sessions.append(PlannedSession(title, s_start, s_end, kind, location, host))

    def read_matching_and_groups(self, raw: dict[str, Any], plan: Plan) -> None:
        """Read what the run does after the import: [matching] and [groups]."""
        from chefintro.rules import group_size_problem

        matching = raw.get("matching", {})
        if isinstance(matching, dict):
            plan.suggest = bool(self.typed("matching", matching, "suggest", bool))
            plan.apply = bool(self.typed("matching", matching, "apply", bool))
            plan.allow_repeat = bool(self.typed("matching", matching, "allow_repeat", bool))
            if plan.apply and not plan.suggest:
                self.bad("[matching] apply", "needs suggest = true")
        groups = raw.get("groups")
        if isinstance(groups, dict):
            size = self.typed("groups", groups, "size", int)
            if size is not None and (problem := group_size_problem(size)) is not None:
                self.bad("[groups] size", problem)
            plan.group_size = 6 if size is None else size
            plan.include_mentors = bool(self.typed("groups", groups, "include_mentors", bool))

    def read_outputs(self, raw: dict[str, Any], plan: Plan) -> None:
        """Place [outputs] inside the output folder; a path leading out of it is a problem."""
        outputs = raw.get("outputs", {})
        plan.output_base = self.outputs_base
        if not isinstance(outputs, dict):
            return
        for key in ("workbook", "agencies", "calendar"):
            value = self.typed("outputs", outputs, key, str)
            if not value:
                continue
            relative = Path(value)
            if relative.is_absolute() or ".." in relative.parts:
                self.bad(
                    f"[outputs] {key}",
                    f"{value!r} must be a path inside the output folder, without '..'; "
                    "outputs go beside the plan or to --out DIR",
                )
                continue
            target = self.outputs_base / relative
            setattr(plan, {"agencies": "agencies_dir"}.get(key, key), target)


def check_outputs(plan: Plan, *, create: bool) -> None:
    """Check that every output of ``plan`` can be written; OutputError (73) if not.

    With ``create`` the output folder (when missing) and the agencies folder are made;
    nothing else is. Without it (a dry run) nothing is made and what exists is checked.
    """
    from chefintro.files import check_destination

    base = plan.output_base or plan.path.parent
    files = [file for file in (plan.workbook, plan.calendar) if file is not None]
    if not files and plan.agencies_dir is None:
        return
    if create:
        _make_folder(base)
    elif not base.exists():
        if not base.parent.is_dir():
            raise OutputError(f"Cannot create the folder {base}: its parent does not exist.")
        return  # a dry run: the missing output folder would be made, and be empty
    if not base.is_dir():
        raise OutputError(f"Cannot write to {base}: it is not a folder.")
    for file in files:
        check_inside(plan, file)
        check_destination(file)
    if plan.agencies_dir is not None:
        check_inside(plan, plan.agencies_dir)
        if create:
            _make_folder(plan.agencies_dir)
            check_inside(plan, plan.agencies_dir)
        elif plan.agencies_dir.exists() and not plan.agencies_dir.is_dir():
            raise OutputError(f"Cannot write to {plan.agencies_dir}: it is not a folder.")
        elif not plan.agencies_dir.parent.is_dir():
            raise OutputError(
                f"Cannot create the folder {plan.agencies_dir}: its parent does not exist."
            )


def check_inside(plan: Plan, path: Path) -> None:
    """Raise OutputError (73) unless ``path``, links resolved, lies inside the output folder.

    A plan names its outputs relative to the output folder and without '..'; a folder
    link inside it must not carry an output elsewhere either.
    """
    base = (plan.output_base or plan.path.parent).resolve()
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise OutputError(f"Cannot write {path}: {exc}.") from None
    if resolved != base and not resolved.is_relative_to(base):
        raise OutputError(
            f"Cannot write {path}: through a link it leads to {resolved}, outside the "
            f"output folder {base}. Outputs go beside the plan or to --out DIR."
        )


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise OutputError(
            f"Cannot create the folder {folder}: its parent does not exist."
        ) from None
    except FileExistsError:
        raise OutputError(f"Cannot write to {folder}: it is not a folder.") from None
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {folder}: {exc.strerror or exc}.") from None
    if not folder.is_dir():
        raise OutputError(f"Cannot write to {folder}: it is not a folder.")


@dataclass
class StepResult:
    step: str
    detail: str


Progress = Callable[[str], None]


def step_count(plan: Plan, *, dry_run: bool = False) -> int:
    """Return how many times :func:`run_plan` reports progress for ``plan``."""
    steps = 2 * len(plan.rosters) + 1  # read and import each roster; the cohort
    steps += sum(bool(x) for x in (plan.sessions, plan.suggest, plan.group_size))
    if not dry_run:
        outputs = (plan.workbook, plan.agencies_dir, plan.calendar)
        steps += sum(x is not None for x in outputs)
    return steps


def run_plan(
    *,
    store: Store,
    plan: Plan,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: date | None = None,
) -> list[StepResult]:
    """Run a plan against the store; return what each step did.

    ``today`` (the demo's) is the day applied pairs are made active; default today.
    """
    from chefintro.roster.read.reader import read_roster

    note = progress or (lambda _step: None)
    results: list[StepResult] = []
    rosters = []
    for file in plan.rosters:
        note(f"Reading {file.name}")
        rosters.append(read_roster(file))
    # Outputs are checked before the transaction, so a bad destination commits nothing.
    check_outputs(plan, create=not dry_run)
    with store.transaction(commit=not dry_run) as db:  # the boundary rolls a dry run back
        mark_change(db, kind=Kind.BULK, what=f"plan for cohort {plan.name} set up")
        note("Cohort")
        cohort = _plan_cohort(db, plan, results)
        for data in rosters:
            note(f"Importing {data.path.name}")
            _import_roster(db, cohort, data, results)
        if plan.sessions:
            note("Calendar")
            _plan_days(db, cohort, plan, results)
        _match_and_group(db, cohort, plan, results, note, today)
        if dry_run:
            results.append(StepResult("dry run", "nothing was written"))
            return results
    results += write_outputs(store=store, plan=plan, progress=note)
    return results


def _plan_cohort(db: Session, plan: Plan, results: list[StepResult]) -> Cohort:
    """Create the plan's cohort, or find it with the plan's dates; choose it; carry over."""
    from chefintro import cohorts

    cohort = cohorts.find_cohort(db=db, name=plan.name)
    if cohort is None:
        cohort = cohorts.create_cohort(
            db=db,
            name=plan.name,
            starts_on=plan.start,
            ends_on=plan.end,
            min_attendance=plan.min_attendance,
            excused_counts=plan.excused_counts,
        )
        results.append(StepResult("cohort", f"created {cohort.name}"))
    else:
        if (cohort.starts_on, cohort.ends_on) != (plan.start, plan.end):
            raise InvalidInputError(
                f"{plan.path}: cohort {cohort.name} exists with the dates "
                f"{cohort.starts_on} – {cohort.ends_on}, the plan says "
                f"{plan.start} – {plan.end}; change the plan or the cohort."
            )
        results.append(StepResult("cohort", f"{cohort.name} exists"))
    cohorts.use_cohort(db=db, name=cohort.name)
    if plan.carry_over_from:
        source = cohorts.get_cohort(db=db, name=plan.carry_over_from)
        carried = cohorts.carry_over_mentors(db=db, source=source, target=cohort)
        results.append(StepResult("carry over", f"{plural(carried, 'mentor')} from {source.name}"))
    return cohort


def _import_roster(
    db: Session, cohort: Cohort, data: RosterData, results: list[StepResult]
) -> None:
    """One of the plan's rosters through the roster's own door (its intake, all or nothing)."""
    from chefintro.roster.load.roster_import import import_roster

    summary = import_roster(db=db, data=data, cohort_name=cohort.name)
    parts = ", ".join(
        f"{name} +{c.added} ~{c.updated} ={c.unchanged}" for name, c in summary.sheets.items()
    )
    results.append(StepResult("roster", f"{data.path.name}: {parts}"))
    results += [StepResult("warning", w) for w in [*data.warnings, *summary.warnings]]
    if summary.missing:  # issue 30: an agency's file is its full list
        results.append(StepResult("warning", summary.missing_text()))


def _plan_days(db: Session, cohort: Cohort, plan: Plan, results: list[StepResult]) -> None:
    """The plan's days: added or brought up to date; one moved after the plan is kept."""
    from chefintro.sessions import ProgrammeSessionData, moved_days, upsert_session

    outcomes: dict[str, int] = {}
    moved = moved_days(db=db, cohort=cohort, planned=[(p.title, p.start) for p in plan.sessions])
    for index, planned in enumerate(plan.sessions):
        if index in moved:
            day = moved[index]
            outcomes["moved"] = outcomes.get("moved", 0) + 1
            results.append(
                StepResult(
                    "warning",
                    f"{planned.title}: moved to {day.starts_at:%Y-%m-%d %H:%M} after the "
                    f"plan (which says {planned.start:%Y-%m-%d %H:%M}); kept as moved, "
                    "not added again. Change the plan to match.",
                )
            )
            continue
        kind = parse_word(KIND_WORDS, planned.kind) if planned.kind else None
        outcome = upsert_session(
            db=db,
            cohort=cohort,
            data=ProgrammeSessionData(
                title=planned.title,
                starts_at=planned.start,
                ends_at=planned.end,
                kind=kind,
                location=planned.location,
                host=planned.host,
            ),
        )
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    detail = ", ".join(f"{v} {k}" for k, v in sorted(outcomes.items()))
    results.append(StepResult("sessions", detail))
    results += [StepResult("warning", w) for w in plan.warnings]


def _match_and_group(
    db: Session,
    cohort: Cohort,
    plan: Plan,
    results: list[StepResult],
    note: Progress,
    today: date | None,
) -> None:
    """Suggest and apply pairs, and form peer groups, as the plan asks."""
    from chefintro import groups, pairing

    if plan.suggest:
        note("Matching")
        pairs = pairing.suggest(db=db, cohort=cohort, allow_repeat=plan.allow_repeat)
        results.append(StepResult("match", f"{plural(len(pairs), 'adept')} placed"))
    if plan.apply:
        applied = pairing.apply(db=db, cohort=cohort, today=today)
        results.append(StepResult("apply", f"{plural(applied, 'pair')} made active"))
    if not plan.group_size:
        return
    note("Peer groups")
    existing = groups.list_groups(db=db, cohort=cohort)
    if existing:
        # Groups people already know are not reshuffled by running the plan again.
        results.append(
            StepResult("groups", f"{plural(len(existing), 'group')} kept; 'group form' re-forms")
        )
        return
    formed = groups.form_groups(
        db=db, cohort=cohort, size=plan.group_size, include_mentors=plan.include_mentors
    )
    results.append(StepResult("groups", f"{plural(len(formed), 'group')} formed"))


def write_outputs(*, store: Store, plan: Plan, progress: Progress) -> list[StepResult]:
    """Write the plan's workbook, agency workbooks and calendar from the committed store."""
    from chefintro import cohorts
    from chefintro.ics import write_ics
    from chefintro.roster.write.collect import full_export, write_agency_workbooks
    from chefintro.roster.write.writer import write_workbook

    results = []
    for output in (plan.workbook, plan.agencies_dir, plan.calendar):
        if output is not None:
            check_inside(plan, output)  # again: a link may have appeared meanwhile
    with store.transaction() as db:
        cohort = cohorts.get_cohort(db=db, name=plan.name)
        if plan.workbook is not None:
            progress("Writing the roster workbook")
            write_workbook(plan.workbook, full_export(db=db, cohort=cohort))
            results.append(StepResult("workbook", str(plan.workbook)))
        if plan.agencies_dir is not None:
            progress("Writing the agency workbooks")
            written = write_agency_workbooks(db=db, cohort=cohort, directory=plan.agencies_dir)
            results.append(
                StepResult("agencies", f"{plural(len(written), 'workbook')} in {plan.agencies_dir}")
            )
        if plan.calendar is not None:
            progress("Writing the calendar")
            count = write_ics(db=db, cohort=cohort, path=plan.calendar)
            results.append(StepResult("calendar", f"{plural(count, 'session')} in {plan.calendar}"))
    return results
