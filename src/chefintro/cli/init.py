"""``chefintro init``: create or upgrade the store, and say where it is."""

from __future__ import annotations

import typer

from chefintro.cli import output
from chefintro.cli.common import state


def init(ctx: typer.Context) -> None:
    """Create or upgrade the store, and print where it is."""
    from chefintro import __version__
    from chefintro.store import describe

    st = state(ctx)
    st.announce_created = False
    store = st.store(create=True)
    schema = store.schema
    if schema.upgraded_from is not None:
        pass  # opening the store has said so, with where the backup is
    elif schema.created:
        output.success(f"Created the store (schema {schema.version}, chefintro {__version__}).")
    else:
        output.success(f"Store ready (schema {schema.version}, chefintro {__version__}).")
    output.plain(describe(st.location))
