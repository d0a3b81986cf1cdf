"""``chefintro pair propose | accept | decline``: the mentor's consent (issue 34). Mounted
on ``pair``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, state
from chefintro.cli.message import (
    AgainOption,
    OutOption,
    Sending,
    SendOption,
    TemplateOption,
    _run,
)
from chefintro.cli.pair import AdeptArg, app

if TYPE_CHECKING:
    from chefintro.pairing.consent import Awaiting

DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", help="The day the mentor answered, YYYY-MM-DD (default: today).",
        metavar="YYYY-MM-DD",
    ),
]  # fmt: skip


# The same options as the 'message' commands, one by one, deliberately: Typer reads a
# command's options from its own signature (see cli/message.py).
@app.command("propose")
def propose(
    ctx: typer.Context,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Ask each mentor whether they take their proposed adept: one Swedish letter each.

    Drafts (.eml) by default, --send through the SMTP server as the 'message' commands do
    (each letter goes once; --again sends it again). A letter drafted or sent records the
    proposal and its day, and locks the pair, so 'pair suggest' keeps it and 'pair apply'
    waits for the answer; 'report pairs' shows how long each has waited. Record the
    answers with 'pair accept' and 'pair decline'.

    Example: chefintro pair propose --out forslag/
    Example: chefintro pair propose --send --yes
    """
    from chefintro.messages import proposals
    from chefintro.messages.content import PROPOSAL

    before = _awaiting(ctx)
    _run(
        ctx,
        PROPOSAL,
        Sending(out, template, send, again, yes),
        gather=lambda db, cohort: proposals.proposal_messages(db=db, cohort=cohort),
        ledger=proposals,
    )
    new = [w for key, w in _awaiting(ctx).items() if key not in before]
    if new:
        output.success(
            "Proposed, awaiting the mentor's answer (locked until then): "
            + "; ".join(f"{w.adept_name}: no mentor → {w.mentor_name}?" for w in new)
            + "."
        )


def _awaiting(ctx: typer.Context) -> dict[tuple[str, str], Awaiting]:
    from chefintro.pairing.consent import awaiting

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        return {(w.adept, w.mentor): w for w in awaiting(db=db, cohort=cohort)}


@app.command("accept")
def accept(
    ctx: typer.Context, adept: AdeptArg, day: DateOption = None, as_json: JsonOption = False
) -> None:
    """Record that the mentor accepted the adept proposed to them: the pair becomes active.

    Refused, with nothing changed, for a pair never proposed ('pair propose'), one already
    answered, or a withdrawn adept. 'db undo' takes it back.

    Example: chefintro pair accept asa.oberg@csn.se --date 2027-01-20
    """
    _answer(ctx, adept, accepted=True, reason=None, day=day, as_json=as_json)


@app.command("decline")
def decline(
    ctx: typer.Context,
    adept: AdeptArg,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the mentor declined; kept with the answer.")
    ],
    day: DateOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record that the mentor declined the adept: the proposal goes, the adept is free.

    The mentor is never proposed for that adept again (an exclusion whose reason says they
    declined). Find the adept a new mentor with 'pair rematch --propose', which moves
    nobody else. 'db undo' takes it back.

    Example: chefintro pair decline asa.oberg@csn.se --reason "känner adepten privat"
    """
    _answer(ctx, adept, accepted=False, reason=reason, day=day, as_json=as_json)


def _answer(
    ctx: typer.Context,
    adept: str,
    *,
    accepted: bool,
    reason: str | None,
    day: str | None,
    as_json: bool,
) -> None:
    from chefintro.cli.common import parse_date
    from chefintro.pairing.consent import answer, decline_reason
    from chefintro.pairing.effects import live_pairs, pair_effects

    when = parse_date(day) if day is not None else None
    if reason is not None:
        decline_reason(reason)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        done = answer(db=db, cohort=cohort, adept=adept, accepted=accepted, reason=reason, day=when)
        effects = pair_effects(db=db, cohort=cohort, before=before)
    if as_json:
        output.emit_json(done.to_json())
        return
    output.success(done.describe())
    output.consequences(effects.lines())
