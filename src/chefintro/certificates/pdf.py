"""Draws one certificate as an A4 PDF page with fpdf2 (the only module that imports it).

The text is set in DejaVu Serif, shipped in ``fonts/`` beside this module with its licence,
so å, ä, ö and é print on any computer and the PDF's text can be extracted and searched
(``pdftotext`` shows the name as written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from chefintro.files import private_output
from chefintro.text import swedish_date

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSerif"

# Colours: a deep blue for text and frame, a muted gold for the ornaments.
_BLUE = (27, 54, 93)
_GOLD = (176, 141, 62)
_GREY = (90, 90, 90)

_PAGE_W, _PAGE_H = 210.0, 297.0
_MARGIN = 12.0
_SIGNATURE_Y = _PAGE_H - 55  # where the signature lines are drawn


@dataclass(frozen=True)
class CertificateData:
    """Everything a certificate says."""

    programme: str
    cohort: str
    name: str
    agency: str
    starts_on: date
    ends_on: date
    days: list[tuple[date, str]]
    coordinator: str
    issued_on: date


class _Page(FPDF):
    def centred(
        self,
        text: str,
        *,
        size: float,
        style: str = "",
        colour: tuple[int, int, int] = _BLUE,
        height: float | None = None,
        shrink_to: float | None = None,
    ) -> None:
        """Write one centred line, shrinking the font until it fits ``shrink_to`` mm."""
        self.set_font(FAMILY, style, size)
        if shrink_to is not None:
            while size > 10 and self.get_string_width(text) > shrink_to:
                size -= 1
                self.set_font(FAMILY, style, size)
        self.set_text_color(*colour)
        self.cell(
            0,
            height or size * 0.55,
            text,
            align=Align.C,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def ornament(self, y: float, width: float = 60.0) -> None:
        """A gold rule with a small diamond in the middle."""
        middle = _PAGE_W / 2
        self.set_draw_color(*_GOLD)
        self.set_fill_color(*_GOLD)
        self.set_line_width(0.4)
        self.line(middle - width / 2, y, middle - 3.5, y)
        self.line(middle + 3.5, y, middle + width / 2, y)
        self.polygon(
            [(middle - 2.2, y), (middle, y - 2.2), (middle + 2.2, y), (middle, y + 2.2)],
            style="F",
        )


def _days(
    pdf: _Page, days: list[tuple[date, str]], *, top: float, bottom: float, width: float
) -> None:
    """List the programme days between ``top`` and ``bottom``: one centred column in the
    largest size that fits, else two columns, else just how many days there were."""
    lines = [f"{swedish_date(day)}  ·  {title}" for day, title in days]
    room = bottom - top
    for size in (11.0, 10.0, 9.0, 8.0):
        if len(lines) * size * 0.58 <= room:
            for line in lines:
                pdf.centred(line, size=size, colour=_GREY, height=size * 0.58, shrink_to=width)
            return
    half = (len(lines) + 1) // 2
    for size in (9.0, 8.0, 7.0):
        height = size * 0.58
        if half * height <= room:
            column = width / 2 - 3
            for index, line in enumerate(lines):
                x = pdf.l_margin + (0 if index < half else width / 2 + 3)
                pdf.set_xy(x, top + (index % half) * height)
                line_size = size
                pdf.set_font(FAMILY, "", line_size)
                while line_size > 6.5 and pdf.get_string_width(line) > column:
                    line_size -= 0.5
                    pdf.set_font(FAMILY, "", line_size)
                while len(line) > 20 and pdf.get_string_width(line) > column:
                    line = line[:-2] + "…"
                pdf.set_text_color(*_GREY)
                pdf.cell(column, height, line, align=Align.C)
            return
    pdf.centred(
        f"{len(lines)} programdagar, {swedish_date(days[0][0])} – {swedish_date(days[-1][0])}",
        size=11,
        colour=_GREY,
        height=6.5,
    )


def _new_page(data: CertificateData) -> _Page:
    """An A4 page with the fonts and the document's metadata; the same data, the same file."""
    pdf = _Page(orientation="P", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSerif.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSerif-Bold.ttf"))
    pdf.add_font(FAMILY, "I", str(FONTS / "DejaVuSerif-Italic.ttf"))
    pdf.set_title(f"Intyg – {data.name}")
    pdf.set_subject(f"{data.programme}, omgång {data.cohort}")
    pdf.set_author(data.coordinator or data.programme)
    pdf.set_creator("chefintro")
    pdf.set_lang("sv-SE")
    # The same data gives the same file.
    pdf.set_creation_date(datetime.combine(data.issued_on, time(12), tzinfo=UTC))
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    return pdf


def _frame(pdf: _Page) -> None:
    """The frame: a thick blue border and a thin gold one inside it, with corner squares."""
    pdf.set_draw_color(*_BLUE)
    pdf.set_line_width(1.6)
    pdf.rect(_MARGIN, _MARGIN, _PAGE_W - 2 * _MARGIN, _PAGE_H - 2 * _MARGIN)
    pdf.set_draw_color(*_GOLD)
    pdf.set_line_width(0.5)
    inner = _MARGIN + 4
    pdf.rect(inner, inner, _PAGE_W - 2 * inner, _PAGE_H - 2 * inner)
    pdf.set_fill_color(*_GOLD)
    for x in (inner - 1.5, _PAGE_W - inner - 1.5):
        for y in (inner - 1.5, _PAGE_H - inner - 1.5):
            pdf.rect(x, y, 3, 3, style="F")


def _signatures(pdf: _Page, data: CertificateData) -> None:
    """The signature block, at a fixed place near the foot of the page.

    The date on the left, the coordinator's signature line on the right.
    """
    line_y = _SIGNATURE_Y
    left, right, half = _PAGE_W / 2 - 45, _PAGE_W / 2 + 45, 33
    pdf.set_font(FAMILY, "", 11.5)
    pdf.set_text_color(*_BLUE)
    pdf.set_xy(left - half, line_y - 8)
    pdf.cell(2 * half, 6, swedish_date(data.issued_on), align=Align.C)
    pdf.set_draw_color(*_BLUE)
    pdf.set_line_width(0.3)
    for middle in (left, right):
        pdf.line(middle - half, line_y, middle + half, line_y)
    pdf.set_font(FAMILY, "I", 9.5)
    pdf.set_text_color(*_GREY)
    pdf.set_xy(left - half, line_y + 1.5)
    pdf.cell(2 * half, 5, "Datum", align=Align.C)
    pdf.set_xy(right - half, line_y + 1.5)
    if data.coordinator:
        name_size = 11.5
        pdf.set_font(FAMILY, "", name_size)
        while name_size > 8 and pdf.get_string_width(data.coordinator) > 2 * half:
            name_size -= 0.5
            pdf.set_font(FAMILY, "", name_size)
        pdf.set_text_color(*_BLUE)
        pdf.cell(2 * half, 6, data.coordinator, align=Align.C)
        pdf.set_xy(right - half, line_y + 7.5)
    pdf.set_font(FAMILY, "I", 9.5)
    pdf.set_text_color(*_GREY)
    pdf.cell(2 * half, 5, "Samordnare", align=Align.C)


def render(data: CertificateData, path: Path) -> None:
    """Write the certificate to ``path`` (0600, atomically)."""
    pdf = _new_page(data)
    _frame(pdf)

    text_width = _PAGE_W - 50
    pdf.set_y(34)
    pdf.centred("MYNDIGHETSNÄTVERKET", size=10, colour=_GOLD, height=6)
    pdf.ln(6)
    pdf.centred("Intyg", size=46, style="B", height=22)
    pdf.ornament(pdf.get_y() + 5)
    pdf.ln(16)
    pdf.centred("Härmed intygas att", size=13, style="I", colour=_GREY, height=8)
    pdf.ln(5)
    pdf.centred(data.name, size=30, style="B", height=15, shrink_to=text_width)
    pdf.ln(1)
    pdf.centred(data.agency, size=14, colour=_GREY, height=8, shrink_to=text_width)
    pdf.ln(8)
    pdf.centred("har med godkänd närvaro genomgått", size=13, style="I", colour=_GREY, height=8)
    pdf.ln(2)
    pdf.set_font(FAMILY, "B", 17)
    pdf.set_text_color(*_BLUE)
    pdf.multi_cell(0, 8.5, data.programme, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    pdf.centred(
        f"omgång {data.cohort}, {swedish_date(data.starts_on)} – {swedish_date(data.ends_on)}",
        size=12,
        colour=_GREY,
        height=7,
    )
    pdf.ln(4)
    pdf.ornament(pdf.get_y() + 3, width=40)
    pdf.ln(10)

    if data.days:
        pdf.centred("Programdagar", size=12, style="B", height=7)
        pdf.ln(1)
        _days(pdf, data.days, top=pdf.get_y(), bottom=_SIGNATURE_Y - 16, width=text_width)

    _signatures(pdf, data)

    pdf.set_y(_PAGE_H - 30)
    pdf.centred(
        "Ett ettårigt introduktions- och utvecklingsprogram för nya chefer, med mentor från "
        "en annan myndighet i nätverket.",
        size=8,
        colour=_GOLD,
        height=4,
        shrink_to=text_width + 10,
    )
    with private_output(path) as temporary:
        pdf.output(str(temporary))
