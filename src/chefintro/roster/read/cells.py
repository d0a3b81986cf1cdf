"""Cell converters: a raw spreadsheet value to a typed value, or BadCell saying why not."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from chefintro import clock, rules
from chefintro.clock import parse_clock, parse_date_time
from chefintro.roster.columns import (
    FLAG_HINT,
    FLAG_WORDS,
    KIND_HINT,
    KIND_WORDS,
    MAX_TEXT_LENGTH,
    ROLE_HINT,
    ROLE_WORDS,
    STATUS_HINT,
    STATUS_WORDS,
    ValueKind,
    unescape_text,
)
from chefintro.rules import MAX_CAPACITY, MAX_MEETING_MINUTES
from chefintro.text import clean_text, control_problem, email_key
from chefintro.words import article


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- cell conversion --------------------------------------------------------------------------


class BadCell(Exception):
    """A cell value that cannot be used; the message says what is allowed."""


_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?")
_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ONE_MINUTE = timedelta(minutes=1)


def quoted(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "…")


def raw_text(raw: object) -> str:
    """Return the text of a cell of any type, before cleaning."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime):
        return raw.isoformat(sep=" ", timespec="minutes")
    if isinstance(raw, (date, time)):
        return raw.isoformat()
    return str(raw)


def _check_control(text: str) -> None:
    # The one text rule of every front door (chefintro.text), in a cell's words.
    problem = control_problem(text)
    if problem is not None:
        raise BadCell(problem.replace("retype it", "retype the cell"))


def _text(raw: object) -> str | None:
    # Fast path: most cells are already clean. isprintable() is False for every control,
    # format (bidi) and separator character and for any whitespace but the ASCII space,
    # so what passes needs only the checks below to be exactly what clean_text returns.
    if (
        type(raw) is str
        and raw.isprintable()
        and raw[:1] not in ("", " ", "'")
        and raw[-1] != " "
        and "  " not in raw
        and (raw.isascii() or unicodedata.is_normalized("NFC", raw))
    ):
        if len(raw) > MAX_TEXT_LENGTH:
            raise BadCell(f"the text is {len(raw)} characters long; at most {MAX_TEXT_LENGTH}")
        return raw
    text = unescape_text(raw_text(raw))
    _check_control(text)
    cleaned = clean_text(text)
    if cleaned is not None and len(cleaned) > MAX_TEXT_LENGTH:
        raise BadCell(f"the text is {len(cleaned)} characters long; at most {MAX_TEXT_LENGTH}")
    return cleaned


def email_cell_key(address: str) -> str:
    """Return email_key() of an already cleaned address, skipping work ASCII does not need."""
    return address.casefold() if address.isascii() else email_key(address)


def _code(raw: object) -> str | None:
    text = _text(raw)
    return text.upper() if text is not None else None


def email_text(raw: object) -> str:
    """Return the bare address in a cell as people paste it (:func:`rules.parse_email`)."""
    if not isinstance(raw, str):
        raise BadCell(
            f"{quoted(raw_text(raw))} is not an e-mail address (expected name@myndighet.se)"
        )
    text = unescape_text(raw)
    if not text.isprintable():  # line breaks and tabs are whitespace here, controls are not
        _check_control(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    try:
        return rules.parse_email(text)
    except rules.NotAnEmail as why:
        raise BadCell(f"{quoted(clean_text(text) or text)} {why}") from None


def _email(raw: object) -> str | None:
    # Printable text that neither starts nor ends with a space is not blank: clean_text
    # is asked only of the rest (nearly every address is the first kind).
    if (
        isinstance(raw, str)
        and (not raw or raw[0] == " " or raw[-1] == " " or not raw.isprintable())
        and clean_text(raw) is None
    ):
        return None
    return email_text(raw)


#: Separators between the wished mentors of one cell: ; , and line breaks.
_WISH_SEPARATORS = re.compile(r"[;,\n\r]+")


@lru_cache(maxsize=16384)
def _wished_address(piece: str) -> tuple[str, str]:
    """Return a wished mentor's address and its key (many adepts wish for the same mentors).

    Sized for every mentor of a 20,000-row roster (a third of it), so a large file's
    wishes do not push each other out (issue 16).

    A piece that is no address raises BadCell every time (exceptions are not cached).
    """
    entry = email_text(piece)
    return entry, email_cell_key(entry)


def _list_text(raw: object, what: str) -> str:
    """Return a list cell's text; line breaks are separators there, controls are not."""
    if not isinstance(raw, str):
        raise BadCell(f"{quoted(raw_text(raw))} is not a list of {what}")
    text = unescape_text(raw)
    if not text.isprintable():
        _check_control(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return text


def _email_list(raw: object) -> tuple[str, ...] | None:
    """Read ranked wished mentors: e-mail addresses, or names (the loader resolves those)."""
    text = _list_text(raw, "e-mail addresses or names")
    entries: list[str] = []
    seen: set[str] = set()
    for part in _WISH_SEPARATORS.split(text):
        cleaned = clean_text(part)
        if not cleaned:
            continue
        if "@" in cleaned and "<" not in cleaned and " " in cleaned:
            pieces = cleaned.split(" ")  # addresses separated by spaces only
        else:
            pieces = [cleaned]
        for piece in pieces:
            entry, key = _wished_address(piece) if "@" in piece else (piece, email_cell_key(piece))
            if len(entry) > MAX_TEXT_LENGTH:
                raise BadCell(f"{quoted(entry)} is too long for a name or address")
            if key in seen:
                raise BadCell(f"{quoted(entry)} is listed twice; list each mentor once")
            seen.add(key)
            entries.append(entry)
    return tuple(entries) or None


#: Between the entries of a text list: ; and line breaks, and commas outside brackets.
_LIST_SEPARATORS = re.compile(r"[;\n\r]+|,(?![^(]*\))")


def _text_list(raw: object) -> tuple[str, ...] | None:
    """Read a list of texts (a mentor's towns, adepts not to mentor with their reasons)."""
    text = _list_text(raw, "names")
    entries: list[str] = []
    for part in _LIST_SEPARATORS.split(text):
        cleaned = clean_text(part)
        if not cleaned or cleaned.casefold() in {e.casefold() for e in entries}:
            continue
        if len(cleaned) > MAX_TEXT_LENGTH:
            raise BadCell(f"{quoted(cleaned)} is too long for a name or town")
        entries.append(cleaned)
    return tuple(entries) or None


def _word(words: dict[str, Any], what: str, hint: str) -> Callable[[object], Any]:
    def convert(raw: object) -> Any:
        text = _text(raw)
        if text is None:
            return None
        found = words.get(text.casefold())  # _text already trimmed and NFC-normalised it
        if found is None:
            raise BadCell(f"{quoted(text)} is not {article(what)} {what}; use {hint}")
        return found

    return convert


_role = _word(ROLE_WORDS, "role", ROLE_HINT)
_kind = _word(KIND_WORDS, "session type", KIND_HINT)
status_cell = _word(STATUS_WORDS, "attendance status", STATUS_HINT)
_flag_word = _word(FLAG_WORDS, "yes/no value", FLAG_HINT)


def _flag(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    result: bool | None = _flag_word(raw)
    return result


#: Day 0 of Excel's (1900, Lotus-compatible) serial numbers: 1899-12-30.
_EXCEL_EPOCH = datetime(1899, 12, 30)
#: The earliest date a roster may hold; earlier is a typing or conversion accident.
EARLIEST_DATE = date(1950, 1, 1)
#: How far ahead a roster date may lie (a year from today).
LATEST_AHEAD = timedelta(days=366)
#: Dates up to the day this module was loaded are plausible whenever the check runs (today
#: only moves on), so most cells are checked without asking the clock.
_SURELY_PLAUSIBLE = clock.today()
#: Serial numbers Excel itself can show as dates (1900-01-01 … 9999-12-31).
_LARGEST_SERIAL = 2_958_465


def serial_datetime(number: float) -> datetime:
    """Return the date-time an Excel serial number (days since 1899-12-30) stands for."""
    if not math.isfinite(number) or not 1 <= number <= _LARGEST_SERIAL:
        raise BadCell(f"{quoted(raw_text(number))} is not a date; write it as YYYY-MM-DD")
    return _EXCEL_EPOCH + timedelta(days=number)


def _plausible(day: date, raw: object) -> date:
    """Return ``day`` when a roster may hold it; ``raw`` (the cell) is only read to explain."""
    if EARLIEST_DATE < day <= _SURELY_PLAUSIBLE:  # nearly every date: no clock call needed
        return day
    latest = clock.today() + LATEST_AHEAD
    if day == _EXCEL_EPOCH.date():
        raise BadCell(
            "the cell holds no real date (Excel's day zero, 1899-12-30: a 0 or a value that "
            "is not a number); write the date as YYYY-MM-DD"
        )
    if not EARLIEST_DATE <= day <= latest:
        shown = day.isoformat()
        if isinstance(raw, float | int):
            shown = f"{raw_text(raw)} (as a date {shown})"
        raise BadCell(
            f"{shown} is not a plausible date; dates from {EARLIEST_DATE.isoformat()} to "
            f"{latest.isoformat()} (a year from today) are accepted"
        )
    return day


def _date(raw: object) -> date | None:
    if isinstance(raw, datetime):
        return _plausible(raw.date(), raw)
    if isinstance(raw, date):
        return _plausible(raw, raw)
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        # A date typed into a General-format cell, or pasted as a number: a serial.
        return _plausible(serial_datetime(float(raw)).date(), raw)
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        match = _ISO_DATE.fullmatch(text)
        if match is not None:
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                pass
            else:
                return _plausible(day, day)
    raise BadCell(f"{quoted(raw_text(raw))} is not a date; write it as YYYY-MM-DD")


def _round_minute(value: datetime) -> datetime:
    # Excel stores times as fractions of a day, so 09:30 can come back as 09:29:59.9999.
    rounded = value.replace(second=0, microsecond=0)
    return rounded + _ONE_MINUTE if value - rounded >= timedelta(seconds=30) else rounded


def _datetime(raw: object) -> datetime | None:
    if isinstance(raw, datetime):
        if raw == _EXCEL_EPOCH:
            raise BadCell(
                "the cell holds no real date and time (Excel's day zero, 1899-12-30); write "
                "YYYY-MM-DD HH:MM"
            )
        return _round_minute(raw)
    if isinstance(raw, float | int) and not isinstance(raw, bool) and raw >= 1:
        # A date-time typed into a General-format cell: a serial with a fraction of a day.
        return _round_minute(serial_datetime(float(raw)))
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        parsed = parse_date_time(text)
        if parsed is not None:
            return parsed
    if isinstance(raw, date) or (isinstance(raw, str) and _DAY_ONLY.fullmatch(raw.strip())):
        # A date cell also comes back for a date-time at exactly 00:00; programme days
        # never start at midnight, so this is a forgotten time.
        raise BadCell(f"{quoted(raw_text(raw))} has no time of day; write YYYY-MM-DD HH:MM")
    raise BadCell(f"{quoted(raw_text(raw))} is not a date and time; write YYYY-MM-DD HH:MM")


def _end_time(raw: object) -> datetime | time | None:
    """Read an end: a full date-time, or a bare time (the session's start day is meant).

    Excel cannot tell a date from a date-time at midnight, so a date cell reads as 00:00:
    right for a session ending at midnight, and caught as "ends before it starts" when
    someone typed only the start's date.
    """
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return datetime.combine(raw, time())
    if isinstance(raw, time):
        return raw.replace(second=0, microsecond=0)
    if isinstance(raw, timedelta) and timedelta(0) <= raw < timedelta(days=1):
        return _round_minute(datetime.min + raw).time()
    if isinstance(raw, str):
        text = clean_text(raw)
        clock = parse_clock(text) if text is not None else None
        if clock is not None:
            return clock.replace(second=0)
    try:
        return _datetime(raw)
    except BadCell:
        raise BadCell(
            f"{quoted(raw_text(raw))} is not an end time; write YYYY-MM-DD HH:MM, or HH:MM "
            "for the start's day"
        ) from None


def _whole_number(raw: object, allowed: Callable[[int], bool], what: str) -> int | None:
    """Read a whole number (a number, or digits as text) that ``allowed`` accepts."""
    number: float | None = None
    if isinstance(raw, bool):
        number = None
    elif isinstance(raw, (int, float)):
        number = raw
    elif isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        if text.isdigit():
            number = int(text)
    if number is None or not float(number).is_integer() or not allowed(int(number)):
        raise BadCell(f"{quoted(raw_text(raw))} is not {what}")
    return int(number)


def _count(raw: object) -> int | None:
    return _whole_number(raw, rules.capacity_allowed, f"a whole number from 1 to {MAX_CAPACITY}")


def _minutes(raw: object) -> int | None:
    return _whole_number(
        raw,
        lambda minutes: 1 <= minutes <= MAX_MEETING_MINUTES,
        f"a length in whole minutes from 1 to {MAX_MEETING_MINUTES}",
    )


def _stored_id(raw: object) -> int | None:
    number: float | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        number = raw
    elif isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        if text.isdigit() and len(text) < 12:
            number = int(text)
    if number is None or not math.isfinite(number) or not float(number).is_integer():
        raise BadCell(f"{quoted(raw_text(raw))} is not a number written by the export")
    if not 1 <= number < 2**31:
        raise BadCell(f"{quoted(raw_text(raw))} is not a number written by the export")
    return int(number)


def info_cell(raw: object) -> None:
    return None


def turned_name(name: str) -> str | None:
    """Return "Förnamn Efternamn" for a name written "Efternamn, Förnamn", else None.

    Swedish HR systems export names surname first with a comma; one comma with words on
    both sides is that order (a name itself never holds a comma).
    """
    if name.count(",") != 1:
        return None
    last, first = (part.strip() for part in name.split(","))
    if not any(c.isalpha() for c in last) or not any(c.isalpha() for c in first):
        return None  # "0,5" or "Ek," is not a surname and a first name
    return f"{first} {last}"


CONVERTERS: dict[ValueKind, Callable[[object], Any]] = {
    ValueKind.TEXT: _text,
    ValueKind.CODE: _code,
    ValueKind.AGENCY: _text,
    ValueKind.EMAIL: _email,
    ValueKind.EMAIL_LIST: _email_list,
    ValueKind.TEXT_LIST: _text_list,
    ValueKind.ROLE: _role,
    ValueKind.KIND: _kind,
    ValueKind.DATE: _date,
    ValueKind.DATETIME: _datetime,
    ValueKind.END_TIME: _end_time,
    ValueKind.COUNT: _count,
    ValueKind.MINUTES: _minutes,
    ValueKind.FLAG: _flag,
    ValueKind.INFO: info_cell,
    ValueKind.ID: _stored_id,
}
