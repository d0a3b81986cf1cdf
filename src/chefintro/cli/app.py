"""The root command: global options, sub-apps, and turning errors into exit codes."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from chefintro.cli import output
from chefintro.cli.common import AppState
from chefintro.errors import EXIT_SOFTWARE, ChefintroError, InvalidInputError


class ChefintroGroup(TyperGroup):
    """Root group that turns expected failures into a message and the documented exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except ChefintroError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            output.error("Interrupted; nothing was changed by the unfinished step.")
            raise typer.Exit(130) from None
        except Exception as exc:
            from chefintro.store import translate_db_error

            translated = translate_db_error(exc)
            if translated is not None:
                report(translated)
                raise typer.Exit(translated.exit_code) from None
            if os.environ.get("CHEFINTRO_DEBUG"):
                raise
            output.error(
                f"chefintro hit an internal error ({type(exc).__name__}); nothing more was "
                "changed. Run the same command with CHEFINTRO_DEBUG=1 to see the traceback, "
                "and report it."
            )
            raise typer.Exit(EXIT_SOFTWARE) from None
        finally:
            if isinstance(ctx.obj, AppState):
                ctx.obj.close()


def report(exc: ChefintroError) -> None:
    if isinstance(exc, InvalidInputError) and exc.problems:
        from chefintro.errors import summarise_problems

        output.problems(exc.message, summarise_problems(exc.problems))
    else:
        output.error(exc.message)


app = typer.Typer(
    cls=ChefintroGroup,
    name="chefintro",
    help="Run a yearly cross-agency introduction and mentoring programme for new managers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(ctx: typer.Context, value: bool) -> None:
    """Print the version, the Python running chefintro and the store it would use; exit.

    The store is resolved as every command resolves it (``--db`` is eager, so it is known
    here whatever its place on the command line), but not opened or created.
    """
    if not value or ctx.resilient_parsing:
        return
    from chefintro import __version__
    from chefintro.location import describe, is_url, resolve_location

    location = resolve_location(ctx.params.get("db"))
    missing = not is_url(location) and not Path(location).expanduser().exists()
    output.plain(f"chefintro {__version__}")
    output.plain(f"Python {platform.python_version()} ({sys.executable})")
    output.plain(f"Store: {describe(location)}{' (not created yet)' if missing else ''}")
    raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store file or SQLAlchemy URL (default: $CHEFINTRO_DB, else the user data dir).",
            metavar="PATH_OR_URL",
            is_eager=True,  # so that --version reports this store wherever --db is given
        ),
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option("--cohort", help="Cohort to work on (default: the one set by 'cohort use')."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version, the Python version and the store path, and exit.",
            callback=_version,
        ),
    ] = False,
) -> None:
    """Run a yearly cross-agency introduction and mentoring programme for new managers."""
    from chefintro.files import protect_store
    from chefintro.location import is_url, resolve_location

    ctx.obj = AppState(db=db, cohort=cohort)
    # No output of any command may replace the store, even one that never opens it.
    location = resolve_location(db)
    protect_store(None if is_url(location) else Path(location))


def _mount() -> None:
    from chefintro.cli import (
        agency,
        cohort,
        db,
        demo,
        group,
        pair,
        participant,
        person,
        report,
        roster,
        session,
        settings,
        setup,
    )

    app.command("init")(db.init)
    app.add_typer(db.app, name="db")
    app.add_typer(settings.app, name="settings")
    app.add_typer(agency.app, name="agency")
    app.add_typer(person.app, name="person")
    cohort.app.command("setup")(setup.setup)
    app.add_typer(cohort.app, name="cohort")
    app.add_typer(participant.app, name="participant")
    app.add_typer(session.app, name="session")
    app.add_typer(group.app, name="group")
    app.add_typer(report.app, name="report")
    app.add_typer(pair.app, name="pair")
    app.add_typer(roster.app, name="roster")
    app.command("demo")(demo.demo)


_mount()


def main() -> None:
    """Entry point of the ``chefintro`` console script."""
    app(prog_name="chefintro")
