"""The hard rules on live pairs as a whole-store check: other agency, mentor capacity.

``chefintro db check`` runs :func:`live_pair_problems` on a store at the current schema
version; the store itself knows no programme rules.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from chefintro.enums import PairingState
from chefintro.models import Pairing, Participant, Person
from chefintro.words import noun, plural


def live_pair_problems(connection: Connection) -> list[str]:
    """Return what breaks the hard rules among live pairs, as sentences (empty: none)."""
    adept, mentor = aliased(Participant), aliased(Participant)
    adept_person, mentor_person = aliased(Person), aliased(Person)
    live = col(Pairing.state) != PairingState.ENDED.value
    same_agency = (
        select(func.count())
        .select_from(Pairing)
        .join(adept, col(adept.id) == col(Pairing.adept_id))
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .join(adept_person, col(adept_person.id) == col(adept.person_id))
        .join(mentor_person, col(mentor_person.id) == col(mentor.person_id))
        .where(live)
        .where(col(adept.agency_id) == col(mentor.agency_id))
    )
    loads = (
        select(col(mentor.capacity), func.count())
        .select_from(Pairing)
        .join(mentor, col(mentor.id) == col(Pairing.mentor_id))
        .where(live)
        .group_by(col(mentor.id), col(mentor.capacity))
    )
    count = int(connection.execute(same_agency).scalar_one())
    over = sum(1 for capacity, used in connection.execute(loads) if used > capacity)
    problems = []
    if count:
        problems.append(
            f"{plural(count, 'live pair')} {noun(count, 'has', 'have')} adept and mentor "
            "from the same agency; see 'chefintro pair list' and remove them."
        )
    if over:
        problems.append(
            f"{plural(over, 'mentor')} {noun(over, 'has', 'have')} more live pairs than "
            f"{noun(over, 'their capacity', 'their capacities')}; see 'chefintro pair list'."
        )
    return problems
