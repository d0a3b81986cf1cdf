"""The installed tool: `--version` (the version from pyproject.toml, the Python, the store it
would use) and optional extras that fail plainly when they are not installed."""

from __future__ import annotations

import platform
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

import chefintro
from tests.conftest import Cli

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _lines(cli: Cli, *args: str) -> list[str]:
    result = cli(*args)
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_the_version_is_written_once_in_pyproject_and_read_at_run_time() -> None:
    written = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert version("chefintro") == written
    assert chefintro.__version__ == written


def test_version_prints_version_python_and_the_store_without_creating_it(
    bare_cli: Cli, db_path: Path
) -> None:
    lines = _lines(bare_cli, "--version")
    assert lines == [
        f"chefintro {chefintro.__version__}",
        f"Python {platform.python_version()} ({sys.executable})",
        f"Store: {db_path.resolve()} (not created yet)",
    ]
    assert not db_path.exists()
    assert not db_path.parent.exists()


def test_version_names_an_existing_store_plainly(cli: Cli, db_path: Path) -> None:
    cli("init")
    assert _lines(cli, "--version")[2] == f"Store: {db_path.resolve()}"


def test_version_reports_the_db_option_before_or_after_it(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "shared drive" / "programme.db"
    expected = f"Store: {other.resolve()} (not created yet)"
    assert _lines(cli, "--db", str(other), "--version")[2] == expected
    assert _lines(cli, "--version", "--db", str(other))[2] == expected
    assert not other.parent.exists()


def test_version_hides_the_password_of_a_url(cli: Cli) -> None:
    url = "postgresql+psycopg://coordinator:hemligt@db.example.se/chefintro"
    lines = _lines(cli, "--db", url, "--version")
    assert lines[2] == "Store: postgresql+psycopg://coordinator:***@db.example.se/chefintro"
    assert "hemligt" not in "\n".join(lines)


def test_version_loads_no_database_or_spreadsheet_library(db_path: Path) -> None:
    code = (
        "import sys\n"
        "from chefintro.cli.app import main\n"
        "sys.argv = ['chefintro', '--version']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code in (0, None), exit.code\n"
        "heavy = [m for m in ('sqlmodel', 'sqlalchemy', 'openpyxl', 'scipy', 'icalendar',"
        " 'python_calamine', 'numpy') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == f"chefintro {chefintro.__version__}"
    assert out.stdout.splitlines()[-1] == "heavy:"
    assert not db_path.exists()


def test_a_postgres_store_without_the_postgres_extra_says_what_to_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if chefintro[postgres] were not
    url = "postgresql+psycopg://coordinator:hemligt@127.0.0.1:9/chefintro"
    result = cli("--db", url, "agency", "list", code=1)
    assert "needs the Python package psycopg, which is not installed" in result.stderr
    assert "[postgres]" in result.stderr
    assert "internal error" not in result.stderr
    assert "hemligt" not in result.stderr
