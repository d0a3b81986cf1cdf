"""The opened store: its engine, what opening did to the schema, one transaction per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session

from chefintro.errors import StoreError
from chefintro.files import protect_store
from chefintro.store.engine import make_engine, tighten_mode, translate_db_error
from chefintro.store.location import describe, is_sqlite, sqlite_file
from chefintro.store.schema import SCHEMA_VERSION, SchemaState, ensure_schema, schema_version_of


@dataclass
class Store:
    """An opened store: its location and engine, and what opening it did to the schema."""

    location: str
    engine: Engine
    schema: SchemaState = field(default_factory=lambda: SchemaState(version=SCHEMA_VERSION))
    #: The command the journal names for this store's transactions ("pair rematch --apply").
    command: str = "chefintro"

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Session]:
        """Yield a database session in one transaction: committed on success, else rolled back.

        This is the change boundary (``chefintro.store.journal``): before committing it
        takes the undo snapshot a marked change needs and journals what changed. With
        ``commit=False`` (a dry run) it always rolls back; services never roll back their
        caller's transaction.
        """
        from chefintro.store.journal import Boundary

        with Session(self.engine, expire_on_commit=False) as db:
            boundary = Boundary(self, db)
            try:
                yield db
                if commit:
                    boundary.commit()
                else:
                    db.rollback()
            except BaseException:
                boundary.abandon()
                raise
            finally:
                boundary.close()

    def dispose(self) -> None:
        self.engine.dispose()


def missing_store_message(location: str) -> str:
    return (
        f"There is no store at {describe(location)} yet: run chefintro init to create it "
        "(or check --db and CHEFINTRO_DB if you expected an existing one)."
    )


def store_exists(location: str) -> bool:
    """Tell whether a SQLite store file exists (a URL is taken to exist; its schema is checked
    when it is opened)."""
    path = sqlite_file(location)
    return path is None or not is_sqlite(location) or path.is_file()


def open_store(location: str, *, create: bool = True) -> Store:
    """Open the store at ``location``; upgrade an older schema.

    Only with ``create`` is a missing store (no file, or an empty database) made; otherwise
    that is a StoreError telling the user to run ``chefintro init``.
    """
    if not create and not store_exists(location):
        raise StoreError(missing_store_message(location))
    path = sqlite_file(location)
    protect_store(path)  # no output may replace the store or its side files
    engine = make_engine(location)
    try:
        if not create and schema_version_of(engine) == 0:
            raise StoreError(missing_store_message(location))
        schema = ensure_schema(engine, backup_of=path)
    except BaseException as exc:
        engine.dispose()
        translated = translate_db_error(exc, location) if isinstance(exc, Exception) else None
        if translated is not None:
            raise translated from None
        raise
    if path is not None:
        # Only now is the file known to be a chefintro store: never touch another file's mode.
        tighten_mode(path)
    return Store(location=location, engine=engine, schema=schema)
