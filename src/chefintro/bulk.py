"""Many rows into one table at once: Core ``executemany`` given a column at a time.

What a bulk import writes (a roster's people and participants, a year's attendance marks
and meetings) goes through :func:`insert_many` rather than the ORM or SQLAlchemy's
executemany of one dict a row: the statement is compiled once, each distinct value goes
through its column's bind processor once, and the driver gets plain tuples in batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel

INSERT_BATCH = 1000


class _Processed(dict[Any, Any]):
    """A bind processor's results by value: a roster repeats its dates, flags and blanks.

    Values that are equal share one result, so a column must not mix values that are equal
    but stored differently (True and 1 in a JSON column); the roster's never do.
    """

    def __init__(self, process: Callable[[Any], Any]) -> None:
        super().__init__()
        self.process = process

    def __missing__(self, value: Any) -> Any:
        result = self[value] = self.process(value)
        return result


def insert_many(
    db: Session,
    model: type[SQLModel],
    columns: dict[str, Sequence[Any]],
) -> None:
    """Insert rows given a column at a time (name → one value per row) with executemany.

    The table, not the entity: the ORM's bulk insert leaves out None values and so runs one
    executemany per pattern of blank cells, thousands for a large roster. The statement is
    compiled once for the store's dialect and each value goes through its column type's own
    bind processor (dates and JSON as the dialect stores them), once per distinct value; the
    rows are zipped together from the columns in C, and batches keep the driver's copy of
    the parameters small (issue 16). Values must be hashable (a tuple, not a list, for JSON).
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    connection = db.connection()
    dialect = connection.dialect
    keys = list(columns)
    lengths = {len(values) for values in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"insert into {table.name}: the columns differ in length")
    if not lengths.pop():
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=keys, for_executemany=True)
    # The statement's parameters, in its order.
    names = list(compiled.positiontup or ()) if compiled.positional else keys
    if sorted(names) != sorted(keys):
        raise ValueError(f"insert into {table.name}: {names} are not the columns {keys}")
    ordered: list[Iterable[Any]] = []
    for name in names:
        values = columns[name]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        ordered.append(values if process is None else map(_Processed(process).__getitem__, values))
    rows: Iterator[Any] = zip(*ordered, strict=True)
    if not compiled.positional:
        rows = (dict(zip(names, row, strict=True)) for row in rows)
    while batch := list(islice(rows, INSERT_BATCH)):
        connection.exec_driver_sql(compiled.string, batch)
