"""The one accessor for a stored row's primary key, typed as the int it is once stored."""

from __future__ import annotations

from typing import Protocol


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Stored) -> int:
    """Return the id of a row read from the store or flushed to it.

    A table model's ``id`` is ``None`` only before the row is flushed; asking for it then
    is a programming error, so it raises instead of inventing an id.
    """
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id until it is flushed to the store.")
    return row.id
