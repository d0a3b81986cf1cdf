"""A cohort's matching problem: both sides, the hard-rule masks and the score matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro import settings
from chefintro.enums import PairingState, ParticipantStatus, Role
from chefintro.mentor_wishes import MentorWishes, wishes_of
from chefintro.models import Agency, Cohort, Exclusion, Pairing, Participant, Person
from chefintro.rules import months_between

if TYPE_CHECKING:
    # NumPy loads where a matrix is built, not for 'pair list' (issue 16).
    import numpy as np
    from numpy.typing import NDArray

LIVE = (PairingState.PROPOSED, PairingState.ACTIVE)

RULE_SAME_AGENCY = "same agency"
RULE_EXCLUDED = "excluded"
RULE_EARLIER = "paired before (an earlier cohort, or a pair ended this year)"


def pair_rule(
    *, same_agency: bool, excluded: bool, earlier: bool, allow_repeat: bool
) -> str | None:
    """Return the hard rule that forbids a pair with these facts, or None when it may pair.

    The one statement of who may pair: never two people of one agency, never an excluded
    pair, and never a pair that happened before unless repeats are allowed.
    :meth:`MatchingProblem.rule` asks it, ``pair unmatched`` too; :attr:`MatchingProblem.allowed`
    is the same rule on whole arrays (a test holds the two together).
    """
    if same_agency:
        return RULE_SAME_AGENCY
    if excluded:
        return RULE_EXCLUDED
    if earlier and not allow_repeat:
        return RULE_EARLIER
    return None


@dataclass
class Side:
    """One side (adepts or mentors) of a cohort, sorted by e-mail key for determinism."""

    participant_ids: list[int]
    person_ids: list[int]
    names: list[str]
    emails: list[str]
    email_keys: list[str]
    agency_ids: NDArray[np.int64]
    agency_codes: list[str]
    fields: list[str | None]
    locations: list[str | None]
    capacity: NDArray[np.int64]
    wished_fields: list[str | None]
    preferred: list[list[str]]
    experience_years: list[int | None]
    # Mentees each mentor already has outside the problem (a rematch's live pairs).
    held: NDArray[np.int64] | None = None
    # A mentor's own wishes (issue 34): towns, and adepts by e-mail key; empty for adepts.
    wished_locations: list[list[str]] = field(default_factory=list)
    wished_adepts: list[list[str]] = field(default_factory=list)

    def index_of_participant(self) -> dict[int, int]:
        return {pid: i for i, pid in enumerate(self.participant_ids)}


@dataclass
class MatchingProblem:
    """Everything the solver and the explanations need about one cohort."""

    cohort: Cohort
    adepts: Side
    mentors: Side
    scores: NDArray[np.int64]
    excluded: NDArray[np.bool_]
    earlier: NDArray[np.bool_]
    same_agency: NDArray[np.bool_]
    weights: dict[str, int]
    allow_repeat: bool
    live: list[Pairing] = field(default_factory=list)
    # Only adepts without a live pair and mentors with room (see load_problem).
    free_only: bool = False

    @property
    def allowed(self) -> NDArray[np.bool_]:
        """Whether each adept may pair with each mentor: :func:`pair_rule`, on whole arrays."""
        forbidden = self.same_agency | self.excluded
        if not self.allow_repeat:
            forbidden = forbidden | self.earlier
        return ~forbidden

    def rule(self, a: int, m: int) -> str | None:
        """Return the hard rule that forbids adept ``a`` with mentor ``m``, if any."""
        return pair_rule(
            same_agency=bool(self.same_agency[a, m]),
            excluded=bool(self.excluded[a, m]),
            earlier=bool(self.earlier[a, m]),
            allow_repeat=self.allow_repeat,
        )

    def breakdown(self, a: int, m: int) -> dict[str, int]:
        from chefintro.matching.scoring import breakdown

        return breakdown(adept=a, mentor=m, **self.scoring_inputs)

    def first_wishes(self) -> NDArray[np.intp]:
        """Each adept's first wished mentor (index among the mentors), or -1."""
        import numpy as np

        wishes = self.scoring_inputs["adept_preferences"]
        return np.array([w[0] if w else -1 for w in wishes], dtype=np.intp)

    @cached_property
    def scoring_inputs(self) -> dict[str, Any]:
        """The columns the scoring functions take; built once, used for every breakdown."""
        from chefintro.matching.scoring import Weights

        mentor_index = {k: i for i, k in enumerate(self.mentors.email_keys)}
        adept_index = {k: i for i, k in enumerate(self.adepts.email_keys)}
        return {
            "adept_field": self.adepts.fields,
            "adept_wished_field": self.adepts.wished_fields,
            "adept_location": self.adepts.locations,
            "adept_preferences": [
                [mentor_index[k] for k in prefs if k in mentor_index]
                for prefs in self.adepts.preferred
            ],
            "mentor_field": self.mentors.fields,
            "mentor_location": self.mentors.locations,
            "mentor_experience_years": self.mentors.experience_years,
            "mentor_wished_field": self.mentors.wished_fields,
            "mentor_wished_locations": self.mentors.wished_locations,
            "mentor_wished_adepts": [
                [adept_index[k] for k in keys if k in adept_index]
                for keys in self.mentors.wished_adepts
            ],
            "weights": Weights.from_mapping(self.weights),
        }


def side_query(cohort: Cohort, role: Role, *columns: Any) -> Select[*tuple[Any, ...]]:
    """Select ``columns`` of one side of a cohort: its active participants of ``role``, each
    joined to their person and agency (the matching problem and ``pair unmatched``)."""
    return (
        sa_select(*columns)
        .select_from(Participant)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(Participant.role) == role)
        .where(col(Participant.status) == ParticipantStatus.ACTIVE)
    )


#: The columns a side of the problem is made of (issue 32: no whole rows), in this order.
_SIDE_COLUMNS = (
    col(Participant.id),
    col(Person.id),
    col(Person.name),
    col(Person.email),
    col(Person.email_key),
    col(Participant.agency_id),
    col(Agency.code),
    col(Person.field),
    col(Person.location),
    col(Participant.capacity),
    col(Participant.wished_field),
    col(Participant.preferred_mentors),
    col(Person.manager_since),
)


def _load_side(db: Session, cohort: Cohort, role: Role, *, free_only: bool) -> Side:
    """Load one side; ``free_only``: adepts without a live pair, mentors with room left."""
    import numpy as np

    query = side_query(cohort, role, *_SIDE_COLUMNS, literal(0))
    if free_only and role == Role.ADEPT:
        query = query.where(
            ~exists()
            .where(col(Pairing.adept_id) == col(Participant.id))
            .where(col(Pairing.state).in_(LIVE))
        )
    elif free_only:
        load = (
            sa_select(col(Pairing.mentor_id).label("mentor_id"), func.count().label("held"))
            .where(col(Pairing.cohort_id) == cohort.id)
            .where(col(Pairing.state).in_(LIVE))
            .group_by(col(Pairing.mentor_id))
            .subquery()
        )
        held = func.coalesce(load.c.held, 0)
        query = (
            query.with_only_columns(*_SIDE_COLUMNS, held)
            .outerjoin(load, load.c.mentor_id == col(Participant.id))
            .where(col(Participant.capacity) > held)
        )
    rows = sorted(db.execute(query).all(), key=lambda r: r[4])
    (part_ids, person_ids, names, emails, keys, agency_ids, codes, fields, towns) = (
        [r[i] for r in rows] for i in range(9)
    )
    years = [
        None if r[12] is None else max(0, months_between(r[12], cohort.starts_on)) // 12
        for r in rows
    ]
    wishes = wishes_of(db, part_ids) if role == Role.MENTOR else {}
    none = MentorWishes()
    return Side(
        participant_ids=part_ids,
        person_ids=person_ids,
        names=names,
        emails=emails,
        email_keys=keys,
        agency_ids=np.array(agency_ids, dtype=np.int64),
        agency_codes=codes,
        fields=fields,
        locations=towns,
        capacity=np.array([r[9] for r in rows], dtype=np.int64),
        wished_fields=[r[10] for r in rows],
        preferred=[list(r[11] or []) for r in rows],
        experience_years=years,
        held=np.array([int(r[13]) for r in rows], dtype=np.int64) if free_only else None,
        wished_locations=[wishes.get(i, none).locations for i in part_ids],
        wished_adepts=[wishes.get(i, none).adepts for i in part_ids],
    )


def _pair_matrix(
    pairs: Sequence[tuple[int, int]], adepts: Side, mentors: Side, symmetric: bool
) -> NDArray[np.bool_]:
    """Mark (adept person, mentor person) pairs in an n_adepts × n_mentors matrix."""
    import numpy as np

    matrix = np.zeros((len(adepts.person_ids), len(mentors.person_ids)), dtype=bool)
    a_index = {pid: i for i, pid in enumerate(adepts.person_ids)}
    m_index = {pid: i for i, pid in enumerate(mentors.person_ids)}
    for first, second in pairs:
        for x, y in ((first, second), (second, first)) if symmetric else ((first, second),):
            if x in a_index and y in m_index:
                matrix[a_index[x], m_index[y]] = True
    return matrix


def load_problem(
    *, db: Session, cohort: Cohort, allow_repeat: bool = False, free_only: bool = False
) -> MatchingProblem:
    """Gather a cohort's adepts, mentors, hard rules and scores.

    ``free_only`` (a rematch) loads only the active adepts without a live pair and the
    mentors with room left, each with the mentees they already hold (``Side.held``); the
    live pairs stay out of the problem, so its size follows the free people, not the cohort.
    """
    import numpy as np

    from chefintro.matching.scoring import score_matrix

    adepts = _load_side(db, cohort, Role.ADEPT, free_only=free_only)
    mentors = _load_side(db, cohort, Role.MENTOR, free_only=free_only)
    # An exclusion marks a pair only if it names an adept and a mentor: asking for the
    # smaller side's people is enough (a rematch's few free adepts, issue 32).
    smaller = min(adepts.person_ids, mentors.person_ids, key=len)
    exclusions = exclusion_pairs(db, set(smaller))
    history = earlier_pairs(db, cohort, adepts.person_ids if free_only else None)
    weights = settings.weights(db=db)
    live: list[Pairing] = []
    if not free_only:
        live = list(
            db.exec(
                select(Pairing)
                .where(Pairing.cohort_id == cohort.id)
                .where(col(Pairing.state).in_(LIVE))
            ).all()
        )
    problem = MatchingProblem(
        cohort=cohort,
        adepts=adepts,
        mentors=mentors,
        scores=np.zeros((len(adepts.emails), len(mentors.emails)), dtype=np.int64),
        excluded=_pair_matrix(exclusions, adepts, mentors, symmetric=True),
        earlier=_pair_matrix(history, adepts, mentors, symmetric=True),
        same_agency=adepts.agency_ids[:, None] == mentors.agency_ids[None, :],
        weights=weights,
        allow_repeat=allow_repeat,
        live=live,
        free_only=free_only,
    )
    problem.scores = score_matrix(**problem.scoring_inputs)
    return problem


def exclusion_pairs(db: Session, people: set[int]) -> list[tuple[int, int]]:
    """Return the excluded (person, person) pairs that name one of ``people``."""
    rows = db.connection().execute(
        sa_select(col(Exclusion.person_a_id), col(Exclusion.person_b_id)).where(
            col(Exclusion.person_a_id).in_(people) | col(Exclusion.person_b_id).in_(people)
        )
    )
    return [(int(a), int(b)) for a, b in rows]


def earlier_pairs(
    db: Session, cohort: Cohort, adept_people: list[int] | None
) -> list[tuple[int, int]]:
    """Return (person, person) pairs that happened before: in any other cohort (active or
    ended), or in this cohort and ended since. ``adept_people`` narrows the query to the
    pairs one of those people was in (a rematch's few free adepts)."""
    from sqlalchemy.orm import aliased

    adept_part = aliased(Participant)
    mentor_part = aliased(Participant)
    other_cohort = (col(Pairing.cohort_id) != cohort.id) & col(Pairing.state).in_(
        (PairingState.ACTIVE, PairingState.ENDED)
    )
    ended_here = (col(Pairing.cohort_id) == cohort.id) & (col(Pairing.state) == PairingState.ENDED)
    query = (
        select(adept_part.person_id, mentor_part.person_id)
        .select_from(Pairing)
        .join(adept_part, col(adept_part.id) == col(Pairing.adept_id))
        .join(mentor_part, col(mentor_part.id) == col(Pairing.mentor_id))
        .where(other_cohort | ended_here)
    )
    if adept_people is not None:
        query = query.where(
            col(adept_part.person_id).in_(adept_people)
            | col(mentor_part.person_id).in_(adept_people)
        )
    rows = db.exec(query).all()
    return [(int(a), int(m)) for a, m in rows]
