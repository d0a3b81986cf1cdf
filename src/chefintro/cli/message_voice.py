"""``chefintro message nudge | survey-reminder | agency-digest``: the letters that make the
participants and agencies report to the programme (issue 33). Mounted on ``message``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli.common import YesOption
from chefintro.cli.message import (
    AgainOption,
    OutOption,
    Sending,
    SendOption,
    TemplateOption,
    _run,
    app,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from chefintro.messages.content import Outgoing
    from chefintro.models import Cohort

AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day the letters are for, YYYY-MM-DD (default: today).",
        metavar="YYYY-MM-DD",
    ),
]


def _day(as_of: str | None) -> date:
    from chefintro import clock
    from chefintro.cli.common import parse_date

    return parse_date(as_of) if as_of is not None else clock.today()


# Each command declares the options of message.Sending one by one, deliberately, as
# message.py's do: Typer reads a command's options from its own signature.
@app.command("nudge")
def nudge(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Write to every pair 'report pairs' flags: no first meeting yet, or gone quiet.

    One short Swedish letter per pair, worded for its status. Sent once per status period:
    a pair is nudged again only when its status changes (it met, then went quiet) or when
    followup.nudge_weeks have passed with the same status.

    Example: chefintro message nudge --as-of 2027-04-05
    Example: chefintro message nudge --send --yes
    """
    from chefintro.messages.content import NUDGE
    from chefintro.messages.voice import nudge_messages

    day = _day(as_of)
    _run(
        ctx,
        NUDGE,
        Sending(out, template, send, again, yes),
        gather=lambda db, cohort: nudge_messages(db=db, cohort=cohort, as_of=day),
    )


@app.command("survey-reminder")
def survey_reminder(
    ctx: typer.Context,
    survey: Annotated[str, typer.Argument(help="The survey (see 'survey list').")],
    link: Annotated[
        str | None,
        typer.Option(
            "--link",
            help="Where they answer (the Forms address); without it the letter asks them to "
            "reply for the form.",
            metavar="URL",
        ),
    ] = None,
    as_of: AsOfOption = None,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Remind those in the cohort who have not answered a survey: one letter per person.

    Never to someone whose answers are imported ('survey import'). Sent once per person
    and day.

    Example: chefintro message survey-reminder mid-2027 --link https://forms.office.com/r/Ab12
    """
    from chefintro.messages.content import SURVEY_REMINDER
    from chefintro.messages.voice import survey_reminder_messages
    from chefintro.surveys import get_survey

    day = _day(as_of)

    def gather(db: Session, cohort: Cohort) -> list[Outgoing]:
        found = get_survey(db=db, cohort=cohort, name=survey)
        return survey_reminder_messages(db=db, cohort=cohort, survey=found, link=link, as_of=day)

    _run(ctx, SURVEY_REMINDER, Sending(out, template, send, again, yes), gather=gather)


@app.command("agency-digest")
def agency_digest(
    ctx: typer.Context,
    as_of: AsOfOption = None,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Write one letter to each agency's HR contact about that agency's own people.

    Their people in the cohort, each pair's status (never what is said; the other side
    named by agency only), attendance at risk, how many answered each survey (only for
    agencies with at least survey.min_group people), and what the coordinator needs:
    missing roster fields, adepts still without a mentor. Sent once per agency and day.
    Contacts: 'agency edit CODE --contact EMAIL'.

    Example: chefintro message agency-digest --as-of 2027-05-03 --send --yes
    """
    from chefintro.cli import output
    from chefintro.messages import agency_records
    from chefintro.messages.content import AGENCY_DIGEST
    from chefintro.messages.digest import agency_digests

    day = _day(as_of)
    left_out: list[str] = []

    def gather(db: Session, cohort: Cohort) -> list[Outgoing]:
        digests = agency_digests(db=db, cohort=cohort, as_of=day)
        left_out.extend(digests.without_contact)
        return digests.items

    _run(
        ctx,
        AGENCY_DIGEST,
        Sending(out, template, send, again, yes),
        gather=gather,
        ledger=agency_records,
    )
    if left_out:
        output.warning(
            "No contact to write to for "
            + ", ".join(left_out)
            + "; set one with 'chefintro agency edit CODE --contact EMAIL'."
        )
