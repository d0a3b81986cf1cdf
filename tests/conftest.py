"""Shared fixtures: every test gets its own store; CLI invocation helpers; PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner, Result

from chefintro.cli.app import app

# Property tests judge the code, not the machine: on a busy 2-core machine (CI beside other
# jobs) drawing examples or running one can take longer than Hypothesis' timing checks
# allow, and a test then fails with nothing wrong in chefintro. Seen: the e-mail property
# test of tests/test_rulebook.py ("input generation is slow") under a mutation run.
settings.register_profile("chefintro", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("chefintro")

# The PostgreSQL tests run only when asked: CHEFINTRO_TEST_PG names the server (`.ci/run`
# sets it). Without it they are skipped with a reason that says so, rather than run or
# skipped depending on whether this machine happens to have a server on the usual port.
PG_URL = os.environ.get("CHEFINTRO_TEST_PG", "").strip()


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test its own store file and a plain, wide terminal."""
    db = tmp_path / "store" / "chefintro.db"
    monkeypatch.setenv("CHEFINTRO_DB", str(db))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CHEFINTRO_DEBUG", raising=False)
    monkeypatch.delenv("CHEFINTRO_NO_WAL", raising=False)
    return db


@pytest.fixture
def db_path(_isolated_env: Path) -> Path:
    return _isolated_env


def _pg_unavailable() -> str | None:
    """Return why the PostgreSQL tests cannot run here, or None when they can."""
    if not PG_URL:
        return (
            "PostgreSQL tests not requested: set CHEFINTRO_TEST_PG to a URL such as "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres to run them"
        )
    try:
        import psycopg
    except ImportError:
        return "PostgreSQL tests need psycopg (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_libpq(PG_URL), connect_timeout=2):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at CHEFINTRO_TEST_PG is not reachable: {type(exc).__name__}"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


_PG_UNAVAILABLE = _pg_unavailable()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test on a SQLite file and, when reachable, on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    if _PG_UNAVAILABLE is not None:
        if os.environ.get("CHEFINTRO_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required (CHEFINTRO_REQUIRE_PG): {_PG_UNAVAILABLE}")
        pytest.skip(_PG_UNAVAILABLE)
    import psycopg

    name = f"chefintro_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    monkeypatch.setenv("CHEFINTRO_DB", f"{base}/{name}")
    try:
        yield "postgres"
    finally:
        with psycopg.connect(_libpq(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Cli:
    """Invoke chefintro in-process and check exit codes.

    Like a coordinator, who runs ``chefintro init`` once before anything else, it creates
    the store before its first command (``init=False`` leaves that to the test: only
    init, cohort setup and demo create a store).
    """

    def __init__(self, *, init: bool = True) -> None:
        self.runner = CliRunner()
        self._needs_init = init

    def __call__(self, *args: str, code: int = 0, input: str | None = None) -> Result:
        if self._needs_init:
            self._needs_init = False
            if "init" not in args:
                created = self.runner.invoke(app, ["init"])
                assert created.exit_code == 0, created.stderr
        result = self.runner.invoke(app, list(args), input=input)
        if result.exit_code != code:
            raise AssertionError(
                f"chefintro {' '.join(args)} exited {result.exit_code}, expected {code}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}\n"
                f"exception: {result.exception!r}"
            )
        return result

    def json(self, *args: str) -> Any:
        import json

        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def bare_cli() -> Cli:
    """A Cli that does not create the store first."""
    return Cli(init=False)


@pytest.fixture
def network(cli: Cli, backend: str) -> Cli:
    """A small network: three agencies, people, and cohort 2027 as the current cohort."""
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "LST-Y", "Länsstyrelsen Västernorrland")
    people = [
        ("Åsa Öberg", "Asa.Oberg@CSN.se", "CSN", "IT", "2026-03-01"),
        ("Örjan Sjöström", "orjan.sjostrom@bolagsverket.se", "BV", "IT", "2010-05-01"),
        ("Élise Nordén", "elise.norden@lansstyrelsen.se", "LST-Y", "HR", "2015-01-15"),
        ("Zacharias Ek", "zacharias.ek@csn.se", "CSN", "HR", "2026-06-01"),
    ]
    for name, email, agency, field, since in people:
        cli(
            "person",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--agency",
            agency,
            "--field",
            field,
            "--manager-since",
            since,
        )
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    return cli


def store_snapshot() -> dict[str, list[tuple[object, ...]]]:
    """Return every row of every table of the test's store (SQLite or PostgreSQL).

    Compared before and after a failed command to prove that nothing changed.
    """
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from chefintro.store import open_store, resolve_location

    engine = open_store(resolve_location(None)).engine
    try:
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in SQLModel.metadata.tables.items()
            }
    finally:
        engine.dispose()
