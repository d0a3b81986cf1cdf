"""Normalising names and e-mail addresses, and a Swedish sort key independent of the OS locale."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from chefintro.errors import UsageError

_SPACE = re.compile(r"\s+")

#: C0/C1 controls except tab, LF and CR (whitespace, collapsed by clean_text), DEL, and the
#: bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a terminal must never receive raw: the above, and tab, CR (which rewrites a line)
# and the other format characters that reorder text (LRM, RLM, ALM).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def control_problem(text: str) -> str | None:
    """Return why ``text`` is refused (a control or bidi character in it), or None."""
    found = CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return (
        f"the text contains an invisible control character (U+{ord(found.group()):04X}); "
        "retype it without it"
    )


def clean_field(value: str | None, *, what: str = "The text") -> str | None:
    """Return :func:`clean_text` of ``value``, or raise UsageError if the text rule refuses it.

    ``what`` names the value in the message, e.g. ``"The name"``.
    """
    if value is None:
        return None
    problem = control_problem(str(value))
    if problem is not None:
        raise UsageError(f"{what} {value!r} is refused: {problem}.")
    return clean_text(value)


def printable(text: str) -> str:
    """Return ``text`` without the characters a terminal would act on (see the module doc)."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub("", text)


# Swedish alphabet order: a–z, then å, ä, ö. Letters that Swedish treats as variants
# of these (æ → ä, ø → ö, ü → y) collate with them; other accented letters (é, à …)
# collate with their base letter.
_AFTER_Z = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}
_VARIANTS = {"ü": "y", "ß": "ss"}


def clean_text(value: str | None) -> str | None:
    """Return ``value`` trimmed, NFC-normalised, inner whitespace collapsed; blank → None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))
    # Every whitespace character but the space is unprintable, so printable text without a
    # double space has nothing to collapse (most cells of a roster; issue 16).
    if not text.isprintable() or "  " in text:
        text = _SPACE.sub(" ", text)
    text = text.strip()
    return text or None


def email_key(value: str) -> str:
    """Return the key an e-mail address is matched by: trimmed, NFC, case-folded."""
    if value.isascii():  # NFC leaves ASCII as it is (nearly every address)
        return value.strip().casefold()
    return unicodedata.normalize("NFC", value.strip()).casefold()


#: Apostrophes people type or paste in names (O'Brien, D’Souza): left out of the key.
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
#: Hyphens, dashes and commas: a space in the key (Anna-Karin, "Öberg, Åsa").
_NAME_BREAKS = re.compile(r"[-‐‑‒–—,]")


def name_key(value: str) -> str:
    """Return the key a name is looked up by: case-, accent- and apostrophe-insensitive.

    Spaces are collapsed, hyphens and commas count as spaces and apostrophes are left
    out, so ``asa oberg`` finds Åsa Öberg, ``obrien`` finds O'Brien and ``anna karin``
    finds Anna-Karin; the key is for finding people, never for sorting.
    """
    text = _NAME_BREAKS.sub(" ", _APOSTROPHES.sub("", unicodedata.normalize("NFD", value)))
    text = _SPACE.sub(" ", text).strip().casefold()
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


def person_name_key(value: str) -> str:
    """Return the key two names are the same person's by: :func:`name_key`, in any order.

    The one name finder: ``zoe agren``, ``Ågren, Zoë`` and ``ÅGREN ZOË`` all find Zoë
    Ågren. Every command that takes a person by name, and a roster's wishes by name,
    compare this key.
    """
    return " ".join(sorted(name_key(value).split()))


@functools.cache  # a name is made of few distinct letters: each is worked out once
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
    primary = "".join(map(_primary, text))
    return primary, unicodedata.normalize("NFC", value or "")


def swedish_sorted(values: Iterable[str]) -> list[str]:
    """Return ``values`` in Swedish order."""
    return sorted(values, key=swedish_key)


_QUOTES = str.maketrans({"’": "'", "‘": "'", "”": '"', "“": '"', "–": "-", "—": "-"})


def question_key(value: str | None) -> str:
    """Return the key a survey question's text is matched by, wherever it was typed.

    NFC, case-folded, whitespace collapsed, typographic quotes and dashes made plain, and
    trailing punctuation (". : ? ! *") dropped, so a header that Excel, Forms or a person
    retyped slightly still finds its question.
    """
    text = (clean_text(value) or "").translate(_QUOTES).casefold()
    return text.rstrip(" .:?!*")


_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def swedish_date(day: date) -> str:
    """Return ``day`` as Swedish prose, as on a certificate: 7 december 2027."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def swedish_number(value: int) -> str:
    """Return an integer the Swedish way: spaces between thousands, 161 651; minus as −."""
    text = f"{abs(value):,}".replace(",", "\u00a0")
    return ("−" if value < 0 else "") + text


def swedish_percent(part: int, whole: int) -> str:
    """Return ``part`` as a share of ``whole`` with one decimal comma: 0,6 %."""
    share = 0.0 if whole == 0 else 100 * part / whole
    return f"{share:.1f}".replace(".", ",").replace("-", "−") + "\u00a0%"
