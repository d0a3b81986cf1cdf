"""The root command: global options, sub-apps, and turning errors into exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from chefintro.cli import output
from chefintro.cli.common import AppState, pause_gc
from chefintro.errors import EXIT_SOFTWARE, ChefintroError, InvalidInputError


class LazyCommands(dict[str, Any]):
    """The root's commands, where each sub-app becomes a click group only when first looked up.

    Typer turns every command of every sub-app into a click command before it runs one;
    for the ~60 commands here that is a noticeable share of a read command's time
    (issue 16). Looking a sub-app up (running it, ``--help``, the tests' walk over
    ``commands.items()``) builds it, exactly as Typer would have.
    """

    def __init__(self, eager: dict[str, Any], lazy: dict[str, Any]) -> None:
        super().__init__(eager)
        self._lazy = dict(lazy)
        for name in lazy:
            super().__setitem__(name, None)

    # While the root prints its own help, an unbuilt sub-app is listed through a group
    # that holds only what the listing shows (name, help, hidden, panel).
    listing = False

    def __getitem__(self, name: str) -> Any:
        if name in self._lazy and self.listing:
            from typer.main import solve_typer_info_defaults

            solved = solve_typer_info_defaults(self._lazy[name])
            return TyperGroup(
                name=name,
                help=solved.help,
                short_help=solved.short_help,
                hidden=bool(solved.hidden),
                deprecated=bool(solved.deprecated),
                rich_help_panel=solved.rich_help_panel,
                rich_markup_mode=app.rich_markup_mode,
            )
        if name in self._lazy:
            from typer.main import get_group_from_info

            built = get_group_from_info(
                self._lazy.pop(name),
                pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=app.rich_markup_mode,
                suggest_commands=app.suggest_commands,
            )
            super().__setitem__(name, built)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def values(self) -> Any:
        return [self[name] for name in self]

    def items(self) -> Any:
        return [(name, self[name]) for name in self]

    def __iter__(self) -> Any:
        return iter(list(super().__iter__()))


# The sub-apps registered in _mount, handed to the root group to build on first use.
_LAZY_GROUPS: dict[str, Any] = {}


def _plain_help() -> None:
    """Make help name things the way the coordinator reads them.

    Typer shows ``<bool>`` after every flag, ``<str>`` after every argument, and writes
    required arguments as ``{name}`` in the usage line but ``name`` in the table. Flags
    get no type, and an argument is named once, in capitals, the same everywhere
    (``chefintro person show PERSON``).
    """
    from typer.core import TyperArgument, TyperOption

    def option_type(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.metavar:
            return None
        return original_option_type(self, ctx)

    def argument_name(self: TyperArgument) -> str:
        name = str(self.display_name_raw)
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name

    def argument_usage(self: TyperArgument) -> str:
        return argument_name(self) if self.required else f"[{argument_name(self)}]"

    original_option_type = TyperOption.display_type_rich
    TyperArgument.display_name_raw = property(  # type: ignore[assignment,method-assign]
        lambda self: self.metavar or (self.name or "").upper()
    )
    TyperOption.display_type_rich = option_type  # type: ignore[method-assign]
    TyperArgument._rich_display_name = argument_name  # type: ignore[method-assign]
    TyperArgument._usage_display_name = argument_usage  # type: ignore[method-assign]
    TyperArgument.display_type_rich = lambda self, ctx: None  # type: ignore[method-assign]


_plain_help()


class ChefintroGroup(TyperGroup):
    """Root group that turns expected failures into a message and the documented exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(dict(self.commands), _LAZY_GROUPS)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            super().format_help(ctx, formatter)
            return
        commands.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            commands.listing = False

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except ChefintroError as exc:
            report(exc)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # The reader went away (`chefintro … | head`): nothing is wrong with the command.
            sys.stderr.close()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            output.error("Interrupted; nothing was changed by the unfinished step.")
            raise typer.Exit(130) from None
        except Exception as exc:
            from chefintro.store.engine import translate_db_error, translate_os_error

            location = ctx.obj.location if isinstance(ctx.obj, AppState) else None
            translated = (
                translate_os_error(exc)
                if isinstance(exc, OSError)
                else translate_db_error(exc, location)
            )
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
    import platform

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
        certificate,
        cohort,
        db,
        demo,
        group,
        init,
        message,
        message_voice,
        network,
        pair,
        pair_consent,
        pair_voice,
        participant,
        person,
        report,
        roster,
        session,
        settings,
        survey,
    )

    app.command("init")(init.init)
    app.add_typer(db.app, name="db")
    app.add_typer(settings.app, name="settings")
    app.add_typer(agency.app, name="agency")
    app.add_typer(person.app, name="person")
    app.add_typer(cohort.app, name="cohort")
    app.add_typer(participant.app, name="participant")
    app.add_typer(session.app, name="session")
    app.add_typer(group.app, name="group")
    app.add_typer(report.app, name="report")
    app.add_typer(survey.app, name="survey")
    app.command("certificate")(certificate.certificate)
    app.add_typer(pair.app, name="pair")
    app.add_typer(roster.app, name="roster")
    app.add_typer(message.app, name="message")
    # Their commands are mounted on message.app and pair.app.
    del message_voice, pair_consent, pair_voice
    app.add_typer(network.app, name="network")
    network.register_reports(report.app)
    app.command("demo")(demo.demo)
    # Typer would build every sub-app's click commands on every run; the root group builds
    # the one that is used (see LazyCommands).
    _LAZY_GROUPS.update((str(info.name), info) for info in app.registered_groups)
    app.registered_groups.clear()


_mount()


def main() -> None:
    """Entry point of the ``chefintro`` console script."""
    # A command loads SQLAlchemy, pydantic and the models first (hundreds of thousands of
    # long-lived objects, no garbage to speak of); the cyclic collector would walk them
    # again and again, a tenth or more of a read command's CPU (issue 16). It is paused
    # for that and resumed, with those objects frozen, once the store is open
    # (AppState.store); reference counting frees all other garbage meanwhile.
    pause_gc()
    app(prog_name="chefintro")
