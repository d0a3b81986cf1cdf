"""The network beyond the year (issue 35): consent to be listed, the directory as a
workbook and as vCards, the alumni, ideas taken home per agency, and the pipeline, over
two cohorts — and a person without consent appears in none of them."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.conftest import Cli, store_snapshot

ASA, BO, CIA, DAN = "asa.oberg@csn.se", "bo.ek@csn.se", "cia.berg@csn.se", "dan.lund@csn.se"
EVA, FIA = "eva.sjo@bolagsverket.se", "fia.holm@bolagsverket.se"
ORJAN, ELISE = "orjan.sjostrom@bolagsverket.se", "elise.norden@lansstyrelsen.se"
KJELL, GUN = "kjell.as@miun.se", "gun.lind@miun.se"
#: Never consented (Dan said nej, Fia left the cell blank, Kjell said nej).
UNLISTED = {DAN: "Dan Lund", FIA: "Fia Holm", KJELL: "Kjell Ås"}
IDEA = "En idé jag tar med mig hem till min myndighet från programmet"
STILL = "Är du fortfarande chef? (ja/nej)"


def _hr_roster(tmp_path: Path) -> Path:
    """The 2026 roster as HR types it: Blad1, a title row, Förnamn/Efternamn, Outlook
    addresses, and a consent column filled in with Ja, x, nej and blanks."""
    header = ["Förnamn", "Efternamn", "E-post", "Myndighet", "Roll", "Enhet", "Befattning"]
    header += ["Chef sedan", "Kapacitet", "Samtycke"]
    since = date.fromisoformat
    rows: list[list[Any]] = [
        ["Åsa", "Öberg", f'"Åsa Öberg" <{ASA}>', "CSN", "adept", "IT-avdelningen, drift",
         "Enhetschef; IT", since("2023-03-01"), None, "Ja"],
        ["Bo", "Ek", BO, "CSN", "adept", "Ekonomi", "Gruppchef", since("2025-06-01"), None, "x"],
        ["Cia", "Berg", CIA, "CSN", "adept", "HR", "Enhetschef", since("2023-06-01"), None, "ja"],
        ["Dan", "Lund", DAN, "CSN", "adept", "Juridik", "Enhetschef", since("2023-01-01"), None,
         "nej"],
        ["Eva", "Sjö", EVA, "BV", "adept", "Registrering", "Enhetschef", since("2024-01-01"),
         None, "JA "],
        ["Fia", "Holm", FIA, "BV", "adept", "IT", "Enhetschef", since("2024-02-01"), None, None],
        ["Örjan", "Sjöström", ORJAN, "BV", "mentor", "IT", "Avdelningschef", since("2010-05-01"),
         2, "Ja"],
        ["Élise", "Nordén", ELISE, "LST-Y", "mentor", "HR", "HR-direktör", since("2015-01-15"),
         2, "Ja"],
        ["Kjell", "Ås", KJELL, "MIUN", "mentor", "Ekonomi", "Ekonomichef", since("2012-01-01"),
         2, "Nej"],
    ]  # fmt: skip
    return hostile.openpyxl_workbook(
        tmp_path, "deltagare-2026.xlsx", {"Blad1": [["Deltagare 2026"], header, *rows]}
    )


def _forms(tmp_path: Path, name: str, question: str, answers: dict[str, str]) -> Path:
    """A Microsoft Forms export: Sheet1, its own columns, then the one question asked."""
    head = ["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", question]
    rows: list[list[Any]] = [head]
    for number, (email, text) in enumerate(answers.items(), start=1):
        rows.append([number, "2026-11-30 10:00", "2026-11-30 10:05", email, "", text])
    return hostile.openpyxl_workbook(tmp_path, name, {"Sheet1": rows})


@pytest.fixture
def two_years(cli: Cli, backend: str, tmp_path: Path) -> Cli:
    """Cohort 2026 (closed, with an end survey and a 12-month follow-up) and cohort 2027."""
    if cli.restore("test_network.two_years"):
        return cli
    for code, name in (
        ("CSN", "Centrala studiestödsnämnden"),
        ("BV", "Bolagsverket"),
        ("LST-Y", "Länsstyrelsen Västernorrland"),
        ("MIUN", "Mittuniversitetet"),
    ):
        cli("agency", "add", code, name)
    cli("settings", "set", "survey.min_group", "3")
    cli("cohort", "create", "2026", "--start", "2026-01-27", "--end", "2026-12-08")
    cli("cohort", "use", "2026")
    cli("roster", "import", str(_hr_roster(tmp_path)))
    for adept, mentor in ((ASA, ORJAN), (BO, ELISE), (CIA, KJELL), (DAN, ORJAN), (EVA, ELISE)):
        cli("pair", "set", adept, mentor)
    cli("pair", "set", FIA, KJELL)
    cli("pair", "apply")
    cli("group", "form", "--size", "3", "--yes")
    cli("pair", "meet", ASA, "--date", "2026-03-10", "--kind", "studiebesök")
    cli("pair", "meet", BO, "--date", "2026-03-12", "--kind", "visit", "--minutes", "240")
    cli("pair", "meet", EVA, "--date", "2026-03-12", "--minutes", "60")
    cli("survey", "add", "slut-2026", "--phase", "end")
    ideas = {
        ASA: "Gemensam introduktion för nya chefer på IT",
        BO: "Månadsvisa chefsfrukostar",
        CIA: "Studiebesök hos en annan myndighet varje år",
        DAN: "Dans hemliga idé om juridiken",
        EVA: "Evas idé om registreringen",
    }
    cli("survey", "import", "slut-2026", str(_forms(tmp_path, "slut.xlsx", IDEA, ideas)))
    cli("cohort", "close", "--yes")
    cli("survey", "add", "uppföljning 12 mån", "--phase", "followup")
    still = {ASA: "ja", CIA: "nej", EVA: "Ja", DAN: "ja"}
    cli("survey", "import", "uppföljning 12 mån", str(_forms(tmp_path, "f.xlsx", STILL, still)))

    cli("person", "add", "--name", "Gun Lind", "--email", GUN, "--agency", "MIUN",
        "--manager-since", "2026-05-01")  # fmt: skip
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-07")
    cli("cohort", "use", "2027")
    cli("participant", "add", ASA, "--role", "mentor")
    cli("participant", "add", ORJAN, "--role", "mentor")
    cli("participant", "add", ELISE, "--role", "mentor")
    cli("participant", "add", GUN, "--role", "adept")
    cli("participant", "add", KJELL, "--role", "mentor")
    cli("participant", "consent", ASA)
    cli("participant", "consent", GUN)
    cli.keep("test_network.two_years")
    return cli


def _names(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def test_consent_is_recorded_from_the_roster_with_its_day_and_by_command(
    two_years: Cli,
) -> None:
    rows = store_snapshot()["listing_consent"]
    assert len(rows) == 10  # nine roster rows with an answer or none, and two commands
    # ... blank Samtycke cells record nothing
    assert all(row[3] for row in rows)
    result = two_years("participant", "consent", ELISE, "--no")
    assert "Élise Nordén" in result.stderr and "ja → nej" not in result.stderr  # 2027: new
    assert "– → nej" in result.stderr
    again = two_years("participant", "consent", ELISE, "--no")
    assert "already no" in again.stderr


def _unlisted_absent(text: str) -> None:
    for email, name in UNLISTED.items():
        assert email not in text and name not in text, name


def test_the_directory_workbook_lists_only_who_consented(two_years: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "katalog-2026.xlsx"
    result = two_years("--cohort", "2026", "network", "directory", "--xlsx", str(path))
    assert "6 listed" in result.stderr and "3 people without consent" in result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = load_workbook(path)
    try:
        rows = [list(r) for r in book["Katalog"].iter_rows(values_only=True)]
    finally:
        book.close()
    header = ["Namn", "Myndighet", "Myndighetens namn", "Enhet", "Befattning", "E-post", "Roll"]
    assert rows[0] == [*header, "Nätverksgrupp", "Mentor"]
    by_email = {r[5]: r for r in rows[1:]}
    assert set(by_email) == {ASA, BO, CIA, EVA, ORJAN, ELISE}
    asa = by_email[ASA]
    assert asa[:7] == ["Åsa Öberg", "CSN", "Centrala studiestödsnämnden",
                       "IT-avdelningen, drift", "Enhetschef; IT", ASA, "adept"]  # fmt: skip
    assert asa[7] and asa[8] == "Örjan Sjöström"
    assert by_email[CIA][8] is None  # her mentor Kjell did not consent: not named
    _unlisted_absent(json.dumps(rows, ensure_ascii=False, default=str))
    log = two_years.json("db", "log")
    assert any("directory of cohort 2026 (6 people listed) as workbook" in _names(e) for e in log)
    assert "Åsa" not in _names(log) and ASA not in _names(log)


def test_the_vcards_read_back_with_a_vcard_parser(two_years: Cli, tmp_path: Path) -> None:
    vobject = pytest.importorskip("vobject")
    path = tmp_path / "katalog.vcf"
    two_years("--cohort", "2026", "network", "directory", "--vcf", str(path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    _unlisted_absent(text)
    cards = {c.email.value: c for c in vobject.readComponents(text)}
    assert set(cards) == {ASA, BO, CIA, EVA, ORJAN, ELISE}
    asa = cards[ASA]
    assert asa.version.value == "4.0"
    assert asa.fn.value == "Åsa Öberg"
    assert (asa.n.value.family, asa.n.value.given) == ("Öberg", "Åsa")
    assert asa.org.value == ["Centrala studiestödsnämnden", "IT-avdelningen, drift"]
    assert asa.title.value == "Enhetschef; IT"
    assert "mentor Örjan Sjöström" in asa.note.value
    assert cards[ELISE].fn.value == "Élise Nordén"


def test_a_long_line_is_folded_between_characters() -> None:
    from chefintro.network.vcard import fold

    line = "NOTE:" + "åäö" * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1 and all(len(p.encode()) <= 75 for p in parts)
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line


def test_the_alumni_list_has_each_person_s_years_and_the_latest_answer_wins(
    two_years: Cli,
) -> None:
    two_years("participant", "consent", ELISE, "--no")  # 2026 yes, 2027 no: not listed
    data = two_years.json("network", "directory", "--alumni")
    people = {p["email"]: p for p in data["people"]}
    assert set(people) == {ASA, BO, CIA, EVA, ORJAN, GUN}
    assert people[ASA]["roles"] == [
        {"cohort": "2026", "role": "adept"},
        {"cohort": "2027", "role": "mentor"},
    ]
    assert data["unlisted"] == 4
    _unlisted_absent(_names(data))
    assert ELISE not in _names(data)


def test_ideas_per_receiving_agency_without_names_small_groups_hidden(two_years: Cli) -> None:
    data = two_years.json("--cohort", "2026", "report", "ideas")
    agencies = {a["agency"]: a for a in data["agencies"]}
    csn = agencies["CSN"]
    assert csn["ideas"] == sorted(csn["ideas"]) and len(csn["ideas"]) == 3
    assert "Dans hemliga idé om juridiken" not in _names(data)  # Dan did not consent
    assert csn["visits"] == 2
    assert agencies["BV"]["hidden"] and agencies["BV"]["ideas"] == []  # one idea < 3
    text = _names(data)
    assert "Åsa" not in text and ASA not in text
    table = two_years("--cohort", "2026", "report", "ideas").stdout
    assert "Studiebesök" in table and "färre än 3 idéer" in table


def test_the_pipeline_names_eligible_former_adepts_and_mentors_with_consent(
    two_years: Cli,
) -> None:
    data = two_years.json("report", "pipeline")
    assert data["next_start"] == "2028-01-26"
    # Eva: 48 months at the next start. Bo is short (31), Cia is no longer a manager
    # (follow-up: nej), Dan and Fia never consented.
    assert [m["email"] for m in data["eligible_adepts"]] == [EVA]
    assert data["eligible_adepts"][0]["months_as_manager"] == 48
    assert {m["email"] for m in data["active_mentors"]} == {ASA, ELISE, ORJAN}
    follow = {(f["cohort"], f["months"]): f for f in data["follow_ups"]}
    assert follow["2026", 12]["status"] == "done"
    assert follow["2026", 12]["due_on"] == "2027-12-08"
    assert (follow["2026", 12]["respondents"], follow["2026", 12]["still_managers"]) == (4, 3)
    assert (follow["2026", 24]["due_on"], follow["2026", 24]["survey"]) == ("2028-12-08", None)
    _unlisted_absent(_names(data))


def test_the_pipeline_s_eligibility_is_the_setting_s(two_years: Cli) -> None:
    two_years("settings", "set", "eligibility.mentor_months", "30")
    data = two_years.json("report", "pipeline")
    assert [m["email"] for m in data["eligible_adepts"]] == [BO, EVA]


def test_the_summary_has_a_line_per_agency_on_the_managers_it_got(two_years: Cli) -> None:
    lines = [" ".join(line.split()) for line in two_years("report", "summary").stdout.splitlines()]
    assert "Chefer från programmet, CSN 4 adepter, varav 1 senare mentor" in lines
    assert "Chefer från programmet, BV 2 adepter" in lines  # Eva and Fia, neither mentored
    assert "Chefer från programmet, MIUN 1 adept" in lines


def test_a_visit_is_a_kind_of_meeting_in_swedish_words(two_years: Cli) -> None:
    meetings = sorted((str(row[2]), row[4] or "") for row in store_snapshot()["meeting"])
    assert meetings == [("2026-03-10", "visit"), ("2026-03-12", ""), ("2026-03-12", "visit")]
    bad = two_years("pair", "meet", GUN, "--kind", "fika", code=2)
    assert "not a kind of meeting" in bad.stderr


def test_erasure_and_anonymising_reach_consent_and_ideas(two_years: Cli, tmp_path: Path) -> None:
    two_years("person", "erase", ASA, "--yes")
    rows = store_snapshot()
    assert len(rows["listing_consent"]) == 8
    alumni = two_years.json("network", "directory", "--alumni")
    assert ASA not in _names(alumni)
    two_years("cohort", "anonymise", "2026", "--archive", str(tmp_path / "arkiv.xlsx"), "--yes")
    data = two_years.json("--cohort", "2026", "report", "ideas")
    assert "Dans hemliga idé om juridiken" not in _names(data)
    after = store_snapshot()
    assert "Dans hemliga idé om juridiken" not in json.dumps(after, default=str)


def _roster_2027(tmp_path: Path, name: str, consent: list[Any] | None) -> Path:
    header = ["Namn", "E-post", "Myndighet", "Roll"] + (["Samtycke"] if consent else [])
    row = ["Åsa Öberg", ASA, "CSN", "mentor"] + (consent or [])
    return hostile.openpyxl_workbook(tmp_path, name, {"Blad1": [header, row]})


def _listed_2027() -> dict[int, bool]:
    rows: list[tuple[int, int, bool]] = store_snapshot()["listing_consent"]  # type: ignore[assignment]
    return {row[1]: row[2] for row in rows}


def test_a_blank_or_missing_consent_cell_keeps_the_answer(two_years: Cli, tmp_path: Path) -> None:
    before = _listed_2027()
    old = two_years("roster", "import", str(_roster_2027(tmp_path, "gammal.xlsx", None)))
    assert "Samtycke" not in old.stdout + old.stderr
    blank = two_years("roster", "import", str(_roster_2027(tmp_path, "tom.xlsx", [None])))
    assert "Samtycke" not in blank.stdout + blank.stderr
    assert _listed_2027() == before
    no = two_years("roster", "import", str(_roster_2027(tmp_path, "nej.xlsx", ["Nej"])))
    assert "Samtycke: ja → nej" in no.stdout
    assert ASA not in _names(two_years.json("network", "directory"))


def test_a_consent_cell_that_is_not_yes_or_no_is_refused_by_row(
    two_years: Cli, tmp_path: Path
) -> None:
    before = store_snapshot()
    path = _roster_2027(tmp_path, "fel.xlsx", ["ja/nej"])
    result = two_years("roster", "import", str(path), code=65)
    assert "Samtycke" in result.stderr and "row 2" in result.stderr
    assert store_snapshot() == before


def test_a_person_s_export_holds_their_consents_and_visits(two_years: Cli) -> None:
    exported = json.loads(two_years("person", "export", ASA).stdout)
    consents = {p["cohort"]: p["listing_consent"] for p in exported["participations"]}
    assert consents["2026"]["listed"] is True and consents["2027"]["listed"] is True
    from chefintro import clock

    assert consents["2026"]["recorded_on"] == clock.today().isoformat()
    kinds = [
        m["kind"]
        for part in exported["participations"]
        for pair in part["pairings"]
        for m in pair["meetings"]
    ]
    assert kinds == ["visit"]


def test_a_follow_up_is_overdue_from_its_due_day_until_its_survey_exists() -> None:
    from chefintro.network.pipeline import FollowUp, add_months

    due = add_months(date(2026, 12, 8), 12)
    assert due == date(2027, 12, 8) and add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    missing = FollowUp("2026", 12, due, None, 0, None)
    assert missing.status(date(2027, 12, 7)) == "upcoming"
    assert missing.status(date(2027, 12, 8)) == "overdue"
    done = FollowUp("2026", 12, due, "uppföljning 12 mån", 4, 3)
    assert done.status(date(2027, 12, 8)) == "done"
