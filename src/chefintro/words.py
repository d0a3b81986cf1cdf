"""The English the command line speaks: counted nouns, lists of names, verbs that agree.

One helper for every message that counts something, so no message says "1 months",
"pair(s)" or "ha(s)". Light: imported at start-up by the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Plurals that do not add an "s".
_IRREGULAR = {
    "person": "people",
    "is": "are",
    "was": "were",
    "has": "have",
    "row or column": "rows or columns",
    "entry": "entries",
    "reply": "replies",
    "copy": "copies",
    "this": "these",
    "it": "they",
}


def plural_of(word: str) -> str:
    """Return the plural of an English noun (or "is", "has", "was") the CLI uses."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return ``count`` and the noun that agrees with it: "1 pair", "2 pairs", "0 pairs".

    Example: ``plural(n, "month")``, ``plural(n, "person", "people")``.
    """
    return f"{count:,} {noun(count, one, many)}"


def noun(count: int, one: str, many: str | None = None) -> str:
    """Return the form of ``one`` that agrees with ``count`` (no number): "has" / "have"."""
    return one if count == 1 else (many if many is not None else plural_of(one))


def article(word: str) -> str:
    """Return "a" or "an" for a word as spoken ("an adept", "a mentor", "an attendance …")."""
    return "an" if word[:1].casefold() in "aeiou" else "a"


def listing(items: Sequence[str], limit: int = 10, conjunction: str = "and") -> str:
    """Return "A", "A and B", "A, B and C", or the first ``limit`` and "and N more"."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]
