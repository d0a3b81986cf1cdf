"""Pair scores: the matrix against a naive per-pair reference, and breakdowns that add up."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from chefintro.matching.scoring import (
    CRITERIA,
    MAX_WEIGHT,
    Weights,
    breakdown,
    mentor_matrix,
    score_matrix,
)


@dataclass(frozen=True)
class Columns:
    adept_field: Sequence[str | None]
    adept_wished_field: Sequence[str | None]
    adept_location: Sequence[str | None]
    adept_preferences: Sequence[Sequence[int]]
    mentor_field: Sequence[str | None]
    mentor_location: Sequence[str | None]
    mentor_experience_years: Sequence[int | None]
    #: Optional, as in scoring.Columns: None leaves it out.
    mentor_wished_field: Sequence[str | None] | None = None
    mentor_wished_locations: Sequence[Sequence[str]] | None = None
    mentor_wished_adepts: Sequence[Sequence[int]] | None = None

    @property
    def inputs(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def matrix(self, weights: Weights) -> NDArray[np.int64]:
        result = score_matrix(**self.inputs, weights=weights)
        assert result.shape == (len(self.adept_field), len(self.mentor_field))
        return result

    def points(self, adept: int, mentor: int, weights: Weights) -> dict[str, int]:
        return breakdown(adept=adept, mentor=mentor, **self.inputs, weights=weights)


def normal(text: str | None) -> str:
    return "" if text is None else text.strip().casefold()


def same(left: str | None, right: str | None) -> bool:
    return normal(left) != "" and normal(left) == normal(right)


def reference(columns: Columns, adept: int, mentor: int, weights: Weights) -> dict[str, int]:
    """Naive per-pair scoring written from the criteria's description."""
    wished = columns.mentor_wished_field
    points = {
        "same_field": weights.same_field
        * same(columns.adept_field[adept], columns.mentor_field[mentor]),
        "wished_field": weights.wished_field
        * same(columns.adept_wished_field[adept], columns.mentor_field[mentor]),
        "same_location": weights.same_location
        * same(columns.adept_location[adept], columns.mentor_location[mentor]),
        "mentor_field": weights.mentor_field
        * same(columns.adept_field[adept], wished[mentor] if wished else None),
        "mentor_location": weights.mentor_location
        * any(
            same(columns.adept_location[adept], town)
            for town in (columns.mentor_wished_locations or [[]] * (mentor + 1))[mentor]
        ),
        "mentor_wish": weights.mentor_wish
        * (adept in (columns.mentor_wished_adepts or [[]] * (mentor + 1))[mentor]),
    }
    wishes = list(columns.adept_preferences[adept])
    rank = wishes.index(mentor) if mentor in wishes else None
    for position, name in enumerate(["preference_1", "preference_2", "preference_3"]):
        points[name] = getattr(weights, name) if rank == position else 0
    years = columns.mentor_experience_years[mentor] or 0
    points["experience"] = weights.experience_per_year * min(
        max(years, 0), weights.experience_cap_years
    )
    return {name: points[name] for name in CRITERIA if points[name]}


texts = st.sampled_from([None, "", "  ", "IT", " it ", "It", "HR", "Ekonomi", "ekonomi ", "Straße"])
locations = st.sampled_from([None, "Stockholm", "stockholm", " STOCKHOLM", "Malmö", "MALMÖ", ""])


@st.composite
def columns(draw: st.DrawFn) -> Columns:
    n_adepts = draw(st.integers(0, 6))
    n_mentors = draw(st.integers(0, 5))

    def column(values: st.SearchStrategy[str | None], size: int) -> list[str | None]:
        return draw(st.lists(values, min_size=size, max_size=size))

    wishes = st.lists(st.integers(0, n_mentors - 1), max_size=5) if n_mentors else st.just([])
    return Columns(
        adept_field=column(texts, n_adepts),
        adept_wished_field=column(texts, n_adepts),
        adept_location=column(locations, n_adepts),
        adept_preferences=draw(st.lists(wishes, min_size=n_adepts, max_size=n_adepts)),
        mentor_field=column(texts, n_mentors),
        mentor_location=column(locations, n_mentors),
        mentor_experience_years=draw(
            st.lists(st.none() | st.integers(-3, 40), min_size=n_mentors, max_size=n_mentors)
        ),
        mentor_wished_field=draw(st.none() | st.just(column(texts, n_mentors))),
        mentor_wished_locations=draw(
            st.none()
            | st.lists(
                st.lists(locations.filter(bool), max_size=3),  # type: ignore[arg-type]
                min_size=n_mentors,
                max_size=n_mentors,
            )
        ),
        mentor_wished_adepts=draw(
            st.none()
            | st.lists(
                st.lists(st.integers(0, n_adepts - 1), max_size=3) if n_adepts else st.just([]),
                min_size=n_mentors,
                max_size=n_mentors,
            )
        ),
    )


weight_sets = st.builds(
    Weights, **{field.name: st.integers(0, 100) for field in dataclasses.fields(Weights)}
)


@settings(max_examples=100, deadline=None)
@given(columns(), st.one_of(st.just(Weights()), weight_sets))
def test_matrix_and_breakdown_agree_with_reference(cohort: Columns, weights: Weights) -> None:
    matrix = cohort.matrix(weights)
    assert matrix.dtype == np.int64
    for adept in range(matrix.shape[0]):
        for mentor in range(matrix.shape[1]):
            points = cohort.points(adept, mentor, weights)
            assert points == reference(cohort, adept, mentor, weights)
            assert sum(points.values()) == matrix[adept, mentor]
            assert list(points) == [name for name in CRITERIA if name in points]
            assert all(points.values())
            # The mentor's side of the score is the points of their own wish alone.
            assert mentor_matrix(**cohort.inputs, weights=weights)[adept, mentor] == sum(
                points.get(name, 0) for name in ("mentor_field", "mentor_location", "mentor_wish")
            )


def example() -> Columns:
    return Columns(
        adept_field=["IT", " ekonomi", None],
        adept_wished_field=["HR", "it", ""],
        adept_location=["Stockholm", "Malmö", None],
        adept_preferences=[[1, 0, 1, 2], [], [2]],
        mentor_field=["it", "Ekonomi ", None],
        mentor_location=["STOCKHOLM", None, None],
        mentor_experience_years=[3, None, 25],
    )


def test_example_matrix() -> None:
    assert example().matrix(Weights()).tolist() == [
        # mentor 0: field 30 + location 10 + 2nd wish 35 + 3 years 6; mentor 1: 1st wish 50;
        # mentor 2: 25 years capped at 10 (it is adept 0's 4th wish, which does not count).
        [81, 50, 20],
        [46, 30, 20],
        [6, 0, 70],
    ]


def test_example_breakdown() -> None:
    assert example().points(0, 0, Weights()) == {
        "same_field": 30,
        "preference_2": 35,
        "same_location": 10,
        "experience": 6,
    }
    assert example().points(2, 1, Weights()) == {}
    assert example().points(2, 2, Weights()) == {"preference_1": 50, "experience": 20}


def test_missing_text_never_matches() -> None:
    nothing = Columns([None, "", " "], [None] * 3, ["", None, " "], [[]] * 3, [None], [""], [None])
    assert nothing.matrix(Weights()).tolist() == [[0], [0], [0]]


def test_text_is_casefolded() -> None:
    cohort = Columns(["STRASSE"], [None], ["ÅRE"], [[]], ["straße"], ["åre "], [0])
    assert cohort.points(0, 0, Weights()) == {"same_field": 30, "same_location": 10}


def test_zero_weights_drop_out_of_the_breakdown() -> None:
    weights = Weights(same_field=0, experience_per_year=0)
    assert example().points(0, 0, weights) == {"preference_2": 35, "same_location": 10}


def test_empty_sides() -> None:
    no_mentors = Columns(["IT"], [None], [None], [[]], [], [], [])
    assert no_mentors.matrix(Weights()).shape == (1, 0)
    no_adepts = Columns([], [], [], [], ["IT"], [None], [1])
    assert no_adepts.matrix(Weights()).shape == (0, 1)


@pytest.mark.parametrize(
    ("wishes", "message"),
    [([[3]], "names mentor 3, out of range"), ([[-1]], "out of range"), ([["0"]], "not a mentor")],
)
def test_bad_preference_is_refused(wishes: list[list[int]], message: str) -> None:
    cohort = dataclasses.replace(example(), adept_preferences=[*wishes, [], []])
    with pytest.raises(ValueError, match=message):
        cohort.matrix(Weights())
    with pytest.raises(ValueError, match=message):
        cohort.points(0, 0, Weights())
    # A breakdown reads only its own adept's wishes.
    assert cohort.points(1, 0, Weights())


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        dataclasses.replace(example(), adept_location=["x"]).matrix(Weights())
    with pytest.raises(ValueError, match="differ in length"):
        dataclasses.replace(example(), mentor_experience_years=[1]).points(0, 0, Weights())


def test_breakdown_of_a_pair_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        example().points(3, 0, Weights())


def test_weights_from_mapping_ignores_unknown_keys() -> None:
    weights = Weights.from_mapping({"same_field": 5, "colour": 3, "extra_mentee_cost": 0})
    assert weights == Weights(same_field=5, extra_mentee_cost=0)
    assert Weights.from_mapping({}) == Weights()


@pytest.mark.parametrize("bad", [-1, MAX_WEIGHT + 1, 1.5, "3", True, None])
def test_bad_weight_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="same_location"):
        Weights.from_mapping({"same_location": bad})  # type: ignore[dict-item]


def test_weights_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Weights().same_field = 1  # type: ignore[misc]


def test_length_error_names_every_column_of_the_uneven_side() -> None:
    # The message is what a caller debugging a bad call sees: all columns, with lengths.
    adept_side = re.escape(
        "columns differ in length: {'adept_field': 3, 'adept_wished_field': 3, "
        "'adept_location': 1, 'adept_preferences': 3}"
    )
    with pytest.raises(ValueError, match=f"^{adept_side}$"):
        dataclasses.replace(example(), adept_location=["x"]).matrix(Weights())
    mentor_side = re.escape(
        "columns differ in length: {'mentor_field': 3, 'mentor_location': 3, "
        "'mentor_experience_years': 1}"
    )
    with pytest.raises(ValueError, match=f"^{mentor_side}$"):
        dataclasses.replace(example(), mentor_experience_years=[1]).points(0, 0, Weights())


def test_breakdown_refuses_the_mentor_just_past_the_end() -> None:
    with pytest.raises(ValueError, match=r"\(adept 0, mentor 3\) is out of range"):
        example().points(0, 3, Weights())
    assert example().points(0, 2, Weights()) == {"experience": 20}


def test_bad_preference_message_counts_wishes_from_one() -> None:
    cohort = dataclasses.replace(example(), adept_preferences=[[0, 7], [], []])
    with pytest.raises(ValueError, match="adept 0 preference 2 names mentor 7, out of range"):
        cohort.matrix(Weights())
    wishes: list[list[Any]] = [[0, 1, "2"], [], []]
    cohort = dataclasses.replace(example(), adept_preferences=wishes)
    with pytest.raises(ValueError, match="adept 0 preference 3 is not a mentor index: '2'"):
        cohort.matrix(Weights())


def test_the_largest_weight_is_accepted() -> None:
    assert Weights(same_field=MAX_WEIGHT).same_field == MAX_WEIGHT
    assert Weights(same_field=0).same_field == 0
