"""``chefintro network``: the network beyond the year (who's who, alumni), and the
``report ideas`` and ``report pipeline`` commands (mounted on ``report``)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

# The same options and words as cli/report.py, deliberately: these commands are mounted
# on 'report' and read as its other tables do (the imports are the same lines).
from chefintro.cli import output
from chefintro.cli.common import (
    AsOfOption,
    JsonOption,
    LangOption,
    as_of_moment,
    state,
    table_lang,
)
from chefintro.texts import percent, text, word
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.network.directory import Directory
    from chefintro.network.pipeline import Pipeline
    from chefintro.texts import Lang

app = typer.Typer(
    help="The network beyond the year: its who's who and alumni.", no_args_is_help=True
)


@app.command("directory")
def directory(
    ctx: typer.Context,
    xlsx: Annotated[
        Path | None,
        typer.Option("--xlsx", help="Write the directory as a Swedish workbook (.xlsx)."),
    ] = None,
    vcf: Annotated[
        Path | None, typer.Option("--vcf", help="Write the directory as vCard 4.0 contacts (.vcf).")
    ] = None,
    alumni: Annotated[
        bool,
        typer.Option("--alumni", help="Everyone across all cohorts, with their years and roles."),
    ] = False,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or write the cohort's who's who: name, agency, unit, title, e-mail, group, mentor.

    Only people who consented to be listed ('participant consent', the roster's Samtycke
    column) are in it; an adept's mentor is named only when the mentor consented too.
    Files are written privately (readable by you only).

    Example: chefintro network directory --xlsx katalog.xlsx --vcf katalog.vcf
    """
    from chefintro import clock, settings
    from chefintro.network.directory import alumni_directory, cohort_directory

    st = state(ctx)
    with st.transaction() as db:
        programme = settings.get_setting_text(db=db, key=settings.PROGRAMME_NAME)
        language = table_lang(db, lang)
        if alumni:
            found = alumni_directory(db=db)
        else:
            found = cohort_directory(db=db, cohort=st.current_cohort(db))
    what = "alumni" if alumni else f"cohort {found.cohort}"
    left_out = (
        f"; {plural(found.unlisted, 'person')} without consent to be listed left out"
        if found.unlisted
        else ""
    )
    if xlsx is not None:
        from chefintro.network.workbook import write_directory

        write_directory(xlsx, found, programme=programme, now=clock.now_local())
        output.success(f"Wrote the directory of {what} ({len(found.entries)} listed) to {xlsx}.")
    if vcf is not None:
        from chefintro.files import write_bytes
        from chefintro.network.vcard import vcards

        write_bytes(vcf, vcards(found, programme=programme))
        output.success(f"Wrote {plural(len(found.entries), 'contact')} of {what} to {vcf}.")
    if xlsx is not None or vcf is not None:
        from chefintro.network.directory import log_directory_export

        formats = [name for name, path in (("workbook", xlsx), ("vCard", vcf)) if path]
        with st.transaction() as db:
            log_directory_export(db=db, directory=found, formats=formats)
    if as_json:
        output.emit_json(found.to_json())
    elif xlsx is None and vcf is None:
        _show_directory(found, language)
    if found.unlisted:
        output.info(f"Directory of {what}: {len(found.entries)} listed{left_out}.")


def _roles(roles: tuple[tuple[str, str], ...], lang: Lang) -> str:
    """ "2027 adept, 2028 mentor" in the table's language."""
    return ", ".join(f"{cohort} {word('role', role, lang)}" for cohort, role in roles)


def _show_directory(found: Directory, lang: Lang) -> None:
    alumni = found.cohort is None
    headers = [text(f"h.{h}", lang) for h in ("name", "email", "agency", "unit", "job_title")]
    headers += (
        [text("h.years_roles", lang)]
        if alumni
        else [text(f"h.{h}", lang) for h in ("role", "group", "mentor")]
    )
    output.table(
        headers,
        [
            [e.name, e.email, e.agency, e.unit, e.title]
            + (
                [_roles(e.roles, lang)]
                if alumni
                else [word("role", e.roles[0][1], lang), e.group, e.mentor]
            )
            for e in found.entries
        ],
        title=text("t.alumni", lang) if alumni else text("t.directory", lang, cohort=found.cohort),
        caption=text("c.directory", lang, unlisted=found.unlisted) if found.unlisted else None,
        empty=text("e.directory", lang),
    )


def ideas(
    ctx: typer.Context,
    every: Annotated[
        bool, typer.Option("--all", help="Every cohort, not only the current one.")
    ] = False,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the ideas participants take home, per receiving agency, without names.

    From the end survey's question 'En idé jag tar med mig hem…', of participants who
    consented to be listed; an agency with fewer ideas than survey.min_group is hidden.
    Visits to the other agency ('pair meet --kind visit') are counted beside them.

    Example: chefintro report ideas --all
    Example: chefintro report ideas --lang en
    """
    from sqlmodel import col, select

    from chefintro.models import Cohort
    from chefintro.network.ideas import ideas_report

    st = state(ctx)
    with st.transaction() as db:
        if every:
            chosen = list(db.exec(select(Cohort).order_by(col(Cohort.starts_on))).all())
        else:
            chosen = [st.current_cohort(db)]
        report = ideas_report(db=db, cohorts=chosen)
        language = table_lang(db, lang)
    if as_json:
        output.emit_json(report.to_json())
        return
    hidden = text("ideas.hidden", language, min_group=report.min_group)
    names = report.cohorts
    span = text(
        "t.history.one" if len(names) == 1 else "t.history.many",
        language,
        first=names[0] if names else "",
        last=names[-1] if names else "",
    )
    output.table(
        [text(f"h.{h}", language) for h in ("agency", "visits", "ideas")],
        [
            (a.agency, a.visits, hidden if a.hidden else _idea_lines(a.ideas, language))
            for a in report.agencies
        ],
        title=text("t.ideas", language, span=span),
        caption=text("c.ideas", language, min_group=report.min_group),
        empty=text("e.ideas", language),
    )


def _idea_lines(ideas: list[str], lang: Lang) -> str | None:
    """One bullet per idea; an idea several wrote is one bullet with how many times."""
    if not ideas:
        return None
    counts = Counter(ideas)
    return "\n".join(
        "• " + (text("ideas.times", lang, idea=idea, count=n) if n > 1 else idea)
        for idea, n in counts.items()
    )


def pipeline(
    ctx: typer.Context,
    next_start: Annotated[
        str | None,
        typer.Option(
            "--next-start",
            help="The next cohort's first day (default: the next cohort's, else a year on).",
            metavar="YYYY-MM-DD",
        ),
    ] = None,
    as_of: AsOfOption = None,
    lang: LangOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show former adepts who can mentor next year, former mentors, and the follow-ups.

    Eligible: months as a manager at the next start reach eligibility.mentor_months (the
    rule 'participant add' uses). Follow-up surveys are due 12 and 24 months after a
    cohort ends (a follow-up survey whose name holds 12 or 24). Only people who consented
    to be listed are named.

    Example: chefintro report pipeline --next-start 2028-01-25
    Example: chefintro report pipeline --as-of 2028-12-07 --lang en
    """
    from chefintro import clock, settings
    from chefintro.cli.common import parse_date
    from chefintro.network.pipeline import pipeline as build

    start = parse_date(next_start) if next_start is not None else None
    moment = as_of_moment(as_of)
    today = moment.date() if moment is not None else clock.today()
    st = state(ctx)
    with st.transaction() as db:
        result = build(db=db, cohort=st.current_cohort(db), start=start, today=today)
        language = table_lang(db, lang)
        minimum = settings.get_int(db=db, key=settings.SURVEY_MIN_GROUP)
    if as_json:
        output.emit_json(result.to_json())
        return
    _show_pipeline(result, language, minimum)


def _show_pipeline(result: Pipeline, lang: Lang, minimum: int) -> None:
    headers = [text(f"h.{h}", lang) for h in ("name", "email", "agency", "years_roles")]
    headers.append(text("h.months_manager", lang))
    for found, title, empty in (
        (
            result.eligible,
            text("t.eligible", lang, day=result.next_start, months=result.mentor_months),
            text("e.eligible", lang),
        ),
        (result.mentors, text("t.mentors", lang), text("e.mentors", lang)),
    ):
        output.table(
            headers,
            [(m.name, m.email, m.agency, _roles(m.roles, lang), m.months) for m in found],
            title=title,
            caption=text("c.pipeline", lang),
            empty=empty,
        )
    hidden = text("survey.hidden", lang, min_group=minimum)
    output.table(
        [
            text(f"h.{h}", lang)
            for h in ("cohort", "months", "due", "status", "survey", "answers", "still_managers")
        ],
        [
            (
                f.cohort,
                f.months,
                f.due_on.isoformat(),
                word("follow_up", f.status(result.today), lang),
                f.survey,
                f.respondents if f.survey is not None else None,
                _still(f.still_managers, f.respondents, hidden, lang),
            )
            for f in result.follow_ups
        ],
        title=text("t.follow_ups", lang),
        caption=text("c.follow_ups", lang, min_group=minimum),
        empty=text("e.follow_ups", lang),
    )


def _still(count: int | None, respondents: int, hidden: str, lang: Lang) -> str | None:
    """'38 (93 %)' of those who answered; hidden below survey.min_group; blank unasked."""
    if not respondents:
        return None
    if count is None:
        return hidden
    return text("follow_up.share", lang, count=count, share=percent(count / respondents, lang))


def register_reports(report_app: typer.Typer) -> None:
    """Mount ``report ideas`` and ``report pipeline`` on the report sub-app."""
    report_app.command("ideas")(ideas)
    report_app.command("pipeline")(pipeline)
