"""The year's letters in the plan (``[[letter]]`` tables) and what is due on a day.

A plan may schedule the letters that make participants and agencies report (issue 33)::

    [[letter]]
    kind = "nudge"              # nudge | survey-reminder | agency-digest
    every_weeks = 4             # from `from` (default: the cohort's start) …
    from = 2027-03-09           # … to `until` (default: its end); or instead:
    # on = [2027-03-09, 2027-04-06]

    [[letter]]
    kind = "survey-reminder"
    survey = "mitt-2027"        # survey-reminder only (required)
    link = "https://forms.office.com/r/Ab12"
    on = [2027-06-14, 2027-06-21]

The plan only says when; ``cohort schedule PLAN --as-of DAY`` shows what is due that day
and the command that writes it, and the message commands keep a letter from going twice
(a nudge once per status period, a reminder and a digest once per person or agency and
day). Nothing is sent by ``cohort setup``: sending stays the coordinator's own step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chefintro.yearly import _PlanReader

NUDGE = "nudge"
SURVEY_REMINDER = "survey-reminder"
AGENCY_DIGEST = "agency-digest"
LETTER_WORDS = {
    "nudge": NUDGE,
    "knuff": NUDGE,
    "survey-reminder": SURVEY_REMINDER,
    "enkätpåminnelse": SURVEY_REMINDER,
    "agency-digest": AGENCY_DIGEST,
    "myndighetsbrev": AGENCY_DIGEST,
}
LETTER_KEYS = {"kind", "every_weeks", "on", "from", "until", "survey", "link"}
MAX_EVERY_WEEKS = 52


@dataclass
class PlannedLetter:
    """One [[letter]] of a plan: its kind and the days it is due."""

    kind: str
    days: list[date] = field(default_factory=list)
    survey: str | None = None
    link: str | None = None

    def command(self, day: date) -> str:
        """The command that writes this letter on ``day`` (add --send to send it)."""
        words = ["chefintro", "message", self.kind]
        if self.survey is not None:
            words.append(_quoted(self.survey))
        if self.link is not None:
            words += ["--link", _quoted(self.link)]
        words += ["--as-of", day.isoformat()]
        return " ".join(words)


def _quoted(text: str) -> str:
    return text if text.replace("-", "").replace("_", "").isalnum() else f'"{text}"'


def every(start: date, end: date, weeks: int) -> list[date]:
    """Return ``start`` and every ``weeks`` weeks after it, up to ``end`` (included)."""
    days, day = [], start
    while day <= end:
        days.append(day)
        day += timedelta(weeks=weeks)
    return days


def read_letters(reader: _PlanReader, raw: dict[str, Any]) -> list[PlannedLetter]:
    """Read every [[letter]]; problems go to the reader with the letter's number and key."""
    letters = raw.get("letter", [])
    if not isinstance(letters, list):
        reader.bad("[letter]", "write each letter as its own [[letter]] table")
        return []
    result = []
    for index, entry in enumerate(letters, start=1):
        if isinstance(entry, dict):
            letter = _read_letter(reader, f"letter {index}", entry)
            if letter is not None:
                result.append(letter)
    return result


def _read_letter(reader: _PlanReader, where: str, entry: dict[str, Any]) -> PlannedLetter | None:
    start, end = reader.start, reader.end
    word = reader.typed(where, entry, "kind", str, True)
    kind = LETTER_WORDS.get(word.strip().casefold()) if word is not None else None
    if word is not None and kind is None:
        reader.bad(f"[{where}] kind", f"{word!r} is not a letter; use {', '.join(LETTER_WORDS)}")
    survey = reader.typed(where, entry, "survey", str)
    link = reader.typed(where, entry, "link", str)
    if kind == SURVEY_REMINDER and not survey:
        reader.bad(f"[{where}] survey", "a survey reminder names its survey")
    if kind is not None and kind != SURVEY_REMINDER:
        for key, value in (("survey", survey), ("link", link)):
            if value is not None:
                reader.bad(f"[{where}] {key}", "only a survey reminder has one")
    if link is not None and not link.startswith(("https://", "http://")):
        reader.bad(f"[{where}] link", f"{link!r} is not a web address (https://…)")
    days = _days(reader, where, entry)
    if kind is None or days is None or start is None or end is None:
        return None
    outside = [d for d in days if not start <= d <= end]
    if outside:
        reader.bad(
            f"[{where}] on",
            f"{outside[0]} is outside cohort {reader.name} ({start} – {end})",
        )
        return None
    return PlannedLetter(kind=kind, days=days, survey=survey, link=link)


def _days(reader: _PlanReader, where: str, entry: dict[str, Any]) -> list[date] | None:
    weeks = reader.typed(where, entry, "every_weeks", int)
    on = reader.typed(where, entry, "on", list)
    first = reader.typed(where, entry, "from", date)
    last = reader.typed(where, entry, "until", date)
    if (weeks is None) == (on is None):
        reader.bad(f"[{where}]", "give either every_weeks or on (a list of days)")
        return None
    if on is not None:
        if first is not None or last is not None:
            reader.bad(f"[{where}] on", "from and until go with every_weeks, not with on")
            return None
        bad = [d for d in on if not isinstance(d, date)]
        if bad or not on:
            reader.bad(f"[{where}] on", f"must list days such as 2027-03-09, not {bad or on!r}")
            return None
        return sorted({d.date() if hasattr(d, "date") else d for d in on})
    assert weeks is not None
    if not 1 <= weeks <= MAX_EVERY_WEEKS:
        reader.bad(f"[{where}] every_weeks", f"must be 1 to {MAX_EVERY_WEEKS}, not {weeks}")
        return None
    first = first or reader.start
    last = last or reader.end
    if first is None or last is None:
        return None
    if last < first:
        reader.bad(f"[{where}] until", f"{last} is before {first}")
        return None
    return every(first, last, weeks)


@dataclass(frozen=True)
class Due:
    day: date
    letter: PlannedLetter

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "kind": self.letter.kind,
            "survey": self.letter.survey,
            "link": self.letter.link,
            "command": self.letter.command(self.day),
        }


def schedule(letters: list[PlannedLetter], day: date | None = None) -> list[Due]:
    """Return every planned letter by day (only ``day``'s when given), in date order."""
    found = [Due(d, letter) for letter in letters for d in letter.days if day in (None, d)]
    order = {NUDGE: 0, SURVEY_REMINDER: 1, AGENCY_DIGEST: 2}
    return sorted(found, key=lambda due: (due.day, order[due.letter.kind], due.letter.survey or ""))
