"""Property: ``pair rematch`` changes no live pair, and places as many free adepts as can be."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

START, DAY = date(2025, 1, 20), date(2025, 6, 16)
FIELDS = ("IT", "HR", "juridik", None)


@dataclass(frozen=True)
class Cohort:
    agencies: int
    adepts: list[tuple[int, int | None]]  # (agency, field)
    mentors: list[tuple[int, int | None, int]]  # (agency, field, capacity)
    exclusions: list[tuple[int, int]]  # (adept, mentor)
    ends: list[int]  # positions (modulo) of applied pairs to end
    no_repeat: list[bool]
    late: list[tuple[int, int | None]]  # adepts who join after the pairs were applied
    withdraw_mentor: int | None


@st.composite
def cohorts(draw: st.DrawFn) -> Cohort:
    agencies = draw(st.integers(2, 4))
    field = st.none() | st.integers(0, len(FIELDS) - 1)
    adepts = draw(st.lists(st.tuples(st.integers(0, agencies - 1), field), max_size=9))
    mentors = draw(
        st.lists(
            st.tuples(st.integers(0, agencies - 1), field, st.integers(1, 3)),
            min_size=1,
            max_size=6,
        )
    )
    exclusions = draw(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=4))
    ends = draw(st.lists(st.integers(0, 20), max_size=3))
    no_repeat = draw(st.lists(st.booleans(), min_size=len(ends), max_size=len(ends)))
    late = draw(st.lists(st.tuples(st.integers(0, agencies - 1), field), max_size=4))
    withdraw = draw(st.none() | st.integers(0, len(mentors) - 1))
    return Cohort(agencies, adepts, mentors, exclusions, ends, no_repeat, late, withdraw)


def _live(db: object) -> dict[int, tuple[Any, ...]]:
    from sqlmodel import Session, col, select

    from chefintro.ids import id_of
    from chefintro.models import Pairing
    from chefintro.pairing import LIVE

    assert isinstance(db, Session)
    return {
        id_of(p): (p.adept_id, p.mentor_id, str(p.state), p.started_on, p.score, p.locked)
        for p in db.exec(select(Pairing).where(col(Pairing.state).in_(LIVE))).all()
    }


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cohorts())
def test_rematch_changes_no_live_pair_and_places_all_it_can(cohort: Cohort) -> None:
    from sqlmodel import Session

    from chefintro import followup, pairing
    from chefintro.cohorts import withdraw_participant
    from chefintro.enums import CohortStatus, Role
    from chefintro.ids import id_of
    from chefintro.matching.solver import max_cardinality
    from chefintro.models import Agency, Exclusion, Participant, Person
    from chefintro.models import Cohort as CohortRow
    from chefintro.pairing.rules import live_pair_problems
    from chefintro.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"{folder}/store.db")
        try:
            with store.transaction() as db:
                assert isinstance(db, Session)
                agencies = [
                    Agency(code=f"A{i}", name=f"Agency {i}") for i in range(cohort.agencies)
                ]
                db.add_all(agencies)
                row = CohortRow(
                    name="2025",
                    starts_on=START,
                    ends_on=date(2025, 12, 10),
                    status=CohortStatus.ACTIVE,
                )
                db.add(row)
                db.flush()

                def join(
                    kind: str, n: int, agency: int, field: int | None, capacity: int = 1
                ) -> Participant:
                    email = f"{kind}{n}@a{agency}.se"
                    person = Person(
                        name=f"{kind} {n}",
                        email=email,
                        email_key=email,
                        agency_id=id_of(agencies[agency]),
                        field=None if field is None else FIELDS[field],
                    )
                    db.add(person)
                    db.flush()
                    part = Participant(
                        cohort_id=id_of(row),
                        person_id=id_of(person),
                        agency_id=person.agency_id,
                        role=Role.ADEPT if kind == "adept" else Role.MENTOR,
                        capacity=capacity,
                    )
                    db.add(part)
                    db.flush()
                    return part

                adepts = [join("adept", i, a, f) for i, (a, f) in enumerate(cohort.adepts)]
                mentors = [join("mentor", i, a, f, c) for i, (a, f, c) in enumerate(cohort.mentors)]
                seen: set[tuple[int, int]] = set()
                for a, m in cohort.exclusions:
                    if adepts:
                        one, two = adepts[a % len(adepts)], mentors[m % len(mentors)]
                        key = tuple(sorted((one.person_id, two.person_id)))
                        if key not in seen:
                            seen.add(key)  # type: ignore[arg-type]
                            db.add(Exclusion(person_a_id=key[0], person_b_id=key[1], reason="x"))
                db.flush()

                pairing.suggest(db=db, cohort=row, allow_repeat=False)
                pairing.apply(db=db, cohort=row, today=date(2025, 2, 1))
                for position, no_repeat in zip(cohort.ends, cohort.no_repeat, strict=True):
                    active = sorted(_live(db).items())
                    if active:
                        adept_id = active[position % len(active)][1][0]
                        adept = next(p for p in adepts if p.id == adept_id)
                        person = db.get(Person, adept.person_id)
                        assert person is not None
                        followup.end_pair(
                            db=db,
                            cohort=row,
                            adept=person.email,
                            reason="ended",
                            no_repeat=no_repeat,
                            today=date(2025, 5, 1),
                        )
                if cohort.withdraw_mentor is not None:
                    person = db.get(Person, mentors[cohort.withdraw_mentor].person_id)
                    assert person is not None
                    withdraw_participant(db=db, cohort=row, email=person.email)
                for i, (a, f) in enumerate(cohort.late):
                    join("adept", 100 + i, a, f)
                db.flush()

                before = _live(db)
                free = followup.rematch(db=db, cohort=row, apply=False, propose=False, today=DAY)
                assert _live(db) == before  # a preview stores nothing
                result = followup.rematch(db=db, cohort=row, apply=True, propose=False, today=DAY)
                after = _live(db)

                # Every live pair is exactly as it was.
                assert {k: after[k] for k in before} == before
                new = {k: v for k, v in after.items() if k not in before}
                assert len(new) == len(result.pairs) == len(free.pairs)
                placed_before = {v[0] for v in before.values()}
                assert all(v[0] not in placed_before for v in new.values())
                assert all(v[2] == "active" and v[3] == DAY for v in new.values())
                # The hard rules hold over the whole store.
                assert live_pair_problems(db.connection()) == []
                # As many adepts are placed as any matching that keeps the live pairs could.
                problem = pairing.load_problem(db=db, cohort=row)
                a_index = problem.adepts.index_of_participant()
                m_index = problem.mentors.index_of_participant()
                fixed = [(a_index[v[0]], m_index[v[1]]) for v in before.values()]
                allowed = problem.allowed.copy()
                for a, m in fixed:
                    allowed[a, m] = True
                best = max_cardinality(allowed, problem.mentors.capacity, fixed=fixed)
                assert len(after) == best
                # So a second rematch finds nothing more to do.
                assert (
                    followup.rematch(db=db, cohort=row, apply=False, propose=False, today=DAY).pairs
                    == []
                )
        finally:
            store.dispose()


def test_the_solver_counts_held_mentees_for_capacity_and_load() -> None:
    import numpy as np
    import pytest

    from chefintro.matching.solver import solve

    scores = np.array([[10, 10]], dtype=np.int64)
    allowed = np.ones((1, 2), dtype=bool)
    capacity = np.array([2, 2], dtype=np.int64)
    # Mentor 0 already has a mentee: the second one costs the load penalty, so mentor 1 wins.
    held = np.array([1, 0], dtype=np.int64)
    assert solve(scores, allowed, capacity, load_penalty=15, held=held) == {0: 1}
    held = np.array([0, 1], dtype=np.int64)
    assert solve(scores, allowed, capacity, load_penalty=15, held=held) == {0: 0}
    # A full mentor takes nobody.
    assert solve(scores, allowed, capacity, held=np.array([2, 2], dtype=np.int64)) == {}
    with pytest.raises(ValueError, match="capacity"):
        solve(scores, allowed, capacity, held=np.array([3, 0], dtype=np.int64))
    with pytest.raises(ValueError, match="shape"):
        solve(scores, allowed, capacity, held=np.array([0], dtype=np.int64))
