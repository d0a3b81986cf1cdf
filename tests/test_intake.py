"""One intake per noun: the same rows through every door give the same words.

The table below is written as an HR officer types it (a title row above the header,
Förnamn and Efternamn, an address pasted from Outlook); each door — ``participant add``
row by row, ``roster import`` and ``cohort setup`` with the same file — must answer it
with the same problems and warnings, word for word. Only where a row came from differs
(``Blad1 row 5: …``).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from tests import hostile
from tests.conftest import Cli

TITLE = ["Chefsintroduktion 2027 – deltagare från CSN och Bolagsverket"]
HEADER = ["Förnamn", "Efternamn", "E-post", "Myndighet", "Roll", "Chef sedan", "Kapacitet",
          "Önskade mentorer"]  # fmt: skip
#: Rows the intake takes, with warnings (sheet row = index + 3: title, header).
TAKEN: list[list[object]] = [
    ["Lång", "Chef", "lang.chef@csn.se", "CSN", "adept", date(2020, 3, 1), None, None],
    ["Per-Erik", "Åter", "per-erik.ater@csn.se", "CSN", "adept", date(2025, 9, 1), None, None],
    [
        "Nyss",
        "Utsedd",
        "Nyss Utsedd <nyss.utsedd@bolagsverket.se>",
        "BV",
        "adept",
        date(2026, 11, 1),
        None,
        "Maja Mentor; okand@spv.se",
    ],  # fmt: skip
    [
        "Okänd",
        "Start",
        "okand.start@bolagsverket.se",
        "BV",
        "adept",
        None,
        None,
        "Bo Samma",
    ],  # fmt: skip
]
#: Rows the intake refuses.
REFUSED: list[list[object]] = [
    [
        "Själv",
        "Önskan",
        "sjalv@csn.se",
        "CSN",
        "adept",
        date(2025, 1, 1),
        None,
        "sjalv@csn.se",
    ],  # fmt: skip
    ["För", "Många", "for.manga@csn.se", "CSN", "adept", date(2025, 1, 1), 2, None],
    [
        "Mentor",
        "Önskar",
        "mentor.onskar@bv.se",
        "BV",
        "mentor",
        date(2010, 1, 1),
        None,
        "maja@bolagsverket.se",
    ],  # fmt: skip
]


def _base(cli: Cli, db: Path) -> None:
    """The store every door starts from: two years, a returning adept, two mentors."""

    def run(*args: str) -> None:
        cli("--db", str(db), *args)

    run("init")
    run("agency", "add", "CSN", "Centrala studiestödsnämnden")
    run("agency", "add", "BV", "Bolagsverket")
    run("agency", "add", "SPV", "Statens tjänstepensionsverk")
    run("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    run("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    run("person", "add", "--name", "Per-Erik Åter", "--email", "per-erik.ater@csn.se",
        "--agency", "CSN", "--manager-since", "2025-09-01")  # fmt: skip
    run("person", "add", "--name", "Maja Mentor", "--email", "maja@bolagsverket.se",
        "--agency", "BV", "--manager-since", "2012-01-01")  # fmt: skip
    run("person", "add", "--name", "Bo Samma", "--email", "bo.samma@bolagsverket.se",
        "--agency", "BV", "--manager-since", "2012-01-01")  # fmt: skip
    run("--cohort", "2026", "participant", "add", "per-erik.ater@csn.se", "--role", "adept")
    run("--cohort", "2027", "participant", "add", "maja@bolagsverket.se", "--role", "mentor")
    run("--cohort", "2027", "participant", "add", "bo.samma@bolagsverket.se", "--role", "mentor")
    run("cohort", "use", "2027")


def _email(cell: str) -> str:
    return cell.split("<")[-1].rstrip(">")


def _by_command(cli: Cli, db: Path, rows: list[list[object]]) -> tuple[list[str], list[str]]:
    """Each row through 'person add' (if new) and 'participant add'; (warnings, errors)."""
    warnings: list[str] = []
    errors: list[str] = []
    for first, last, email, agency, role, since, capacity, wishes in rows:
        address = _email(str(email))
        args = ["person", "add", "--name", f"{first} {last}", "--email", str(email),
                "--agency", str(agency)]  # fmt: skip
        if isinstance(since, date):
            args += ["--manager-since", since.isoformat()]
        if address != "per-erik.ater@csn.se":
            cli("--db", str(db), *args)
        add = ["participant", "add", address, "--role", str(role)]
        if capacity is not None:
            add += ["--capacity", str(capacity)]
        for wish in str(wishes).split(";") if wishes else []:
            add += ["--prefer", wish.strip()]
        result = cli.runner.invoke(_app(), ["--db", str(db), *add])
        for line in result.stderr.splitlines():
            if line.startswith("Warning: "):
                warnings.append(line.removeprefix("Warning: "))
            elif line.startswith("Error: "):
                errors.append(line.removeprefix("Error: "))
    return warnings, errors


def _app() -> Any:
    from chefintro.cli.app import app

    return app


_ROW = re.compile(r"^Warning: Blad1 row (\d+): ")


def _row_warnings(stderr: str) -> list[str]:
    return [_ROW.sub("", line) for line in stderr.splitlines() if _ROW.match(line)]


def _problems(stderr: str) -> list[str]:
    """The roster's problems as 'sheet …, row N, column …: text' lines, texts only."""
    found = re.findall(r"sheet 'Blad1', row \d+, column '[^']+': (.*)", stderr)
    return [text.strip() for text in found]


def _workbook(folder: Path, name: str, rows: list[list[object]]) -> Path:
    return hostile.openpyxl_workbook(folder, name, {"Blad1": [TITLE, HEADER, *rows]})


def test_every_door_gives_a_participant_row_the_same_warnings(cli: Cli, tmp_path: Path) -> None:
    stores = {door: tmp_path / f"{door}.db" for door in ("command", "roster", "plan")}
    for db in stores.values():
        _base(cli, db)
    by_command, errors = _by_command(cli, stores["command"], TAKEN)
    assert errors == []

    roster = _workbook(tmp_path, "csn-bv.xlsx", TAKEN)
    imported = cli("--db", str(stores["roster"]), "roster", "import", str(roster))
    by_roster = _row_warnings(imported.stderr)

    plan = tmp_path / "plan-2027.toml"
    plan.write_text(
        '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n\n'
        '[roster]\nfiles = ["csn-bv.xlsx"]\n',
        encoding="utf-8",
    )
    set_up = cli("--db", str(stores["plan"]), "cohort", "setup", str(plan))
    by_plan = _row_warnings(
        "\n".join(
            "Warning: " + line.split("│")[2].strip() if "│" in line else line
            for line in set_up.stdout.splitlines()
        )
    )

    expected = [
        "Lång Chef (adept) has managed staff for 82 months at the cohort's start; the "
        "programme is for managers of at most 36 months.",
        "Per-Erik Åter was an adept in cohort 2026 already; the programme is taken once as an "
        "adept.",
        "Nyss Utsedd wishes for Maja Mentor, who is from the same agency (BV); a mentor is "
        "always from another agency, so the wish plays no part in matching.",
        "Nyss Utsedd wishes for okand@spv.se, who is not a mentor of cohort 2027; the wish is "
        "kept but plays no part in matching until they are.",
        "Nyss Utsedd (adept) has managed staff for 2 months at the cohort's start; the "
        "programme asks for 6 months.",
        "Okänd Start wishes for Bo Samma, who is from the same agency (BV); a mentor is always "
        "from another agency, so the wish plays no part in matching.",
        "Okänd Start: the manager-since date (Chef sedan) is unknown; check eligibility.",
    ]
    assert sorted(by_command) == sorted(expected)
    assert sorted(by_roster) == sorted(expected), imported.stderr
    assert sorted(by_plan) == sorted(expected), set_up.stdout


def test_every_door_refuses_a_participant_row_in_the_same_words(cli: Cli, tmp_path: Path) -> None:
    stores = {door: tmp_path / f"{door}.db" for door in ("command", "roster", "plan")}
    for db in stores.values():
        _base(cli, db)
    _, by_command = _by_command(cli, stores["command"], REFUSED)

    roster = _workbook(tmp_path, "refused.xlsx", REFUSED)
    imported = cli("--db", str(stores["roster"]), "roster", "import", str(roster), code=65)
    plan = tmp_path / "plan-2027.toml"
    plan.write_text(
        '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n\n'
        '[roster]\nfiles = ["refused.xlsx"]\n',
        encoding="utf-8",
    )
    set_up = cli("--db", str(stores["plan"]), "cohort", "setup", str(plan), code=65)

    expected = [
        "Själv Önskan lists themselves as a preferred mentor; remove that wish.",
        "Capacity is for mentors: how many adepts they take.",
        "Preferred mentors are for adepts; a mentor may wish for a field.",
    ]
    assert by_command == expected
    assert _problems(imported.stderr) == expected, imported.stderr
    assert _problems(set_up.stderr) == expected, set_up.stderr
    # Nothing of a refused file was taken.
    people = cli.json("--db", str(stores["roster"]), "person", "list")
    assert {p["email"] for p in people} == {
        "per-erik.ater@csn.se",
        "maja@bolagsverket.se",
        "bo.samma@bolagsverket.se",
    }


def _session_texts(stderr: str) -> list[str]:
    """The texts of session findings, wherever a door placed them."""
    return re.findall(r"(The day '[^']+' .*?(?:start|year)\.)", " ".join(stderr.split()))


def test_every_door_judges_a_programme_day_in_the_same_words(cli: Cli, tmp_path: Path) -> None:
    """A day typed backwards is refused and a day outside the year is warned of, alike."""
    backwards = ("Träff 2", "2027-03-16 09:00", "2027-03-16 08:00")
    late = ("Uppföljning", "2028-02-01 09:00", "2028-02-01 12:00")
    refused = (
        "The day 'Träff 2' ends (2027-03-16 08:00) before it starts (2027-03-16 09:00); the "
        "end must come after the start."
    )
    warned = (
        "The day 'Uppföljning' (2028-02-01) is outside cohort 2027's dates (2027-01-26 – "
        "2027-12-09); check the year."
    )
    stores = {door: tmp_path / f"{door}.db" for door in ("command", "roster", "plan")}
    for db in stores.values():
        _base(cli, db)

    def add(title: str, start: str, end: str, code: int = 0) -> str:
        args = ["session", "add", title, "--start", start, "--end", end]
        return cli("--db", str(stores["command"]), *args, code=code).stderr

    assert _session_texts(add(*backwards, code=2)) == [refused]
    assert _session_texts(add(*late)) == [warned]

    header = ["Titel", "Typ", "Start", "Slut"]
    for rows, code, expected in (([backwards], 65, refused), ([late], 0, warned)):
        sheet = [header, *([t, "utbildning", s, e] for t, s, e in rows)]
        path = hostile.openpyxl_workbook(tmp_path, "traffar.xlsx", {"Träffar": sheet})
        result = cli("--db", str(stores["roster"]), "roster", "import", str(path), code=code)
        assert _session_texts(result.stderr) == [expected], result.stderr

    for (title, start, end), code, expected in ((backwards, 65, refused), (late, 0, warned)):
        plan = tmp_path / "plan-2027.toml"
        plan.write_text(
            '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n\n'
            f'[[session]]\ntitle = "{title}"\nstart = {start.replace(" ", "T")}:00\n'
            f"end = {end.replace(' ', 'T')}:00\n",
            encoding="utf-8",
        )
        result = cli("--db", str(stores["plan"]), "cohort", "setup", str(plan), code=code)
        shown = result.stderr + " ".join(
            line.split("│")[2].strip() for line in result.stdout.splitlines() if "│" in line
        )
        assert _session_texts(shown) == [expected], shown
