"""``chefintro agency``: the member organisations of the network."""

from __future__ import annotations

from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state

app = typer.Typer(help="Register and look after agencies.", no_args_is_help=True)

CodeArg = Annotated[str, typer.Argument(help="Agency code, e.g. CSN or LST-Y.")]


@app.command("add")
def add(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str, typer.Argument(help="Full name, e.g. 'Centrala studiestödsnämnden'.")],
) -> None:
    """Register an agency.

    Example: chefintro agency add CSN "Centrala studiestödsnämnden"
    """
    from chefintro import registry

    with state(ctx).transaction() as db:
        agency = registry.add_agency(db=db, code=code, name=name)
    output.success(f"Added agency {agency.code} ({agency.name}).")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List agencies with their number of registered people."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        rows = registry.list_agencies(db=db)
    if as_json:
        output.emit_json([r.to_json() for r in rows])
    else:
        output.table(
            ["Code", "Name", "People", "Contact"],
            [(r.code, r.name, r.people, r.contact) for r in rows],
        )


@app.command("show")
def show(ctx: typer.Context, code: CodeArg, as_json: JsonOption = False) -> None:
    """Show one agency and its people."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        agency = registry.get_agency(db=db, code=code)
        people = registry.list_people(db=db, agency=agency.code)
        info = {
            "code": agency.code,
            "name": agency.name,
            "contact": agency.contact,
            "people": [p.to_json() for p in people],
        }
    if as_json:
        output.emit_json(info)
        return
    output.record(
        [
            ("Code", agency.code),
            ("Name", agency.name),
            ("Contact", agency.contact),
            ("People", len(people)),
        ]
    )
    if people:
        output.table(
            ["Name", "E-mail", "Unit", "Title", "Field"],
            [(p.name, p.email, p.unit, p.title, p.field) for p in people],
        )


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str | None, typer.Option(help="New full name.")] = None,
    new_code: Annotated[str | None, typer.Option("--code", help="New code.")] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact",
            help="The HR contact's e-mail, copied by 'message intro --cc-agency' ('' clears).",
            metavar="EMAIL",
        ),
    ] = None,
) -> None:
    """Change an agency's name, code or HR contact e-mail.

    Example: chefintro agency edit LST --code LST-Y
    Example: chefintro agency edit CSN --contact hr@csn.se
    Example: chefintro agency edit BV --contact "HR <hr@bolagsverket.se>"
    """
    from chefintro import registry

    if name is None and new_code is None and contact is None:
        raise typer.BadParameter("Give --name, --code and/or --contact.")
    with state(ctx).transaction() as db:
        agency = registry.edit_agency(
            db=db, code=code, name=name, new_code=new_code, contact=contact
        )
    stored = ""
    if contact is not None:
        stored = f"; contact {agency.contact}" if agency.contact else "; no contact"
    output.success(f"Agency {agency.code}: {agency.name}{stored}.")


@app.command("remove")
def remove(
    ctx: typer.Context,
    code: CodeArg,
    force: Annotated[
        bool, typer.Option("--force", help="Also remove the agency's people and their history.")
    ] = False,
) -> None:
    """Remove an agency that has no registered people (or, with --force, with them)."""
    from chefintro import registry

    with state(ctx).transaction() as db:
        removed = registry.remove_agency(db=db, code=code, force=force)
    extra = f" and {removed} people" if removed else ""
    output.success(f"Removed agency {code.strip().upper()}{extra}.")
