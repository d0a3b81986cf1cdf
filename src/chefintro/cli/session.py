"""``chefintro session``: the programme days of the current cohort, attendance, and the calendar."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import (
    JsonOption,
    LangOption,
    YesOption,
    confirm,
    parse_datetime,
    state,
    table_lang,
    word_choice,
)
from chefintro.enums import KIND_HINT, KIND_WORDS, AttendanceStatus, SessionKind
from chefintro.words import plural

app = typer.Typer(
    help="Plan programme days, record attendance and export the calendar.",
    no_args_is_help=True,
)

IdArg = Annotated[int, typer.Argument(help="Session id, as shown by 'chefintro session list'.")]

if TYPE_CHECKING:
    from chefintro.sessions import ProgrammeSessionData


KindOpt = Annotated[
    SessionKind | None,
    typer.Option(
        "--kind",
        parser=word_choice(KIND_WORDS, "a kind of programme day", KIND_HINT),
        metavar="KIND",
        help="Kind of day: uppstart, utbildning, föreläsning, nätverksträff or avslutning "
        "(kickoff, training, lecture, network, closing).",
    ),
]
TIME_METAVAR = "'YYYY-MM-DD HH:MM'"
LocationOpt = Annotated[
    str | None, typer.Option("--location", help="Where it takes place, e.g. 'CSN, Sundsvall'.")
]
HostOpt = Annotated[str | None, typer.Option("--host", help="Code of the hosting agency.")]


def _parse_end(value: str | None) -> datetime | time | None:
    """Parse --end: a full Stockholm time, or just a time of day (16:00, 16.00) on the
    start's day."""
    from chefintro.clock import parse_clock

    if value is None:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{1,2}[:.]\d{2}", text):
        clock = parse_clock(text)
        if clock is None:
            raise typer.BadParameter(f"{value!r} is not a time of day.")
        return clock
    return parse_datetime(text)


def _span(start: datetime, end: datetime) -> str:
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"


@app.command("add")
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Title, e.g. 'Kick-off'.")],
    start: Annotated[
        datetime,
        typer.Option(
            "--start", parser=parse_datetime, metavar=TIME_METAVAR, help="Start (Swedish time)."
        ),
    ],
    end: Annotated[
        str,
        typer.Option(
            "--end", metavar=TIME_METAVAR, help="End (Swedish time), or just HH:MM the same day."
        ),
    ],
    kind: KindOpt = None,
    location: LocationOpt = None,
    host: HostOpt = None,
) -> None:
    """Add a programme day to the current cohort (times are Europe/Stockholm).

    Example: chefintro session add Uppstart --start "2027-01-26 9.00" --end 16.00 --kind uppstart
    """
    from chefintro.sessions import add_session, date_warning

    data = _session_data(title, start, end, kind, location, host)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        row = add_session(db=db, cohort=cohort, data=data)
        warning = date_warning(cohort=cohort, row=row)
    output.success(
        f"Added session {row.id}: {row.title}, {_span(row.starts_at, row.ends_at)} "
        f"(cohort {cohort.name})."
    )
    if warning:
        output.warning(warning)


@app.command("list")
def list_(ctx: typer.Context, lang: LangOption = None, as_json: JsonOption = False) -> None:
    """List the current cohort's sessions in time order, with attendance counts.

    The table speaks Swedish (the roster's words: uppstart, utbildning …) unless --lang en
    or the setting report.lang says English; JSON keeps its machine words (kickoff …).
    """
    from chefintro.sessions import list_sessions
    from chefintro.texts import text, word

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        rows = list_sessions(db=db, cohort=cohort)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json([r.to_json() for r in rows])
        return
    headers = ["id", "when", "title", "kind", "location", "host", "present", "excused", "absent"]
    output.table(
        [text(f"h.{h}", language) for h in headers],
        [
            (
                r.id,
                _span(r.starts_at, r.ends_at),
                r.title,
                word("kind", r.kind, language),
                r.location,
                r.host,
                r.present,
                r.excused,
                r.absent,
            )
            for r in rows
        ],
        title=text("t.sessions", language, cohort=cohort.name),
        caption=text("c.sessions", language),
        empty=text("e.sessions", language),
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    session_id: IdArg,
    title: Annotated[str | None, typer.Option("--title", help="New title.")] = None,
    start: Annotated[
        datetime | None,
        typer.Option(
            "--start",
            parser=parse_datetime,
            metavar=TIME_METAVAR,
            help="New start; without --end the session keeps its length.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--end", metavar=TIME_METAVAR, help="New end, or just HH:MM the same day."),
    ] = None,
    kind: KindOpt = None,
    location: Annotated[
        str | None, typer.Option("--location", help="New location; '' clears it.")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="New hosting agency code; '' clears it.")
    ] = None,
) -> None:
    """Change a session; calendars that import the new file update the event.

    Example: chefintro session edit 3 --start "2027-03-11 09:00" --location "CSN, Sundsvall"
    """
    from chefintro.sessions import (
        date_warning,
        edit_session,
        get_programme_session,
    )

    data = _session_data(title, start, end, kind, location, host)
    if all(v is None for v in vars(data).values()):
        raise typer.BadParameter("Give at least one of --title, --start, --end, --kind, …")
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = get_programme_session(db=db, cohort=cohort, session_id=session_id).sequence
        row = edit_session(db=db, cohort=cohort, session_id=session_id, changes=data)
        warning = date_warning(cohort=cohort, row=row)
    if row.sequence == before:
        output.info(f"Session {row.id} already looks like that; nothing changed.")
    else:
        output.success(
            f"Updated session {row.id}: {row.title}, {_span(row.starts_at, row.ends_at)} "
            f"(calendar sequence {row.sequence}). Export the calendar again to share it."
        )
    if warning:
        output.warning(warning)


@app.command("remove")
def remove(
    ctx: typer.Context,
    session_id: IdArg,
    force: Annotated[
        bool, typer.Option("--force", help="Also remove the attendance recorded for it.")
    ] = False,
    yes: YesOption = False,
) -> None:
    """Cancel a programme day (one with recorded attendance only with --force).

    The day is kept as cancelled: the next 'session ics' tells calendars to remove it.
    With attendance recorded it asks first unless --yes.
    """
    from chefintro.sessions import attendance_count, remove_session

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        recorded = attendance_count(db=db, cohort=cohort, session_id=session_id)
    if recorded and force:
        confirm(
            yes=yes,
            what="Removing a session with attendance recorded",
            question=f"Remove session {session_id} and its "
            f"{plural(recorded, 'attendance record')}?",
        )
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        removed = remove_session(db=db, cohort=cohort, session_id=session_id, force=force)
    extra = f" and {plural(removed, 'attendance record')}" if removed else ""
    output.success(f"Removed session {session_id}{extra}.")
    output.info(
        "It is kept as cancelled: export the calendar again ('chefintro session ics FILE') "
        "and share it, so that calendars remove the event."
    )


@app.command("attend")
def attend(
    ctx: typer.Context,
    session_id: IdArg,
    emails: Annotated[
        list[str],
        typer.Argument(
            help="The participants' e-mail addresses, or names no one else has.",
            metavar="PERSON...",
        ),
    ],
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="närvarande, frånvarande or anmält förhinder (present, absent, excused); "
            "none clears the mark.",
        ),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Clear the mark: no attendance status recorded.")
    ] = False,
) -> None:
    """Record an attendance status at a session for one or more participants.

    All or nothing: one unknown person and nothing is recorded.

    Example: chefintro session attend 3 asa.oberg@csn.se "Élise Nordén" --status närvarande
    """
    from chefintro.attendance import record_attendance
    from chefintro.enums import CLEAR_WORDS, STATUS_HINT, STATUS_WORDS, parse_word, word_key

    chosen: AttendanceStatus | None = None
    if clear or (status is not None and word_key(status) in CLEAR_WORDS):
        if status is not None and word_key(status) not in CLEAR_WORDS:
            raise typer.BadParameter("Give either --status or --clear.", param_hint="--clear")
    elif status is None:
        raise typer.BadParameter(
            "Give an attendance status (--status närvarande …) or --clear.",
            param_hint="--status",
        )
    else:
        chosen = parse_word(STATUS_WORDS, status)
        if chosen is None:
            raise typer.BadParameter(
                f"{status!r} is not an attendance status; use {STATUS_HINT}, or none.",
                param_hint="--status",
            )
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = record_attendance(
            db=db,
            cohort=cohort,
            session_id=session_id,
            emails=emails,
            status=chosen,
        )
    total = result.created + result.changed + result.unchanged
    if chosen is None:
        output.success(
            f"Cleared the attendance mark of {plural(result.changed, 'participant')} at "
            f"{result.title}" + (f" ({result.unchanged} had none)." if result.unchanged else ".")
        )
    else:
        output.success(
            f"Recorded {result.status} for {plural(total, 'participant')} at {result.title} "
            f"({result.created} new, {result.changed} changed)."
        )
    if result.warning:
        output.warning(result.warning)


@app.command("ics")
def ics(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The .ics file to write (replaced if it exists).", metavar="FILE")
    ],
) -> None:
    """Write the current cohort's sessions as an iCalendar (.ics) file.

    Importing a newer file again updates the events in Outlook, Google or Apple calendars.

    Example: chefintro session ics program-2027.ics
    """
    from chefintro.ics import write_ics

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        count = write_ics(db=db, cohort=cohort, path=file)
    output.success(f"Wrote {plural(count, 'session')} of cohort {cohort.name} to {file}.")


def _session_data(
    title: str | None,
    start: datetime | None,
    end: str | None,
    kind: SessionKind | None,
    location: str | None,
    host: str | None,
) -> ProgrammeSessionData:
    """Return a session's fields as given on the command line (None: not given)."""
    from chefintro.sessions import ProgrammeSessionData

    return ProgrammeSessionData(
        title=title,
        starts_at=start,
        ends_at=_parse_end(end),
        kind=kind,
        location=location,
        host=host,
    )
