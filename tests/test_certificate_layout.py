"""The certificate on paper and for screen readers: a long name stays inside the frame
(checked on the words' boxes and on the rendered pixels), and the PDF carries a title,
its language and a structure tree in reading order."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from chefintro.certificates.pdf import CertificateData, render

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler (pdftotext, pdftoppm) is not installed",
)

#: 87 characters, as long as the longest name seen in an agency's roster.
NAME_87 = "Anna-Karin Margareta Åkerström-Lindqvist von Düben af Ekenstam Östergren-Bäckström Nyed"
AGENCY = "Myndigheten för samhällsskydd och beredskap, enheten för lärande av olyckor och kriser"
MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 210 * MM, 297 * MM
INNER = 16 * MM  # the gold frame, 16 mm from the edge
OUTER = 12 * MM  # the blue frame


def _certificate(tmp_path: Path, name: str, agency: str = "Hovrätten för nedre Norrland") -> Path:
    days = [(date(2027, 1, 26) + timedelta(weeks=5 * i), f"Programdag {i + 1}") for i in range(8)]
    target = tmp_path / "intyg.pdf"
    render(
        CertificateData(
            programme="Chefsintroduktionsprogrammet i Myndighetsnätverket",
            cohort="2027",
            name=name,
            agency=agency,
            starts_on=date(2027, 1, 26),
            ends_on=date(2027, 12, 9),
            days=days,
            coordinator="Helena Sjödin",
            issued_on=date(2027, 12, 9),
        ),
        target,
    )
    return target


def _words(path: Path) -> list[tuple[float, float, float, float, str]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [
        (float(a), float(b), float(c), float(d), word)
        for a, b, c, d, word in re.findall(pattern, html)
    ]


def test_an_87_character_name_stays_inside_the_frame(tmp_path: Path) -> None:
    assert len(NAME_87) == 87
    pdf = _certificate(tmp_path, NAME_87, AGENCY)
    words = _words(pdf)
    outside = [
        w for w in words if w[0] < INNER or w[2] > PAGE_W - INNER or w[1] < INNER or w[3] > PAGE_H
    ]
    assert outside == []
    # Every word of the name and the agency is there, in order, as written.
    text = " ".join(w[4] for w in words)
    assert NAME_87 in text and AGENCY in text
    # The name is still the largest text after the heading: wrapped, not shrunk to nothing.
    name_heights = {round(w[3] - w[1], 1) for w in words if w[4] in NAME_87.split()}
    assert min(name_heights) >= 14


def test_the_margins_outside_the_frame_stay_blank(tmp_path: Path) -> None:
    # A name and an agency without a space to wrap at: the hardest case.
    pdf = _certificate(tmp_path, NAME_87.replace(" ", "") + "-Ek", AGENCY.replace(" ", ""))
    dpi = 100
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(tmp_path / "s")], check=True)
    image = (tmp_path / "s-1.pgm").read_bytes()
    # A binary PGM: "P5\n<w> <h>\n255\n" and then one byte per pixel.
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", image)
    assert header is not None
    width, height = int(header[1]), int(header[2])
    pixels = image[header.end() :]

    def px(mm: float) -> int:
        return round(mm / 25.4 * dpi)

    # The paper outside the blue frame, and the strip between the blue and the gold frame
    # (away from the corner squares), on both sides: white, nothing drawn there.
    strips = [(0, px(11)), (px(13.5), px(15.2))]
    strips += [(width - b, width - a) for a, b in strips]
    rows = range(px(20), height - px(20))
    darkest = min(pixels[y * width + x] for a, b in strips for x in range(a, b) for y in rows)
    assert darkest == 255


def test_the_pdf_has_a_title_a_language_and_tags(tmp_path: Path) -> None:
    pdf = _certificate(tmp_path, NAME_87)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert f"Title:           Intyg – {NAME_87}" in info
    data = pdf.read_bytes()
    assert b"/Lang (sv-SE)" in data
    assert b"/DisplayDocTitle true" in data
    assert b"<dc:language><rdf:Bag><rdf:li>sv-SE</rdf:li>" in data
    structure = subprocess.run(
        ["pdfinfo", "-struct-text", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    lines = [line.strip() for line in structure.splitlines()]
    # Reading order: the heading, then the sentence with the name read as one paragraph.
    assert lines[lines.index('"Intyg"') - 1].startswith("H1")
    assert f'"{NAME_87}"' in lines
    assert lines.index('"Härmed intygas att"') < lines.index(f'"{NAME_87}"')
    assert '"Helena Sjödin"' in lines and '"Samordnare"' in lines
