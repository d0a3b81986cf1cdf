"""``chefintro settings``: eligibility months, matching weights, retention and mail."""

from __future__ import annotations

from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, state

app = typer.Typer(help="View and change settings.", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every setting with its value and default."""
    from chefintro import settings

    with state(ctx).transaction() as db:
        values = settings.all_values(db=db)
        texts = settings.text_values(db=db)
    if as_json:
        output.emit_json(
            [
                {"key": s.key, "value": v, "default": s.default, "description": s.help}
                for s, v, _ in values
            ]
            + [
                {"key": t.key, "value": v, "default": t.default, "description": t.help}
                for t, v, _ in texts
            ]
        )
        return
    output.table(
        ["Key", "Value", "Default", "Meaning"],
        [
            (s.key, str(v) + (" *" if changed else ""), str(s.default), s.help)
            for s, v, changed in values
        ]
        + [
            (t.key, (v or "") + (" *" if changed else ""), t.default or "", t.help)
            for t, v, changed in texts
        ],
        caption="* changed from the default",
    )


@app.command("set")
def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Setting key, e.g. weights.same_field.")],
    value: Annotated[
        str, typer.Argument(help="New value: a whole number, or text for the mail settings.")
    ],
) -> None:
    """Change a setting; an empty text value unsets a text setting.

    Example: chefintro settings set eligibility.mentor_months 24
    Example: chefintro settings set programme.coordinator "Karin Berg"
    """
    from chefintro import settings

    with state(ctx).transaction() as db:
        stored = settings.set_value(db=db, key=key, value=value)
    output.success(f"{key.strip().lower()} = {'' if stored is None else stored}")
