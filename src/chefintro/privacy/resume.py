"""Finishing an erasure or an anonymisation a kill interrupted (see :mod:`.pending`).

The next command calls :func:`finish_pending` before anything else: it erases the person
from the store if the erasure never committed, scrubs every copy chefintro keeps, and says
what it did. Kept apart from :mod:`.pending` (the record itself), which erasure and
anonymising write, so that neither imports the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chefintro.privacy.pending import (
    PendingStep,
    end_pending,
    find_by_hash,
    read_pending,
    record_path,
    scrub_all,
)

if TYPE_CHECKING:
    from chefintro.store import Store


def finish_pending(store: Store) -> str | None:
    """Finish a step a kill interrupted (see the module); return what to tell the user."""
    step = read_pending(store.location)
    if step is None:
        return None
    command, store.command = store.command, f"finishing an interrupted {step.kind}"
    try:
        return _finish(store, step)
    finally:
        store.command = command


def _finish(store: Store, step: PendingStep) -> str:
    # Loaded only when a step is pending: every command passes through finish_pending().
    from chefintro import audit
    from chefintro.privacy.erasure import erase_person, forget_by_hash

    if step.kind == "erase" and step.person:
        key = step.person
        with store.transaction() as db:
            person = find_by_hash(db, key)
            if person is not None:
                erase_person(db=db, email=person.email)
            copies = scrub_all(store.location, lambda copy: forget_by_hash(copy, key))
        audit.purge(store)
        end_pending(store.location)
        return (
            "An erasure was interrupted; it is finished now: the person is erased from the "
            f"store and from {copies} copy(ies) of it."
        )
    if step.kind == "anonymise" and step.cohort:
        note = _finish_anonymise(store, step.cohort)
        end_pending(store.location)
        return note
    # A record this chefintro cannot read: scrubbing needs to know whom; say so, keep it.
    return (
        f"{record_path(store.location)} records an erasure or anonymisation that did not finish, "
        "but cannot be read. Erase the person (or anonymise the cohort) again, then delete it."
    )


def _finish_anonymise(store: Store, name: str) -> str:
    from chefintro import audit
    from chefintro.cohorts import find_cohort
    from chefintro.enums import CohortStatus
    from chefintro.privacy.anonymise import apply_pseudonyms, pseudonyms_in

    with store.transaction() as db:
        cohort = find_cohort(db=db, name=name)
        if cohort is None or cohort.status != CohortStatus.ANONYMISED:
            return (
                f"Anonymising cohort {name} was interrupted before the store was changed: "
                "the cohort is not anonymised. Run 'chefintro cohort anonymise' again."
            )
        pseudonyms = pseudonyms_in(db=db, cohort=cohort)
        copies = scrub_all(
            store.location, lambda copy: apply_pseudonyms(db=copy, pseudonyms=pseudonyms)
        )
    audit.purge(store)
    return (
        f"Anonymising cohort {name} was interrupted; it is finished now: {copies} copy(ies) "
        "of the store are anonymised too."
    )
