"""Score every adept-mentor pair on the soft criteria: an integer matrix, and per-pair breakdowns.

Inputs are plain columns (one sequence per attribute, in the caller's stable order), output is
numpy. Text is compared after trimming and casefolding; the caller passes NFC text. Strings
are turned into integer codes with one dictionary pass over the n + m values, and every
criterion is then a broadcast comparison: no Python loop runs over the n x m pairs.

The criteria, with the names used in JSON and tables (:data:`CRITERIA`):

* ``same_field``: the adept's field equals the mentor's field;
* ``wished_field``: the field the adept wishes equals the mentor's field;
* ``preference_1`` to ``preference_3``: the mentor is the adept's 1st, 2nd or 3rd wish
  (position in the adept's ranked list; a mentor listed twice keeps its best rank, entries
  after the third are ignored);
* ``same_location``: same location;
* ``experience``: ``experience_per_year`` points per year of the mentor's experience, capped
  at ``experience_cap_years`` (unknown or negative counts as zero);
* ``mentor_field``: the adept's field equals the field the mentor wishes their adept from
  (the mentor's side, issue 34: :func:`mentor_matrix` gives these points alone);
* ``mentor_location``: the adept's town is one the mentor would like their adept from;
* ``mentor_wish``: the adept is one the mentor would like (the mentor's side too).

A missing or blank text never matches anything, not even another missing one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import NotRequired, TypedDict, Unpack

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CRITERIA",
    "MAX_WEIGHT",
    "MENTOR_CRITERIA",
    "Columns",
    "Weights",
    "breakdown",
    "mentor_matrix",
    "score_matrix",
]

CRITERIA: tuple[str, ...] = (
    "same_field",
    "wished_field",
    "preference_1",
    "preference_2",
    "preference_3",
    "same_location",
    "experience",
    "mentor_field",
    "mentor_location",
    "mentor_wish",
)
#: The criteria that are the mentor's wishes, not the adept's.
MENTOR_CRITERIA: tuple[str, ...] = ("mentor_field", "mentor_location", "mentor_wish")
# Keeps every score far inside int64 and the solver's exact range (7 criteria, 10**6 each).
MAX_WEIGHT = 1_000_000
_PREFERENCES = ("preference_1", "preference_2", "preference_3")
# Different "missing" codes for the two sides, so that missing never equals missing.
_MISSING_ADEPT = -1
_MISSING_MENTOR = -2


@dataclass(frozen=True)
class Weights:
    """Points per criterion (non-negative integers), and the cost of each extra mentee."""

    same_field: int = 30
    wished_field: int = 40
    preference_1: int = 50
    preference_2: int = 35
    preference_3: int = 20
    same_location: int = 10
    experience_per_year: int = 2
    experience_cap_years: int = 10
    mentor_field: int = 30
    mentor_location: int = 10
    mentor_wish: int = 40
    # Not a pair score: the solver's load_penalty (2nd mentee costs it once, 3rd twice ...).
    extra_mentee_cost: int = 15

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ValueError(f"weight {field.name} must be an integer, got {value!r}")
            if not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"weight {field.name} must be between 0 and {MAX_WEIGHT}")

    @classmethod
    def from_mapping(cls, values: Mapping[str, int]) -> Weights:
        """Build from settings; unknown keys are ignored, missing ones keep their default."""
        names = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in values.items() if name in names})


class Columns(TypedDict):
    """What :func:`score_matrix` and :func:`breakdown` score, by keyword: one sequence per
    attribute, adepts and mentors each in the caller's stable order."""

    adept_field: Sequence[str | None]
    adept_wished_field: Sequence[str | None]
    adept_location: Sequence[str | None]
    #: Each adept's ranked wishes, as mentor indexes.
    adept_preferences: Sequence[Sequence[int]]
    mentor_field: Sequence[str | None]
    mentor_location: Sequence[str | None]
    mentor_experience_years: Sequence[int | None]
    #: The field each mentor wishes their adept from; none when not given.
    mentor_wished_field: NotRequired[Sequence[str | None]]
    #: The towns each mentor would like their adept from (empty: no wish).
    mentor_wished_locations: NotRequired[Sequence[Sequence[str]]]
    #: The adepts each mentor would like, as adept indexes.
    mentor_wished_adepts: NotRequired[Sequence[Sequence[int]]]


class _Columns:
    """The columns, checked: each side's columns have one length."""

    def __init__(self, columns: Columns) -> None:
        self.adept_field = columns["adept_field"]
        self.adept_wished_field = columns["adept_wished_field"]
        self.adept_location = columns["adept_location"]
        self.adept_preferences = columns["adept_preferences"]
        self.mentor_field = columns["mentor_field"]
        self.mentor_location = columns["mentor_location"]
        self.mentor_experience_years = columns["mentor_experience_years"]
        self.mentor_wished_field = columns.get(
            "mentor_wished_field", [None] * len(self.mentor_field)
        )
        adept_lengths = {
            "adept_field": len(self.adept_field),
            "adept_wished_field": len(self.adept_wished_field),
            "adept_location": len(self.adept_location),
            "adept_preferences": len(self.adept_preferences),
        }
        mentor_lengths = {
            "mentor_field": len(self.mentor_field),
            "mentor_location": len(self.mentor_location),
            "mentor_experience_years": len(self.mentor_experience_years),
        }
        self.mentor_wished_locations = columns.get("mentor_wished_locations", [])
        self.mentor_wished_adepts = columns.get("mentor_wished_adepts", [])
        for name in ("mentor_wished_field", "mentor_wished_locations", "mentor_wished_adepts"):
            if name in columns:
                mentor_lengths[name] = len(columns[name])
        for lengths in (adept_lengths, mentor_lengths):
            if len(set(lengths.values())) > 1:
                raise ValueError(f"columns differ in length: {lengths}")
        self.n_adepts = len(self.adept_field)
        self.n_mentors = len(self.mentor_field)


def score_matrix(*, weights: Weights, **inputs: Unpack[Columns]) -> NDArray[np.int64]:
    """Return the score of every pair, shape (n_adepts, n_mentors), higher is better.

    Raises ``ValueError`` when columns of one side differ in length or a preference names a
    mentor index out of range.
    """
    columns = _Columns(inputs)
    adepts = range(columns.n_adepts)
    # Starting from the per-mentor experience points saves one pass over the matrix.
    experience = _experience_points(columns.mentor_experience_years, weights)
    total = np.empty((columns.n_adepts, columns.n_mentors), dtype=np.int64)
    total[...] = experience
    for _, weight, matches in _criteria(columns, weights, adepts, range(columns.n_mentors)):
        np.add(total, weight, out=total, where=matches)
    ranked = _preference_pairs(columns, adepts)
    for weight, (rows, cols) in zip(_preference_weights(weights), ranked, strict=True):
        # Pairs are unique (a mentor keeps only its best rank), so plain fancy += is exact.
        total[rows, cols] += weight
    return total


def mentor_matrix(*, weights: Weights, **inputs: Unpack[Columns]) -> NDArray[np.int64]:
    """Return the points of :data:`MENTOR_CRITERIA` alone: the mentor's side of each score.

    ``score_matrix(...) - mentor_matrix(...)`` is then the adept's side.
    """
    columns = _Columns(inputs)
    total = np.zeros((columns.n_adepts, columns.n_mentors), dtype=np.int64)
    adepts, mentors = range(columns.n_adepts), range(columns.n_mentors)
    for name, weight, matches in _criteria(columns, weights, adepts, mentors):
        if name in MENTOR_CRITERIA:
            np.add(total, weight, out=total, where=matches)
    return total


def breakdown(
    *, adept: int, mentor: int, weights: Weights, **inputs: Unpack[Columns]
) -> dict[str, int]:
    """Return the points of one pair per criterion, in :data:`CRITERIA` order, zeros left out.

    The values sum to ``score_matrix(...)[adept, mentor]``: both run the same helpers. Only
    this pair's data is read, so calling it for every chosen pair stays cheap.
    """
    columns = _Columns(inputs)
    if not (0 <= adept < columns.n_adepts and 0 <= mentor < columns.n_mentors):
        raise ValueError(
            f"pair (adept {adept}, mentor {mentor}) is out of range for "
            f"{columns.n_adepts} adepts and {columns.n_mentors} mentors"
        )
    points: dict[str, int] = {}
    for name, weight, matches in _criteria(columns, weights, [adept], [mentor]):
        points[name] = weight * int(matches[0, 0])
    ranked = _preference_pairs(columns, [adept])
    for name, weight, (_, cols) in zip(
        _PREFERENCES, _preference_weights(weights), ranked, strict=True
    ):
        points[name] = weight * int(np.count_nonzero(cols == mentor))
    years = [columns.mentor_experience_years[mentor]]
    points["experience"] = int(_experience_points(years, weights)[0])
    return {name: points[name] for name in CRITERIA if points.get(name)}


def _criteria(
    columns: _Columns, weights: Weights, adepts: Sequence[int], mentors: Sequence[int]
) -> Iterator[tuple[str, int, NDArray[np.bool_]]]:
    """Yield (criterion, weight, matches) of every yes-or-no criterion: the text rules, then
    the mentor's wished towns and adepts."""
    yield from _text_criteria(columns, weights, adepts, mentors)
    if weights.mentor_location and columns.mentor_wished_locations:
        towns = [columns.mentor_wished_locations[m] for m in mentors]
        if any(towns):
            values = [columns.adept_location[a] for a in adepts]
            yield "mentor_location", weights.mentor_location, _in_lists(values, towns)
    if weights.mentor_wish and columns.mentor_wished_adepts:
        wished = [columns.mentor_wished_adepts[m] for m in mentors]
        if any(wished):
            row_of = {adept: row for row, adept in enumerate(adepts)}
            matches = np.zeros((len(adepts), len(mentors)), dtype=bool)
            for column, chosen in enumerate(wished):
                for adept in chosen:
                    if not 0 <= adept < columns.n_adepts:
                        raise ValueError(f"mentor wish names adept {adept}, out of range")
                    if adept in row_of:
                        matches[row_of[adept], column] = True
            yield "mentor_wish", weights.mentor_wish, matches


def _in_lists(
    adept_values: Sequence[str | None], mentor_lists: Sequence[Sequence[str]]
) -> NDArray[np.bool_]:
    """Return whether each adept's value is in each mentor's list (trimmed, casefolded)."""
    codes: dict[str, int] = {}
    adept_codes = np.array(
        [
            codes.setdefault(v.strip().casefold(), len(codes)) if v and v.strip() else -1
            for v in adept_values
        ],
        dtype=np.int64,
    )
    matches = np.zeros((len(adept_values), len(mentor_lists)), dtype=bool)
    for column, values in enumerate(mentor_lists):
        wanted = [codes[k] for k in (v.strip().casefold() for v in values) if k in codes]
        if wanted:
            matches[:, column] = np.isin(adept_codes, wanted)
    return matches


def _text_criteria(
    columns: _Columns, weights: Weights, adepts: Sequence[int], mentors: Sequence[int]
) -> Iterator[tuple[str, int, NDArray[np.bool_]]]:
    """Yield (criterion, weight, matches of the selected adepts x mentors) for text rules."""
    comparisons = (
        ("same_field", weights.same_field, columns.adept_field, columns.mentor_field),
        ("wished_field", weights.wished_field, columns.adept_wished_field, columns.mentor_field),
        ("same_location", weights.same_location, columns.adept_location, columns.mentor_location),
        ("mentor_field", weights.mentor_field, columns.adept_field, columns.mentor_wished_field),
    )
    for name, weight, adept_values, mentor_values in comparisons:
        if weight:
            yield (
                name,
                weight,
                _text_matches(
                    [adept_values[a] for a in adepts], [mentor_values[m] for m in mentors]
                ),
            )


def _text_matches(
    adept_values: Sequence[str | None], mentor_values: Sequence[str | None]
) -> NDArray[np.bool_]:
    """Return which adept value equals which mentor value, trimmed and casefolded."""
    codes: dict[str, int] = {}

    def code(value: str | None, missing: int) -> int:
        key = value.strip().casefold() if value is not None else ""
        return codes.setdefault(key, len(codes)) if key else missing

    adept_codes = np.fromiter(
        (code(value, _MISSING_ADEPT) for value in adept_values),
        dtype=np.int64,
        count=len(adept_values),
    )
    mentor_codes = np.fromiter(
        (code(value, _MISSING_MENTOR) for value in mentor_values),
        dtype=np.int64,
        count=len(mentor_values),
    )
    matches: NDArray[np.bool_] = adept_codes[:, None] == mentor_codes[None, :]
    return matches


def _preference_weights(weights: Weights) -> tuple[int, int, int]:
    return weights.preference_1, weights.preference_2, weights.preference_3


def _preference_pairs(
    columns: _Columns, adepts: Sequence[int]
) -> list[tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Return, for each rank (first wish first), the (row in ``adepts``, mentor) pairs.

    A mentor listed twice by one adept keeps only its best rank, so pairs are unique.
    """
    rows: list[list[int]] = [[] for _ in _PREFERENCES]
    mentors: list[list[int]] = [[] for _ in _PREFERENCES]
    for row, adept in enumerate(adepts):
        seen: set[int] = set()
        for position, mentor in enumerate(columns.adept_preferences[adept]):
            if isinstance(mentor, bool) or not isinstance(mentor, int | np.integer):
                raise ValueError(
                    f"adept {adept} preference {position + 1} is not a mentor index: {mentor!r}"
                )
            if not 0 <= mentor < columns.n_mentors:
                raise ValueError(
                    f"adept {adept} preference {position + 1} names mentor {mentor}, "
                    f"out of range for {columns.n_mentors} mentors"
                )
            if position < len(_PREFERENCES) and mentor not in seen:
                rows[position].append(row)
                mentors[position].append(int(mentor))
            seen.add(int(mentor))
    return [
        (np.array(rank_rows, dtype=np.intp), np.array(rank_mentors, dtype=np.intp))
        for rank_rows, rank_mentors in zip(rows, mentors, strict=True)
    ]


def _experience_points(years: Sequence[int | None], weights: Weights) -> NDArray[np.int64]:
    """Return each mentor's experience points (unknown or negative years count as zero)."""
    known = np.fromiter(
        (0 if value is None else int(value) for value in years), dtype=np.int64, count=len(years)
    )
    capped = np.clip(known, 0, weights.experience_cap_years)
    points: NDArray[np.int64] = capped * weights.experience_per_year
    return points
