"""``chefintro report``: read-only summaries of the current cohort, the year's completion,
surveys and summary included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import (
    AsOfOption,
    JsonOption,
    LangOption,
    as_of_moment,
    state,
    table_lang,
)
from chefintro.texts import decimal, percent, text, word
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.pairing.consent import Awaiting
    from chefintro.surveys import Cell, SurveyReport
    from chefintro.texts import Lang

app = typer.Typer(
    help="Read-only summaries of the programme. Tables are in Swedish unless --lang en "
    "(or the setting report.lang) says English; --json is the same in both.",
    no_args_is_help=True,
)


def _who(lang: Lang) -> list[str]:
    """The first headers of a table of participants: name, e-mail, agency, role."""
    return [text(f"h.{key}", lang) for key in ("name", "email", "agency", "role")]


def _share(value: float | None, lang: Lang) -> str | None:
    return None if value is None else percent(value, lang)


@app.command("attendance")
def attendance(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show each participant's attendance so far against the cohort's minimum.

    Only sessions that have started count as held; a held session with nothing recorded
    counts as not attended. At risk: below the minimum so far. Cannot complete: even
    attending every remaining session would not reach the minimum. Only adepts complete
    the programme; mentors' attendance is shown without a standing.
    Example: chefintro report attendance --as-of 2027-12-09 --lang en
    """
    from chefintro.attendance import attendance_report

    moment = as_of_moment(as_of)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = attendance_report(db=db, cohort=cohort, now=moment)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(report.to_json())
        return
    headers = ["attended", "excused", "absent", "unrecorded", "rate", "status"]
    output.table(
        [*_who(language), *(text(f"h.{h}", language) for h in headers)],
        [
            (
                r.name,
                r.email,
                r.agency,
                word("role", r.role, language),
                f"{r.standing.attended}/{r.standing.held}",
                r.excused,
                r.absent,
                r.unrecorded or None,
                _share(r.standing.rate, language),
                word("standing", r.standing.status, language),
            )
            for r in report.rows
        ],
        title=text("t.attendance", language, cohort=report.cohort),
        caption=text(
            "c.attendance",
            language,
            held=report.sessions_held,
            total=report.sessions_total,
            required=report.required,
            share=percent(report.min_attendance, language),
            excused=text(
                "c.excused_counts" if report.excused_counts else "c.excused_not", language
            ),
        ),
        empty=text("e.participants", language),
    )
    at_risk = sum(1 for r in report.rows if r.standing.status == "at_risk")
    cannot = sum(1 for r in report.rows if r.standing.status == "cannot_complete")
    if at_risk or cannot:
        output.warning(f"{plural(at_risk, 'adept')} at risk, {cannot} cannot complete.")


@app.command("overview")
def overview(ctx: typer.Context, lang: LangOption = None, as_json: JsonOption = False) -> None:
    """Show the cohort per agency: adepts, mentors, who is placed, mentor places used.

    Placed: the adept has a proposed or active pair. Withdrawn participants are not
    counted. Also counts the sessions held and planned, and the peer groups.

    Example: chefintro --cohort 2026 report overview --json
    """
    from chefintro import reports

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = reports.overview(db=db, cohort=cohort)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(result.to_json())
        return
    totals = result.totals
    headers = ["agency", "adepts", "mentors", "placed", "unmatched", "mentor_places"]
    output.table(
        [text(f"h.{h}", language) for h in [*headers, "places_used"]],
        [
            (
                r.agency or text("h.total", language),
                r.adepts,
                r.mentors,
                r.placed,
                r.unmatched,
                r.mentor_places,
                r.mentor_places_used,
            )
            for r in [*result.agencies, totals]
        ],
        title=text("t.overview", language, cohort=result.cohort),
        caption=text(
            "c.overview",
            language,
            held=result.sessions_held,
            planned=result.sessions_planned,
            groups=result.groups,
        ),
    )
    if not result.agencies:
        output.info(
            f"Cohort {result.cohort} has no participants yet; add them with "
            "'chefintro participant add EMAIL --role adept|mentor'."
        )
    elif totals.unmatched:
        output.warning(
            f"{plural(totals.unmatched, 'adept')} without a mentor; see 'chefintro pair unmatched'."
        )


@app.command("agencies")
def agencies(ctx: typer.Context, lang: LangOption = None, as_json: JsonOption = False) -> None:
    """Show who mentors whom across agencies, and what each agency gives and takes.

    Rows are the adept's agency, columns the mentor's; a cell counts the live (proposed or
    active) pairs. Gives: an agency's mentors paired with other agencies' adepts. Takes:
    its adepts paired with other agencies' mentors. Balance: gives minus takes.
    """
    from chefintro import reports

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = reports.agency_matrix(db=db, cohort=cohort)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(result.to_json())
        return
    if not result.agencies:
        output.info(f"Cohort {result.cohort} has no participants yet.")
        return
    codes = result.agencies
    output.table(
        [text("h.matrix_corner", language), *codes, text("h.total", language)],
        [
            (
                adept,
                *("–" if adept == mentor else result.matrix[adept][mentor] for mentor in codes),
                sum(result.matrix[adept].values()),
            )
            for adept in codes
        ],
        title=text("t.agencies", language, cohort=result.cohort),
        caption=text("c.agencies", language),
    )
    output.table(
        [text(f"h.{h}", language) for h in ("agency", "gives", "takes", "balance")],
        [
            (b.agency, b.gives, b.takes, decimal(b.balance, language, places=0, signed=True))
            for b in result.balance
        ],
        title=text("t.give_take", language, cohort=result.cohort),
    )


@app.command("history")
def history(ctx: typer.Context, lang: LangOption = None, as_json: JsonOption = False) -> None:
    """Show year over year per agency: adepts, mentors and pairs in every cohort.

    Counts every cohort, oldest first, anonymised ones too; --cohort does not apply.
    Adepts and mentors who withdrew are not counted; pairs are active or ended ones and
    count for both agencies of the pair, while each cohort's total counts a pair once.
    """
    from chefintro import reports

    with state(ctx).transaction() as db:
        result = reports.history(db=db)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(result.to_json())
        return
    names = result.cohorts

    def cell(adepts: int, mentors: int, pairs: int) -> str:
        return f"{adepts} / {mentors} / {pairs}"

    rows = [
        (
            a.agency,
            *(cell(f.adepts, f.mentors, f.pairs) for f in (a.per_cohort[n] for n in names)),
            a.total_adepts,
            a.total_mentors,
            a.total_pairs,
        )
        for a in result.agencies
    ]
    totals = [result.totals[n] for n in names]
    rows.append(
        (
            text("h.total", language),
            *(cell(f.adepts, f.mentors, f.pairs) for f in totals),
            sum(f.adepts for f in totals),
            sum(f.mentors for f in totals),
            sum(f.pairs for f in totals),
        )
    )
    span = text(
        "t.history.one" if len(names) == 1 else "t.history.many",
        language,
        first=names[0],
        last=names[-1],
    )
    output.table(
        [
            text("h.agency", language),
            *names,
            *(text(f"h.{h}", language) for h in ("adepts", "mentors", "pairs")),
        ],
        rows,
        title=text("t.history", language, span=span),
        caption=text("c.history", language),
    )


@app.command("pairs")
def pairs(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Show the state on this day, YYYY-MM-DD (default: today).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show each active pair: since when, meetings, the last one, and whether to follow up.

    No first meeting: none within followup.first_meeting_weeks (default 6) of the pair's
    start. Quiet: no meeting for followup.quiet_weeks (default 8). Those come first,
    after the proposals still awaiting their mentor's answer ('pair propose'), with the
    days they have waited.

    Example: chefintro report pairs --as-of 2027-04-30
    """
    from chefintro import followup
    from chefintro.cli.common import parse_date
    from chefintro.pairing.consent import awaiting

    day = parse_date(as_of) if as_of is not None else None
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = followup.pair_statuses(db=db, cohort=cohort, as_of=day)
        waiting = awaiting(db=db, cohort=cohort, as_of=report.as_of)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json([w.to_json() for w in waiting] + report.to_json())
        return
    if not report.rows and not waiting:
        output.info(f"Cohort {report.cohort} has no active pairs on {report.as_of}.")
        return
    # The agreement column only once some pair has one: an empty column would squeeze the
    # names at 80 columns (the JSON always has agreed and agreed_on).
    agreements = any(r.agreed is not None for r in report.rows)
    headers = ["adept", "mentor", "since", "meetings", "minutes", "last_meeting"]
    headers += ["agreed", "status"] if agreements else ["status"]
    output.table(
        [text(f"h.{h}", language) for h in headers],
        _awaiting_rows(waiting, agreements, language)
        + [
            (
                f"{r.adept_name} ({r.adept_agency})",
                f"{r.mentor_name} ({r.mentor_agency})",
                r.since,
                r.meetings,
                r.minutes or None,
                r.last_meeting,
                *([_agreement(r.agreed, r.agreed_on, language)] if agreements else []),
                _pair_status(r.status, r.days_waiting, language),
            )
            for r in report.rows
        ],
        title=text("t.pairs", language, cohort=report.cohort, day=report.as_of),
        caption=text(
            "c.pairs", language, first=report.first_meeting_weeks, quiet=report.quiet_weeks
        ),
    )
    first = report.count("no_first_meeting")
    quiet = report.count("quiet")
    if waiting:
        output.warning(
            f"{plural(len(waiting), 'proposal')} {noun(len(waiting), 'awaits', 'await')} the "
            "mentor's answer; record it with 'pair accept' or 'pair decline'."
        )
    if first or quiet:
        output.warning(
            f"{plural(first, 'pair')} without a first meeting, {quiet} quiet; follow them up."
        )


def _agreement(agreed: bool | None, agreed_on: object, language: Lang) -> str | None:
    """'ja, 2027-02-15' / 'nej' in the report's language; None when nothing is recorded."""
    if agreed is None:
        return None
    said = text("flag.yes" if agreed else "flag.no", language)
    return f"{said}, {agreed_on}" if agreed_on else said


def _awaiting_rows(
    waiting: list[Awaiting], agreements: bool, language: Lang
) -> list[tuple[object, ...]]:
    """The proposals awaiting their mentor's answer, as rows of the pairs table."""
    from chefintro.pairing.consent import AWAITING

    blank = (None, None, None, *([None] if agreements else []))
    return [
        (
            f"{w.adept_name} ({w.adept_agency})",
            f"{w.mentor_name} ({w.mentor_agency})",
            w.proposed_on,
            *blank,
            _days(AWAITING, w.days, language),
        )
        for w in waiting
    ]


def _days(status: str, days: int, lang: Lang) -> str:
    """'väntar på mentorns svar, 5 dagar' in the report's language."""
    said = word("pair_status", status, lang)
    return (
        text("pair_status.day", lang, status=said)
        if days == 1
        else text("pair_status.days", lang, status=said, days=days)
    )


def _pair_status(status: str, days_waiting: int, lang: Lang) -> str:
    said = word("pair_status", status, lang)
    if status == "ok":
        return said
    return text("pair_status.weeks", lang, status=said, weeks=days_waiting // 7)


# --- the year's end: completion, surveys, the summary -----------------------------------


@app.command("completion")
def completion(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show which adepts completed the programme by the cohort's attendance rule.

    Completed: attended at least the cohort's minimum share of programme days (excused
    counts when the cohort says so). Not completed: all days are held, or the rest cannot
    make up for it; in progress: days remain. Withdrawn adepts are marked; mentors are
    listed as mentors and not judged.
    Example: chefintro report completion --as-of 2027-12-09
    """
    from chefintro import yearend

    moment = as_of_moment(as_of)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = yearend.completion_report(db=db, cohort=cohort, now=moment)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(report.to_json())
        return
    output.table(
        [*_who(language), text("h.attended", language), text("h.status", language)],
        [
            (
                r.name,
                r.email,
                r.agency,
                word("role", r.role, language),
                f"{r.attended}/{r.held}" if r.attended is not None else None,
                word("completion", r.status, language),
            )
            for r in [*report.adepts, *report.mentors]
        ],
        title=text("t.completion", language, cohort=report.cohort),
        caption=text(
            "c.completion",
            language,
            held=report.sessions_held,
            total=report.sessions_total,
            required=report.required,
            share=percent(report.min_attendance, language),
        ),
        empty=text("e.participants", language),
    )
    output.info(
        f"{report.count('completed')} of {plural(report.judged, 'adept')} completed; "
        f"{report.count('not_completed')} did not, {report.count('in_progress')} in progress, "
        f"{report.count('withdrawn')} withdrew."
    )


def _cell(cell: Cell | None, hidden: str, lang: Lang, *, signed: bool = False) -> str:
    if cell is None:
        return ""
    if cell.hidden:
        return hidden
    if cell.mean is None:
        return "–"
    return f"{decimal(cell.mean, lang, signed=signed)} (n = {cell.count})"


def _show_survey(report: SurveyReport, lang: Lang) -> None:
    hidden = text("survey.hidden", lang, min_group=report.min_group)
    names = [s.name for s in report.surveys]
    change = (
        text("h.change", lang, start=report.change_from, end=report.change_to)
        if report.change_from
        else None
    )
    rows = []
    for question in report.questions:
        if question.kind != "scale":
            continue
        for number, group in enumerate(question.groups):
            row = [question.text if number == 0 else ""]
            if report.by:
                row.append(group.group or "–")
            row += [_cell(group.cells.get(n), hidden, lang) for n in names]
            if change:
                row.append(_cell(group.change, hidden, lang, signed=True))
            rows.append(row)
    by = [text(f"h.by.{report.by}", lang)] if report.by else []
    headers = [text("h.question", lang), *by, *names]
    if change:
        headers.append(change)
    output.table(
        headers,
        rows,
        title=text("t.survey", lang, cohort=report.cohort),
        caption=text("c.survey", lang, min_group=report.min_group),
    )
    for question in report.questions:
        if question.kind != "text":
            continue
        output.plain("")
        output.plain(question.text)
        for group in question.groups:
            for name, texts in group.texts.items():
                where = f"{name}, {group.group}" if report.by else name
                if texts is None:
                    output.plain(f"  [{where}] {hidden}")
                    continue
                for answer in texts:
                    output.plain(f"  [{where}] {answer}")


@app.command("survey")
def survey(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Surveys to report (default: all of the cohort's).", metavar="NAME..."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Split by agency or role.", metavar="agency|role"),
    ] = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show each question's answers per survey: number and mean, and the change start → end.

    The change is measured for people who answered both the start and the end survey (or
    the first and last named). Groups with fewer answers than the survey.min_group setting
    (default 5) are hidden ("färre än 5 svar"; in JSON a null with "hidden": true), and so
    is the next smallest group where the hidden ones could otherwise be worked out. Free
    text is listed without names, and only for groups that are shown.
    Example: chefintro report survey start-2027 end-2027 --by agency
    """
    from chefintro import surveys

    choice = by.strip().casefold() if by else None
    if choice in ("myndighet",):
        choice = "agency"
    if choice in ("roll",):
        choice = "role"
    if choice not in (None, "agency", "role"):
        raise typer.BadParameter(f"{by!r} is not agency or role.", param_hint="--by")
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = surveys.survey_report(db=db, cohort=cohort, names=names or [], by=choice)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(report.to_json())
        return
    _show_survey(report, language)


@app.command("summary")
def summary(
    ctx: typer.Context,
    form: Annotated[
        str,
        typer.Option("--format", help="text (default) or md (Markdown).", metavar="text|md"),
    ] = "text",
    as_of: AsOfOption = None,
) -> None:
    """Write a Swedish paragraph and a small table about the year, for a status report.

    Adepts, mentors and agencies, pairs, withdrawals, attendance, completion, and the
    surveys' changes from start to end (hidden where fewer than survey.min_group answered).
    A document, so always Swedish. --as-of judges attendance and completion as on that
    day (a store played ahead, or a report written after the fact).
    Example: chefintro report summary --format md > arsrapport.md
    Example: chefintro report summary --as-of 2027-12-09
    """
    from chefintro import yearend

    moment = as_of_moment(as_of)
    chosen = form.strip().casefold()
    if chosen not in ("text", "md", "markdown"):
        raise typer.BadParameter(f"{form!r} is not text or md.", param_hint="--format")
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = yearend.summary(db=db, cohort=cohort, now=moment)
    output.plain(yearend.render_summary(result, markdown=chosen != "text").rstrip("\n"))
