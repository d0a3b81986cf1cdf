"""``chefintro init`` and ``chefintro db``: where the store is and what state it is in."""

from __future__ import annotations

import typer

from chefintro.cli import output
from chefintro.cli.common import state

app = typer.Typer(help="Inspect and look after the store.", no_args_is_help=True)


def init(ctx: typer.Context) -> None:
    """Create or upgrade the store, and print where it is."""
    from chefintro.store import SCHEMA_VERSION, describe

    st = state(ctx)
    st.store()
    output.success(f"Store ready (schema {SCHEMA_VERSION}).")
    output.plain(describe(st.location))


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the store is (a file path, or the URL without its password)."""
    from chefintro.store import describe

    output.plain(describe(state(ctx).location))
