"""An agency's Deltagare rows as its full list: the cohort's people the file leaves out.

A second file from an agency that leaves someone out is how HR says that person is no
longer coming; silently keeping them active would give them a mentor. So the cohort's
active participants of every agency the file has rows for, who are not on it, are named
in the dry run and the import; ``roster import --withdraw-missing`` withdraws them
(through :func:`chefintro.cohorts.withdraw_participant`, the one withdrawal rule: their
pairs end) and says who is left without a mentor and whose place is free.
"""

from __future__ import annotations

from sqlalchemy import select as sa_select
from sqlmodel import col

from chefintro import cohorts
from chefintro.enums import ParticipantStatus
from chefintro.ids import id_of
from chefintro.models import Agency, Participant, Person
from chefintro.roster.columns import SheetKey
from chefintro.roster.load.loader import Loader
from chefintro.roster.read.cells import email_cell_key
from chefintro.text import swedish_key


def check_missing(loader: Loader, *, withdraw: bool) -> None:
    """Name (and, with ``withdraw``, withdraw) the file's agencies' people it leaves out.

    Runs after Deltagare has loaded without problems, in the import's transaction. The
    withdrawal is a destructive change: ``roster import`` takes its undo snapshot before
    the transaction (the change boundary), so ``db undo`` puts everyone back.
    """
    data = loader.data
    cohort = loader.cohort
    if cohort is None or not data.has(SheetKey.PARTICIPANTS) or not data.participants:
        return
    if loader.had_participants is False:
        return  # everyone in the cohort came from this file (a new cohort's first roster)
    agency_ids: set[int] = set()
    for spelling in {row.agency for row in data.participants}:  # each spelling once
        agency = loader.agency(spelling)
        if agency is not None:
            agency_ids.add(id_of(agency))
    listed = {email_cell_key(row.email) for row in data.participants}
    # Columns, not objects: a 20,000-row roster's cohort is read back here (issue 16).
    found = loader.db.execute(
        sa_select(
            col(Person.email_key),
            col(Person.name),
            col(Person.email),
            col(Agency.code),
            col(Participant.role),
        )
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(Participant.status) == ParticipantStatus.ACTIVE)
        .where(col(Participant.agency_id).in_(agency_ids))
    ).all()
    missing = sorted(
        (row[1:] for row in found if row[0] not in listed),
        key=lambda entry: (swedish_key(entry[0]), entry[1].casefold()),
    )
    if not missing:
        return
    summary = loader.summary
    summary.missing = [f"{name} ({email}, {code}, {role})" for name, email, code, role in missing]
    summary.missing_agencies = sorted({code for _, _, code, _ in missing})
    summary.source = data.path.name
    if not withdraw:
        return
    # Loaded only here: most imports leave nobody out (the pairing package is not small).
    from chefintro.pairing.effects import live_pairs, pair_effects

    before = live_pairs(db=loader.db, cohort=cohort)
    for _name, email, _code, _role in missing:
        cohorts.withdraw_participant(db=loader.db, cohort=cohort, email=email)
    summary.withdrew_missing = True
    summary.pair_effects = pair_effects(db=loader.db, cohort=cohort, before=before).lines()
