"""Regenerate sample_data/natverket-2027.xlsx, the demo's fictional agency network.

Run from the project root: ``.venv/bin/python sample_data/generate.py``. The output is
committed; this script documents where it came from and keeps it reproducible.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from chefintro.roster.columns import SHEETS, SheetKey

AGENCIES = [
    ("CSN", "Centrala studiestödsnämnden"),
    ("BV", "Bolagsverket"),
    ("LST-Y", "Länsstyrelsen Västernorrland"),
    ("MIUN", "Mittuniversitetet"),
    ("SPV", "Statens tjänstepensionsverk"),
    ("HNN", "Hovrätten för nedre Norrland"),
    ("FK", "Försäkringskassan"),
    ("SKV", "Skatteverket"),
    ("PM", "Pensionsmyndigheten"),
    ("SUK", "Sundsvalls kommun"),
]
FIRST = [
    "Åsa",
    "Björn",
    "Märta",
    "Jöns",
    "Élise",
    "Örjan",
    "Karin",
    "Anders",
    "Lena",
    "Per",
    "Ingrid",
    "Göran",
    "Maria",
    "Jörgen",
    "Sofia",
    "Håkan",
    "Emma",
    "Mikael",
    "Linnéa",
    "Ulf",
    "Annika",
    "Stefan",
    "Helén",
    "Tomas",
    "Åke",
    "Eva",
    "Rickard",
    "Sara",
    "Pär",
    "Malin",
    "Fredrik",
    "Therése",
    "Mats",
    "Johanna",
    "Nils",
    "Camilla",
    "Olle",
    "Kristina",
    "Lars",
    "Ylva",
    "Henrik",
    "Agneta",
    "Erik",
    "Birgitta",
    "Jonas",
    "Cecilia",
    "Magnus",
    "Ebba",
    "Kjell",
    "Ida",
]
LAST = [
    "Öberg",
    "Sjöström",
    "Åström",
    "Lindqvist",
    "Nordén",
    "Bäckström",
    "Ekström",
    "Hägglund",
    "Forsgren",
    "Wikström",
    "Sundqvist",
    "Löfgren",
    "Holmén",
    "Strömberg",
    "Näslund",
    "Berglund",
    "Öhman",
    "Dahlén",
    "Engström",
    "Granlund",
    "Westerlund",
    "Åberg",
    "Nyström",
    "Sjödin",
    "Höglund",
]
FIELDS = {
    "IT": ("IT-avdelningen", ["IT-chef", "Enhetschef IT", "Gruppchef utveckling"]),
    "HR": ("HR-avdelningen", ["HR-chef", "Enhetschef HR", "HR-direktör"]),
    "juridik": ("Rättsavdelningen", ["Enhetschef juridik", "Chefsjurist"]),
    "ekonomi": ("Ekonomienheten", ["Ekonomichef", "Enhetschef ekonomi"]),
    "handläggning": ("Handläggningsenheten", ["Enhetschef", "Gruppchef", "Sektionschef"]),
    "kundtjänst": ("Kundservice", ["Gruppchef kundtjänst", "Enhetschef"]),
    "kommunikation": ("Kommunikationsenheten", ["Kommunikationschef", "Enhetschef"]),
    "analys": ("Analysavdelningen", ["Enhetschef analys", "Gruppchef"]),
}
TOWNS = ["Sundsvall", "Sundsvall", "Sundsvall", "Härnösand", "Östersund", "Örnsköldsvik", "Timrå"]
ADEPT_AGENCIES = ["CSN", "BV", "LST-Y", "MIUN", "SPV", "FK", "SKV"]
MENTOR_AGENCIES = ["CSN", "BV", "LST-Y", "MIUN", "SPV", "HNN", "FK", "SKV", "PM", "SUK"]
DOMAINS = {
    "CSN": "csn.se",
    "BV": "bolagsverket.se",
    "LST-Y": "lansstyrelsen.se",
    "MIUN": "miun.se",
    "SPV": "spv.se",
    "HNN": "dom.se",
    "FK": "forsakringskassan.se",
    "SKV": "skatteverket.se",
    "PM": "pensionsmyndigheten.se",
    "SUK": "sundsvall.se",
}
ASCII = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


def email(first: str, last: str, agency: str) -> str:
    local = f"{first}.{last}".lower().translate(ASCII)
    return f"{local}@{DOMAINS[agency]}"


def main() -> None:
    rng = random.Random(2027)
    names = [(first, last) for first in FIRST for last in LAST]
    rng.shuffle(names)
    people = []
    for index in range(50):
        first, last = names[index]
        role = "adept" if index < 25 else "mentor"
        agency = rng.choice(ADEPT_AGENCIES if role == "adept" else MENTOR_AGENCIES)
        field = rng.choice(list(FIELDS))
        unit, titles = FIELDS[field]
        if role == "adept":
            since = date(2026, rng.randint(1, 7), 1)
            if index == 3:
                since = date(2026, 11, 1)  # too new: the demo shows the eligibility warning
        else:
            since = date(rng.randint(2005, 2022), rng.randint(1, 12), 1)
        if index == 25:
            # The article's mentor: HR director at the court of appeal, formerly at SPV.
            agency, field, unit, titles = "HNN", "HR", "Administrativa enheten", ["HR-direktör"]
        people.append(
            {
                "name": f"{first} {last}",
                "email": email(first, last, agency),
                "agency": agency,
                "role": role,
                "unit": unit,
                "title": rng.choice(titles) if role == "mentor" else titles[-1],
                "field": field,
                "town": rng.choice(TOWNS),
                "since": since,
                "capacity": (2 if rng.random() < 0.3 else 1) if role == "mentor" else None,
            }
        )
    mentors = [p for p in people if p["role"] == "mentor"]
    for adept in people[:25]:
        if rng.random() < 0.5:
            adept["wished"] = rng.choice(list(FIELDS))
        if rng.random() < 0.4:
            picks = rng.sample([m for m in mentors if m["agency"] != adept["agency"]], 2)
            adept["preferred"] = "; ".join(str(m["email"]) for m in picks)

    book = Workbook()
    sheet = book.active
    sheet.title = "Myndigheter"
    sheet.append(list(SHEETS[SheetKey.AGENCIES].headers))
    for code, name in AGENCIES:
        sheet.append([code, name])
    sheet = book.create_sheet("Deltagare")
    sheet.append(list(SHEETS[SheetKey.PARTICIPANTS].headers))
    for p in people:
        sheet.append(
            [
                p["name"],
                p["email"],
                p["agency"],
                p["role"],
                p["unit"],
                p["title"],
                p["field"],
                p["town"],
                p["since"],
                p["capacity"],
                p.get("wished"),
                p.get("preferred"),
            ]
        )
        sheet.cell(sheet.max_row, 9).number_format = "yyyy-mm-dd"
    out = Path(__file__).with_name("natverket-2027.xlsx")
    book.save(out)
    book.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
