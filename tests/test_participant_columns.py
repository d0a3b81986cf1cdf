"""`participant list` reads columns (issue 32): the same participants as whole rows give."""

from __future__ import annotations

from chefintro import cohorts
from chefintro.cohorts import _info, _member, list_participants
from chefintro.intake.participants import ParticipantContext
from chefintro.store import open_store, resolve_location
from tests.conftest import Cli

ASA, ORJAN = "Asa.Oberg@CSN.se", "orjan.sjostrom@bolagsverket.se"
ELISE, ZACHARIAS = "elise.norden@lansstyrelsen.se", "zacharias.ek@csn.se"


def test_the_listed_columns_say_what_the_whole_rows_say(network: Cli) -> None:
    cli = network
    cli("person", "edit", ASA, "--title", "Enhetschef", "--unit", "Lön")
    cli("participant", "add", ASA, "--role", "adept", "--wished-field", "IT", "--prefer", ORJAN)
    cli("participant", "add", ZACHARIAS, "--role", "adept")
    cli("participant", "add", ORJAN, "--role", "mentor", "--capacity", "2")
    cli("participant", "add", ELISE, "--role", "mentor")
    cli("participant", "withdraw", ZACHARIAS, "--yes")
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = cohorts.current_cohort(db=db, name=None)
            listed = list_participants(db=db, cohort=cohort)
            rows = db.exec(cohorts.members_query(cohort)).all()
            context = ParticipantContext.for_cohort(
                db=db, cohort=cohort, person_ids=[p.id or 0 for _, p, _ in rows]
            )
            whole = [_info(context, _member(part, person, agency)) for part, person, agency in rows]
    finally:
        store.dispose()
    assert sorted(listed, key=lambda i: i.email) == sorted(whole, key=lambda i: i.email)
    by_email = {i.email: i for i in listed}
    asa = by_email[ASA]
    assert (asa.title, asa.unit, asa.wished_field) == ("Enhetschef", "Lön", "IT")
    assert asa.preferred_mentors == [ORJAN]
    assert by_email[ORJAN].capacity == 2
    assert by_email[ZACHARIAS].status == "withdrawn"
    assert asa.eligibility == "ok"
