"""The store: where it lives, engines with safe per-connection settings, the schema version
and its upgrades, backup, restore and the health check. It knows no programme rules.

``location`` finds the store, ``engine`` connects to it, ``schema`` creates or upgrades it,
``opened`` holds the opened :class:`Store`, ``sqlite_files`` copies and purges SQLite files,
``backup`` backs up and restores, ``check`` is ``chefintro db check``. Import from here.
"""

from chefintro.store.backup import (
    AuditRecord,
    RestoreResult,
    backup_store,
    restore_store,
    schema_version_of_file,
)
from chefintro.store.check import RuleCheck, StoreCheck, check_store
from chefintro.store.engine import (
    BUSY_TIMEOUT_MS,
    ENV_BUSY_TIMEOUT,
    ENV_NO_WAL,
    busy_timeout_ms,
    make_engine,
    translate_db_error,
)
from chefintro.store.location import (
    ENV_DB,
    default_db_path,
    describe,
    is_sqlite,
    is_url,
    resolve_location,
    side_files,
    sqlite_file,
    to_url,
)
from chefintro.store.opened import Store, open_store
from chefintro.store.schema import SCHEMA_VERSION, SchemaState, ensure_schema, schema_version_of
from chefintro.store.sqlite_files import purge_deleted

__all__ = [
    "BUSY_TIMEOUT_MS",
    "ENV_BUSY_TIMEOUT",
    "ENV_DB",
    "ENV_NO_WAL",
    "SCHEMA_VERSION",
    "AuditRecord",
    "RestoreResult",
    "RuleCheck",
    "SchemaState",
    "Store",
    "StoreCheck",
    "backup_store",
    "busy_timeout_ms",
    "check_store",
    "default_db_path",
    "describe",
    "ensure_schema",
    "is_sqlite",
    "is_url",
    "make_engine",
    "open_store",
    "purge_deleted",
    "resolve_location",
    "restore_store",
    "schema_version_of",
    "schema_version_of_file",
    "side_files",
    "sqlite_file",
    "to_url",
    "translate_db_error",
]
