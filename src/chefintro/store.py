"""The store: where it lives, engines with safe per-connection settings, schema version
and upgrades, backup, restore and health checks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, func, inspect, select, text
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from chefintro import __version__, migrations, models
from chefintro.errors import (
    ChefintroError,
    InvalidInputError,
    OutputError,
    StoreBusyError,
    StoreError,
    UnreadableInputError,
    UsageError,
)
from chefintro.files import fsync, private_output

ENV_DB = "CHEFINTRO_DB"
ENV_BUSY_TIMEOUT = "CHEFINTRO_BUSY_TIMEOUT_MS"
ENV_NO_WAL = "CHEFINTRO_NO_WAL"
SCHEMA_VERSION = migrations.SCHEMA_VERSION
BUSY_TIMEOUT_MS = 10_000

# Serialises schema creation and upgrades between coordinators sharing a PostgreSQL store.
_PG_SCHEMA_LOCK = 0x63686566  # "chef"
# Tables every chefintro store has had since schema 1.
_CORE_TABLES = frozenset({"agency", "person", "cohort", "participant", "schema_version"})
_BUSY_MESSAGE = "The store is busy: another chefintro is writing to it. Try again in a moment."


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


def busy_timeout_ms() -> int:
    """Return how long to wait for another writer: ``CHEFINTRO_BUSY_TIMEOUT_MS`` or 10 s."""
    raw = os.environ.get(ENV_BUSY_TIMEOUT, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            return BUSY_TIMEOUT_MS
        if value >= 0:
            return value
    return BUSY_TIMEOUT_MS


def _create_private_file(path: Path) -> None:
    """Create the SQLite file with mode 0600 before SQLite does, so it is never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _tighten_mode(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(0o600)
    except OSError:
        pass  # not ours to change (read-only share); SQLite reports real problems itself


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling is switched off so that we can begin
    # every transaction with BEGIN IMMEDIATE: a second writer then waits for the
    # busy timeout instead of failing when it upgrades a read lock.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        cursor.execute("PRAGMA secure_delete=ON")
        if os.environ.get(ENV_NO_WAL):
            cursor.execute("PRAGMA journal_mode=DELETE")
        else:
            mode = cursor.execute("PRAGMA journal_mode=WAL").fetchone()
            if not mode or str(mode[0]).lower() != "wal":
                # WAL needs shared memory, which network file systems lack:
                # fall back to the rollback journal, which works everywhere.
                cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(location: str) -> Engine:
    """Return an engine for ``location`` with the store's connection settings."""
    url = to_url(location)
    if url.startswith("sqlite"):
        path = sqlite_file(location)
        if path is not None:
            if path.is_dir():
                raise StoreError(f"The store path {path} is a directory; give a file name.")
            if not path.exists():
                try:
                    _create_private_file(path)
                except OSError as exc:
                    raise StoreError(
                        f"Cannot create the store at {path}: {exc.strerror}."
                    ) from None
            else:
                _tighten_mode(path)
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


# --- schema version and upgrades --------------------------------------------------------


def _version_in(connection: Connection) -> int | None:
    tables = set(inspect(connection).get_table_names())
    if not tables:
        return 0
    if models.SchemaVersion.__tablename__ not in tables:
        return None
    version = connection.execute(select(func.max(models.SchemaVersion.version))).scalar()
    return int(version) if version is not None else 0


def schema_version_of(engine: Engine) -> int | None:
    """Return the store's schema version, 0 for an empty store, None for a foreign database."""
    with engine.connect() as connection:
        return _version_in(connection)


def _refuse_unusable(version: int | None) -> int:
    if version is None:
        raise StoreError(
            "This database holds tables but is not a chefintro store; "
            "give another --db or an empty database."
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"The store was made by a newer chefintro (schema {version}); this chefintro "
            f"{__version__} knows schema {SCHEMA_VERSION}. Upgrade chefintro to use it."
        )
    return version


@dataclass(frozen=True)
class SchemaState:
    """The schema a store is at after opening it, and what opening it did."""

    version: int
    created: bool = False
    upgraded_from: int | None = None
    backup: Path | None = None


def ensure_schema(engine: Engine, *, backup_of: Path | None = None) -> SchemaState:
    """Create the schema in an empty store, or upgrade an older one; return what was done.

    An older SQLite store (``backup_of`` is its file) is first copied next to itself as
    ``<store>.bak-v<old>-<timestamp>``. The migrations then run in one transaction:
    if any fails, the store stays exactly as it was.
    """
    version = _refuse_unusable(schema_version_of(engine))
    if version == SCHEMA_VERSION:
        return SchemaState(version=version)
    if version == 0:
        return _create_schema(engine)
    backup = None
    if backup_of is not None:
        backup = _backup_before_upgrade(backup_of, version)
    state = _upgrade(engine, backup)
    if backup is not None and state.upgraded_from is None:
        backup.unlink(missing_ok=True)  # another process upgraded it first, with its backup
    return state


def _lock_schema(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_SCHEMA_LOCK})


def _create_schema(engine: Engine) -> SchemaState:
    with engine.begin() as connection:
        _lock_schema(connection)
        # Another process may have created it while we waited for the lock.
        version = _refuse_unusable(_version_in(connection))
        if version != 0:
            return SchemaState(version=version)
        SQLModel.metadata.create_all(connection)
        connection.execute(
            models.SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                version=SCHEMA_VERSION, tool_version=__version__, applied_at=models.utcnow()
            )
        )
    return SchemaState(version=SCHEMA_VERSION, created=True)


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Switch SQLite's foreign keys off around a migration, as table rebuilds need."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")  # outside any transaction, or SQLite ignores it
    try:
        yield
    finally:
        try:
            raw.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:
            connection.invalidate()


def _upgrade(engine: Engine, backup: Path | None) -> SchemaState:
    kept = f" The store was left unchanged; a backup is at {backup}." if backup else ""
    with engine.connect() as connection, _foreign_keys_off(connection):
        with connection.begin():
            _lock_schema(connection)
            old = _refuse_unusable(_version_in(connection))
            if old >= SCHEMA_VERSION:
                return SchemaState(version=old)  # upgraded meanwhile by another process
            broken_before = _broken_references(connection)
            for migration in migrations.pending(old):
                try:
                    migration.apply(connection)
                except SQLAlchemyError as exc:
                    if _busy(exc):
                        raise
                    raise StoreError(
                        f"Upgrading the store to schema {migration.version} "
                        f"({migration.name}) failed: {_reason(exc)}.{kept}"
                    ) from None
                connection.execute(
                    models.SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                        version=migration.version,
                        tool_version=__version__,
                        applied_at=models.utcnow(),
                    )
                )
            broken = _broken_references(connection) - broken_before
            if broken:
                raise StoreError(
                    f"Upgrading the store would break {len(broken)} references between "
                    f"tables, so it was not done.{kept}"
                )
    return SchemaState(version=SCHEMA_VERSION, upgraded_from=old, backup=backup)


def _broken_references(connection: Connection) -> set[tuple[Any, ...]]:
    """Rows whose foreign keys point nowhere (SQLite only: PostgreSQL never allows them)."""
    if connection.dialect.name != "sqlite":
        return set()
    return {tuple(row) for row in connection.exec_driver_sql("PRAGMA foreign_key_check")}


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0].rstrip(".")


def _busy(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | sqlite3.OperationalError):
        text_ = str(getattr(exc, "orig", None) or exc).lower()
        return "locked" in text_ or "busy" in text_
    return False


# --- the opened store -------------------------------------------------------------------


@dataclass
class Store:
    """An opened store: its location and engine, and what opening it did to the schema."""

    location: str
    engine: Engine
    schema: SchemaState = field(default_factory=lambda: SchemaState(version=SCHEMA_VERSION))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a database session in one transaction: committed on success, else rolled back."""
        with Session(self.engine, expire_on_commit=False) as db:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(location: str) -> Store:
    """Open (creating if needed) the store at ``location``; upgrade an older schema."""
    engine = make_engine(location)
    try:
        schema = ensure_schema(engine, backup_of=sqlite_file(location))
    except BaseException as exc:
        engine.dispose()
        translated = translate_db_error(exc) if isinstance(exc, Exception) else None
        if translated is not None:
            raise translated from None
        raise
    return Store(location=location, engine=engine, schema=schema)


def translate_db_error(exc: Exception) -> ChefintroError | None:
    """Turn a database driver error a user can cause into a typed error, else None."""
    if isinstance(exc, ChefintroError):
        return exc
    if isinstance(exc, OperationalError):
        text_ = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
        if "locked" in text_ or "busy" in text_:
            return StoreBusyError(_BUSY_MESSAGE)
        if "unable to open" in text_ or "connection" in text_ or "could not" in text_:
            return StoreError(f"Cannot open the store: {exc.orig}")
        if "readonly" in text_ or "read-only" in text_:
            return StoreError("The store is read-only for you; check the file's permissions.")
    if isinstance(exc, DatabaseError):
        text_ = str(exc.orig).lower() if exc.orig is not None else ""
        if "not a database" in text_ or "malformed" in text_:
            return StoreError("The store file is not a chefintro store or is damaged.")
    return None


# --- copying SQLite files ---------------------------------------------------------------


def _timestamp() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S")


def _reserve_sibling(path: Path, suffix: str) -> Path:
    """Create an empty 0600 file named ``<path><suffix>`` (``-2``, ``-3`` … if taken)."""
    for attempt in range(1, 1000):
        candidate = path.with_name(f"{path.name}{suffix}" + (f"-{attempt}" if attempt > 1 else ""))
        try:
            fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate
    raise OutputError(f"Cannot find a free file name for {path.name}{suffix} in {path.parent}.")


def _connect_raw(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"file:{quote(str(path))}" + ("?mode=ro" if read_only else "")
    connection = sqlite3.connect(
        target, uri=True, timeout=busy_timeout_ms() / 1000, isolation_level=None
    )
    connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    return connection


def _copy_sqlite(source: Path, target: Path, *, read_only: bool = False) -> None:
    """Copy a consistent snapshot of ``source`` into the (empty) file ``target``.

    Uses SQLite's online backup, so writers may keep working; the copy is a single
    self-contained file (rollback journal, no -wal beside it).
    """
    deadline = time.monotonic() + busy_timeout_ms() / 1000

    def give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
        # Python retries a busy step for ever; the store's busy timeout bounds it here.
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise StoreBusyError(_BUSY_MESSAGE)

    src = _connect_raw(source, read_only=read_only)
    try:
        dst = sqlite3.connect(target, isolation_level=None)
        try:
            src.backup(dst, progress=give_up_when_busy)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    fsync(target)


def _backup_before_upgrade(path: Path, version: int) -> Path:
    try:
        backup = _reserve_sibling(path, f".bak-v{version}-{_timestamp()}")
    except (OSError, OutputError) as exc:
        raise StoreError(
            f"Cannot back up the store before upgrading it ({_os_reason(exc)}); "
            "nothing was changed. Make its folder writable and try again."
        ) from None
    try:
        _copy_sqlite(path, backup)
    except BaseException as exc:
        backup.unlink(missing_ok=True)
        if isinstance(exc, StoreBusyError) or _busy(exc):
            raise StoreBusyError(_BUSY_MESSAGE) from None
        if isinstance(exc, OSError | sqlite3.Error):
            raise StoreError(
                f"Cannot back up the store before upgrading it ({_os_reason(exc)}); "
                "nothing was changed."
            ) from None
        raise
    return backup


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)


def _postgres_guidance(location: str, action: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(location)
    plain = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
    if action == "backup":
        return (
            "A PostgreSQL store is backed up with PostgreSQL's own tools, not by chefintro. "
            f"Run: pg_dump --format=custom --file=FILE '{plain}' "
            f"(restore it with: pg_restore --clean --if-exists --dbname='{plain}' FILE)."
        )
    return (
        "A PostgreSQL store is restored with PostgreSQL's own tools, not by chefintro. "
        f"Run: pg_restore --clean --if-exists --dbname='{plain}' FILE "
        "(for a dump made with pg_dump --format=custom)."
    )


def _require_sqlite_file(location: str, action: str) -> Path:
    path = sqlite_file(location)
    if path is None:
        if not is_sqlite(location):
            raise StoreError(_postgres_guidance(location, action))
        raise StoreError(f"An in-memory store cannot be {action}d.")
    return path


def _require_existing(path: Path) -> None:
    if not path.is_file():
        raise StoreError(f"There is no store at {path}. Create it with 'chefintro init'.")


# --- backup -----------------------------------------------------------------------------


def backup_store(location: str, target: Path) -> Path:
    """Write a consistent copy of the SQLite store to ``target`` (0600, replaced atomically).

    PostgreSQL stores are refused with a StoreError that says how to use pg_dump.
    """
    path = _require_sqlite_file(location, "backup")
    _require_existing(path)
    target = target.expanduser().absolute()
    if target.resolve() == path or target.resolve() in side_files(path):
        raise UsageError("The backup must go to another file than the store itself.")
    try:
        with private_output(target) as temporary:
            _copy_sqlite(path, temporary)
    except (StoreBusyError, OutputError):
        raise
    except Exception as exc:
        if _busy(exc):
            raise StoreBusyError(_BUSY_MESSAGE) from None
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError("The store file is not a chefintro store or is damaged.") from None
        raise
    fsync(target.parent)
    return target


def schema_version_of_file(path: Path) -> int | None:
    """Return the schema version recorded in a SQLite store file, or None if it has none."""
    try:
        connection = _connect_raw(path, read_only=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    return int(row[0]) if row and row[0] is not None else None


# --- restore ----------------------------------------------------------------------------


AuditRecord = tuple[datetime, str, str]


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did: the restored schema version, where the old store was kept, and
    the old store's audit entries that the backup lacks (made after it), oldest first."""

    version: int
    previous: Path | None
    later_entries: list[AuditRecord] = field(default_factory=list)


def restore_store(location: str, source: Path) -> RestoreResult:
    """Replace the SQLite store with the backup ``source``, after checking the backup.

    The backup must be a SQLite file that passes ``integrity_check`` and carries a
    chefintro schema no newer than this tool (else InvalidInputError, store untouched).
    The old store is kept as ``<store>.before-restore-<timestamp>``; the new file takes
    its place atomically and stale ``-wal``/``-shm`` files are removed.
    """
    path = _require_sqlite_file(location, "restore")
    source = source.expanduser().absolute()
    if not source.is_file():
        raise UnreadableInputError(f"Cannot read {source}: there is no such file.")
    if not os.access(source, os.R_OK):
        raise UnreadableInputError(f"Cannot read {source}: permission denied.")
    if source.resolve() == path:
        raise UsageError("That file is the store itself; give a backup file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".restore", dir=path.parent)
    except OSError as exc:
        raise StoreError(f"Cannot write next to the store: {_os_reason(exc)}.") from None
    os.close(fd)
    temporary = Path(name)
    try:
        _copy_backup(source, temporary)
        version, restored_log = _validate_backup(temporary, source)
        previous: Path | None = None
        old_log: list[AuditRecord] = []
        if path.exists():
            previous, old_log = _swap_in(path, temporary)
        else:
            _place(path, temporary)
    finally:
        temporary.unlink(missing_ok=True)
    known = set(restored_log)
    later = [entry for entry in old_log if entry not in known]
    return RestoreResult(version=version, previous=previous, later_entries=later)


def _audit_records(connection: sqlite3.Connection) -> list[AuditRecord]:
    try:
        rows = connection.execute("SELECT at, action, detail FROM audit_log ORDER BY id").fetchall()
    except sqlite3.Error:
        return []  # a store from before the audit log, or one too damaged to read
    records = []
    for at, action, detail in rows:
        try:
            when = datetime.fromisoformat(str(at))
        except ValueError:
            continue
        records.append((when, str(action), str(detail)))
    return records


def _copy_backup(source: Path, temporary: Path) -> None:
    wal = source.with_name(source.name + "-wal")
    try:
        if wal.exists() and wal.stat().st_size > 0:
            # Committed pages may still sit in the log beside it: let SQLite read both.
            _copy_sqlite(source, temporary, read_only=True)
        else:
            # A single file (what 'db backup' writes): copy it without opening it in place,
            # so that nothing is created or changed next to the user's backup.
            shutil.copyfile(source, temporary)
            connection = sqlite3.connect(temporary, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode=DELETE")
            finally:
                connection.close()
    except sqlite3.DatabaseError as exc:
        if _busy(exc):
            raise StoreBusyError(f"{source} is locked by another program.") from None
        raise InvalidInputError(
            f"{source} is not a chefintro backup: it is not a readable SQLite database "
            f"({exc}). The store was not changed."
        ) from None
    except OSError as exc:
        raise UnreadableInputError(f"Cannot read {source}: {_os_reason(exc)}.") from None


def _validate_backup(copy: Path, source: Path) -> tuple[int, list[AuditRecord]]:
    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(f"{source} is not a usable chefintro backup: {why}.")

    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        integrity = [str(r[0]) for r in connection.execute("PRAGMA integrity_check").fetchall()]
        if integrity != ["ok"]:
            raise refuse(f"it is damaged ({integrity[0]}). The store was not changed")
        tables = {
            str(r[0])
            for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not _CORE_TABLES <= tables:
            raise refuse("it holds no chefintro store. The store was not changed")
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        if broken := connection.execute("PRAGMA foreign_key_check").fetchall():
            raise refuse(
                f"{len(broken)} rows refer to rows that do not exist. The store was not changed"
            )
        audit = _audit_records(connection)
    except sqlite3.DatabaseError as exc:
        raise refuse(f"it cannot be read ({exc}). The store was not changed") from None
    finally:
        connection.close()
    version = int(row[0]) if row and row[0] is not None else 0
    if version < 1:
        raise refuse("it records no schema version. The store was not changed")
    if version > SCHEMA_VERSION:
        raise refuse(
            f"it was made by a newer chefintro (schema {version}); this chefintro "
            f"{__version__} knows schema {SCHEMA_VERSION}. The store was not changed"
        )
    return version, audit


def _place(path: Path, temporary: Path) -> None:
    for stale in side_files(path):
        stale.unlink(missing_ok=True)
    os.replace(temporary, path)
    fsync(path.parent)


def _swap_in(path: Path, temporary: Path) -> tuple[Path, list[AuditRecord]]:
    """Keep the current store aside and put ``temporary`` in its place, under its lock.

    Leaving write-ahead mode first proves that no other chefintro has the store open,
    and leaves the old file complete on its own; the exclusive lock keeps everyone
    out until the new file is in place.
    """
    try:
        connection = _connect_raw(path)
    except sqlite3.Error:
        raise StoreError("The store file is not a chefintro store or is damaged.") from None
    try:
        try:
            mode = connection.execute("PRAGMA journal_mode=DELETE").fetchone()
            if not mode or str(mode[0]).lower() != "delete":
                raise StoreBusyError(
                    "The store is in use by another chefintro; close it and try again."
                )
            connection.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise StoreBusyError(
                    "The store is in use by another chefintro; close it and try again."
                ) from None
            raise StoreError(f"Cannot restore into the store: {exc}.") from None
        except sqlite3.DatabaseError:
            # A damaged store can still be replaced; it is kept aside like any other.
            pass
        old_log = _audit_records(connection)
        previous = _reserve_sibling(path, f".before-restore-{_timestamp()}")
        previous.unlink()
        try:
            os.link(path, previous)  # keeps the old file without a moment with no store
        except OSError:
            os.replace(path, previous)
        with suppress(OSError):
            previous.chmod(0o600)
        for stale in side_files(path):
            stale.unlink(missing_ok=True)
        os.replace(temporary, path)
        fsync(path.parent)
    finally:
        with suppress(sqlite3.Error):
            connection.close()
    return previous, old_log


# --- health check -----------------------------------------------------------------------


@dataclass
class StoreCheck:
    """The result of ``chefintro db check``."""

    location: str
    backend: str
    tool_schema_version: int = SCHEMA_VERSION
    schema_version: int | None = None
    integrity: list[str] = field(default_factory=list)
    foreign_key_problems: list[str] = field(default_factory=list)
    journal_mode: str | None = None
    file_mode: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "backend": self.backend,
            "ok": self.ok,
            "schema_version": self.schema_version,
            "tool_schema_version": self.tool_schema_version,
            "integrity": self.integrity,
            "foreign_key_problems": self.foreign_key_problems,
            "journal_mode": self.journal_mode,
            "file_mode": self.file_mode,
            "problems": self.problems,
            "notes": self.notes,
        }


def check_store(location: str) -> StoreCheck:
    """Check the store without changing it: integrity, references, schema, journal mode."""
    path = sqlite_file(location)
    backend = "sqlite" if is_sqlite(location) else "postgresql"
    report = StoreCheck(location=describe(location), backend=backend)
    if path is not None:
        _require_existing(path)
        mode = stat.S_IMODE(path.stat().st_mode)
        report.file_mode = oct(mode)
        if mode & 0o077:
            report.notes.append(
                f"The store file was readable by others ({oct(mode)}); it is now private (0o600)."
            )
    engine = make_engine(location)
    try:
        _check_schema(engine, report)
        if backend == "sqlite" and report.schema_version is not None:
            _check_sqlite(engine, report)
        elif backend != "sqlite":
            report.notes.append("PostgreSQL checks its own integrity and references.")
        if report.schema_version == SCHEMA_VERSION:
            _check_rules(engine, report)
    except DatabaseError as exc:
        if _busy(exc):
            raise StoreBusyError(_BUSY_MESSAGE) from None
        report.problems.append(f"The store cannot be read: {_reason(exc)}.")
    finally:
        engine.dispose()
    return report


def _check_rules(engine: Engine, report: StoreCheck) -> None:
    """Check the programme's hard rules on live pairs: other agency, mentor capacity."""
    from sqlalchemy.orm import aliased
    from sqlmodel import col

    from chefintro.enums import PairingState
    from chefintro.models import Pairing, Participant, Person

    adept, mentor = aliased(Participant), aliased(Participant)
    adept_person, mentor_person = aliased(Person), aliased(Person)
    live = col(Pairing.state) != PairingState.ENDED.value
    same_agency = (
        select(func.count())
        .select_from(Pairing)
        .join(adept, col(adept.id) == col(Pairing.adept_id))
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(adept_person, col(adept_person.id) == col(adept.person_id))
        .join(mentor_person, col(mentor_person.id) == col(mentor.person_id))
        .where(live)
        .where(col(adept_person.agency_id) == col(mentor_person.agency_id))
    )
    loads = (
        select(col(mentor.capacity), func.count())
        .select_from(Pairing)
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .where(live)
        .group_by(col(mentor.id), col(mentor.capacity))
    )
    with engine.connect() as connection:
        count = int(connection.execute(same_agency).scalar_one())
        over = sum(1 for capacity, used in connection.execute(loads) if used > capacity)
    if count:
        report.problems.append(
            f"{count} live pair(s) have adept and mentor from the same agency; see "
            "'chefintro pair list' and remove them."
        )
    if over:
        report.problems.append(
            f"{over} mentor(s) have more live pairs than their capacity; see 'chefintro pair list'."
        )


def _check_schema(engine: Engine, report: StoreCheck) -> None:
    version = schema_version_of(engine)
    report.schema_version = version
    if version is None:
        report.problems.append("The database holds tables but is not a chefintro store.")
    elif version == 0:
        report.problems.append("The store is empty; create it with 'chefintro init'.")
    elif version > SCHEMA_VERSION:
        report.problems.append(
            f"The store was made by a newer chefintro (schema {version}); this chefintro "
            f"{__version__} knows schema {SCHEMA_VERSION}."
        )
    elif version < SCHEMA_VERSION:
        report.notes.append(
            f"Schema {version} is older than this chefintro's {SCHEMA_VERSION}; the next "
            "command upgrades it (after a backup)."
        )


def _check_sqlite(engine: Engine, report: StoreCheck) -> None:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("PRAGMA integrity_check").all()
        report.integrity = [str(r[0]) for r in rows]
        if report.integrity != ["ok"]:
            report.problems.append(
                f"The integrity check found {len(report.integrity)} problem(s): "
                f"{report.integrity[0]}"
            )
        for table, rowid, parent, _fk in connection.exec_driver_sql("PRAGMA foreign_key_check"):
            report.foreign_key_problems.append(
                f"{table} row {rowid} refers to a missing {parent} row"
            )
        if report.foreign_key_problems:
            report.problems.append(
                f"{len(report.foreign_key_problems)} row(s) refer to rows that do not exist."
            )
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        report.journal_mode = str(mode).lower() if mode is not None else None
    if report.journal_mode != "wal":
        report.notes.append(
            "The store uses a rollback journal instead of write-ahead logging "
            "(CHEFINTRO_NO_WAL, or a file system without shared memory)."
        )


# --- making deleted data really gone ---------------------------------------------------


def purge_deleted(store: Store) -> bool:
    """Rewrite a SQLite store so that deleted rows leave no bytes behind; True when done.

    ``secure_delete`` already zeroes freed space; this also empties the write-ahead log
    (which still holds old page images) and rebuilds the file with VACUUM. Returns False
    when another process kept it from finishing, and for PostgreSQL (where the database
    administrator runs VACUUM FULL).
    """
    if not store.is_sqlite:
        return False
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            row = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.close()
    except sqlite3.OperationalError as exc:
        if _busy(exc):
            return False
        raise
    finally:
        raw.close()
    return not row or int(row[0]) == 0
