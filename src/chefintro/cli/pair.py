"""``chefintro pair``: suggest, review, lock, exclude, explain and apply pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, state
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.pairing import BlockingPair, PairInfo

app = typer.Typer(help="Match adepts with mentors from other agencies.", no_args_is_help=True)

AdeptArg = Annotated[
    str, typer.Argument(help="The adept's e-mail address, or unique name.", metavar="ADEPT")
]
RepeatOpt = Annotated[
    bool,
    typer.Option("--allow-repeat", help="Allow pairs who were matched in an earlier cohort."),
]


def _show_pairs(pairs: list[PairInfo], title: str) -> None:
    output.table(
        ["Adept", "Agency", "Mentor", "Agency", "Score", "State", "Top reasons"],
        [
            (
                p.adept_name,
                p.adept_agency,
                p.mentor_name,
                p.mentor_agency,
                p.score,
                p.state + (" 🔒" if p.locked else "") + (" (manual)" if p.manual else ""),
                p.top_reasons(),
            )
            for p in pairs
        ],
        title=title,
    )


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    allow_repeat: RepeatOpt = False,
    stable: Annotated[
        bool,
        typer.Option(
            "--stable",
            help="Propose pairs with no blocking pair (an adept and a mentor who would both "
            "rather have each other) when that costs at most matching.stability_cost of "
            "the score; says what it cost.",
        ),
    ] = False,
    protect_first_wishes: Annotated[
        bool,
        typer.Option(
            "--protect-first-wishes",
            help="Grant every first wish that pairs within matching.stability_cost of the "
            "best score can grant.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Propose the best pairs for the cohort, keeping locked, manual and applied ones.

    Example: chefintro pair suggest --stable && chefintro pair apply
    """
    from chefintro import pairing

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = pairing.suggest_pairs(
            db=db,
            cohort=cohort,
            allow_repeat=allow_repeat,
            stable=stable,
            protect_first_wishes=protect_first_wishes,
        )
        unmatched = [] if as_json else pairing.unmatched(db=db, cohort=cohort)
    pairs = result.pairs
    left = [u for u in unmatched if u.role == "adept"]
    if as_json:
        if result.note is None:
            output.emit_json([p.to_json() for p in pairs])
        else:
            output.emit_json({"pairs": [p.to_json() for p in pairs], **result.note.to_json()})
        return
    _show_pairs(pairs, f"Suggested pairs, cohort {cohort.name}")
    output.info(f"{plural(len(pairs), 'adept')} placed, {len(left)} without a mentor.")
    for line in result.note.lines() if result.note else []:
        output.info(line)
    if left:
        output.warning("See 'chefintro pair unmatched' for who is left and why.")
    output.info("Review, then make them active with 'chefintro pair apply'.")


@app.command("stability")
def stability(
    ctx: typer.Context, allow_repeat: RepeatOpt = False, as_json: JsonOption = False
) -> None:
    """List the blocking pairs of the cohort's pairs: an adept and a mentor who would both
    rather have each other, each with why (one row per adept; --json: every pair).

    Both sides rank by the pair score: the adept's wished mentors and field count in it.
    A pair a hard rule forbids never blocks.

    Example: chefintro pair stability
    """
    from chefintro import pairing

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        report = pairing.stability(db=db, cohort=cohort, allow_repeat=allow_repeat)
    if as_json:
        output.emit_json(report.to_json())
        return
    if not report.pairs:
        output.info(f"Cohort {cohort.name} has no pairs yet; propose some with 'pair suggest'.")
        return
    if not report.blocking:
        output.success(
            f"No blocking pair among the {plural(report.pairs, 'pair')} of cohort {cohort.name}."
        )
        return
    # One row per adept: the mentor they like best among those who would take them.
    best: dict[str, BlockingPair] = {}
    others: dict[str, int] = {}
    for b in report.blocking:
        if b.adept not in best or b.score > best[b.adept].score:
            best[b.adept] = b
        others[b.adept] = others.get(b.adept, -1) + 1
    output.table(
        ["Adept", "Agency", "Mentor", "Agency", "The adept: score", "The mentor: score", "More"],
        [
            (
                b.adept_name,
                b.adept_agency,
                b.mentor_name,
                b.mentor_agency,
                b.adept_why,
                b.mentor_why,
                others[b.adept] or "",
            )
            for b in best.values()
        ],
        title=f"Blocking pairs, cohort {cohort.name} (each adept's best; More: other mentors)",
    )
    adepts = len({b.adept for b in report.blocking})
    output.warning(
        f"{plural(len(report.blocking), 'blocking pair')}, {plural(adepts, 'adept')} in them; "
        "'chefintro pair suggest --stable' proposes pairs without them where that costs little."
    )


@app.command("apply")
def apply(ctx: typer.Context) -> None:
    """Make the proposed pairs active."""
    from chefintro import pairing
    from chefintro.pairing.consent import awaiting
    from chefintro.pairing.effects import live_pairs, pair_effects

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        count = pairing.apply(db=db, cohort=cohort)
        effects = pair_effects(db=db, cohort=cohort, before=before, all_unpaired=True)
        waiting = awaiting(db=db, cohort=cohort)
    output.success(
        f"{plural(count, 'pair')} {noun(count, 'is', 'are')} now active in cohort {cohort.name}."
    )
    if waiting:
        output.info(
            f"{plural(len(waiting), 'proposal')} still {noun(len(waiting), 'awaits', 'await')} "
            "the mentor's answer and stay proposed ('pair accept' / 'pair decline')."
        )
    output.consequences(effects.lines())


@app.command("list")
def list_(
    ctx: typer.Context,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="Include ended pairs, with their end date and reason."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List the cohort's pairs (proposed and active; with --all the ended ones too).

    Example: chefintro pair list --all
    """
    from chefintro import pairing

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        pairs = pairing.list_pairs(db=db, cohort=cohort, live_only=not show_all)
    if as_json:
        output.emit_json([p.to_json() for p in pairs])
    elif show_all:
        output.table(
            ["Adept", "Agency", "Mentor", "Agency", "State", "Since", "Ended", "Reason"],
            [
                (
                    p.adept_name,
                    p.adept_agency,
                    p.mentor_name,
                    p.mentor_agency,
                    p.state + (" 🔒" if p.locked else ""),
                    p.since,
                    p.ended_on,
                    p.end_reason,
                )
                for p in pairs
            ],
            title=f"All pairs, cohort {cohort.name}",
        )
    else:
        _show_pairs(pairs, f"Pairs, cohort {cohort.name}")


@app.command("set")
def set_(
    ctx: typer.Context,
    adept: AdeptArg,
    mentor: Annotated[
        str, typer.Argument(help="The mentor's e-mail address, or unique name.", metavar="MENTOR")
    ],
    lock: Annotated[
        bool, typer.Option("--lock", help="Keep this pair when re-suggesting.")
    ] = False,
    allow_repeat: RepeatOpt = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace the adept's active or locked pair (an active one ends)."
        ),
    ] = False,
) -> None:
    """Pair an adept with a mentor by hand (refused if a hard rule forbids it).

    An active or locked pair of the adept is replaced only with --replace; setting the
    pair again keeps its lock. A mentor at capacity gives up their lowest-scoring
    suggested (unlocked) proposal.

    Example: chefintro pair set asa.oberg@csn.se orjan.sjostrom@bolagsverket.se --lock
    """
    from chefintro import pairing
    from chefintro.pairing.effects import live_pairs, pair_effects

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        result = pairing.set_pair(
            db=db,
            cohort=cohort,
            adept_email=adept,
            mentor_email=mentor,
            lock=lock,
            allow_repeat=allow_repeat,
            replace=replace,
        )
        effects = pair_effects(db=db, cohort=cohort, before=before)
    info = result.info
    locked = ", locked" if info.locked else ""
    output.success(
        f"{info.adept_name} ({info.adept_agency}) – {info.mentor_name} ({info.mentor_agency}), "
        f"score {info.score}{locked}."
    )
    if result.warning:
        output.warning(result.warning)
    output.consequences(effects.lines())


@app.command("remove")
def remove(ctx: typer.Context, adept: AdeptArg) -> None:
    """Remove an adept's pair (a proposal is deleted, an active pair ends).

    Give the adept, not the mentor.
    """
    from chefintro import pairing
    from chefintro.pairing.effects import live_pairs, pair_effects

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        outcome = pairing.remove_pair(db=db, cohort=cohort, adept_email=adept)
        effects = pair_effects(db=db, cohort=cohort, before=before)
    output.success(f"The pair of {adept.strip()} was {outcome}.")
    output.consequences(effects.lines())


@app.command("exclude")
def exclude(
    ctx: typer.Context,
    first: Annotated[
        str, typer.Argument(help="One person's e-mail or unique name.", metavar="PERSON")
    ],
    second: Annotated[
        str, typer.Argument(help="The other person's e-mail or unique name.", metavar="PERSON")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why they must not be paired.")],
) -> None:
    """Never pair these two people (e.g. a conflict of interest).

    Example: chefintro pair exclude a@csn.se b@spv.se --reason "former manager and report"
    """
    from chefintro import pairing
    from chefintro.cohorts import current_cohort_or_none
    from chefintro.pairing.effects import PairEffects, live_pairs, pair_effects

    st = state(ctx)
    with st.transaction() as db:
        cohort = current_cohort_or_none(db=db, name=st.cohort)
        before = live_pairs(db=db, cohort=cohort) if cohort is not None else {}
        undone = pairing.exclude(db=db, first=first, second=second, reason=reason)
        effects = (
            pair_effects(db=db, cohort=cohort, before=before)
            if cohort is not None
            else PairEffects()
        )
    output.success("Exclusion recorded.")
    if undone:
        output.warning(
            f"{plural(undone, 'existing pair')} between them {noun(undone, 'was', 'were')} undone."
        )
    output.consequences(effects.lines())


@app.command("explain")
def explain(
    ctx: typer.Context,
    email: Annotated[
        str,
        typer.Argument(
            help="An adept's or mentor's e-mail address, or unique name.", metavar="PERSON"
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Explain a pair's score and why other mentors were not chosen."""
    from chefintro import pairing

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = pairing.explain(db=db, cohort=cohort, email=email)
    if as_json:
        output.emit_json(result.to_json())
        return
    for p in result.pairs:
        label = f"{p.adept_name} ({p.adept_agency}) – {p.mentor_name} ({p.mentor_agency})"
        items = sorted(p.breakdown.items(), key=lambda kv: (-kv[1], kv[0]))
        output.table(
            ["Pair", "Criterion", "Points"],
            [(label if i == 0 else "", k.replace("_", " "), v) for i, (k, v) in enumerate(items)]
            + [("" if items else label, "total", p.score)],
            title=f"{p.state.capitalize()} pair" + (", locked" if p.locked else ""),
        )
    if result.alternatives:
        output.table(
            ["Mentor", "Agency", "Score", "Why not chosen"],
            [(a.mentor_name, a.mentor_agency, a.score, a.why_not) for a in result.alternatives],
            title="Next-best mentors",
        )
    if result.note:
        output.info(result.note)


@app.command("unmatched")
def unmatched(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List adepts without a mentor and mentors with free places, each with a reason."""
    from chefintro import pairing

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        rows = pairing.unmatched(db=db, cohort=cohort)
    if as_json:
        output.emit_json([r.to_json() for r in rows])
        return
    if not rows:
        output.success("Every adept has a mentor and every mentor is fully booked.")
        return
    output.table(
        [*output.WHO_HEADERS, "Free places", "Reason"],
        [
            (
                r.name,
                r.email,
                r.agency,
                r.role,
                r.free_slots if r.role == "mentor" else None,
                r.reason,
            )
            for r in rows
        ],
        title=f"Unmatched, cohort {cohort.name}",
    )


@app.command("meet")
def meet(
    ctx: typer.Context,
    adept: AdeptArg,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="The day they met, YYYY-MM-DD (default: today).", metavar="YYYY-MM-DD"
        ),
    ] = None,
    minutes: Annotated[
        int | None,
        typer.Option("--minutes", help="How long they met, in minutes.", min=1, max=600),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="visit (studiebesök): the adept visited the mentor's agency; meeting (möte).",
            metavar="meeting|visit",
        ),
    ] = None,
) -> None:
    """Log a meeting of the adept's active pair: the date and length only, never content.

    Logging the same day again changes only its length (and its kind, when given). Refused:
    a day in the future or outside the cohort's year. A day before the pair was made active
    is taken with a warning.

    Example: chefintro pair meet asa.oberg@csn.se --date 2027-02-15 --minutes 60
    Example: chefintro pair meet asa.oberg@csn.se --date 2027-03-10 --kind studiebesök
    """
    from chefintro import followup
    from chefintro.cli.common import parse_date
    from chefintro.intake.meetings import meeting_kind

    held_on = parse_date(day) if day is not None else None
    chosen = meeting_kind(kind) if kind is not None else None
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        logged = followup.log_meeting(
            db=db, cohort=cohort, adept=adept, day=held_on, minutes=minutes, kind=chosen
        )
    if logged.warning:
        output.warning(logged.warning)
    if logged.change.outcome == "unchanged":
        output.info(logged.describe())
    else:
        output.success(logged.describe())


@app.command("end")
def end(
    ctx: typer.Context,
    adept: AdeptArg,
    reason: Annotated[
        str, typer.Option("--reason", help="Why the pair ends; kept with the ended pair.")
    ],
    no_repeat: Annotated[
        bool,
        typer.Option("--no-repeat", help="Also never pair these two again (an exclusion)."),
    ] = False,
    yes: YesOption = False,
) -> None:
    """End the adept's active pair today; it stays in history with its reason.

    The mentor's place is free at once; place the adept with 'chefintro pair rematch'.
    Asks first unless --yes; 'chefintro db undo' takes it back.

    Example: chefintro pair end asa.oberg@csn.se --reason "mentor changed job" --no-repeat
    """
    from chefintro import followup

    followup.end_reason(reason)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        adept_person, mentor_person = followup.active_pair_people(db=db, cohort=cohort, adept=adept)
    confirm(
        yes=yes,
        what="Ending a pair",
        question=f"End the pair {adept_person.name} – {mentor_person.name} in cohort "
        f"{cohort.name}" + (" and never pair them again?" if no_repeat else "?"),
    )
    from chefintro.pairing.effects import live_pairs, pair_effects

    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        ended = followup.end_pair(
            db=db, cohort=cohort, adept=adept_person.email, reason=reason, no_repeat=no_repeat
        )
        effects = pair_effects(db=db, cohort=cohort, before=before)
    output.success(
        f"The pair {ended.adept_name} – {ended.mentor_name}: active → ended on "
        f"{ended.ended_on} ({ended.reason})."
    )
    if ended.excluded:
        output.info(f"{ended.adept_name} and {ended.mentor_name} will not be paired again.")
    output.consequences(effects.lines())


@app.command("rematch")
def rematch(
    ctx: typer.Context,
    apply: Annotated[
        bool, typer.Option("--apply", help="Make the proposed pairs active at once.")
    ] = False,
    propose: Annotated[
        bool,
        typer.Option(
            "--propose",
            help="Store the pairs as proposals for the mentors' consent ('pair propose' "
            "sends them).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Place the adepts without a live pair (late joiners, ended pairs, declined proposals);
    every other pair stays.

    Solves the same optimal matching as 'pair suggest', but only for the free adepts and
    the mentors' remaining places. Without --apply or --propose nothing is stored.

    Example: chefintro pair rematch && chefintro pair rematch --apply
    Example: chefintro pair rematch --propose && chefintro pair propose
    """
    from chefintro import followup

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        result = followup.rematch(db=db, cohort=cohort, apply=apply, propose=propose)
    if as_json:
        output.emit_json(result.to_json())
        return
    if not result.free_adepts:
        output.success(f"Every active adept of cohort {cohort.name} has a pair.")
        return
    if result.pairs:
        title = "New active pairs" if apply else "New proposals" if propose else "Proposed pairs"
        _show_pairs(result.pairs, f"{title}, cohort {cohort.name}")
    if result.unplaced:
        output.table(
            ["Name", "E-mail", "Agency", "Reason"],
            [(u.name, u.email, u.agency, u.reason) for u in result.unplaced],
            title="Not placed",
        )
    output.info(
        f"{plural(result.free_adepts, 'adept')} without a pair, "
        f"{plural(result.free_places, 'free mentor place')}: {len(result.pairs)} placed, "
        f"{len(result.unplaced)} not."
    )
    if (apply or propose) and result.pairs:
        output.success(
            "; ".join(
                f"{p.adept_name}: no mentor → {p.mentor_name}" + ("" if apply else " (proposed)")
                for p in result.pairs
            )
            + "."
        )
        if propose:
            output.info("Ask the mentors with 'chefintro pair propose'.")
    elif result.pairs:
        output.info("Nothing was stored; make them active with 'chefintro pair rematch --apply'.")
    if not result.pairs:
        output.warning(
            "Nobody could be placed; see the reasons above and 'chefintro pair unmatched'."
        )
