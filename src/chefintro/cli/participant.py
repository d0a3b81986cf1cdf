"""``chefintro participant``: who takes part in the current cohort, and in which role."""

from __future__ import annotations

from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, enum_choice, enum_metavar, state
from chefintro.enums import Role
from chefintro.words import plural

app = typer.Typer(help="Add, list and withdraw a cohort's participants.", no_args_is_help=True)

EmailArg = Annotated[
    str,
    typer.Argument(
        help="The person's e-mail address, or their name if no one shares it.", metavar="PERSON"
    ),
]


LocationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--wished-location",
        help="Mentor: a town they would like their adept from; repeat, best first.",
        metavar="TOWN",
    ),
]
WishAdeptOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--wish-adept",
        help="Mentor: an adept they would like (e-mail or unique name); repeat, best first.",
        metavar="ADEPT",
    ),
]
NotAdeptOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--not-adept",
        help="Mentor: an adept they should not mentor (e-mail or name; a reason in brackets, "
        "else 'jäv'), stored as an exclusion; repeat.",
        metavar="ADEPT",
    ),
]


@app.command("add")
def add(
    ctx: typer.Context,
    email: EmailArg,
    role: Annotated[
        Role,
        typer.Option(
            "--role", parser=enum_choice(Role), metavar=enum_metavar(Role), help="adept or mentor."
        ),
    ],
    capacity: Annotated[
        int | None, typer.Option("--capacity", help="How many adepts a mentor takes (default 1).")
    ] = None,
    wished_field: Annotated[
        str | None,
        typer.Option(
            "--wished-field",
            help="Adept: field they want a mentor from. Mentor: field they would like "
            "their adept from.",
        ),
    ] = None,
    prefer: Annotated[
        list[str] | None,
        typer.Option("--prefer", help="Adept: a wished mentor's e-mail; repeat, best first."),
    ] = None,
    location: LocationOpt = None,
    wish_adept: WishAdeptOpt = None,
    not_adept: NotAdeptOpt = None,
) -> None:
    """Add a registered person to the current cohort.

    Example: chefintro participant add asa.oberg@csn.se --role adept --wished-field IT
    Example: chefintro participant add orjan.berg@spv.se --role mentor --not-adept "Åsa Öberg"
    """
    from chefintro import cohorts

    st = state(ctx)
    data = cohorts.ParticipantData(
        email=email,
        role=role,
        capacity=capacity,
        wished_field=wished_field,
        preferred_mentors=list(prefer or []),
        wished_locations=list(location or []),
        wished_adepts=list(wish_adept or []),
        not_adepts=list(not_adept or []),
    )
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        _, info, warnings = cohorts.add_participant(db=db, cohort=cohort, data=data)
    output.success(f"Added {info.name} to cohort {cohort.name} as {info.role}.")
    for line in info.wish_changes:
        output.success(line)
    for warning in warnings:
        output.warning(warning)


@app.command("list")
def list_(
    ctx: typer.Context,
    role: Annotated[
        Role | None,
        typer.Option(
            "--role", parser=enum_choice(Role), metavar=enum_metavar(Role), help="Only this role."
        ),
    ] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Only this agency.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the current cohort's participants, warning about eligibility."""
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        rows = cohorts.list_participants(db=db, cohort=cohort, role=role, agency=agency)
    if as_json:
        output.emit_json([r.to_json() for r in rows])
        return
    output.table(
        [
            *output.WHO_HEADERS,
            "Status",
            "Field",
            "Months as manager",
            "Cap.",
            "Continues",
        ],
        [
            (
                r.name,
                r.email,
                r.agency,
                r.role,
                r.status,
                r.field,
                "?" if r.months_as_manager is None else max(r.months_as_manager, 0),
                r.capacity if r.role == Role.MENTOR else None,
                ("yes" if r.continues else "no") if r.role == Role.MENTOR else None,
            )
            for r in rows
        ],
        title=f"Cohort {cohort.name}",
        caption="Continues: the mentor agreed to take part next year ('participant continue').",
    )
    output.warnings(r.warning for r in rows if r.warning and r.status != "withdrawn")


@app.command("withdraw")
def withdraw(ctx: typer.Context, email: EmailArg, yes: YesOption = False) -> None:
    """Mark a participant as withdrawn; their pairs end.

    Asks first unless --yes; 'chefintro participant reinstate' takes it back.
    """
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        person = cohorts.get_participant_person(db=db, cohort=cohort, email=email)
    confirm(
        yes=yes,
        what="Withdrawing a participant",
        question=f"Withdraw {person.name} ({person.email}) from cohort {cohort.name}? "
        "Their pairs end",
    )
    from chefintro.pairing.effects import live_pairs, pair_effects

    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        part = cohorts.withdraw_participant(db=db, cohort=cohort, email=person.email)
        effects = pair_effects(db=db, cohort=cohort, before=before)
    ended = sum(1 for pair in before.items() if part.id in pair)
    pairs = f"; {plural(ended, 'pair')} ended" if ended else ""
    output.success(f"Withdrew {person.name} ({person.email}) from cohort {cohort.name}{pairs}.")
    output.consequences(effects.lines())


@app.command("reinstate")
def reinstate(ctx: typer.Context, email: EmailArg) -> None:
    """Take a withdrawn participant back; ended pairs stay ended (pair them again).

    Example: chefintro participant reinstate asa.oberg@csn.se
    """
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        person = cohorts.get_participant_person(db=db, cohort=cohort, email=email)
        cohorts.reinstate_participant(db=db, cohort=cohort, email=person.email)
    output.success(f"{person.name} ({person.email}) takes part in cohort {cohort.name} again.")


@app.command("continue")
def continue_(
    ctx: typer.Context,
    email: EmailArg,
    no: Annotated[
        bool, typer.Option("--no", help="Record that the mentor will not continue.")
    ] = False,
) -> None:
    """Record that a mentor agreed to continue next year (see cohort create --carry-over-from).

    Example: chefintro --cohort 2026 participant continue orjan.sjostrom@bolagsverket.se
    """
    from chefintro import cohorts

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        cohorts.set_continues(db=db, cohort=cohort, email=email, continues=not no)
    verb = "will not continue" if no else "continues next year"
    output.success(f"{email.strip()} {verb} (cohort {cohort.name}).")


@app.command("consent")
def consent(
    ctx: typer.Context,
    email: EmailArg,
    no: Annotated[
        bool,
        typer.Option("--no", help="Record that the person does not want to be listed."),
    ] = False,
) -> None:
    """Record a participant's consent to be listed in the network's directory, dated today.

    Nobody appears in 'network directory', its alumni list or 'report pipeline' without
    it. --no withdraws it.

    Example: chefintro participant consent asa.oberg@csn.se
    """
    from chefintro import clock
    from chefintro.network.consent import set_consent

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        answer = set_consent(db=db, cohort=cohort, email=email, listed=not no, today=clock.today())
    who = f"{answer.name} ({answer.email})"
    if answer.change is None:
        output.info(f"{who}: consent to be listed is already {'yes' if answer.listed else 'no'}.")
        return
    output.success(
        f"{who}, cohort {answer.cohort}: consent to be listed {answer.change.describe()} "
        f"(recorded {answer.change.recorded_on.isoformat()})."
    )


@app.command("wishes")
def wishes(
    ctx: typer.Context,
    email: EmailArg,
    location: LocationOpt = None,
    wish_adept: WishAdeptOpt = None,
    not_adept: NotAdeptOpt = None,
    clear: Annotated[
        bool,
        typer.Option("--clear", help="Remove the wished towns and adepts not given here."),
    ] = False,
) -> None:
    """Set a mentor's own wishes: towns and adepts they would like, adepts not to mentor.

    Each list given replaces the mentor's (the others stay, unless --clear). Adepts are
    found by e-mail or by a name one adept of the cohort has, as an adept's wished mentors
    are. An adept not to mentor becomes an exclusion ('jäv', or the reason in brackets);
    'pair exclude' is the same rule. Scored by weights.mentor_location and
    weights.mentor_wish, shown in 'pair explain'. 'db undo' takes it back.

    Example: chefintro participant wishes orjan.berg@spv.se --wish-adept "Åsa Öberg"
    Example: chefintro participant wishes karin.lund@spv.se --wished-location Umeå
    Example: chefintro participant wishes orjan.berg@spv.se --not-adept "bjorn.ek@csn.se (chef)"
    """
    from chefintro.mentor_wishes import set_mentor_wishes
    from chefintro.pairing.effects import live_pairs, pair_effects

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        before = live_pairs(db=db, cohort=cohort)
        change, warnings = set_mentor_wishes(
            db=db,
            cohort=cohort,
            email=email,
            locations=list(location) if location else ([] if clear else None),
            adepts=list(wish_adept) if wish_adept else ([] if clear else None),
            not_adepts=list(not_adept or []),
        )
        effects = pair_effects(db=db, cohort=cohort, before=before)
    for warning in warnings:
        output.warning(warning)
    if change.changes:
        output.success(change.describe())
    else:
        output.info(change.describe())
    if change.undone:
        output.warning(f"{plural(change.undone, 'pair')} with an adept not to mentor undone.")
    output.consequences(effects.lines())
