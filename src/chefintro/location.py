"""Where the store is: ``--db``, else ``CHEFINTRO_DB``, else the user data dir.

Kept free of database imports so that ``chefintro --version`` can say where the store is
without loading SQLAlchemy; ``chefintro.store`` re-exports these names.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def describe(location: str) -> str:
    """Return a location fit to print: a URL without its password, or a resolved path."""
    if is_url(location):
        from sqlalchemy.engine import make_url

        return make_url(location).render_as_string(hide_password=True)
    return str(Path(location).expanduser().resolve())
