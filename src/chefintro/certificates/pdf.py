"""Draws one certificate as an A4 PDF page with fpdf2 (the only module that imports it).

The text is set in DejaVu Serif, shipped in ``fonts/`` beside this module with its licence,
so å, ä, ö and é print on any computer and the PDF's text can be extracted and searched
(``pdftotext`` shows the name as written). A long name or agency wraps onto two or three
lines in a smaller size rather than running over the frame.

The PDF is tagged for screen readers: a title shown in the window bar, the language
(sv-SE), a structure tree in reading order (the heading "Intyg" as H1, every other text
as P) and the frame, rules and ornaments marked as artifacts. fpdf2 has no PDF/UA mode
and no public API for text tags, so the tags are written with its structure-tree builder
(:meth:`_Page.tagged`); the README's Certificates says what is missing for PDF/UA.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from html import escape
from pathlib import Path

from fpdf import FPDF, ViewerPreferences
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

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
    @contextmanager
    def tagged(self, kind: str = "P") -> Iterator[None]:
        """Mark what is drawn inside as one structure element (H1, P …) of the page, in
        reading order, so a screen reader reads it as a heading or a paragraph."""
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=f"/{kind}", mcid=mcid)
        self._out(f"/{kind} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")

    @contextmanager
    def artifact(self) -> Iterator[None]:
        """Mark what is drawn inside as decoration that a screen reader skips."""
        self._out("/Artifact BMC")
        yield
        self._out("EMC")

    def centred(
        self,
        text: str,
        *,
        size: float,
        style: str = "",
        colour: tuple[int, int, int] = _BLUE,
        height: float | None = None,
        shrink_to: float | None = None,
        tag: str = "P",
    ) -> None:
        """Write one centred line, shrinking the font until it fits ``shrink_to`` mm."""
        self.set_font(FAMILY, style, size)
        if shrink_to is not None:
            while size > 10 and self.get_string_width(text) > shrink_to:
                size -= 1
                self.set_font(FAMILY, style, size)
        self.set_text_color(*colour)
        with self.tagged(tag):
            self.cell(
                0,
                height or size * 0.55,
                text,
                align=Align.C,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    def centred_lines(
        self,
        text: str,
        *,
        size: float,
        width: float,
        style: str = "",
        colour: tuple[int, int, int] = _BLUE,
    ) -> None:
        """Write ``text`` centred within ``width`` mm: one line in the largest size that
        fits, else two or three balanced lines in a smaller one (never below 10 pt);
        a text longer even than that ends in "…". Always inside ``width``."""
        font_size, lines = fit_lines(self, text, style=style, size=size, width=width)
        self.set_font(FAMILY, style, font_size)
        self.set_text_color(*colour)
        with self.tagged():
            for line in _spaced(text, lines):
                self.set_x((_PAGE_W - width) / 2)
                self.cell(
                    width, font_size * 0.5, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )

    def ornament(self, y: float, width: float = 60.0) -> None:
        """A gold rule with a small diamond in the middle."""
        middle = _PAGE_W / 2
        self.set_draw_color(*_GOLD)
        self.set_fill_color(*_GOLD)
        self.set_line_width(0.4)
        with self.artifact():
            self.line(middle - width / 2, y, middle - 3.5, y)
            self.line(middle + 3.5, y, middle + width / 2, y)
            self.polygon(
                [(middle - 2.2, y), (middle, y - 2.2), (middle + 2.2, y), (middle, y + 2.2)],
                style="F",
            )


#: The smallest size a wrapped name or agency is set in, and the sizes below which it may
#: take a second and a third line.
_MIN_SIZE = 10.0
_TWO_LINES_BELOW = 18.0
_THREE_LINES_BELOW = 13.0


def fit_lines(
    pdf: FPDF, text: str, *, style: str, size: float, width: float
) -> tuple[float, list[str]]:
    """Return the font size and lines that set ``text`` inside ``width`` mm (see
    :meth:`_Page.centred_lines`); leaves the font set to the size returned.

    Lines break between words; only a text that fits no other way (a word wider than the
    page) is broken inside a word, and one longer than three lines at 10 pt ends in "…".
    """
    words = " ".join(text.split())
    for inside_words in (False, True):
        current = size
        while True:
            lines = _fitting(pdf, text, style=style, size=current, width=width)
            if lines is not None and (inside_words or " ".join(lines) == words):
                return current, lines
            if current <= _MIN_SIZE:
                break
            current = max(_MIN_SIZE, current - 1)
    pdf.set_font(FAMILY, style, _MIN_SIZE)
    lines = _wrap(pdf, text, width)
    last = lines[2]
    while last and pdf.get_string_width(last + "…") > width:
        last = last[:-1]
    return _MIN_SIZE, [*lines[:2], last.rstrip() + "…"]


def _fitting(pdf: FPDF, text: str, *, style: str, size: float, width: float) -> list[str] | None:
    """The lines of ``text`` at ``size`` within ``width``, balanced, in as many lines as the
    size allows (one from 18 pt up, two from 13 pt, else three); None if it needs more."""
    pdf.set_font(FAMILY, style, size)
    total = pdf.get_string_width(text)
    if total <= width:
        return [text]
    allowed = 1 + (size < _TWO_LINES_BELOW) + (size < _THREE_LINES_BELOW)
    words = " ".join(text.split())
    fallback = None
    for count in range(2, allowed + 1):
        # Wrapping to a little more than an even share balances the lines.
        for share in (1.08, 1.2, 1.4, 2.0):
            lines = _wrap(pdf, text, min(width, total / count * share + 2))
            if len(lines) > count or any(pdf.get_string_width(x) > width for x in lines):
                continue
            if " ".join(lines) == words:
                return lines
            fallback = fallback or lines
    return fallback


def _spaced(text: str, lines: list[str]) -> list[str]:
    """Give back the space each line break took, so the text read aloud or copied from the
    PDF has "von Düben", not "vonDüben" (a trailing space does not show)."""
    spaced, position = [], 0
    for line in lines:
        position = text.find(line, position) + len(line) if line in text else position
        broke_at_space = position < len(text) and text[position] == " "
        spaced.append(line + " " if broke_at_space else line)
    return spaced


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output=MethodReturnValue.LINES)
    assert isinstance(lines, list)
    return [str(line).strip() for line in lines if str(line).strip()]


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
                with pdf.tagged():
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
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_xmp_metadata(_xmp(f"Intyg – {data.name}", f"{data.programme}, omgång {data.cohort}"))
    # The same data gives the same file.
    pdf.set_creation_date(datetime.combine(data.issued_on, time(12), tzinfo=UTC))
    pdf.set_auto_page_break(False)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    return pdf


def _xmp(title: str, description: str) -> str:
    """The document's XMP metadata: its title, description and language, as PDF/UA asks."""
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
            '   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(title)}</rdf:li></rdf:Alt></dc:title>",
            '   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(description)}</rdf:li></rdf:Alt></dc:description>",
            "   <dc:language><rdf:Bag><rdf:li>sv-SE</rdf:li></rdf:Bag></dc:language>",
            "   <dc:format>application/pdf</dc:format>",
            "  </rdf:Description>",
            " </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


def _frame(pdf: _Page) -> None:
    """The frame: a thick blue border and a thin gold one inside it, with corner squares."""
    with pdf.artifact():
        _draw_frame(pdf)


def _draw_frame(pdf: _Page) -> None:
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
    with pdf.tagged():
        pdf.cell(2 * half, 6, swedish_date(data.issued_on), align=Align.C)
    pdf.set_draw_color(*_BLUE)
    pdf.set_line_width(0.3)
    with pdf.artifact():
        for middle in (left, right):
            pdf.line(middle - half, line_y, middle + half, line_y)
    pdf.set_font(FAMILY, "I", 9.5)
    pdf.set_text_color(*_GREY)
    pdf.set_xy(left - half, line_y + 1.5)
    with pdf.tagged():
        pdf.cell(2 * half, 5, "Datum", align=Align.C)
    pdf.set_xy(right - half, line_y + 1.5)
    if data.coordinator:
        name_size = 11.5
        pdf.set_font(FAMILY, "", name_size)
        while name_size > 8 and pdf.get_string_width(data.coordinator) > 2 * half:
            name_size -= 0.5
            pdf.set_font(FAMILY, "", name_size)
        pdf.set_text_color(*_BLUE)
        with pdf.tagged():
            pdf.cell(2 * half, 6, data.coordinator, align=Align.C)
        pdf.set_xy(right - half, line_y + 7.5)
    pdf.set_font(FAMILY, "I", 9.5)
    pdf.set_text_color(*_GREY)
    with pdf.tagged():
        pdf.cell(2 * half, 5, "Samordnare", align=Align.C)


def render(data: CertificateData, path: Path) -> None:
    """Write the certificate to ``path`` (0600, atomically)."""
    pdf = _new_page(data)
    _frame(pdf)

    text_width = _PAGE_W - 50
    pdf.set_y(34)
    pdf.centred("MYNDIGHETSNÄTVERKET", size=10, colour=_GOLD, height=6)
    pdf.ln(6)
    pdf.centred("Intyg", size=46, style="B", height=22, tag="H1")
    pdf.ornament(pdf.get_y() + 5)
    pdf.ln(16)
    pdf.centred("Härmed intygas att", size=13, style="I", colour=_GREY, height=8)
    pdf.ln(5)
    pdf.ln(2)
    pdf.centred_lines(data.name, size=30, style="B", width=text_width)
    pdf.ln(3)
    pdf.centred_lines(data.agency, size=14, colour=_GREY, width=text_width)
    pdf.ln(8)
    pdf.centred("har med godkänd närvaro genomgått", size=13, style="I", colour=_GREY, height=8)
    pdf.ln(2)
    pdf.centred_lines(data.programme, size=17, style="B", width=text_width)
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
        pdf.centred("Programdagar", size=12, style="B", height=7, tag="H2")
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
