"""``chefintro settings``: eligibility months, matching weights and retention."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state

app = typer.Typer(help="View and change settings.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every setting with its value and default."""
    from chefintro import settings

    with state(ctx).transaction() as db:
        values: list[tuple[Any, int | str, bool]] = [
            *settings.all_values(db=db),
            *settings.all_text_values(db=db),
        ]
    if as_json:
        output.emit_json(
            [
                {"key": s.key, "value": v, "default": s.default, "description": s.help}
                for s, v, _ in values
            ]
        )
        return
    output.table(
        ["Key", "Value", "Default", "Meaning"],
        [
            (s.key, str(v) + (" *" if changed else ""), str(s.default), s.help)
            for s, v, changed in values
        ],
        caption="* changed from the default",
    )


# "-5" is a value here, not an option: negative weights count against a criterion.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting key, e.g. weights.same_field.")],
    value: Annotated[
        str,
        typer.Argument(
            help="New value: a whole number (weights may be negative), or text (programme.*)."
        ),
    ],
) -> None:
    """Change a setting ('settings list' shows each one's meaning and default).

    Example: chefintro settings set eligibility.mentor_months 24
    Example: chefintro settings set programme.coordinator "Karin Wikström"
    Example: chefintro settings set weights.same_field -5
    """
    from chefintro import settings

    with state(ctx).transaction() as db:
        stored = settings.set_value(db=db, key=key, value=value)
    output.success(f"{key.strip().lower()} = {stored}")
