"""The one table of roster sheet and column names, and the words roster cells may hold.

Everything the reader recognises and the writer writes is defined here, so the template,
the export and the import cannot drift apart. Headers are Swedish by default; English
names and a few aliases are accepted on import. Sheet names, headers and the words in
Roll/Typ/Låst/Närvaro cells are matched with :func:`match_key` (trimmed, inner spaces
collapsed, NFC, case-folded), so ``" e-POST "`` finds ``E-post``.

Accepted words (case-insensitive, Swedish or English):

* Roll / Role: ``adept``, ``mentor``.
* Typ / Kind: ``uppstart``/``kickoff``/``kick-off``, ``utbildning``/``training``,
  ``föreläsning``/``lecture``, ``nätverk``/``nätverksträff``/``network``,
  ``avslutning``/``closing``.
* Närvaro / Attendance: ``närvarande``/``present``/``x``, ``frånvarande``/``absent``,
  ``anmält förhinder``/``förhinder``/``ledig``/``excused``. ``x`` means present because
  that is how people tick a list by hand.
* Låst / Locked: ``ja``/``yes``/``true``/``sant``/``1``/``x`` and
  ``nej``/``no``/``false``/``falskt``/``0``; a blank cell means not locked. Excel's own
  TRUE/FALSE cells work too.

The writer uses the Swedish words (:data:`ROLE_LABELS`, :data:`KIND_LABELS`,
:data:`STATUS_LABELS`, :data:`FLAG_LABELS`).

Formula-safe text (OWASP / ASVS "formula injection"): the writer puts an apostrophe in
front of any text that starts with ``= + - @``, tab, CR or LF, and in front of text that
starts with an apostrophe followed by one of those characters or by another apostrophe.
The reader removes exactly one leading apostrophe when the next character is one of
those or an apostrophe (:func:`escape_text` / :func:`unescape_text`), so every text
survives a round trip unchanged, and a roster saved as CSV from Excel still cannot run a
formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

# The one table of words lives in chefintro.enums (the command line and plans use it too).
from chefintro.enums import (
    FLAG_HINT,
    FLAG_LABELS,
    FLAG_WORDS,
    KIND_HINT,
    KIND_LABELS,
    KIND_WORDS,
    ROLE_HINT,
    ROLE_LABELS,
    ROLE_WORDS,
    STATUS_HINT,
    STATUS_LABELS,
    STATUS_WORDS,
    AttendanceStatus,
    Role,
    SessionKind,
)
from chefintro.rules import MAX_CAPACITY, MAX_MEETING_MINUTES
from chefintro.text import clean_text

#: Number formats the writer gives date and date-time cells (what the reader accepts as text).
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

#: Longest single text accepted in a cell (names, titles …); longer is almost surely a
#: paste accident and would only clutter the store.
MAX_TEXT_LENGTH = 500


class SheetKey(StrEnum):
    """The sheets a roster workbook can hold."""

    AGENCIES = "agencies"
    PARTICIPANTS = "participants"
    SESSIONS = "sessions"
    PAIRS = "pairs"
    ATTENDANCE = "attendance"
    MEETINGS = "meetings"
    GROUPS = "groups"
    OVERVIEW = "overview"
    INSTRUCTIONS = "instructions"
    LISTS = "lists"


class ValueKind(StrEnum):
    """How the reader interprets the cells of a column."""

    TEXT = "text"
    CODE = "code"  # agency code: text, stored upper-case
    AGENCY = "agency"  # agency code or name, kept raw for the loader to resolve
    EMAIL = "email"
    EMAIL_LIST = "email_list"  # ranked e-mails separated by ; , or line breaks
    TEXT_LIST = "text_list"  # texts separated by ; , (outside brackets) or line breaks
    ROLE = "role"
    KIND = "kind"
    DATE = "date"
    DATETIME = "datetime"
    END_TIME = "end_time"  # date-time, or a bare time on the start's day
    COUNT = "count"  # positive whole number up to MAX_CAPACITY
    MINUTES = "minutes"  # a meeting's length: whole minutes up to MAX_MEETING_MINUTES
    FLAG = "flag"  # ja/nej
    INFO = "info"  # shown for people, never imported
    ID = "id"  # a stored row's number, written by export in a hidden column


@dataclass(frozen=True)
class Column:
    """One column: the reader's field name, its headers, how to read it, how wide to show it."""

    field: str
    sv: str
    en: str
    kind: ValueKind
    required: bool = False
    width: float = 16
    aliases: tuple[str, ...] = ()
    #: Written by export in a hidden column so that a returned workbook is recognised
    #: (a stable number); people do not fill it in.
    hidden: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.sv, self.en, *self.aliases)


@dataclass(frozen=True)
class SheetDef:
    """One sheet: its names, its fixed columns, and whether import reads it."""

    key: SheetKey
    sv: str
    en: str
    columns: tuple[Column, ...]
    importable: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.sv, self.en)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.sv for column in self.columns)

    def column(self, field: str) -> Column:
        for column in self.columns:
            if column.field == field:
                return column
        raise KeyError(field)


# Short names so the table below reads as a table.
_TEXT, _CODE, _AGENCY, _EMAIL = ValueKind.TEXT, ValueKind.CODE, ValueKind.AGENCY, ValueKind.EMAIL
_ROLE, _KIND, _DATE, _START = ValueKind.ROLE, ValueKind.KIND, ValueKind.DATE, ValueKind.DATETIME
_END, _COUNT, _LIST, _FLAG = (
    ValueKind.END_TIME,
    ValueKind.COUNT,
    ValueKind.EMAIL_LIST,
    ValueKind.FLAG,
)
_INFO, _REQ, _OPT = ValueKind.INFO, True, False
_TEXTS = ValueKind.TEXT_LIST
_MINUTES = ValueKind.MINUTES
_COUNT_ID = ValueKind.ID
_MAIL = (
    "E-postadress",
    "E-mail",
    "Epost",
    "Mejl",
    "Mail",
    "Mejladress",
    "Mailadress",
    "E-mailadress",
    "Email address",
    "E-mail address",
)
_TYPE = ("Type",)
_NAME = ("Fullständigt namn", "Full name")
_SINCE = ("Chef från", "Chef sedan datum", "Chefsdatum")
_CONSENT = (
    "Samtycke katalog",
    "Samtycke till katalog",
    "Samtycke till listning",
    "Får listas",
    "Listas i katalogen",
    "Katalog",
    "Consent to be listed",
)
_AGENCY_ALIASES = ("Myndighetskod", "Myndighetens kod", "Agency code")

# fmt: off
#      field                Swedish              English              kind     req.  width aliases
AGENCIES = SheetDef(SheetKey.AGENCIES, "Myndigheter", "Agencies", (
    Column("code",              "Kod",               "Code",              _CODE,   _REQ, 12),
    Column("name",              "Namn",              "Name",              _TEXT,   _REQ, 40),
    Column("contact",           "Kontakt",           "Contact",           _EMAIL,  _OPT, 32),
))
PARTICIPANTS = SheetDef(SheetKey.PARTICIPANTS, "Deltagare", "Participants", (
    Column("name",              "Namn",              "Name",              _TEXT,   _REQ, 26, _NAME),
    Column("email",             "E-post",            "Email",             _EMAIL,  _REQ, 32, _MAIL),
    Column("agency",            "Myndighet",         "Agency",            _AGENCY, _REQ, 14,
           _AGENCY_ALIASES),
    Column("role",              "Roll",              "Role",              _ROLE,   _REQ, 11),
    Column("unit",              "Enhet",             "Unit",              _TEXT,   _OPT, 22),
    Column("title",             "Befattning",        "Title",             _TEXT,   _OPT, 22),
    Column("field",             "Verksamhetsområde", "Field",             _TEXT,   _OPT, 21),
    Column("location",          "Ort",               "Location",          _TEXT,   _OPT, 16),
    Column("manager_since",     "Chef sedan",        "Manager since",     _DATE,   _OPT, 13,
           _SINCE),
    Column("capacity",          "Kapacitet",         "Capacity",          _COUNT,  _OPT, 11),
    Column("wished_field",      "Önskat område",     "Wished field",      _TEXT,   _OPT, 21),
    Column("preferred_mentors", "Önskade mentorer",  "Preferred mentors", _LIST,   _OPT, 40),
    # Consent to be listed in the network's directory (issue 35); a blank keeps the answer.
    Column("consent",           "Samtycke",          "Consent",           _FLAG,   _OPT, 11,
           _CONSENT),
    # A mentor's own wishes (issue 34): towns, adepts they would like, adepts they should
    # not mentor (exclusions: "jäv", or the reason in brackets after the adept).
    Column("wished_locations",  "Önskad ort",        "Wished towns",      _TEXTS,  _OPT, 18,
           ("Önskade orter",)),
    Column("wished_adepts",     "Önskade adepter",   "Wished adepts",     _LIST,   _OPT, 40),
    Column("not_adepts",        "Jäv",               "Not to mentor",     _TEXTS,  _OPT, 40,
           ("Ej adepter", "Jävig för")),
    # Shown in agency workbooks only, never imported: the participant's status (withdrawn
    # people are kept) and how an adept stands against the programme's attendance rule.
    Column("status",            "Status",            "Status",            _INFO,   _OPT, 12),
    Column("completion",        "Genomförande",      "Completion",        _INFO,   _OPT, 30),
))
SESSIONS = SheetDef(SheetKey.SESSIONS, "Träffar", "Sessions", (
    Column("title",             "Titel",             "Title",             _TEXT,   _REQ, 30),
    Column("kind",              "Typ",               "Kind",              _KIND,   _OPT, 14, _TYPE),
    Column("starts_at",         "Start",             "Start",             _START,  _REQ, 18),
    Column("ends_at",           "Slut",              "End",               _END,    _REQ, 18),
    Column("location",          "Plats",             "Location",          _TEXT,   _OPT, 24),
    Column("host",              "Värd",              "Host",              _AGENCY, _OPT, 12),
    Column("session_id",        "Träffnummer",       "Session number",    _COUNT_ID, _OPT, 8,
           hidden=True),
))
PAIRS = SheetDef(SheetKey.PAIRS, "Par", "Pairs", (
    Column("adept",             "Adept",             "Adept",             _EMAIL,  _REQ, 32),
    Column("mentor",            "Mentor",            "Mentor",            _EMAIL,  _REQ, 32),
    Column("locked",            "Låst",              "Locked",            _FLAG,   _OPT,  8),
    Column("pair_id",           "Parnummer",         "Pair number",       _COUNT_ID, _OPT, 8,
           hidden=True),
))
# E-post, an optional Namn (a help for people, never imported), then one column per session
# headed by attendance_header().
ATTENDANCE = SheetDef(SheetKey.ATTENDANCE, "Närvaro", "Attendance", (
    Column("email",             "E-post",            "Email",             _EMAIL,  _REQ, 32, _MAIL),
    Column("name",              "Namn",              "Name",              _INFO,   _OPT, 26),
))
# A pair's meetings: dates and lengths only. Mentor may be left out when the adept has a
# live pair.
MEETINGS = SheetDef(SheetKey.MEETINGS, "Möten", "Meetings", (
    Column("adept",             "Adept",             "Adept",             _EMAIL,  _REQ, 32),
    Column("mentor",            "Mentor",            "Mentor",            _EMAIL,  _OPT, 32),
    Column("held_on",           "Datum",             "Date",              _DATE,   _REQ, 13),
    Column("minutes",           "Minuter",           "Minutes",           _MINUTES, _OPT, 10),
))
GROUPS = SheetDef(SheetKey.GROUPS, "Grupper", "Groups", (
    Column("group",             "Grupp",             "Group",             _TEXT,   _OPT, 18),
    Column("email",             "E-post",            "Email",             _EMAIL,  _OPT, 32),
    Column("name",              "Namn",              "Name",              _TEXT,   _OPT, 26),
    Column("agency",            "Myndighet",         "Agency",            _AGENCY, _OPT, 14),
), importable=False)
OVERVIEW = SheetDef(SheetKey.OVERVIEW, "Översikt", "Overview", (), importable=False)
INSTRUCTIONS = SheetDef(SheetKey.INSTRUCTIONS, "Instruktioner", "Instructions", (
    Column("sheet",             "Blad",              "Sheet",             _INFO,   _OPT, 16),
    Column("column",            "Kolumn",            "Column",            _INFO,   _OPT, 22),
    Column("help",              "Förklaring",        "Explanation",       _INFO,   _OPT, 90),
), importable=False)
# Hidden helper sheet holding drop-down lists too long to inline in a validation.
LISTS = SheetDef(SheetKey.LISTS, "Listor", "Lists", (), importable=False)
# fmt: on

#: Columns our own workbooks write for people beside a sheet's roster columns (an agency
#: workbook's Par sheet names each side and the pair's state): known when the workbook
#: comes back, so they are passed over without a warning, never imported.
SHOWN_ONLY: dict[SheetKey, tuple[tuple[str, float], ...]] = {
    SheetKey.PAIRS: (
        ("Adeptens namn", 24),
        ("Adeptens myndighet", 19),
        ("Mentorns namn", 24),
        ("Mentorns myndighet", 19),
        ("Status", 10),
    ),
}

#: Width of each session column on the Närvaro sheet.
SESSION_COLUMN_WIDTH = 20.0

#: Swedish help text per sheet, for the template's Instruktioner sheet.
SHEET_HELP: dict[SheetKey, str] = {
    SheetKey.AGENCIES: "Myndigheterna i nätverket, en rad per myndighet.",
    SheetKey.PARTICIPANTS: "Årets adepter och mentorer, en rad per person.",
    SheetKey.SESSIONS: "Programmets träffar (programdagar), en rad per träff.",
    SheetKey.PAIRS: "Bestämda par av adept och mentor, en rad per adept.",
    SheetKey.ATTENDANCE: "Närvaro per träff: en rad per deltagare och en kolumn per träff, "
    "rubricerad ”Titel (ÅÅÅÅ-MM-DD TT:MM)”. Skriv närvarande, frånvarande eller anmält "
    "förhinder; en tom cell lämnar närvaron oförändrad.",
    SheetKey.MEETINGS: "Parens möten under året, en rad per möte: bara datum och längd, "
    "aldrig vad som sades.",
}

#: Swedish help text per column, for the template's Instruktioner sheet.
COLUMN_HELP: dict[tuple[SheetKey, str], str] = {
    (SheetKey.AGENCIES, "code"): "Myndighetens kortnamn, t.ex. CSN eller BV. Obligatorisk.",
    (SheetKey.AGENCIES, "name"): "Myndighetens fullständiga namn. Obligatorisk.",
    (SheetKey.AGENCIES, "contact"): "E-postadress till myndighetens HR-kontakt, som kan få "
    "kopia på introduktionsbreven. En tom cell lämnar kontakten oförändrad.",
    (SheetKey.PARTICIPANTS, "name"): "För- och efternamn. Obligatorisk.",
    (SheetKey.PARTICIPANTS, "email"): "E-postadress i tjänsten; den identifierar personen. "
    "Obligatorisk.",
    (SheetKey.PARTICIPANTS, "agency"): "Myndighetens kod (eller namn), se listan. Obligatorisk.",
    (SheetKey.PARTICIPANTS, "role"): "adept eller mentor. Obligatorisk.",
    (SheetKey.PARTICIPANTS, "unit"): "Avdelning eller enhet.",
    (SheetKey.PARTICIPANTS, "title"): "Befattning, t.ex. enhetschef.",
    (SheetKey.PARTICIPANTS, "field"): "T.ex. IT, HR, juridik eller ekonomi; används vid "
    "matchningen.",
    (SheetKey.PARTICIPANTS, "location"): "Arbetsort.",
    (SheetKey.PARTICIPANTS, "manager_since"): "Datum då personen blev chef, ÅÅÅÅ-MM-DD.",
    (SheetKey.PARTICIPANTS, "capacity"): "Mentorer: hur många adepter mentorn kan ta "
    f"(heltal 1–{MAX_CAPACITY}; tomt betyder 1).",
    (SheetKey.PARTICIPANTS, "wished_field"): "Adepter: önskat verksamhetsområde hos mentorn. "
    "Mentorer: verksamhetsområde de gärna tar en adept från.",
    (SheetKey.PARTICIPANTS, "preferred_mentors"): "Adepter: önskade mentorers "
    "e-postadresser i prioritetsordning, åtskilda med semikolon.",
    (SheetKey.PARTICIPANTS, "wished_locations"): "Mentorer: orter de gärna tar en adept "
    "från, åtskilda med semikolon.",
    (SheetKey.PARTICIPANTS, "wished_adepts"): "Mentorer: adepter de gärna vill ha "
    "(e-postadress eller namn), i prioritetsordning, åtskilda med semikolon.",
    (SheetKey.PARTICIPANTS, "not_adepts"): "Mentorer: adepter de inte ska vara mentor för "
    "(e-postadress eller namn; skälet inom parentes, annars jäv), åtskilda med semikolon.",
    (SheetKey.PARTICIPANTS, "consent"): "ja om personen samtycker till att listas i "
    "nätverkets kontaktkatalog (namn, myndighet, enhet, befattning, e-post), nej om inte; "
    "en tom cell lämnar svaret oförändrat. Utan ja listas personen ingenstans.",
    (SheetKey.PARTICIPANTS, "status"): "Visas i myndighetens arbetsbok: aktiv, avbrutit eller "
    "genomfört. Läses inte in.",
    (SheetKey.PARTICIPANTS, "completion"): "Visas i myndighetens arbetsbok: adeptens närvaro mot "
    "programmets krav. Läses inte in.",
    (SheetKey.SESSIONS, "title"): "Träffens namn. Obligatorisk.",
    (SheetKey.SESSIONS, "kind"): "uppstart, utbildning, föreläsning, nätverk eller avslutning.",
    (SheetKey.SESSIONS, "starts_at"): "Starttid, ÅÅÅÅ-MM-DD TT:MM (svensk tid). Obligatorisk.",
    (SheetKey.SESSIONS, "ends_at"): "Sluttid, ÅÅÅÅ-MM-DD TT:MM, eller bara TT:MM samma dag. "
    "Obligatorisk.",
    (SheetKey.SESSIONS, "location"): "Lokal och ort.",
    (SheetKey.SESSIONS, "host"): "Värdmyndighetens kod (eller namn).",
    (SheetKey.PAIRS, "adept"): "Adeptens e-postadress. Obligatorisk.",
    (SheetKey.PAIRS, "mentor"): "Mentorns e-postadress (från en annan myndighet). Obligatorisk.",
    (SheetKey.PAIRS, "locked"): "ja om paret ska ligga kvar vid ny matchning, annars nej eller "
    "tomt.",
    (SheetKey.SESSIONS, "session_id"): "Dold kolumn som exporten fyller i: träffens fasta "
    "nummer, så att en flyttad eller omdöpt träff känns igen. Lämna den som den är.",
    (SheetKey.PAIRS, "pair_id"): "Dold kolumn som exporten fyller i: parets nummer, så att ett "
    "par som tagits bort efter exporten inte skapas igen. Lämna den som den är.",
    (SheetKey.ATTENDANCE, "email"): "Deltagarens e-postadress. Obligatorisk.",
    (SheetKey.ATTENDANCE, "name"): "Valfri kolumn: deltagarens namn som stöd när listan fylls "
    "i; läses inte in.",
    (SheetKey.MEETINGS, "adept"): "Adeptens e-postadress. Obligatorisk.",
    (SheetKey.MEETINGS, "mentor"): "Mentorns e-postadress; kan lämnas tom när adepten har ett "
    "aktivt par.",
    (SheetKey.MEETINGS, "held_on"): "Dag för mötet, ÅÅÅÅ-MM-DD, inom programåret och inte i "
    "framtiden. Obligatorisk.",
    (SheetKey.MEETINGS, "minutes"): f"Mötets längd i minuter (heltal 1–{MAX_MEETING_MINUTES}); "
    "får lämnas tom.",
}

SHEETS: dict[SheetKey, SheetDef] = {
    sheet.key: sheet
    for sheet in (
        AGENCIES,
        PARTICIPANTS,
        SESSIONS,
        PAIRS,
        ATTENDANCE,
        MEETINGS,
        GROUPS,
        OVERVIEW,
        INSTRUCTIONS,
        LISTS,
    )
}

#: Sheets the import reads, in the order a loader should apply them.
IMPORT_ORDER: tuple[SheetKey, ...] = (
    SheetKey.AGENCIES,
    SheetKey.PARTICIPANTS,
    SheetKey.SESSIONS,
    SheetKey.PAIRS,
    SheetKey.ATTENDANCE,
    SheetKey.MEETINGS,
)


def match_key(text: str) -> str:
    """Return the form names and words are compared in: trimmed, spaces collapsed, NFC, folded."""
    return (clean_text(text) or "").casefold()


_PARENTHETICAL = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_HEADER_NOISE = re.compile(r"[\s\-‐‑‒–—_.:*]+")


def header_key(text: str) -> str:
    """Return the form column headers are compared in.

    As :func:`match_key`, and a trailing parenthetical (``Chef sedan (ÅÅÅÅ-MM-DD)``), a
    required-field star, hyphens, dashes, underscores, dots and spaces do not count, so
    ``E-post``, ``Epost``, ``E post`` and ``e_post:`` are one header.
    """
    key = match_key(text)
    stripped = _PARENTHETICAL.sub("", key)
    return _HEADER_NOISE.sub("", stripped or key)


#: Headers that hold half a name: a roster with Förnamn and Efternamn instead of Namn has
#: them joined ("Förnamn Efternamn") into the Namn column.
NAME_PARTS: dict[str, str] = {
    header_key(word): part
    for part, words in (
        ("first", ("Förnamn", "Tilltalsnamn", "First name", "Given name")),
        ("last", ("Efternamn", "Last name", "Surname", "Family name")),
    )
    for word in words
}

_SHEETS_BY_NAME: dict[str, SheetDef] = {
    match_key(name): sheet for sheet in SHEETS.values() for name in sheet.names
}
_COLUMNS_BY_NAME: dict[SheetKey, dict[str, Column]] = {
    sheet.key: {header_key(name): column for column in sheet.columns for name in column.names}
    for sheet in SHEETS.values()
}


_SHOWN_ONLY_KEYS: dict[SheetKey, frozenset[str]] = {
    key: frozenset(header_key(header) for header, _ in headers)
    for key, headers in SHOWN_ONLY.items()
}


def shown_only(sheet: SheetKey, header: str) -> bool:
    """Tell whether a header is one our own workbooks write for people only (never read)."""
    keys = _SHOWN_ONLY_KEYS.get(sheet)
    return keys is not None and header_key(header) in keys


def find_sheet(name: str) -> SheetDef | None:
    """Return the sheet a workbook sheet name stands for (Swedish or English), if any."""
    return _SHEETS_BY_NAME.get(match_key(name))


def find_column(sheet: SheetKey, header: str) -> Column | None:
    """Return the column a header stands for on ``sheet`` (Swedish, English or alias), if any."""
    return _COLUMNS_BY_NAME[sheet].get(header_key(header))


# --- words --------------------------------------------------------------------------------

__all__ = [
    "FLAG_HINT",
    "FLAG_LABELS",
    "FLAG_WORDS",
    "KIND_HINT",
    "KIND_LABELS",
    "KIND_WORDS",
    "ROLE_HINT",
    "ROLE_LABELS",
    "ROLE_WORDS",
    "STATUS_HINT",
    "STATUS_LABELS",
    "STATUS_WORDS",
]


# --- session headers on the Närvaro sheet --------------------------------------------------

_SESSION_HEADER = re.compile(
    r"^(?P<title>.*?)\s*\(\s*(?P<date>\d{4}-\d{2}-\d{2})(?:[ T]+(?P<time>\d{1,2}[:.]\d{2}))?\s*\)$"
)


def attendance_header(title: str, starts_at: datetime) -> str:
    """Return the Närvaro column header for a session: ``Titel (ÅÅÅÅ-MM-DD TT:MM)``."""
    return f"{title} ({starts_at:%Y-%m-%d %H:%M})"


@dataclass(frozen=True)
class SessionHeader:
    """A parsed Närvaro session header; the loader matches it to a stored session."""

    title: str
    starts_on: date | None
    start_time: time | None


def parse_attendance_header(header: str) -> SessionHeader:
    """Split ``Titel (2025-09-01 09:00)`` into title, date and time; a bare title is allowed."""
    text = clean_text(header) or ""
    match = _SESSION_HEADER.match(text)
    if match is None:
        return SessionHeader(text, None, None)
    try:
        day = date.fromisoformat(match["date"])
        clock = match["time"]
        at = time(int(clock[:-3]), int(clock[-2:])) if clock else None
    except ValueError:
        return SessionHeader(text, None, None)
    return SessionHeader(match["title"], day, at)


# --- formula-safe text ----------------------------------------------------------------------

#: Leading characters that make a spreadsheet treat text as a formula (OWASP/ASVS list).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n")
_ESCAPED_AFTER_APOSTROPHE = FORMULA_TRIGGERS | {"'"}


def escape_text(text: str) -> str:
    """Return ``text`` as the writer stores it, with a leading apostrophe when needed."""
    if text and (
        text[0] in FORMULA_TRIGGERS
        or (text[0] == "'" and len(text) > 1 and text[1] in _ESCAPED_AFTER_APOSTROPHE)
    ):
        return "'" + text
    return text


def unescape_text(text: str) -> str:
    """Undo :func:`escape_text`: drop one leading apostrophe that protects a formula trigger."""
    if len(text) > 1 and text[0] == "'" and text[1] in _ESCAPED_AFTER_APOSTROPHE:
        return text[1:]
    return text


def display_value(value: object) -> object:
    """Return the cell form of a domain value: Swedish words for enums and flags."""
    if isinstance(value, bool):
        return FLAG_LABELS[value]
    if isinstance(value, Role):
        return ROLE_LABELS[value]
    if isinstance(value, SessionKind):
        return KIND_LABELS[value]
    if isinstance(value, AttendanceStatus):
        return STATUS_LABELS[value]
    return value
