"""Files with personal data: one person's export (JSON or workbook) and a cohort's archive.

Every file is written to a private temporary file (mode 0600) next to its target and
moved into place only when complete, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from chefintro.enums import AttendanceStatus, Role, SessionKind
from chefintro.files import private_output
from chefintro.roster.columns import SHEETS, SheetKey, attendance_header
from chefintro.texts import CATALOGUE, text

_E = TypeVar("_E", bound=Enum)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a title, a header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    #: Headers of columns of long text: wide, and wrapped rather than cut.
    wide: frozenset[str] = frozenset()


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as UTF-8 JSON to ``path``, privately and atomically."""
    with private_output(path) as temporary:
        temporary.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )


def write_workbook(path: Path, sheets: Sequence[Sheet], *, overwrite: bool = True) -> None:
    """Write ``sheets`` in the roster workbooks' style (bold frozen header, filter, widths).

    The roster writer does the cells: text never runs as a formula, dates are real dates,
    flags and the domain's words are Swedish.
    """
    from chefintro.roster.write.specs import ColumnSpec, SheetSpec, WorkbookSpec
    from chefintro.roster.write.writer import write_workbook as write_styled

    book = WorkbookSpec(
        [
            SheetSpec(
                name=sheet.title,
                columns=[
                    ColumnSpec(header, 48, wrap=True)
                    if header in sheet.wide
                    else ColumnSpec(header)
                    for header in sheet.headers
                ],
                rows=[[_cell_value(v) for v in row] for row in sheet.rows],
                input_rows=0,
            )
            for sheet in sheets
        ]
    )
    with private_output(path, overwrite=overwrite) as temporary:
        write_styled(temporary, book)


def _cell_value(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None
    return value


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.removesuffix("Z")) if value else None


def _enum(kind: type[_E], value: str | None) -> _E | str | None:
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return value


# --- one person -------------------------------------------------------------------------


def _sv(prefix: str, value: object) -> str | None:
    """The Swedish word for a status or kind the JSON holds in English (the value itself
    when the catalogue has no word for it, which the catalogue's test rules out)."""
    if value is None:
        return None
    return CATALOGUE.get(f"{prefix}.{value}", {}).get("sv", str(value))


def _listed(values: Sequence[str] | None) -> str | None:
    return ", ".join(values) if values else None


def _reasons(reasons: dict[str, Any] | None) -> str | None:
    """A pair's reasons in words, highest points first: "önskat verksamhetsområde 40 poäng,
    …"; a reason kept as a sentence ("Åsa önskade Örjan") as it is. Never JSON."""
    given = dict(reasons or {})
    points = {**given.pop("breakdown", {})}
    said: list[str] = []
    for key, value in given.items():
        if f"criterion.{key}" in CATALOGUE and isinstance(value, int | float):
            points[key] = value
        elif value not in (None, "", [], {}):
            said.append(str(value) if isinstance(value, str) else f"{key}: {value}")
    counted = [
        text("criterion.points", "sv", criterion=_sv("criterion", name), points=value)
        for name, value in sorted(points.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return ", ".join(counted + said) or None


def write_person_workbook(path: Path, export: dict[str, Any]) -> None:
    """Write one person's export as a workbook: everything the ``person export`` JSON
    holds, meetings included, in Swedish words (no raw JSON, no internal ids)."""
    person = export["person"]
    about = [
        ("Namn", person["name"]),
        ("E-post", person["email"]),
        ("Myndighet", f"{person['agency']} ({person['agency_name']})"),
        ("Enhet", person["unit"]),
        ("Befattning", person["title"]),
        ("Verksamhetsområde", person["field"]),
        ("Ort", person["location"]),
        ("Chef sedan", _day(person["manager_since"])),
        ("Utdrag gjort (UTC)", _moment(export["exported_at"])),
    ]
    parts = export["participations"]
    sheets = [
        Sheet("Person", ["Uppgift", "Värde"], about),
        _participation_sheet(parts),
        _pairs_sheet(parts),
        _meetings_sheet(parts),
        Sheet(
            "Närvaro",
            ["Omgång", "Träff", "Typ", "Start", "Slut", "Plats", "Närvaro"],
            [
                (
                    p["cohort"],
                    a["session"],
                    _sv("kind", a["kind"]),
                    _moment(a["starts_at"]),
                    _moment(a["ends_at"]),
                    a["location"],
                    _sv("attendance", a["status"]),
                )
                for p in parts
                for a in p["attendance"]
            ],
        ),
        Sheet(
            "Nätverksgrupper",
            ["Omgång", "Grupp"],
            [(p["cohort"], g) for p in parts for g in p["peer_groups"]],
        ),
        Sheet(
            "Enkätsvar",
            ["Omgång", "Enkät", "Fråga", "Svar"],
            [
                (p["cohort"], a["survey"], a["question"], a["answer"])
                for p in parts
                for a in p.get("survey_answers", [])
            ],
        ),
        Sheet(
            "Undantag",
            ["E-post", "Namn", "Myndighet", "Skäl"],
            [
                (x["other"], x["other_name"], x["other_agency"], x["reason"])
                for x in export["exclusions"]
            ],
        ),
        Sheet(
            "Skickade meddelanden",
            ["Slag", "Omgång", "Om", "Skickat (UTC)"],
            [
                (_sv("message", m["kind"]), m["cohort"], m["about_text"], _moment(m["sent_at"]))
                for m in export.get("sent_messages", [])
            ],
        ),
    ]
    write_workbook(path, sheets)


def _participation_sheet(parts: list[dict[str, Any]]) -> Sheet:
    """The person's cohorts, one row each: what the programme holds about them per year."""
    return Sheet(
        "Deltagande",
        [
            "Omgång",
            "Start",
            "Slut",
            "Omgångens status",
            "Roll",
            "Status",
            "Kapacitet",
            "Önskat område",
            "Önskade mentorer",
            "Fortsätter",
        ],
        [
            (
                p["cohort"],
                _day(p["cohort_starts_on"]),
                _day(p["cohort_ends_on"]),
                _sv("cohort", p["cohort_status"]),
                _sv("role", p["role"]),
                _sv("participant", p["status"]),
                p["capacity"],
                p["wished_field"],
                _listed(p["preferred_mentors"]),
                p["continues"],
            )
            for p in parts
        ],
    )


#: The Par sheet's columns: (header, what a pair's JSON makes of it).
_PAIR_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("Adept", lambda x: x["adept"]),
    ("Adeptens namn", lambda x: x["adept_name"]),
    ("Adeptens myndighet", lambda x: x["adept_agency"]),
    ("Mentor", lambda x: x["mentor"]),
    ("Mentorns namn", lambda x: x["mentor_name"]),
    ("Mentorns myndighet", lambda x: x["mentor_agency"]),
    ("Tillstånd", lambda x: _sv("pairing", x["state"])),
    ("Låst", lambda x: x["locked"]),
    ("Satt för hand", lambda x: x["manual"]),
    ("Poäng", lambda x: x["score"]),
    ("Skäl", lambda x: _reasons(x["reasons"])),
    ("Föreslaget (UTC)", lambda x: _moment(x["created_at"])),
    ("Startade", lambda x: _day(x["started_on"])),
    ("Avslutades", lambda x: _day(x["ended_on"])),
    ("Orsak till avslut", lambda x: x["end_reason"]),
    ("Möten", lambda x: len(x["meetings"])),
)


def _pairs_sheet(parts: list[dict[str, Any]]) -> Sheet:
    """Every pair the person was in, one column each (a pair has many facts and a person
    few pairs: a column per pair reads on one page), the other side named by the export."""
    pairs = [(p["cohort"], x) for p in parts for x in p["pairings"]]
    headers = [f"Par {n} ({cohort})" for n, (cohort, _) in enumerate(pairs, start=1)]
    return Sheet(
        "Par",
        ["Uppgift", *headers],
        [
            ("Omgång", *(cohort for cohort, _ in pairs)),
            *((label, *(value(x) for _, x in pairs)) for label, value in _PAIR_COLUMNS),
        ]
        if pairs
        else [],
        wide=frozenset(headers),
    )


def _meetings_sheet(parts: list[dict[str, Any]]) -> Sheet:
    """Every meeting of the person's pairs: the day, how long, with whom."""
    return Sheet(
        "Möten",
        ["Omgång", "Adept", "Mentor", "Datum", "Minuter"],
        [
            (p["cohort"], x["adept_name"], x["mentor_name"], _day(m["date"]), m["minutes"])
            for p in parts
            for x in p["pairings"]
            for m in x["meetings"]
        ],
    )


# --- a cohort's archive -----------------------------------------------------------------


def write_cohort_archive(path: Path, archive: dict[str, Any]) -> None:
    """Write a cohort's archive before its personal data is anonymised; never overwrites.

    Sheets and columns follow the roster workbook (Deltagare, Träffar, Par, Närvaro), with
    extra columns (status, score) after the roster's own and a sheet about the cohort.
    """
    cohort = archive["cohort"]
    sessions = archive["sessions"]
    about = [
        ("Omgång", cohort["name"]),
        ("Start", _day(cohort["starts_on"])),
        ("Slut", _day(cohort["ends_on"])),
        ("Avslutad", _day(cohort["closed_on"])),
        ("Arkiverad (UTC)", _moment(archive["archived_at"])),
        ("Arkiverad av", f"chefintro {archive['tool_version']}"),
    ]
    session_headers = [
        attendance_header(s["title"], datetime.fromisoformat(s["starts_at"])) for s in sessions
    ]
    sheets = [
        Sheet("Omgång", ["Uppgift", "Värde"], about),
        Sheet(
            "Myndigheter", ["Kod", "Namn"], [(a["code"], a["name"]) for a in archive["agencies"]]
        ),
        _archive_participants_sheet(archive["participants"]),
        Sheet(
            "Träffar",
            ["Titel", "Typ", "Start", "Slut", "Plats", "Värd"],
            [
                (
                    s["title"],
                    _enum(SessionKind, s["kind"]),
                    _moment(s["starts_at"]),
                    _moment(s["ends_at"]),
                    s["location"],
                    s["host"],
                )
                for s in sessions
            ],
        ),
        Sheet(
            "Par",
            ["Adept", "Mentor", "Låst", "Adeptens namn", "Mentorns namn", "Tillstånd", "Poäng"],
            [
                (
                    x["adept"],
                    x["mentor"],
                    x["locked"],
                    x["adept_name"],
                    x["mentor_name"],
                    _sv("pairing", x["state"]),
                    x["score"],
                )
                for x in archive["pairs"]
            ],
        ),
        _archive_attendance_sheet(archive, session_headers),
    ]
    write_workbook(path, sheets, overwrite=False)


def _archive_participants_sheet(participants: list[dict[str, Any]]) -> Sheet:
    """The roster's Deltagare columns, then what only the archive keeps (status, group)."""
    return Sheet(
        "Deltagare",
        [*SHEETS[SheetKey.PARTICIPANTS].headers, "Status", "Nätverksgrupp"],
        [
            (
                p["name"],
                p["email"],
                p["agency"],
                _enum(Role, p["role"]),
                p["unit"],
                p["title"],
                p["field"],
                p["location"],
                _day(p["manager_since"]),
                p["capacity"],
                p["wished_field"],
                p["preferred_mentors"],
                _sv("participant", p["status"]),
                p["peer_group"],
            )
            for p in participants
        ],
    )


def _archive_attendance_sheet(archive: dict[str, Any], session_headers: list[str]) -> Sheet:
    """The roster's Närvaro grid: one row per participant, one column per programme day."""
    sessions = archive["sessions"]
    return Sheet(
        "Närvaro",
        ["E-post", *session_headers],
        [
            (
                p["email"],
                *(
                    _enum(
                        AttendanceStatus,
                        archive["attendance"].get(p["email"], {}).get(s["key"]),
                    )
                    for s in sessions
                ),
            )
            for p in archive["participants"]
        ],
    )
