"""Where the store is: --db, CHEFINTRO_DB or the user data dir; paths, URLs, side files."""

from __future__ import annotations

import os
from pathlib import Path

from chefintro.errors import (
    StoreError,
)

ENV_DB = "CHEFINTRO_DB"


def default_db_path() -> Path:
    """Return the store path in the platform's user data directory."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("chefintro", appauthor=False)) / "chefintro.db"


def resolve_location(option: str | None) -> str:
    """Return the store location: ``--db``, else ``CHEFINTRO_DB``, else the user data dir.

    A value containing ``://`` is a SQLAlchemy URL; anything else is a file path.
    """
    value = option or os.environ.get(ENV_DB) or str(default_db_path())
    return value


def is_url(location: str) -> bool:
    return "://" in location


def to_url(location: str) -> str:
    if is_url(location):
        return location
    return "sqlite:///" + str(Path(location).expanduser().resolve())


def describe(location: str) -> str:
    """Return a location fit to print: a URL without its password, or a resolved path."""
    if is_url(location):
        from sqlalchemy.engine import make_url

        return make_url(location).render_as_string(hide_password=True)
    return str(Path(location).expanduser().resolve())


def is_sqlite(location: str) -> bool:
    """Tell whether ``location`` is a SQLite store (a path or a ``sqlite:`` URL)."""
    return to_url(location).startswith("sqlite")


def sqlite_file(location: str) -> Path | None:
    """Return the file of a SQLite store, or None for PostgreSQL and in-memory databases."""
    if not is_url(location):
        return Path(location).expanduser().resolve()
    from sqlalchemy.engine import make_url

    url = make_url(location)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database.startswith("file:"):
        if url.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:").split("?", 1)[0]
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve()


def side_files(path: Path) -> list[Path]:
    """Return the files SQLite keeps next to a store: write-ahead log, its index, journal."""
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def require_existing(path: Path) -> None:
    if not path.is_file():
        raise StoreError(
            f"There is no store at {path} yet: run chefintro init to create it "
            "(or check --db and CHEFINTRO_DB if you expected an existing one)."
        )
