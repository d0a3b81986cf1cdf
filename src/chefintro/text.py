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


def name_key(value: str) -> str:
    """Return the key a name is looked up by: spaces collapsed, case- and accent-insensitive.

    ``asa oberg`` finds Åsa Öberg; the key is for finding people, never for sorting.
    """
    text = _SPACE.sub(" ", unicodedata.normalize("NFD", value)).strip().casefold()
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_plausible_email(value: str) -> bool:
    """Tell whether ``value`` looks like an e-mail address (one @, a dot in the domain)."""
    return bool(_EMAIL.match(value.strip()))


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
