"""An overview sheet of the roster writer: small titled tables and bar charts of them, laid
out so that a printed page break never cuts through a chart or a table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chefintro.roster.write.cells import FONT_NAME, FONT_SIZE, CellValues, safe_text, width_of
from chefintro.roster.write.sheet import MAX_WIDTH, column_letter, page_setup
from chefintro.roster.write.tables import add_table, set_alt_text

if TYPE_CHECKING:
    from chefintro.roster.write.specs import BarChartSpec, OverviewSheet, TableSpec


def write_overview(workbook: Any, spec: OverviewSheet, title: str) -> None:
    """Add an overview sheet: its tables top to bottom, then its bar charts below them."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    worksheet = workbook.create_sheet(spec.name)
    widest = max((len(table.headers) for table in spec.tables), default=1)
    first_width = max(
        [len(table.title) // 2 for table in spec.tables]
        + [width_of(row[0]) for table in spec.tables for row in table.rows if row]
        + [len(table.headers[0]) for table in spec.tables if table.headers]
        + [12],
    )
    worksheet.column_dimensions["A"].width = min(first_width + 2, MAX_WIDTH)
    for index in range(2, widest + 1):
        worksheet.column_dimensions[column_letter(index)].width = 16
    page_setup(
        worksheet,
        title=title,
        sheet=spec.name,
        widths=[min(first_width + 2, MAX_WIDTH)] + [16.0] * (widest - 1),
        header_row=False,
    )
    title_font = Font(name=FONT_NAME, bold=True, size=13)
    bold = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    cells = CellValues(worksheet, [])
    placed: list[tuple[int, int, int]] = []  # header row, last row, columns per table
    row = 1
    for table in spec.tables:
        heading = WriteOnlyCell(worksheet, value=safe_text(table.title))
        heading.font = title_font
        worksheet.append([heading])
        header = []
        for text in table.headers:
            cell = WriteOnlyCell(worksheet, value=safe_text(text))
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for values in table.rows:
            worksheet.append(cells.row(values))
        placed.append((row + 1, row + 1 + len(table.rows), len(table.headers)))
        if table.rows:
            add_table(
                workbook,
                worksheet,
                list(table.headers),
                first_row=row + 1,
                last_row=row + 1 + len(table.rows),
                filter_buttons=False,
            )
        worksheet.append([])
        row += len(table.rows) + 3
    # Charts go below the tables, one under the other, each on rows of its own: a page
    # break then falls between charts or tables, never through one (the page is one
    # page wide, and each chart is shorter than a page).
    from openpyxl.worksheet.pagebreak import Break

    next_row = row + 1
    page_used = 0.0  # centimetres of the current page the charts take
    if spec.charts:
        worksheet.row_breaks.append(Break(id=row))  # the charts start on a page of their own
    for chart_spec in spec.charts:
        chart = _bar_chart(
            worksheet, chart_spec, spec.tables[chart_spec.table], placed[chart_spec.table]
        )
        if page_used and page_used + chart.height > _CHARTS_PER_PAGE_CM:
            worksheet.row_breaks.append(Break(id=next_row - 1))
            page_used = 0.0
        worksheet.add_chart(chart, f"A{next_row}")
        page_used += chart.height + 1
        next_row += int(chart.height / 0.53) + 2  # a row is about 0.53 cm high


def _bar_chart(
    worksheet: Any, chart_spec: BarChartSpec, table: TableSpec, placed_at: tuple[int, int, int]
) -> Any:
    """A bar chart of a table already on the sheet (header row, last row, columns).

    Its axes are shown and readable, and horizontal bars get a line per category.
    """
    from openpyxl.chart import BarChart, Reference

    header_row, last_row, width = placed_at
    categories = max(last_row - header_row, 1)
    chart = BarChart()
    chart.type = "bar" if chart_spec.horizontal else "col"
    chart.title = chart_spec.title
    chart.y_axis.title = chart_spec.y_title
    chart.x_axis.title = chart_spec.x_title
    # openpyxl 3.1 marks axes as deleted unless told otherwise; Excel then hides them.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    _whole_number_axis(chart, table)
    _readable_labels(chart)
    chart.legend.position = "b"
    chart.width = 17
    # Horizontal bars grow with the categories so that every label has its line.
    chart.height = min(max(7.5, 1.2 + 0.7 * categories), 18) if chart_spec.horizontal else 8
    data = Reference(
        worksheet, min_col=2, max_col=max(width, 2), min_row=header_row, max_row=last_row
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(worksheet, min_col=1, min_row=header_row + 1, max_row=last_row))
    set_alt_text(chart, chart_spec.title, chart_description(chart_spec, table))
    return chart


#: The longest alternative text of a chart; screen readers read it whole.
_ALT_TEXT_LIMIT = 600


def chart_description(chart_spec: BarChartSpec, table: TableSpec) -> str:
    """The chart's alternative text, in Swedish: what it shows and its figures, e.g.
    "Stapeldiagram: Deltagare per myndighet. CSN: Adepter 5, Mentorer 1;
    BV: Adepter 4, Mentorer 2. Samma siffror står i tabellen … ovanför diagrammen." """
    series = [str(h) for h in table.headers[1:]]
    figures = "; ".join(
        f"{row[0]}: "
        + ", ".join(f"{name} {_number(v)}" for name, v in zip(series, row[1:], strict=False))
        for row in table.rows
        if row
    )
    kind = "Liggande stapeldiagram" if chart_spec.horizontal else "Stapeldiagram"
    per = f"per {str(table.headers[0]).lower()}"
    what = chart_spec.title if per in chart_spec.title.lower() else f"{chart_spec.title}, {per}"
    text = f"{kind}: {what}. {figures}."
    if len(text) > _ALT_TEXT_LIMIT:
        text = text[: _ALT_TEXT_LIMIT - 1].rsplit(";", 1)[0] + " …"
    return text + f" Samma siffror står i tabellen {table.title} ovanför diagrammen."


def _number(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return str(int(value)) if isinstance(value, int | float) else str(value or 0)


#: Height of chart a portrait A4 page holds below the header (cm), with room to spare.
_CHARTS_PER_PAGE_CM = 24.0


def _whole_number_axis(chart: Any, table: TableSpec) -> None:
    """Counts are whole numbers: start at 0, step by a whole number, show no decimals."""
    largest = max((v for r in table.rows for v in r[1:] if isinstance(v, int | float)), default=0)
    chart.y_axis.scaling.min = 0
    chart.y_axis.majorUnit = max(1, -(-int(largest) // 8))
    chart.y_axis.number_format = "0"


def _readable_labels(chart: Any) -> None:
    """Category labels in 9 pt, horizontal, so long names do not overlap or shrink away."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RichTextProperties,
    )

    for axis in (chart.x_axis, chart.y_axis):
        axis.txPr = RichText(
            bodyPr=RichTextProperties(rot=0, vert="horz"),
            p=[
                Paragraph(
                    pPr=ParagraphProperties(defRPr=CharacterProperties(sz=900)),
                    endParaRPr=CharacterProperties(sz=900),
                )
            ],
        )
