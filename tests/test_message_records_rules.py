"""What the sent-message records say after each way a sending run can go: a recipient
refused on a run with ``--again``, the records a person link or an erasure rewrites.

The records decide who is sent a message again, so each rule here is seen from the next
run: who it sends to, and what it says is left.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chefintro.messages import records
from tests import test_messages
from tests.conftest import Cli, store_snapshot
from tests.test_messages import ASA, ELISE, ORJAN, ZACHARIAS, Recorder, _person_id, _to_of_each

# The fixtures of test_messages: a cohort with two active pairs, and an SMTP server.
year, smtp_server, mail = test_messages.year, test_messages.smtp_server, test_messages.mail

# sent_message columns: id, kind, cohort_id, subject_key, person_id, sent_at, status
KEY, PERSON, SENT_AT, STATUS = 3, 4, 5, 6


def _records() -> dict[tuple[Any, Any], tuple[Any, Any]]:
    return {(r[KEY], r[PERSON]): (r[SENT_AT], r[STATUS]) for r in store_snapshot()["sent_message"]}


def test_a_recipient_refused_on_a_run_with_again_keeps_the_record_of_the_first_sending(
    mail: tuple[Cli, Recorder],
) -> None:
    cli, server = mail
    cli("message", "intro", "--send", "--yes")
    first = _records()
    assert len(first) == 4 and {s for _, s in first.values()} == {"sent"}

    server.refuse = {ORJAN.casefold()}
    cli("message", "intro", "--send", "--yes", "--again", code=75)
    assert _to_of_each(server)[2:] == [{ZACHARIAS.casefold(), ELISE}, {ASA.casefold()}]
    after = _records()
    orjan = next(k for k in first if k[1] == _person_id(ORJAN))
    # Örjan's record is the first run's again (status and time), not dropped or in doubt.
    assert after[orjan] == first[orjan]
    others = [k for k in first if k != orjan]
    assert all(after[k][1] == "sent" and after[k][0] > first[k][0] for k in others)

    server.refuse = set()
    rerun = cli("message", "intro", "--send", "--yes")
    assert "No introduction is left to send (2 already sent" in rerun.stderr
    assert len(server.received) == 4


def test_a_run_with_again_takes_over_only_the_records_made_before_it_began(year: Cli) -> None:
    """Two runs with ``--again`` at once send a message once: the second finds the records
    the first made after it began, and leaves them (the claim, asked directly)."""
    from chefintro.messages import records
    from chefintro.store import open_store, resolve_location

    cohort_id = int(str(store_snapshot()["cohort"][0][0]))
    people = sorted((_person_id(ASA), _person_id(ORJAN)))
    key = records.pair_key(*people)

    def claim(db: Any, again_before: Any) -> records.Claim:
        return _claim(db, cohort_id, key, people, again_before)

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            first = claim(db, None)
            assert (first.new, first.retaken) == (people, {})
            assert records.confirm(db=db, claimed=first, person_ids=[*people, 999]) == 2
        made = {(k, p): (at, s) for k, p, at, s in _rows(store)}
        assert {s for _, s in made.values()} == {"sent"}
        at = min(at for at, _ in made.values())
        with store.transaction() as db:
            assert claim(db, None).person_ids == []  # sent: only --again sends it again
            assert claim(db, at).person_ids == []  # made the moment the run began: not older
            later = claim(db, at + timedelta(microseconds=1))
            assert later.new == []
            assert later.retaken == {p: (s, t) for (_, p), (t, s) in made.items()}
    finally:
        store.dispose()


def _claim(
    db: Any, cohort_id: int, key: str, people: list[int], again_before: Any
) -> records.Claim:
    """An introduction's claim for ``people``, as a sending run makes it."""
    return records.claim(
        db=db,
        kind="intro",
        cohort_id=cohort_id,
        subject_key=key,
        person_ids=people,
        again_before=again_before,
    )


def _rows(store: Any) -> list[tuple[str, int, Any, str]]:
    from sqlmodel import select

    from chefintro.models import SentMessage

    with store.transaction() as db:
        return [
            (r.subject_key, r.person_id, r.sent_at, r.status)
            for r in db.exec(select(SentMessage)).all()
        ]


def test_a_person_link_renames_pair_keys_on_either_side_and_drops_only_true_twins(
    year: Cli,
) -> None:
    """``person link`` joins OLD onto NEW: every pair key naming OLD, as adept or mentor,
    names NEW after it; a record that would then repeat one held already (same kind,
    cohort, key and person) is dropped; records of another kind, or another person's
    record of the same key, are kept, so that nobody is sent the message again."""
    from sqlmodel import select

    from chefintro.messages import records
    from chefintro.models import SentMessage
    from chefintro.store import open_store, resolve_location

    year("person", "add", "--name", "Åsa Öberg", "--email", "asa.oberg@fk.se", "--agency", "CSN")
    old, new = _person_id(ASA), _person_id("asa.oberg@fk.se")
    m, x, z = _person_id(ORJAN), _person_id(ELISE), _person_id(ZACHARIAS)
    cohort_id = int(str(store_snapshot()["cohort"][0][0]))
    key = records.pair_key
    held = [
        ("intro", key(old, m), m),  # renamed, then a twin of the next: dropped
        ("intro", key(new, m), m),
        ("intro", key(z, old), z),  # OLD as the mentor
        ("nudge", key(old, m), m),  # another kind: no twin
        ("intro", key(old, x), x),  # renamed; NEW's own record of that key is not its twin
        ("intro", key(new, x), new),
        ("intro", key(x, z), x),  # names neither
    ]
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            for kind, subject, person in held:
                db.add(
                    SentMessage(
                        kind=kind, cohort_id=cohort_id, subject_key=subject, person_id=person
                    )
                )
            db.flush()
            records.rename_person(db=db, old_id=old, new_id=new)
        with store.transaction() as db:
            after = sorted(
                (r.kind, r.subject_key, r.person_id) for r in db.exec(select(SentMessage)).all()
            )
    finally:
        store.dispose()
    assert after == sorted(
        [
            ("intro", key(new, m), m),
            ("intro", key(z, new), z),
            ("nudge", key(new, m), m),
            ("intro", key(new, x), x),
            ("intro", key(new, x), new),
            ("intro", key(x, z), x),
        ]
    )


def test_a_group_letters_key_is_the_one_earlier_versions_stored() -> None:
    """Keys are kept in the store: spelt otherwise, every group would be sent its letter
    again after an upgrade. Members in any order give one key."""
    from hashlib import sha256

    from chefintro.messages.records import group_key

    expected = "group:2027-02-01T10:00:00:" + sha256(b"3,12,40").hexdigest()[:16]
    assert group_key("2027-02-01T10:00:00", [40, 3, 12]) == expected
    assert group_key("2027-02-01T10:00:00", [12, 40, 3]) == expected


def test_a_claim_marks_each_recipient_sending_until_confirmed(year: Cli) -> None:
    """A claimed recipient reads ``sending`` until the server took the message (so a run
    that stops is left in doubt, never taken for sent); a recipient who has a record does
    not stop the claim of those after them; a record taken over with ``--again`` reads
    ``sending`` from the moment of the new claim, so a third run does not take it too."""
    from chefintro.messages import records
    from chefintro.store import open_store, resolve_location

    cohort_id = int(str(store_snapshot()["cohort"][0][0]))
    first, second = sorted((_person_id(ASA), _person_id(ORJAN)))
    key = records.pair_key(first, second)

    def claim(db: Any, people: list[int], again_before: Any = None) -> records.Claim:
        return _claim(db, cohort_id, key, people, again_before)

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            only = claim(db, [first])
            assert only.new == [first]
        assert [(p, s) for _, p, _, s in _rows(store)] == [(first, "sending")]
        with store.transaction() as db:
            both = claim(db, [second, first])  # the first has a record, the second not yet
            assert (both.new, both.retaken) == ([second], {})
            records.confirm(db=db, claimed=both, person_ids=[second])
            records.confirm(db=db, claimed=only, person_ids=[first])
        sent = {p: (at, s) for _, p, at, s in _rows(store)}
        assert {s for _, s in sent.values()} == {"sent"}
        run_began = max(at for at, _ in sent.values()) + timedelta(microseconds=1)
        with store.transaction() as db:
            again = claim(db, [first, second], run_began)
            assert again.retaken == {p: (s, at) for p, (at, s) in sent.items()}
        retaken = {p: (at, s) for _, p, at, s in _rows(store)}
        assert all(s == "sending" and at >= run_began for at, s in retaken.values())
        with store.transaction() as db:  # a third run that began with the second
            assert claim(db, [first, second], run_began).person_ids == []
    finally:
        store.dispose()


def test_a_record_reads_the_time_the_server_took_the_message_or_in_doubt_the_claims(
    year: Cli, monkeypatch: Any
) -> None:
    """A slow server can take minutes between a claim and its confirmation: a sent record
    keeps when the message went, and a recipient left in doubt when it was claimed."""
    from datetime import datetime

    from chefintro.store import open_store, resolve_location

    cohort_id = int(str(store_snapshot()["cohort"][0][0]))
    first, second = sorted((_person_id(ASA), _person_id(ORJAN)))
    key = records.pair_key(first, second)
    claimed_at, taken_at = datetime(2025, 3, 3, 9, 0), datetime(2025, 3, 3, 9, 4, 30)
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            monkeypatch.setattr(records, "utcnow", lambda: claimed_at)
            claim = _claim(db, cohort_id, key, [first, second], None)
            monkeypatch.setattr(records, "utcnow", lambda: taken_at)
            records.confirm(db=db, claimed=claim, person_ids=[first])
        rows = {p: (at, s) for _, p, at, s in _rows(store)}
    finally:
        store.dispose()
    assert rows == {first: (taken_at, "sent"), second: (claimed_at, "sending")}
