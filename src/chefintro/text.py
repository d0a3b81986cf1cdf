"""Normalising names and e-mail addresses, and a Swedish sort key independent of the OS locale."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_SPACE = re.compile(r"\s+")

# Swedish alphabet order: a–z, then å, ä, ö. Letters that Swedish treats as variants
# of these (æ → ä, ø → ö, ü → y) collate with them; other accented letters (é, à …)
# collate with their base letter.
_AFTER_Z = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}
_VARIANTS = {"ü": "y", "ß": "ss"}


def clean_text(value: str | None) -> str | None:
    """Return ``value`` trimmed, NFC-normalised, inner whitespace collapsed; blank → None."""
    if value is None:
        return None
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    return text or None


def email_key(value: str) -> str:
    """Return the key an e-mail address is matched by: trimmed, NFC, case-folded."""
    return unicodedata.normalize("NFC", value.strip()).casefold()


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: The longest e-mail address a mail system must accept (RFC 5321 forward path).
MAX_EMAIL_LENGTH = 254
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_ANGLE = re.compile(r"^(?P<display>[^<>]*)<(?P<address>[^<>]*)>$")
_TRAILING_SEPARATORS = re.compile(r"[\s;,]+$")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def is_plausible_email(value: str) -> bool:
    """Tell whether ``value`` looks like an e-mail address (one @, a dot in the domain)."""
    return bool(_EMAIL.match(value.strip()))


class NotAnEmail(ValueError):
    """A value that is not one e-mail address; the message says why, without the value."""


def parse_email(value: str) -> str:
    """Return the one e-mail address in ``value`` as people paste it, or raise NotAnEmail.

    The one e-mail rule: every door (``person add``/``edit``, roster cells, plans) calls it.
    Outlook and mail programs copy addresses as ``mailto:a@b.se``, ``<a@b.se>``,
    ``Anna Ek <a@b.se>`` or ``a@b.se;``; those are cleaned to the bare address (trimmed,
    NFC). Anything else that is not exactly one address is refused: two addresses, no @,
    no dot in the domain, spaces, invisible characters, more than 254 characters.
    """
    text = clean_text(value) or ""
    text = _TRAILING_SEPARATORS.sub("", text)
    angle = _ANGLE.match(text)
    if angle is not None:
        text = angle["address"].strip()
    text = _MAILTO.sub("", text).strip()
    text = _TRAILING_SEPARATORS.sub("", text)
    if not text:
        raise NotAnEmail("is empty; an e-mail address is needed")
    if _INVISIBLE.search(text) or (
        not text.isascii() and any(unicodedata.category(c) == "Cf" for c in text)
    ):
        raise NotAnEmail("contains invisible characters; retype the address")
    if text.count("@") > 1 and any(sep in text for sep in ";, "):
        raise NotAnEmail("holds more than one address; give one address")
    if not _EMAIL.match(text) or len(text) > MAX_EMAIL_LENGTH:
        raise NotAnEmail("is not an e-mail address (expected name@myndighet.se)")
    return text


def _primary(char: str) -> str:
    if char in _AFTER_Z:
        return _AFTER_Z[char]
    if char in _VARIANTS:
        return _VARIANTS[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def swedish_key(value: str | None) -> tuple[str, str]:
    """Sort key putting å < ä < ö after z and é with e, without the OS locale.

    The first element decides the order; the second breaks ties so that the
    order is total and stable (``Eva`` before ``Éva`` before ``eva``).
    """
    text = unicodedata.normalize("NFC", value or "").casefold()
    primary = "".join(_primary(c) for c in text)
    return primary, unicodedata.normalize("NFC", value or "")


def swedish_sorted(values: Iterable[str]) -> list[str]:
    """Return ``values`` in Swedish order."""
    return sorted(values, key=swedish_key)
