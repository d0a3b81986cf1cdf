"""The message commands' service: gather, fill, build, then write drafts or send.

Everything that can fail on the user's input — the cohort, the templates, the settings,
the addresses — fails in :func:`prepare_batch`, before a file is written or a message
sent. Drafts are then made, written and let go one at a time, so memory does not grow
with their number; a template that stops on one message's fields stops the run with
nothing written (the drafts are moved into place only when all are written). A batch to
send is filled in :func:`prepare_batch`, so that such a template stops it before anything
goes. Sending records each message in its own transaction as soon as the server took it,
so a failure half-way keeps what went and the next run sends only the rest.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from sqlmodel import Session

from chefintro import audit
from chefintro.errors import UsageError
from chefintro.ids import id_of
from chefintro.messages import content, records
from chefintro.messages.content import Recipient
from chefintro.messages.mime import (
    Attachment,
    Built,
    build_message,
    check_addresses,
    draft_tag,
    write_drafts,
)
from chefintro.messages.render import Rendered, Renderer
from chefintro.messages.smtp import (
    DeliveryError,
    DeliveryInDoubt,
    Mailer,
    RecipientsRefused,
    SmtpConfig,
)
from chefintro.models import Cohort, utcnow
from chefintro.rules import NotAnEmail, mail_address
from chefintro.settings import MAIL_FROM, get_setting_text
from chefintro.words import plural

if TYPE_CHECKING:
    from chefintro.store import Store

KIND_NAMES = {
    content.INTRO: "introduction",
    content.GROUPS: "peer-group letter",
    content.REMINDER: "reminder",
    content.NUDGE: "nudge",
    content.SURVEY_REMINDER: "survey reminder",
    content.AGENCY_DIGEST: "agency digest",
    content.PROPOSAL: "proposal",
}
AUDIT_ACTION = "messages"


@dataclass
class Waiting:
    """A message still to go: what it is, the recipients it has to reach and their
    addresses as the SMTP envelope takes them (checked, punycode domains)."""

    outgoing: content.Outgoing
    pending: list[Recipient]
    envelope: list[str]
    #: Filled before anything is sent (a batch to send); drafts are filled as written.
    rendered: Rendered | None = None

    @property
    def label(self) -> str:
        return self.outgoing.label


@dataclass
class Batch:
    """The messages of one command run, checked and ready to build, write or send.

    The messages themselves are made one at a time by :meth:`messages`, so a run's memory
    does not grow with the number of them (issue 32).
    """

    kind: str
    cohort_id: int
    cohort_name: str
    waiting: list[Waiting]
    already_sent: int
    #: Makes one message (fills its templates if not yet filled, builds the e-mail).
    build: Callable[[Waiting], Built]
    #: Messages claimed by a run that has not confirmed them (stopped, or still sending).
    in_doubt: list[str] = field(default_factory=list)
    #: Messages that could not be built (a recipient's address breaks the rule): label, why.
    failed: list[str] = field(default_factory=list)
    #: With ``--again``, when the run began: records older than this may be sent again.
    again_before: datetime | None = None
    #: Where the batch is recorded: :mod:`records` (people) or :mod:`agency_records`.
    ledger: ModuleType = records

    #: Introductions to draft (issue 32): ``waiting`` is then left empty, and the
    #: messages are gathered again, a slice of pairs at a time, as they are written.
    stream: IntroStream | None = None

    @property
    def count(self) -> int:
        """How many messages are to go."""
        return len(self.waiting) if self.stream is None else len(self.stream.positions)

    @property
    def recipients(self) -> int:
        if self.stream is not None:
            return self.stream.recipients
        return sum(len(w.pending) for w in self.waiting)

    def messages(self, store: Store | None = None) -> Iterator[Built]:
        """Yield the messages one by one, each made when it is asked for.

        A streamed batch reads its pairs again from ``store``, one short transaction a
        slice of pairs.
        """
        if self.stream is None:
            for waiting in self.waiting:
                yield self.build(waiting)
            return
        if store is None:
            raise ValueError("a streamed batch is gathered again from its store")
        for waiting in self.stream.waiting(store):
            yield self.build(waiting)


@dataclass
class IntroStream:
    """The introductions of a batch of drafts, kept as the pairs' positions: each message
    is gathered again (:meth:`waiting`) when it is written, so a run's memory does not
    grow with the pairs (issue 32)."""

    pairs: content.IntroPairs
    #: The positions (in ``pairs``) of the messages still to go, in order.
    positions: array[int] = field(default_factory=lambda: array("q"))
    #: For each of them, which of its recipients it still has to reach (bit i: ``to[i]``).
    pending: bytearray = field(default_factory=bytearray)
    recipients: int = 0

    def add(self, position: int, item: content.Outgoing, pending: list[Recipient]) -> None:
        self.positions.append(position)
        self.pending.append(sum(1 << i for i, r in enumerate(item.to) if r in pending))
        self.recipients += len(pending)

    def waiting(self, store: Store) -> Iterator[Waiting]:
        """Yield the messages to go, as checked before; raise :class:`content.StoreChanged`
        if a message's pair or addresses are no longer what the check saw."""
        for start in range(0, len(self.positions), content.INTRO_SLICE):
            part = self.positions[start : start + content.INTRO_SLICE]
            with store.transaction(commit=False) as db:  # not held while the drafts are made
                items = list(self.pairs.messages(db, part))
            for item, mask in zip(items, self.pending[start : start + len(part)], strict=True):
                pending = [r for i, r in enumerate(item.to) if mask >> i & 1]
                try:  # the sender was checked with the first pass and is the same
                    check_addresses(item, sender=None, draft=True)
                    envelope = [mail_address(r.email) for r in pending]
                except NotAnEmail:
                    raise content.StoreChanged() from None
                yield Waiting(item, pending, envelope)


def default_directory(cohort: Cohort, kind: str) -> Path:
    """Return ``meddelanden/<cohort>/<kind>`` under the current folder."""
    return Path("meddelanden") / content.safe_file_stem(cohort.name) / kind


def _outgoing(
    *, db: Session, cohort: Cohort, kind: str, session_id: int | None, cc_agency: bool
) -> list[content.Outgoing]:
    if kind == content.INTRO:
        return content.intro_messages(db=db, cohort=cohort, cc_agency=cc_agency)
    if kind == content.GROUPS:
        return content.group_messages(db=db, cohort=cohort)
    if kind == content.REMINDER:
        if session_id is None:
            raise UsageError("A reminder needs the session's id.")
        return content.reminder_messages(db=db, cohort=cohort, session_id=session_id)
    raise UsageError(f"Unknown kind of message {kind!r}.")


def _gather(
    *, db: Session, cohort: Cohort, kind: str, draft: bool, session_id: int | None, cc_agency: bool
) -> tuple[Iterable[content.Outgoing], IntroStream | None]:
    """Return the kind's messages; introductions to draft as a stream of them, read a slice
    of pairs at a time, with the :class:`IntroStream` that keeps their positions."""
    if kind == content.INTRO and draft:
        pairs = content.intro_pairs(db=db, cohort=cohort, cc_agency=cc_agency)
        return pairs.messages(db), IntroStream(pairs=pairs)
    return _outgoing(
        db=db, cohort=cohort, kind=kind, session_id=session_id, cc_agency=cc_agency
    ), None


def _attachment(db: Session, cohort: Cohort, session_id: int) -> Attachment:
    from chefintro.ics import ics_bytes

    data, _ = ics_bytes(db=db, cohort=cohort, session_id=session_id)
    return Attachment(
        filename="traff.ics",
        maintype="text",
        subtype="calendar",
        data=data,
        params=(("method", "PUBLISH"), ("charset", "UTF-8")),
    )


def _still_to_go(
    item: content.Outgoing, records_of: dict[tuple[str, int], str]
) -> tuple[list[Recipient], bool]:
    """Return the message's recipients still to reach, and whether it is in doubt (a
    recipient claimed by a run that did not confirm it)."""
    key = item.subject_key
    pending = [r for r in item.to if (key, r.person_id) not in records_of]
    doubtful = any(records_of.get((key, r.person_id)) == records.SENDING for r in item.to)
    return pending, doubtful


def _builder(
    renderer: Renderer, sender: str | None, draft: bool, attachments: dict[int, Attachment]
) -> Callable[[Waiting], Built]:
    """Return the maker of one message: fills its templates if not yet filled, builds it."""

    def build(waiting: Waiting) -> Built:
        filled = waiting.rendered or renderer.render(waiting.outgoing)
        session_id = waiting.outgoing.session_id
        message = build_message(
            filled,
            sender=sender,
            draft=draft,
            attachment=attachments[session_id] if session_id is not None else None,
            reaching=waiting.pending if draft else None,
        )
        return Built(
            rendered=filled, message=message, pending=waiting.pending, envelope=waiting.envelope
        )

    return build


def prepare_batch(
    *,
    db: Session,
    cohort: Cohort,
    kind: str,
    draft: bool,
    template_dir: Path | None = None,
    session_id: int | None = None,
    cc_agency: bool,
    again: bool,
    items: list[content.Outgoing] | None = None,
    ledger: ModuleType = records,
) -> Batch:
    """Gather and check the kind's messages that are still to go (all with ``again``).

    A message whose every recipient has been sent it is left out; one that reached only
    some of them goes to the rest. Raises InvalidInputError (65) for a broken template.
    ``items`` are messages gathered by the caller (the kinds of ``chefintro.messages.voice``),
    recorded in ``ledger``. Introductions to draft are checked here and kept as their
    pairs' positions (:class:`IntroStream`), to be gathered again as they are written.
    """
    # With --again, records older than the run's start may be claimed again. Taken before
    # the records are read: without --again every older record is among them.
    again_before = utcnow() if again else None
    gathered, stream = (
        (items, None)
        if items is not None
        else _gather(
            db=db, cohort=cohort, kind=kind, draft=draft, session_id=session_id, cc_agency=cc_agency
        )
    )
    records_of = {} if again else ledger.sent_to(db=db, kind=kind, cohort_id=id_of(cohort))
    renderer = Renderer(kind, template_dir)  # a broken template stops here (65)
    sender = get_setting_text(db=db, key=MAIL_FROM)
    checked: list[Waiting] = []
    in_doubt, failed, done = [], [], 0
    attachments: dict[int, Attachment] = {}
    for position, item in enumerate(gathered):
        pending, doubtful = _still_to_go(item, records_of)
        if doubtful:
            in_doubt.append(item.label)
        if not pending:
            if not doubtful:
                done += 1
            continue
        try:
            check_addresses(item, sender=sender, draft=draft)
            envelope = [mail_address(r.email) for r in pending]
        except NotAnEmail as why:  # that message fails, never the batch
            failed.append(f"{item.label}: an address {why}")
            continue
        if stream is not None:
            stream.add(position, item, pending)
            continue
        if item.session_id is not None and item.session_id not in attachments:
            attachments[item.session_id] = _attachment(db, cohort, item.session_id)
        # Before anything is sent every message is filled, so that a template stops
        # the run before the first one goes; drafts are filled as they are written.
        filled = None if draft else renderer.render(item)
        checked.append(Waiting(item, pending, envelope, filled))

    return Batch(
        kind=kind,
        cohort_id=id_of(cohort),
        cohort_name=cohort.name,
        waiting=checked,
        already_sent=done,
        build=_builder(renderer, sender, draft, attachments),
        in_doubt=in_doubt,
        failed=failed,
        again_before=again_before,
        ledger=ledger,
        stream=stream,
    )


@dataclass(frozen=True)
class Written:
    """How many drafts one run wrote, and how many earlier drafts of the kind they replaced."""

    count: int
    replaced: int


def write_batch(*, store: Store, batch: Batch, directory: Path) -> Written:
    """Write the batch as .eml drafts in ``directory``, one message made at a time, and log it.

    The earlier drafts of the same kind and cohort in the folder (this command's own,
    known by their ``X-Chefintro-Draft`` header) are replaced, so a re-run after a change
    never leaves old drafts beside the new ones; other files are left alone.
    """
    tag = draft_tag(batch.kind, batch.cohort_name)
    count, replaced = write_drafts(batch.messages(store), directory, tag)
    with store.transaction() as db:
        drafted = getattr(batch.ledger, "drafted", None)
        if drafted is not None:  # a book that records what a draft proposes (proposals)
            drafted(db=db, batch=batch)
        audit.log(
            db=db,
            action=AUDIT_ACTION,
            detail=(
                f"wrote {plural(count, batch.kind + ' draft')} for "
                f"{plural(batch.recipients, 'recipient')} in cohort {batch.cohort_name}"
                + (f", replacing {plural(replaced, 'earlier draft')}" if replaced else "")
            ),
        )
    return Written(count=count, replaced=replaced)


@dataclass
class SendReport:
    """What one sending run did, message by message (labels name people: screen only)."""

    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    #: Taken by another run while this one was sending.
    taken: list[str] = field(default_factory=list)
    #: The line broke while this message was on its way: the server may have it.
    in_doubt: list[str] = field(default_factory=list)
    recipients: int = 0
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return not (self.refused or self.left or self.stopped or self.taken or self.in_doubt)


def _claim(store: Store, batch: Batch, item: Built) -> records.Claim | None:
    """Claim the message's recipients in a transaction of its own; None if none were got."""
    try:
        with store.transaction() as db:
            claimed: records.Claim = batch.ledger.claim(
                db=db,
                kind=batch.kind,
                cohort_id=batch.cohort_id,
                subject_key=item.rendered.outgoing.subject_key,
                person_ids=[r.person_id for r in item.pending],
                again_before=batch.again_before,
            )
    except records.ClaimLost:
        return None
    return claimed if claimed.person_ids else None


def _settle(
    store: Store,
    batch: Batch,
    claimed: records.Claim,
    *,
    reached: list[int],
    not_reached: list[int],
) -> None:
    with store.transaction() as db:
        batch.ledger.confirm(db=db, claimed=claimed, person_ids=reached)
        batch.ledger.release(db=db, claimed=claimed, person_ids=not_reached)


def send_batch(
    *,
    store: Store,
    batch: Batch,
    config: SmtpConfig,
    progress: Callable[[str], None] = lambda _label: None,
) -> SendReport:
    """Send every message of the batch: claim it, send it, record what the server took.

    Each message is claimed in its own transaction before it goes (two runs at once never
    both send it), and confirmed as soon as the server took it. A message whose sending
    broke off half-way stays claimed: it is in doubt, and only ``--again`` sends it again.
    """
    report = SendReport()
    try:
        with Mailer(config) as mailer:
            for position, item in enumerate(batch.messages()):
                outgoing = item.rendered.outgoing
                claimed = _claim(store, batch, item)
                if claimed is None:
                    report.taken.append(outgoing.label)
                    progress(outgoing.label)
                    continue
                mine = [
                    (r, a)
                    for r, a in zip(item.pending, item.envelope, strict=True)
                    if r.person_id in claimed.person_ids
                ]
                everyone = len(mine) == len(outgoing.to)
                envelope = [a for _, a in mine] + (
                    [mail_address(c) for c in outgoing.cc] if everyone else []
                )
                try:
                    refused = mailer.send(item.message, envelope)
                except RecipientsRefused as exc:
                    _settle(store, batch, claimed, reached=[], not_reached=claimed.person_ids)
                    reasons = "; ".join(f"{a}: {why}" for a, why in exc.refused.items())
                    report.refused.append(f"{outgoing.label} ({reasons})")
                    progress(outgoing.label)
                    continue
                except DeliveryInDoubt as exc:
                    report.in_doubt.append(outgoing.label)
                    report.stopped = exc.message
                    report.left = [w.label for w in batch.waiting[position + 1 :]]
                    break
                except DeliveryError as exc:
                    _settle(store, batch, claimed, reached=[], not_reached=claimed.person_ids)
                    report.stopped = exc.message
                    report.left = [w.label for w in batch.waiting[position:]]
                    break
                refused_keys = {a.casefold() for a in refused}
                reached = [r.person_id for r, a in mine if a.casefold() not in refused_keys]
                not_reached = [r.person_id for r, a in mine if a.casefold() in refused_keys]
                _settle(store, batch, claimed, reached=reached, not_reached=not_reached)
                report.sent.append(outgoing.label)
                report.recipients += len(reached)
                if refused:
                    reasons = "; ".join(f"{a}: {why}" for a, why in refused.items())
                    report.refused.append(f"{outgoing.label} ({reasons})")
                progress(outgoing.label)
    except DeliveryError as exc:  # could not connect: nothing went
        report.stopped = exc.message
        report.left = [w.label for w in batch.waiting]
    finally:
        with store.transaction() as db:
            audit.log(db=db, action=AUDIT_ACTION, detail=_send_summary(batch, report))
    return report


def _send_summary(batch: Batch, report: SendReport) -> str:
    detail = (
        f"sent {len(report.sent)} of {plural(len(batch.waiting), batch.kind + ' message')} to "
        f"{plural(report.recipients, 'recipient')} in cohort {batch.cohort_name}"
    )
    if report.refused:
        detail += f"; {len(report.refused)} with refused recipients"
    if report.left:
        detail += f"; {len(report.left)} left for the next run after a delivery failure"
    if report.taken:
        detail += f"; {len(report.taken)} taken by another run"
    if report.in_doubt:
        detail += f"; {len(report.in_doubt)} in doubt"
    return detail


def draft_introductions(*, store: Store, cohort_name: str | None, directory: Path) -> int:
    """Write the introduction drafts of a cohort (the demo's last step); return how many."""
    from chefintro.cohorts import current_cohort

    with store.transaction() as db:
        cohort = current_cohort(db=db, name=cohort_name)
        batch = prepare_batch(
            db=db, cohort=cohort, kind=content.INTRO, draft=True, cc_agency=False, again=False
        )
    return write_batch(store=store, batch=batch, directory=directory).count
