"""Peer groups: small cross-agency groups of a cohort's participants.

Forming groups is two steps, both deterministic. First the participants are dealt
round-robin, largest agency first and by e-mail within an agency, which balances group
sizes (they differ by at most one) and caps every agency at ceil(its members / groups)
per group. Then a local search swaps members between groups — keeping sizes and the cap —
while that lowers the cost: pairs in one group who share a field of work, and (weighing
double) pairs who were in the same peer group in another cohort.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sqlmodel import Session, col, select

from chefintro import rules
from chefintro.changes import Kind, mark_change
from chefintro.cohorts import require_open
from chefintro.enums import ParticipantStatus, Role
from chefintro.errors import RuleError, UsageError
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Participant, PeerGroup, PeerGroupMember, Person
from chefintro.registry import who_json
from chefintro.text import clean_text, swedish_key

FIELD_WEIGHT = 1
REPEAT_WEIGHT = 2
GROUP_NAME = "Grupp {number}"


# --- the pure part: candidates in, groups out -------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One person to place: a unique key (fixes the order), an agency and a field."""

    key: str
    agency: str
    field: str | None = None


def group_count(people: int, size: int) -> int:
    """Return how many groups ``people`` make at about ``size`` each (n/size rounded half up)."""
    return max(1, (2 * people + size) // (2 * size))


def agency_caps(agencies: Iterable[str], groups: int) -> dict[str, int]:
    """Return the most members each agency may have in one group: ceil(count / groups)."""
    return {agency: -(-count // groups) for agency, count in Counter(agencies).items()}


def cap_violations(groups: Sequence[Sequence[str]]) -> list[str]:
    """Return one line per group holding more of an agency than its cap; [] when none does.

    ``groups`` holds each group's members as agency codes.
    """
    caps = agency_caps((a for group in groups for a in group), max(1, len(groups)))
    problems = []
    for number, group in enumerate(groups, start=1):
        for agency, count in sorted(Counter(group).items()):
            if count > caps[agency]:
                problems.append(
                    f"group {number} has {count} from {agency}; at most {caps[agency]} allowed"
                )
    return problems


def respects_agency_cap(groups: Sequence[Sequence[str]]) -> bool:
    """Tell whether no group holds more of one agency than ceil(agency count / groups)."""
    return not cap_violations(groups)


def deal_groups(candidates: Sequence[Candidate], count: int) -> list[list[Candidate]]:
    """Deal candidates round-robin into ``count`` groups, largest agency first.

    Each agency's members are consecutive in the deal, so they land in different groups
    until every group has one: the agency cap holds and sizes differ by at most one.
    """
    if count < 1:
        raise ValueError("need at least one group")
    by_agency: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in sorted(candidates, key=lambda c: c.key):
        by_agency[candidate.agency].append(candidate)
    order = sorted(by_agency, key=lambda a: (-len(by_agency[a]), a))
    groups: list[list[Candidate]] = [[] for _ in range(count)]
    for position, candidate in enumerate(c for a in order for c in by_agency[a]):
        groups[position % count].append(candidate)
    return [sorted(g, key=lambda c: c.key) for g in groups]


def pair_cost(a: Candidate, b: Candidate, met_before: Collection[frozenset[str]]) -> int:
    """Return the cost of putting ``a`` and ``b`` in one group."""
    cost = 0
    if a.field is not None and a.field == b.field:
        cost += FIELD_WEIGHT
    if frozenset((a.key, b.key)) in met_before:
        cost += REPEAT_WEIGHT
    return cost


def grouping_cost(
    groups: Sequence[Sequence[Candidate]], met_before: Collection[frozenset[str]] = frozenset()
) -> int:
    """Return the total cost of a grouping (lower is better)."""
    return sum(pair_cost(a, b, met_before) for g in groups for a, b in combinations(g, 2))


def assign_groups(
    candidates: Sequence[Candidate],
    count: int,
    met_before: Collection[frozenset[str]] = frozenset(),
) -> list[list[Candidate]]:
    """Return ``count`` balanced, agency-capped groups with as few costly pairs as found.

    Deterministic: the result depends only on the set of candidates, never on their order.
    """
    people = sorted(candidates, key=lambda c: c.key)
    if len({c.key for c in people}) != len(people):
        raise ValueError("candidate keys must be unique")
    if not people:
        return [[] for _ in range(count)]
    index = {c.key: i for i, c in enumerate(people)}
    weight = [[0] * len(people) for _ in people]
    for i, j in combinations(range(len(people)), 2):
        weight[i][j] = weight[j][i] = pair_cost(people[i], people[j], met_before)
    groups = [[index[c.key] for c in g] for g in deal_groups(people, count)]
    agency = [c.agency for c in people]
    caps = agency_caps(agency, count)
    counts = [Counter(agency[m] for m in g) for g in groups]

    def fits(gi: int, leaving: int, joining: int) -> bool:
        if agency[leaving] == agency[joining]:
            return True
        return counts[gi][agency[joining]] + 1 <= caps[agency[joining]]

    # Best-improvement swaps; every step lowers a non-negative integer cost, so it ends.
    while True:
        best_delta, best_swap = 0, None
        for gi, gj in combinations(range(count), 2):
            for a in groups[gi]:
                for b in groups[gj]:
                    if not (fits(gi, a, b) and fits(gj, b, a)):
                        continue
                    delta = sum(weight[b][y] - weight[a][y] for y in groups[gi] if y != a)
                    delta += sum(weight[a][y] - weight[b][y] for y in groups[gj] if y != b)
                    if delta < best_delta:
                        best_delta, best_swap = delta, (gi, gj, a, b)
        if best_swap is None:
            break
        gi, gj, a, b = best_swap
        groups[gi] = sorted([m for m in groups[gi] if m != a] + [b])
        groups[gj] = sorted([m for m in groups[gj] if m != b] + [a])
        counts[gi][agency[a]] -= 1
        counts[gi][agency[b]] += 1
        counts[gj][agency[b]] -= 1
        counts[gj][agency[a]] += 1
    return [[people[m] for m in g] for g in groups]


# --- the store ------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    name: str
    email: str
    agency: str
    role: str
    field: str | None
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            **who_json(self),
            "field": self.field,
            "status": self.status,
        }


@dataclass(frozen=True)
class GroupInfo:
    name: str
    members: list[MemberInfo]
    shared_field_pairs: int
    repeat_pairs: int

    def to_json(self) -> dict[str, Any]:
        agencies = Counter(m.agency for m in self.members)
        return {
            "name": self.name,
            "size": len(self.members),
            "agencies": {code: agencies[code] for code in sorted(agencies, key=swedish_key)},
            "shared_field_pairs": self.shared_field_pairs,
            "repeat_pairs": self.repeat_pairs,
            "members": [m.to_json() for m in self.members],
        }


def _field_key(value: str | None) -> str | None:
    clean = clean_text(value)
    return clean.casefold() if clean else None


def _earlier_pairs(db: Session, cohort: Cohort, person_ids: Collection[int]) -> set[frozenset[int]]:
    """Return pairs of these people who shared a peer group in another cohort."""
    if not person_ids:
        return set()
    rows = db.exec(
        select(PeerGroupMember.group_id, Participant.person_id)
        .join(Participant, col(Participant.id) == col(PeerGroupMember.participant_id))
        .join(PeerGroup, col(PeerGroup.id) == col(PeerGroupMember.group_id))
        .where(PeerGroup.cohort_id != cohort.id)
        .where(col(Participant.person_id).in_(list(person_ids)))
    ).all()
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, person_id in rows:
        members[group_id].add(person_id)
    return {
        frozenset(pair) for people in members.values() for pair in combinations(sorted(people), 2)
    }


def form_groups(
    *, db: Session, cohort: Cohort, size: int = 6, include_mentors: bool = False
) -> list[PeerGroup]:
    """Form the cohort's peer groups anew from its active adepts (and mentors if asked).

    The number of groups is n / ``size`` rounded half up (at least one); the cohort's
    earlier groups are replaced.
    """
    mark_change(db, kind=Kind.REPLACING, what="peer groups formed anew")
    require_open(cohort)
    if (problem := rules.group_size_problem(size)) is not None:
        raise UsageError(f"--size: {problem}.")
    query = (
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(Participant.status == ParticipantStatus.ACTIVE)
    )
    if not include_mentors:
        query = query.where(Participant.role == Role.ADEPT)
    pool = db.exec(query).all()
    if not pool:
        who = "participants" if include_mentors else "adepts"
        raise RuleError(f"Cohort {cohort.name} has no active {who} to form groups from.")
    candidates: list[Candidate] = []
    participant_of: dict[str, int] = {}
    key_of: dict[int, str] = {}
    for part, person, agency in pool:
        candidates.append(
            Candidate(key=person.email_key, agency=agency.code, field=_field_key(person.field))
        )
        participant_of[person.email_key] = id_of(part)
        key_of[id_of(person)] = person.email_key
    met_before = {
        frozenset(key_of[p] for p in pair) for pair in _earlier_pairs(db, cohort, list(key_of))
    }
    groups = assign_groups(candidates, group_count(len(candidates), size), met_before)
    _remove_groups(db, cohort)
    formed = []
    formation = uuid.uuid4().hex  # what the groups' letters are recorded against
    for number, members in enumerate(groups, start=1):
        group = PeerGroup(
            cohort_id=cohort.id,  # type: ignore[arg-type]
            name=GROUP_NAME.format(number=number),
            formation=formation,
        )
        db.add(group)
        db.flush()
        for member in members:
            db.add(
                PeerGroupMember(group_id=group.id, participant_id=participant_of[member.key])  # type: ignore[arg-type]
            )
        formed.append(group)
    db.flush()
    return formed


def _remove_groups(db: Session, cohort: Cohort) -> None:
    old = db.exec(select(PeerGroup).where(PeerGroup.cohort_id == cohort.id)).all()
    if not old:
        return
    ids = [g.id for g in old]
    for member in db.exec(
        select(PeerGroupMember).where(col(PeerGroupMember.group_id).in_(ids))
    ).all():
        db.delete(member)
    db.flush()
    for group in old:
        db.delete(group)
    db.flush()


def list_groups(*, db: Session, cohort: Cohort) -> list[GroupInfo]:
    """Return the cohort's peer groups in order, each with its members in Swedish order."""
    groups = db.exec(
        select(PeerGroup).where(PeerGroup.cohort_id == cohort.id).order_by(col(PeerGroup.id))
    ).all()
    rows = db.exec(
        select(PeerGroupMember.group_id, Participant, Person, Agency)
        .join(Participant, col(Participant.id) == col(PeerGroupMember.participant_id))
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .join(PeerGroup, col(PeerGroup.id) == col(PeerGroupMember.group_id))
        .where(PeerGroup.cohort_id == cohort.id)
    ).all()
    met_before = _earlier_pairs(db, cohort, {id_of(person) for _, _, person, _ in rows})
    members: dict[int, list[tuple[Person, MemberInfo]]] = defaultdict(list)
    for group_id, part, person, agency in rows:
        info = MemberInfo(
            name=person.name,
            email=person.email,
            agency=agency.code,
            role=str(part.role),
            field=person.field,
            status=str(part.status),
        )
        members[group_id].append((person, info))
    result = []
    for group in groups:
        entries = sorted(
            members[id_of(group)], key=lambda e: (swedish_key(e[1].name), e[1].email.casefold())
        )
        pairs = list(combinations([person for person, _ in entries], 2))
        result.append(
            GroupInfo(
                name=group.name,
                members=[info for _, info in entries],
                shared_field_pairs=sum(
                    1
                    for a, b in pairs
                    if _field_key(a.field) is not None
                    and _field_key(a.field) == _field_key(b.field)
                ),
                repeat_pairs=sum(
                    1 for a, b in pairs if frozenset((id_of(a), id_of(b))) in met_before
                ),
            )
        )
    return result
