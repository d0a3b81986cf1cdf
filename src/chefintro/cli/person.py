"""``chefintro person``: the people of the register, one row per human across years."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, parse_date, report_purge, state
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.registry import PersonData

app = typer.Typer(help="Register and look after people.", no_args_is_help=True)

EmailArg = Annotated[
    str,
    typer.Argument(
        help="The person's e-mail address, or their name if no one shares it.", metavar="PERSON"
    ),
]
UnitOpt = Annotated[str | None, typer.Option("--unit", help="Unit or department.")]
TitleOpt = Annotated[str | None, typer.Option("--title", help="Job title.")]
FieldOpt = Annotated[str | None, typer.Option("--field", help="Field of work, e.g. IT, HR.")]
LocationOpt = Annotated[str | None, typer.Option("--location", help="Town, e.g. Sundsvall.")]
SinceOpt = Annotated[
    date | None,
    typer.Option("--manager-since", parser=parse_date, metavar="YYYY-MM-DD", help="Manager since."),
]


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    email: Annotated[str, typer.Option("--email", help="E-mail address; the person's key.")],
    agency: Annotated[str, typer.Option("--agency", help="Agency code (or name).")],
    unit: UnitOpt = None,
    title: TitleOpt = None,
    field: FieldOpt = None,
    location: LocationOpt = None,
    manager_since: SinceOpt = None,
) -> None:
    """Register a person.

    Example: chefintro person add --name "Åsa Öberg" --email asa.oberg@csn.se --agency CSN
    """
    from chefintro import registry

    data = _person_data(name, email, agency, unit, title, field, location, manager_since)
    with state(ctx).transaction() as db:
        person = registry.add_person(db=db, data=data)
        namesakes = registry.namesakes(db=db, person=person)
        agency_code = registry.agency_of(db=db, person=person).code
    output.success(f"Added {person.name} <{person.email}>.")
    for other in namesakes:
        output.warning(
            f"{other.name} <{other.email}> of {agency_code} has the same name: if this is the "
            "same person, remove the new entry ('chefintro person remove EMAIL')."
        )


@app.command("list")
def list_(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option("--agency", help="Only this agency.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List people in Swedish alphabetical order."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        people = registry.list_people(db=db, agency=agency)
    if as_json:
        output.emit_json([p.to_json() for p in people])
        return
    output.table(
        ["Name", "E-mail", "Agency", "Unit", "Title", "Field", "Town", "Manager since"],
        [
            (p.name, p.email, p.agency, p.unit, p.title, p.field, p.location, p.manager_since)
            for p in people
        ],
    )


@app.command("find")
def find(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Part of a name or e-mail address.")],
    as_json: JsonOption = False,
) -> None:
    """List people whose name or e-mail contains TEXT (case and accents do not matter).

    Example: chefintro person find oberg
    """
    from chefintro import registry

    with state(ctx).transaction() as db:
        people = registry.search_people(db=db, text=text)
    if as_json:
        output.emit_json([p.to_json() for p in people])
        return
    if not people:
        output.info(f"No one's name or e-mail contains {text.strip()!r}.")
        return
    output.table(
        ["Name", "E-mail", "Agency", "Unit", "Title"],
        [(p.name, p.email, p.agency, p.unit, p.title) for p in people],
    )


@app.command("show")
def show(ctx: typer.Context, email: EmailArg, as_json: JsonOption = False) -> None:
    """Show one person."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        person = registry.get_person(db=db, email=email)
        info = registry.person_info(person, registry.agency_of(db=db, person=person))
    if as_json:
        output.emit_json(info.to_json())
        return
    output.record(
        [
            ("Name", info.name),
            ("E-mail", info.email),
            ("Agency", f"{info.agency} ({info.agency_name})"),
            ("Unit", info.unit),
            ("Title", info.title),
            ("Field", info.field),
            ("Town", info.location),
            ("Manager since", info.manager_since),
        ]
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    email: EmailArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    new_email: Annotated[str | None, typer.Option("--email", help="New e-mail address.")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="New agency code.")] = None,
    unit: UnitOpt = None,
    title: TitleOpt = None,
    field: FieldOpt = None,
    location: LocationOpt = None,
    manager_since: SinceOpt = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            "--clear", help="Empty a field: unit, title, field, location or manager_since."
        ),
    ] = None,
) -> None:
    """Change a person's details.

    Example: chefintro person edit asa.oberg@csn.se --title Enhetschef --clear unit
    """
    from chefintro import registry

    data = _person_data(name, new_email, agency, unit, title, field, location, manager_since)
    if all(v is None for v in vars(data).values()) and not clear:
        raise typer.BadParameter("Give at least one field to change.")
    with state(ctx).transaction() as db:
        person, moved = registry.edit_person(
            db=db, email=email, data=data, clear={c.strip().lower() for c in clear or []}
        )
    output.success(f"Updated {person.name} <{person.email}>.")
    if moved:
        output.info(f"{person.name} {moved}.")


@app.command("remove")
def remove(
    ctx: typer.Context,
    email: EmailArg,
    force: Annotated[
        bool,
        typer.Option("--force", help="Also remove their participations, pairs and attendance."),
    ] = False,
) -> None:
    """Remove a person who takes part in no cohort (or, with --force, with their history)."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        registry.remove_person(db=db, email=email, force=force)
    output.success(f"Removed {email.strip()}.")


@app.command("link")
def link(
    ctx: typer.Context,
    old: Annotated[
        str, typer.Argument(help="The old record (e-mail or unique name).", metavar="OLD")
    ],
    new: Annotated[
        str, typer.Argument(help="The record to keep (e-mail or unique name).", metavar="NEW")
    ],
    yes: YesOption = False,
) -> None:
    """Join two records of one person: OLD's years move onto NEW, and OLD is removed.

    For someone who came back with a new e-mail (another agency): afterwards the
    repeat-adept warning and the no-repeat rule see one person. Undo with 'db undo'.
    Example: chefintro person link per-erik.ater@csn.se per-erik.ater@forsakringskassan.se
    """
    from chefintro.linking import link_people

    st = state(ctx)
    confirm(
        yes=yes,
        what="Joining two records",
        question=f"Move every year of {old.strip()} onto {new.strip()} and remove {old.strip()}?",
    )
    with st.transaction() as db:
        linked = link_people(db=db, old=old, new=new)
    output.success(linked.describe())


class ExportFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"


@app.command("export")
def export(
    ctx: typer.Context,
    email: EmailArg,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format", help="json (default) or xlsx (needs --output).", case_sensitive=False
        ),
    ] = ExportFormat.JSON,
    output_file: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (readable only by you); JSON goes to stdout without it.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Export everything the store holds about one person (their right of access).

    Covers the person and agency, participations, pairs, attendance, peer groups, exclusions.

    Example: chefintro person export asa.oberg@csn.se --format xlsx --output asa-oberg.xlsx
    """
    from chefintro.privacy.export import export_person_to

    if fmt == ExportFormat.XLSX and output_file is None:
        raise typer.BadParameter("An xlsx export needs --output FILE.", param_hint="--format")
    with state(ctx).transaction() as db:
        data = export_person_to(db=db, email=email, fmt=fmt.value, path=output_file)
    if output_file is None:
        output.emit_json(data)
    else:
        output.success(f"Wrote everything on {data['person']['name']} to {output_file}.")


@app.command("erase")
def erase(
    ctx: typer.Context,
    email: EmailArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Erase without asking (for scripts).")
    ] = False,
) -> None:
    """Erase a person for good, with participations, pairs, attendance and exclusions.

    Asks first unless --yes. The store file keeps no trace; older backups still hold them.

    Example: chefintro person erase asa.oberg@csn.se
    """
    from chefintro.cli.common import confirm
    from chefintro.privacy import erasure

    st = state(ctx)
    with st.transaction() as db:
        preview = erasure.erasure_preview(db=db, email=email)
    if not yes:
        output.info(f"This erases {preview.name} <{preview.email}> with {preview.summary()}.")
    confirm(
        yes=yes,
        what="Erasing a person (it cannot be undone)",
        question="Erase for good? This cannot be undone",
    )
    erased, purge, scrubbed = erasure.erase(store=st.store(), email=preview.email)
    output.success(f"Erased {erased.name} <{erased.email}>: {erased.summary()}.")
    report_purge(purge, "the erased rows are overwritten")
    if scrubbed:
        output.info(f"They are erased from the {plural(scrubbed, 'undo snapshot')} as well.")


def _person_data(
    name: str | None,
    email: str | None,
    agency: str | None,
    unit: str | None,
    title: str | None,
    field: str | None,
    location: str | None,
    manager_since: date | None,
) -> PersonData:
    """Return a person's fields as given on the command line (None: not given)."""
    from chefintro.registry import PersonData

    return PersonData(
        name=name,
        email=email,
        agency=agency,
        unit=unit,
        title=title,
        field=field,
        location=location,
        manager_since=manager_since,
    )
