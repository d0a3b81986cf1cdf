"""What every command shares: the chosen store and cohort, option types, date parsing."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

E = TypeVar("E", bound=StrEnum)

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.models import Cohort
    from chefintro.store import Store
    from chefintro.texts import Lang


@dataclass
class AppState:
    """Global options, and the store opened on first use."""

    db: str | None = None
    cohort: str | None = None
    _store: Store | None = field(default=None, repr=False)
    # Whether opening a store that had to be created says so (init reports it itself).
    announce_created: bool = True
    #: The running command as the journal names it ("pair rematch --apply"); see state().
    command: str = "chefintro"

    @property
    def location(self) -> str:
        from chefintro.store import resolve_location

        return resolve_location(self.db)

    def store(self, *, create: bool = False) -> Store:
        """Open the store; only ``create`` (init, cohort setup, demo) may make a new one."""
        if self._store is None:
            from chefintro.store import open_store

            self._store = open_store(self.location, create=create)
            self._store.command = self.command
            resume_gc()
            upgraded = self._store.schema.upgraded_from
            if self._store.schema.created and self.announce_created:
                from chefintro.cli import output
                from chefintro.store import describe

                output.info(
                    f"Created a new, empty store at {describe(self.location)} (if you expected "
                    "your existing one, check --db or CHEFINTRO_DB)."
                )
            if upgraded is not None:
                from chefintro.cli import output

                backup = self._store.schema.backup
                where = f"; the old store was backed up to {backup}" if backup else ""
                output.info(
                    f"Upgraded the store from schema {upgraded} to {self._store.schema.version}"
                    f"{where}."
                )
                from chefintro.migrations import PARTICIPANT_AS_OF

                if upgraded < PARTICIPANT_AS_OF <= self._store.schema.version:
                    output.info(
                        "Each participant now keeps the agency, unit and title they had in "
                        "their cohort. Earlier cohorts got what each person holds today: moves "
                        "made before this upgrade were never recorded and cannot be recovered."
                    )
            self._finish_pending(self._store)
        return self._store

    @staticmethod
    def _finish_pending(store: Store) -> None:
        """Finish an erasure or anonymisation a kill interrupted, before anything else."""
        from chefintro.privacy.resume import finish_pending

        note = finish_pending(store)
        if note is not None:
            from chefintro.cli import output

            output.warning(note)

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Session]:
        """Yield a database session in one transaction on the store (the change boundary:
        it snapshots and journals what the services mark; ``commit=False`` for dry runs)."""
        with self.store().transaction(commit=commit) as db:
            yield db

    def current_cohort(self, db: Session) -> Cohort:
        from chefintro.cohorts import current_cohort

        return current_cohort(db=db, name=self.cohort)

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


_gc_paused = False


def pause_gc() -> None:
    """Pause the cyclic garbage collector while a command loads its libraries (see main)."""
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """Freeze what is loaded so far (never garbage) and resume the collector, if paused."""
    global _gc_paused
    if _gc_paused:
        gc.freeze()
        gc.enable()
        _gc_paused = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk import's work, then resume it.

    A year's import keeps hundreds of thousands of objects alive until it ends (rows,
    marks, meetings, the change list), and each full collection would walk them all
    again: a tenth of a 50,000-person year's CPU, and more the larger the year (issue
    32). The work makes no cycles to speak of; whatever it leaves is collected after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def state(ctx: typer.Context) -> AppState:
    """Return the AppState of the root command (naming the running command for the journal)."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    if ctx is not root:
        root.obj.command = command_name(ctx)
        if root.obj._store is not None:
            root.obj._store.command = root.obj.command
    return root.obj


#: Flags the journal leaves out of a command's name (they do not change what it does).
_QUIET_FLAGS = frozenset({"yes", "as_json", "json", "help"})


def command_name(ctx: typer.Context) -> str:
    """The command with the flags it was given, never an argument's value (which may be a
    name or an e-mail address): "pair rematch --apply"."""
    from typer.core import TyperOption

    words = [ctx.command_path.removeprefix(ctx.find_root().info_name or "").strip()]
    for param in ctx.command.params:
        if (
            isinstance(param, TyperOption)
            and param.is_flag
            and param.name not in _QUIET_FLAGS
            and ctx.params.get(param.name or "") is True
        ):
            words.append(param.opts[0])
    return " ".join(w for w in words if w)


def parse_date(value: str | date) -> date:
    """Parse an ISO date (YYYY-MM-DD) for an option."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD.") from None


def parse_datetime(value: str | datetime) -> datetime:
    """Parse a local date and time (YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM) for an option."""
    if isinstance(value, datetime):
        return value
    from chefintro.clock import parse_date_time

    parsed_text = parse_date_time(value)
    if parsed_text is not None:
        return parsed_text
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a time; use 'YYYY-MM-DD HH:MM' (9:00, 09.00 and 9.00 work too)."
        ) from None
    if parsed.tzinfo is not None:
        raise typer.BadParameter("Give Swedish wall-clock time without a time zone.")
    return parsed


def enum_choice(enum: type[E]) -> Callable[[str], E]:
    """Parse an enum option case-insensitively, with a plain message for a wrong value."""

    def parse(value: str | E) -> E:
        if isinstance(value, enum):
            return value
        text = str(value).strip().casefold()
        for member in enum:
            if member.value.casefold() == text:
                return member
        choices = ", ".join(m.value for m in enum)
        raise typer.BadParameter(f"{value!r} is not one of: {choices}.")

    return parse


def word_choice(words: dict[str, E], what: str, hint: str) -> Callable[[str], E]:
    """Parse an option given in Swedish or English words (the one table in chefintro.enums)."""
    from chefintro.enums import parse_word

    def parse(value: str | E) -> E:
        found = parse_word(words, str(value))
        if found is None:
            raise typer.BadParameter(f"{value!r} is not {what}; use {hint}.")
        return found

    return parse


def enum_metavar(enum: type[StrEnum]) -> str:
    """Show an enum option's values in help, e.g. <adept|mentor>."""
    return "<" + "|".join(m.value for m in enum) + ">"


def stdin_is_terminal() -> bool:
    """Whether someone can answer a question (tests replace this)."""
    import sys

    return sys.stdin.isatty()


def confirm(*, yes: bool, what: str, question: str, nothing: str = "Nothing was changed.") -> None:
    """Ask before a destructive step; without a terminal, insist on --yes (exit 1).

    ``what`` names the step for the refusal ("Withdrawing a participant"); ``question``
    is asked on a terminal ("Withdraw Åsa Öberg from cohort 2027?"). Declining exits 1
    with nothing changed; ``nothing`` says so ("Nothing was sent." for messages).
    """
    from chefintro.cli import output
    from chefintro.errors import EXIT_RULE

    if yes:
        return
    if not stdin_is_terminal():
        output.error(
            f"{what} needs a confirmation: run the command in a terminal, or add --yes. {nothing}"
        )
        raise typer.Exit(EXIT_RULE)
    if not typer.confirm(question, default=False, err=True):
        output.info(nothing)
        raise typer.Exit(EXIT_RULE)


JsonOption = Annotated[bool, typer.Option("--json", help="Write plain JSON to stdout.")]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of the table: sv or en (default: the setting report.lang, sv).",
        metavar="sv|en",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Judge as on this day, YYYY-MM-DD, at its end (default: now).",
        metavar="YYYY-MM-DD",
    ),
]


def table_lang(db: Session, option: str | None) -> Lang:
    """Return the language a report table is written in: ``--lang``, else ``report.lang``."""
    from chefintro.settings import REPORT_LANG, get_setting_text
    from chefintro.texts import parse_lang

    chosen = option if option is not None else get_setting_text(db=db, key=REPORT_LANG)
    try:
        return parse_lang(chosen)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None


def as_of_moment(option: str | None) -> datetime | None:
    """Return the last second of the ``--as-of`` day (Stockholm time), or None for now."""
    if option is None:
        return None
    return datetime.combine(parse_date(option), datetime.max.time()).replace(microsecond=0)


YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")
]


def report_purge(purge: str, overwritten: str, *, server_note: bool = True) -> None:
    """Say what became of removed personal data's bytes (an ``audit.Purge``), when they may
    not be gone from the store file yet; ``overwritten`` names them, e.g. "the erased rows
    are overwritten"."""
    from chefintro.cli import output

    if purge == "busy":
        output.warning(
            "Another chefintro had the store open, so the store file could not be compacted: "
            f"{overwritten}, but old copies stay in the write-ahead log until every "
            "chefintro using the store has finished."
        )
    elif purge == "server" and server_note:
        output.info(
            "On PostgreSQL, ask the database administrator to run VACUUM FULL so that the "
            "removed rows also leave the database files."
        )
