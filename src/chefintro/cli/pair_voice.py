"""``chefintro pair agree | history``: a pair's mentoring agreement and its own report
(issue 33). Mounted on ``pair``."""

from __future__ import annotations

from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state
from chefintro.cli.pair import AdeptArg, app
from chefintro.words import plural


@app.command("agree")
def agree(
    ctx: typer.Context,
    adept: AdeptArg,
    no: Annotated[
        bool, typer.Option("--no", help="They have not agreed (yet) how they work together.")
    ] = False,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="When it was agreed, YYYY-MM-DD (default: today).", metavar="YYYY-MM-DD"
        ),
    ] = None,
) -> None:
    """Record that the adept's active pair has agreed how they work together (or not).

    Shown in 'report pairs' and 'pair history'. A check-in can set it too. 'db undo'
    takes it back.

    Example: chefintro pair agree asa.oberg@csn.se --date 2027-02-15
    Example: chefintro pair agree asa.oberg@csn.se --no
    """
    from chefintro.cli.common import parse_date
    from chefintro.followup.agreement import agree as record

    when = parse_date(day) if day is not None else None
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        change = record(db=db, cohort=cohort, adept=adept, agreed=not no, day=when)
    if change.changed:
        output.success(change.describe())
    else:
        output.info(change.describe())


@app.command("history")
def history(ctx: typer.Context, adept: AdeptArg, as_json: JsonOption = False) -> None:
    """Show the adept's pairs: dates, meetings, agreement, nudges sent, check-in notes.

    The notes from check-ins are the pair's own: they are shown here and in no report.

    Example: chefintro pair history asa.oberg@csn.se
    """
    from chefintro.followup.history import pair_history

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        found = pair_history(db=db, cohort=cohort, adept=adept)
    if as_json:
        output.emit_json([h.to_json() for h in found])
        return
    if not found:
        output.info(f"{adept} has no active or ended pair in cohort {cohort.name}.")
        return
    for pair in found:
        agreement = (
            "—"
            if pair.agreed is None
            else ("yes" if pair.agreed else "no")
            + (f", {pair.agreed_on}" if pair.agreed_on else "")
            + f" ({pair.agreement_source})"
        )
        output.record(
            [
                ("Mentor", f"{pair.mentor_name} <{pair.mentor}>"),
                ("State", pair.state),
                ("Since", pair.since),
                ("Ended", f"{pair.ended_on} ({pair.end_reason})" if pair.ended_on else None),
                ("Meetings", plural(len(pair.meetings), "meeting")),
                ("Agreed", agreement),
            ],
            title=f"{pair.adept_name} – {pair.mentor_name}",
        )
        events = [("meeting", d, f"{m} min" if m else "") for d, m in pair.meetings]
        events += [
            ("nudge", sent, f"{status.replace('_', ' ')} since {began}")
            for status, began, sent in pair.nudges
        ]
        events += [("check-in note", d, text) for d, text in pair.notes]
        if events:
            output.table(
                ["What", "Date", "Detail"],
                sorted(events, key=lambda e: (e[1], e[0])),
                title=f"History of {pair.adept_name} – {pair.mentor_name}",
            )
