"""Where the store is: --db, CHEFINTRO_DB or the user data dir; paths, URLs, side files.

The light part (no database imports, for ``chefintro --version``) is ``chefintro.location``.
"""

from __future__ import annotations

from pathlib import Path

from chefintro.errors import StoreError
from chefintro.location import ENV_DB as ENV_DB
from chefintro.location import default_db_path as default_db_path
from chefintro.location import describe as describe
from chefintro.location import is_url as is_url
from chefintro.location import resolve_location as resolve_location


def to_url(location: str) -> str:
    if is_url(location):
        return location
    return "sqlite:///" + str(Path(location).expanduser().resolve())


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
