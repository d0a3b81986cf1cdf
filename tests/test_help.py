"""Every command explains itself, and the CLI module boundaries hold."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.main import get_command

from chefintro.cli.app import app
from tests.conftest import Cli


def _commands() -> list[tuple[str, ...]]:
    root = get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


def test_there_are_commands() -> None:
    paths = {" ".join(p) for p in _commands()}
    assert {"init", "agency add", "person list", "cohort create", "participant add"} <= paths


def test_every_command_has_help_text_and_every_parameter_help() -> None:
    root = get_command(app)
    missing: list[str] = []
    for path in _commands():
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        if not (command.help or "").strip():
            missing.append(" ".join(path))
        for param in command.params:
            if param.name in {"help"}:
                continue
            if not (getattr(param, "help", None) or "").strip():
                missing.append(f"{' '.join(path)} {param.name}")
    assert missing == []


def test_help_runs_for_every_command(cli: Cli) -> None:
    for path in _commands():
        result = cli(*path, "--help")
        assert "Usage" in result.stdout


def test_help_reads_cleanly(bare_cli: Cli) -> None:
    """No type after flags, arguments named alike in usage and table, examples on one line."""
    import re

    root = get_command(app)
    for path in _commands():
        text = bare_cli(*path, "--help").stdout
        where = " ".join(path)
        assert "<bool>" not in text, where
        assert "{" not in text.split("\n", 3)[1], where  # usage: NAME, not {name}
        usage = next(line for line in text.splitlines() if "Usage:" in line)
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name == "argument":
                shown = param.metavar or (param.name or "").upper()
                assert shown.removesuffix("...") in usage, (where, shown)
                assert re.search(rf"\b{re.escape(shown.removesuffix('...'))}\b", text), where
        doc = command.help or ""
        for line in doc.splitlines():
            if line.strip().startswith("Example:"):
                following = doc.splitlines()[doc.splitlines().index(line) + 1 :]
                assert not following or not following[0].strip().startswith("-"), where


def test_attendance_help_speaks_of_an_attendance_status(bare_cli: Cli) -> None:
    text = bare_cli("session", "attend", "--help").stdout
    assert "an attendance status" in text
    assert "närvarande" in text


def test_help_does_not_import_the_store_or_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from chefintro.cli.app import app\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'openpyxl', 'scipy', 'icalendar',"
        " 'python_calamine', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_unexpected_errors_give_one_line_and_no_locals(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**_: object) -> None:
        secret = "asa.oberg@csn.se"  # a local that must never be printed
        raise RuntimeError(secret)

    monkeypatch.setattr("chefintro.registry.list_agencies", boom)
    result = cli("agency", "list", code=70)
    assert "internal error (RuntimeError)" in result.stderr
    assert "CHEFINTRO_DEBUG=1" in result.stderr
    assert "asa.oberg" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
