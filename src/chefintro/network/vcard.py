"""The directory as vCard 4.0 (RFC 6350), for Outlook's and phones' contact import.

Written by hand, as the format is small: one ``BEGIN:VCARD`` … ``END:VCARD`` per person,
CRLF line ends, UTF-8, text values escaped (backslash, comma, semicolon, line break;
RFC 6350 §3.4) and lines folded at 75 octets without splitting a character (§3.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chefintro.network.directory import Directory, Entry

CRLF = "\r\n"
_FOLD_AT = 75  # octets per line, the line break not counted


def escape(value: str) -> str:
    """Escape a text value: backslash, comma, semicolon and line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (UTF-8), never inside a character."""
    out: list[str] = []
    current: list[str] = []
    size = 0
    limit = _FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append("".join(current))
            current, size, limit = [], 0, _FOLD_AT - 1  # a continuation starts with a space
        current.append(char)
        size += width
    out.append("".join(current))
    return (CRLF + " ").join(out)


def _structured(parts: Sequence[str | None]) -> str:
    return ";".join(escape(part or "") for part in parts)


def split_name(name: str) -> tuple[str, str]:
    """(family name, given names): the last word is the family name, as Swedish names go."""
    words = name.split()
    if len(words) < 2:
        return name, ""
    return words[-1], " ".join(words[:-1])


def card(entry: Entry, *, programme: str, cohort: str | None) -> str:
    """One person's vCard, its lines folded and ended with CRLF."""
    family, given = split_name(entry.name)
    note = [f"{programme}: {entry.years}"]
    if entry.group:
        note.append(f"nätverksgrupp {entry.group}")
    if entry.mentor:
        note.append(f"mentor {entry.mentor}")
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"FN:{escape(entry.name)}",
        f"N:{_structured([family, given, '', '', ''])}",
        f"ORG:{_structured([entry.agency_name, *([entry.unit] if entry.unit else [])])}",
    ]
    if entry.title:
        lines.append(f"TITLE:{escape(entry.title)}")
    lines += [
        f"EMAIL;TYPE=work:{escape(entry.email)}",
        f"CATEGORIES:{escape(programme if cohort is None else f'{programme} {cohort}')}",
        f"NOTE:{escape('; '.join(note))}",
        "END:VCARD",
    ]
    return "".join(fold(line) + CRLF for line in lines)


def vcards(directory: Directory, *, programme: str) -> bytes:
    """The whole directory as one .vcf file's bytes (UTF-8)."""
    cards: Iterable[str] = (
        card(entry, programme=programme, cohort=directory.cohort) for entry in directory.entries
    )
    return "".join(cards).encode("utf-8")
