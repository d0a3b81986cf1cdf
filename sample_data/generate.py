"""Regenerate sample_data/natverket-2027.xlsx and natverket-2028.xlsx, the demo's fictional
agency network and its second year (``chefintro demo --years 2``).

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


def people_2027() -> list[dict[str, object]]:
    """The 2027 cohort: 25 adepts and 25 mentors (the same draws as ever)."""
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
    return people


def _participant_row(p: dict[str, object]) -> list[object]:
    return [
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


def write_roster(out: Path, people: list[dict[str, object]], *, consent: bool) -> None:
    """The roster workbook: the agencies, then a row per participant (with Samtycke)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Myndigheter"
    sheet.append(list(SHEETS[SheetKey.AGENCIES].headers))
    for code, name in AGENCIES:
        sheet.append([code, name])
    sheet = book.create_sheet("Deltagare")
    headers = list(SHEETS[SheetKey.PARTICIPANTS].headers)
    sheet.append(headers[: 13 if consent else 12])  # no Status/Genomförande: export only
    for p in people:
        sheet.append(_participant_row(p) + ([p.get("consent")] if consent else []))
        sheet.cell(sheet.max_row, 9).number_format = "yyyy-mm-dd"
    book.save(out)
    book.close()
    print(f"wrote {out}")


def people_2028(before: list[dict[str, object]]) -> list[dict[str, object]]:
    """The 2028 cohort: 25 new adepts, 20 of 2027's mentors again and 5 new mentors, with
    their answer to being listed (Samtycke): mostly Ja, some Nej, some left blank. Three
    returning mentors say Nej now (a later no wins over a yes given in 2027)."""
    rng = random.Random(2028)
    taken = {str(p["name"]) for p in before}
    names = [(first, last) for first in FIRST for last in LAST]
    rng.shuffle(names)
    fresh = iter(n for n in names if f"{n[0]} {n[1]}" not in taken)  # no one's namesake
    people: list[dict[str, object]] = []
    while len(people) < 30:
        first, last = next(fresh)
        role = "adept" if len(people) < 25 else "mentor"
        agency = rng.choice(ADEPT_AGENCIES if role == "adept" else MENTOR_AGENCIES)
        address = email(first, last, agency)
        field = rng.choice(list(FIELDS))
        unit, titles = FIELDS[field]
        if role == "adept":  # some managed for years already: mentors in 2029
            # (none after 2026: a roster read before its day would warn of a date ahead)
            since = date(rng.choice([2025, 2025, 2026]), rng.randint(2, 6), 1)
        else:
            since = date(rng.randint(2005, 2020), rng.randint(1, 12), 1)
        people.append(
            {
                "name": f"{first} {last}",
                "email": address,
                "agency": agency,
                "role": role,
                "unit": unit,
                "title": rng.choice(titles) if role == "mentor" else titles[-1],
                "field": field,
                "town": rng.choice(TOWNS),
                "since": since,
                "capacity": 1 if role == "adept" else (2 if rng.random() < 0.3 else 1),
            }
        )
    for p in people:
        if p["role"] == "adept":
            p["capacity"] = None
    returning = [dict(p) for p in before if p["role"] == "mentor"][:20]
    for index, mentor in enumerate(returning):
        mentor.pop("wished", None)
        mentor.pop("preferred", None)
        mentor["consent"] = "Nej" if index in (2, 9, 15) else None if index in (5, 12) else "Ja"
    for index, p in enumerate(people):
        roll = rng.random()
        p["consent"] = "nej" if roll < 0.1 else rng.choice(["Ja", "ja", "x"])
        if index % 9 == 4:
            p["consent"] = None  # never answered
    return people + returning


def main() -> None:
    folder = Path(__file__).parent
    first = people_2027()
    write_roster(folder / "natverket-2027.xlsx", first, consent=False)
    write_roster(folder / "natverket-2028.xlsx", people_2028(first), consent=True)


if __name__ == "__main__":
    main()
