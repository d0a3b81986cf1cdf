"""What a workbook holds, as plain data: the specs the services fill and the writer draws.

Kept apart from :mod:`chefintro.roster.write.writer` so that the writer's parts (cells, table
sheets, overview sheets) name these types without importing the writer itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: How many rows below the data the drop-down lists reach, so new rows get them too.
INPUT_ROWS = 500


@dataclass(frozen=True)
class ColumnSpec:
    """One column: header, width in characters (None: sized from the data), drop-down
    choices (empty: none), and a number format for date/time cells (None: by value type)."""

    header: str
    width: float | None = None
    choices: Sequence[str] = ()
    number_format: str | None = None
    wrap: bool = False
    #: A column people need not see (the stable numbers an export writes for its return).
    hidden: bool = False
    #: Wrap the header text (long session headers on Närvaro).
    wrap_header: bool = False


@dataclass(frozen=True)
class SheetSpec:
    """A table sheet: a header row of ``columns`` and then ``rows`` (any iterable, streamed)."""

    name: str
    columns: Sequence[ColumnSpec]
    rows: Iterable[Sequence[Any]] = ()
    freeze_header: bool = True
    autofilter: bool = True
    input_rows: int = INPUT_ROWS
    hidden: bool = False
    # A header row this many points high, its text wrapped (for long headers such as
    # survey questions); None: one plain line.
    header_height: float | None = None


@dataclass(frozen=True)
class TableSpec:
    """A small titled table on an overview sheet; first column = categories, rest = numbers."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class BarChartSpec:
    """A bar chart of one table of the overview sheet (``table`` indexes its tables)."""

    table: int
    title: str
    y_title: str | None = None
    x_title: str | None = None
    horizontal: bool = False


@dataclass(frozen=True)
class OverviewSheet:
    """A sheet of small tables stacked top to bottom, with bar charts beside them."""

    name: str
    tables: Sequence[TableSpec]
    charts: Sequence[BarChartSpec] = ()


@dataclass(frozen=True)
class WorkbookSpec:
    """The sheets of a workbook, in order, and what its printed pages say at the top."""

    sheets: Sequence[SheetSpec | OverviewSheet]
    #: Printed at the top of every page: programme, cohort and agency.
    page_header: str = "Chefsintroduktion"
    #: When the export was made; written into the workbook's properties so that a
    #: returned workbook says how old it is. None for the blank template.
    exported_at: datetime | None = None
