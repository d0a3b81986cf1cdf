"""``chefintro group``: the current cohort's small cross-agency peer groups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, state
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.groups import GroupInfo

app = typer.Typer(help="Form and list cross-agency peer groups.", no_args_is_help=True)


def _show(groups: Sequence[GroupInfo], cohort_name: str) -> None:
    rows = [
        (group.name, member.name, member.email, member.agency, member.role, member.field)
        for group in groups
        for member in group.members
    ]
    output.table(["Group", *output.WHO_HEADERS, "Field"], rows, title=f"Cohort {cohort_name}")


@app.command("form")
def form(
    ctx: typer.Context,
    size: Annotated[
        int, typer.Option("--size", help="Wished group size; the number of groups follows.")
    ] = 6,
    include_mentors: Annotated[
        bool,
        typer.Option(
            "--include-mentors", help="Place the mentors in groups too (default: adepts)."
        ),
    ] = False,
    yes: YesOption = False,
) -> None:
    """Form the current cohort's peer groups anew, mixing agencies and fields.

    Replaces the cohort's earlier groups (asking first unless --yes). Agencies are spread
    evenly; people who share a field, or were in one group in an earlier cohort, are kept
    apart where possible.

    Example: chefintro group form --size 5
    """
    from chefintro import groups as groups_service

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        existing = len(groups_service.list_groups(db=db, cohort=cohort))
    if existing:
        confirm(
            yes=yes,
            what="Forming groups anew (it replaces the existing groups)",
            question=f"Replace cohort {cohort.name}'s {plural(existing, 'peer group')}?",
        )
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        groups_service.form_groups(db=db, cohort=cohort, size=size, include_mentors=include_mentors)
        formed = groups_service.list_groups(db=db, cohort=cohort)
    _show(formed, cohort.name)
    sizes = [len(g.members) for g in formed]
    size_text = str(min(sizes)) if min(sizes) == max(sizes) else f"{min(sizes)}–{max(sizes)}"
    output.success(
        f"Formed {plural(len(formed), 'group')} of {size_text} from {sum(sizes)} "
        f"{'participants' if include_mentors else 'adepts'} in cohort {cohort.name}."
    )
    shared = sum(g.shared_field_pairs for g in formed)
    repeats = sum(g.repeat_pairs for g in formed)
    if shared or repeats:
        output.info(
            f"{plural(shared, 'pair')} in one group {noun(shared, 'shares', 'share')} a field; "
            f"{plural(repeats, 'pair')} {noun(repeats, 'was', 'were')} in one "
            "group in another cohort (the fewest found)."
        )


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the current cohort's peer groups and their members."""
    from chefintro import groups as groups_service

    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        formed = groups_service.list_groups(db=db, cohort=cohort)
    if as_json:
        output.emit_json([g.to_json() for g in formed])
        return
    if not formed:
        output.info(f"Cohort {cohort.name} has no peer groups yet; form them with 'group form'.")
        return
    _show(formed, cohort.name)
