"""Cell converters: a raw spreadsheet value to a typed value, or BadCell saying why not."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from chefintro import rules
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
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?")
_LIST_SEPARATORS = re.compile(r"[;,\s]+")
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


def _valid_email(text: str) -> str:
    problem = rules.email_problem(text)
    if problem == rules.NOT_AN_EMAIL:
        raise BadCell(f"{quoted(text)} {problem} (expected name@myndighet.se)")
    if problem is not None:
        raise BadCell(f"{quoted(text)} {problem}")
    return text


def _email(raw: object) -> str | None:
    if not isinstance(raw, str):
        raise BadCell(
            f"{quoted(raw_text(raw))} is not an e-mail address (expected name@myndighet.se)"
        )
    text = _text(raw)
    return _valid_email(text) if text is not None else None


def _email_list(raw: object) -> tuple[str, ...] | None:
    if not isinstance(raw, str):
        raise BadCell(f"{quoted(raw_text(raw))} is not a list of e-mail addresses")
    text = unescape_text(raw)
    if not text.isprintable():  # line breaks are separators here, controls are not
        _check_control(text)
    addresses: list[str] = []
    seen: set[str] = set()
    for part in _LIST_SEPARATORS.split(text):
        address = part if part.isascii() else clean_text(part)
        if not address:
            continue
        _valid_email(address)
        key = email_cell_key(address)
        if key in seen:
            raise BadCell(f"{quoted(address)} is listed twice; list each mentor once")
        seen.add(key)
        addresses.append(address)
    return tuple(addresses) or None


def _word(words: dict[str, Any], what: str, hint: str) -> Callable[[object], Any]:
    def convert(raw: object) -> Any:
        text = _text(raw)
        if text is None:
            return None
        found = words.get(text.casefold())  # _text already trimmed and NFC-normalised it
        if found is None:
            raise BadCell(f"{quoted(text)} is not a {what}; use {hint}")
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


def _date(raw: object) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        match = _ISO_DATE.fullmatch(text)
        if match is not None:
            try:
                return date.fromisoformat(match.group(1))
            except ValueError:
                pass
    raise BadCell(f"{quoted(raw_text(raw))} is not a date; write it as YYYY-MM-DD")


def _round_minute(value: datetime) -> datetime:
    # Excel stores times as fractions of a day, so 09:30 can come back as 09:29:59.9999.
    rounded = value.replace(second=0, microsecond=0)
    return rounded + _ONE_MINUTE if value - rounded >= timedelta(seconds=30) else rounded


def _datetime(raw: object) -> datetime | None:
    if isinstance(raw, datetime):
        return _round_minute(raw)
    if isinstance(raw, str):
        text = clean_text(raw)
        if text is None:
            return None
        match = _ISO_DATETIME.fullmatch(text)
        if match is not None:
            try:
                year, month, day, hour, minute, second = (int(p or 0) for p in match.groups())
                return datetime(year, month, day, hour, minute, second)
            except ValueError:
                pass
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
        match = _CLOCK.fullmatch(text) if text is not None else None
        if match is not None:
            try:
                return time(int(match.group(1)), int(match.group(2)))
            except ValueError:
                pass
    try:
        return _datetime(raw)
    except BadCell:
        raise BadCell(
            f"{quoted(raw_text(raw))} is not an end time; write YYYY-MM-DD HH:MM, or HH:MM "
            "for the start's day"
        ) from None


def _count(raw: object) -> int | None:
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
    if number is None or not float(number).is_integer() or not rules.capacity_allowed(int(number)):
        raise BadCell(f"{quoted(raw_text(raw))} is not a whole number from 1 to {MAX_CAPACITY}")
    return int(number)


def _minutes(raw: object) -> int | None:
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
    if number is None or not float(number).is_integer() or not 1 <= number <= MAX_MEETING_MINUTES:
        raise BadCell(
            f"{quoted(raw_text(raw))} is not a length in whole minutes from 1 to "
            f"{MAX_MEETING_MINUTES}"
        )
    return int(number)


def info_cell(raw: object) -> None:
    return None


CONVERTERS: dict[ValueKind, Callable[[object], Any]] = {
    ValueKind.TEXT: _text,
    ValueKind.CODE: _code,
    ValueKind.AGENCY: _text,
    ValueKind.EMAIL: _email,
    ValueKind.EMAIL_LIST: _email_list,
    ValueKind.ROLE: _role,
    ValueKind.KIND: _kind,
    ValueKind.DATE: _date,
    ValueKind.DATETIME: _datetime,
    ValueKind.END_TIME: _end_time,
    ValueKind.COUNT: _count,
    ValueKind.MINUTES: _minutes,
    ValueKind.FLAG: _flag,
    ValueKind.INFO: info_cell,
}
