"""The message commands' service: gather, fill, build, then write drafts or send.

Everything that can fail on the user's input — the cohort, the templates, the settings —
fails in :func:`prepare_batch`, before a file is written or a message sent. Sending
records each message in its own transaction as soon as the server took it, so a failure
half-way keeps what went and the next run sends only the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from chefintro import audit
from chefintro.errors import UsageError
from chefintro.ids import id_of
from chefintro.messages import content, records
from chefintro.messages.mime import Attachment, Built, build_message, write_drafts
from chefintro.messages.render import render_messages
from chefintro.messages.smtp import DeliveryError, Mailer, RecipientsRefused, SmtpConfig
from chefintro.models import Cohort
from chefintro.settings import MAIL_FROM, get_setting_text

if TYPE_CHECKING:
    from chefintro.store import Store

KIND_NAMES = {
    content.INTRO: "introduction",
    content.GROUPS: "peer-group letter",
    content.REMINDER: "reminder",
}
AUDIT_ACTION = "messages"


@dataclass
class Batch:
    """The messages of one command run, built and ready to write or send."""

    kind: str
    cohort_id: int
    cohort_name: str
    built: list[Built]
    already_sent: int
    draft: bool

    @property
    def recipients(self) -> int:
        return sum(len(b.pending) for b in self.built)


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


def prepare_batch(
    *,
    db: Session,
    cohort: Cohort,
    kind: str,
    draft: bool,
    template_dir: Path | None = None,
    session_id: int | None = None,
    cc_agency: bool = False,
    again: bool = False,
) -> Batch:
    """Gather, fill and build the kind's messages that are still to go (all with ``again``).

    A message whose every recipient has been sent it is left out; one that reached only
    some of them goes to the rest. Raises InvalidInputError (65) for a broken template.
    """
    items = _outgoing(db=db, cohort=cohort, kind=kind, session_id=session_id, cc_agency=cc_agency)
    sent = set() if again else records.sent_to(db=db, kind=kind, cohort_id=id_of(cohort))
    waiting = []
    for item in items:
        pending = [r for r in item.to if (item.subject_key, r.person_id) not in sent]
        if pending:
            waiting.append((item, pending))
    rendered = render_messages(kind, [item for item, _ in waiting], template_dir=template_dir)
    sender = get_setting_text(db=db, key=MAIL_FROM)
    built = []
    for filled, (item, pending) in zip(rendered, waiting, strict=True):
        attachment = (
            _attachment(db, cohort, item.session_id) if item.session_id is not None else None
        )
        message = build_message(filled, sender=sender, draft=draft, attachment=attachment)
        built.append(Built(rendered=filled, message=message, pending=pending))
    return Batch(
        kind=kind,
        cohort_id=id_of(cohort),
        cohort_name=cohort.name,
        built=built,
        already_sent=len(items) - len(waiting),
        draft=draft,
    )


def write_batch(*, store: Store, batch: Batch, directory: Path) -> list[Path]:
    """Write the batch as .eml drafts in ``directory`` and log it; return the files."""
    paths = write_drafts(batch.built, directory)
    with store.transaction() as db:
        audit.log(
            db=db,
            action=AUDIT_ACTION,
            detail=(
                f"wrote {len(paths)} {batch.kind} draft(s) for {batch.recipients} recipient(s) "
                f"in cohort {batch.cohort_name}"
            ),
        )
    return paths


@dataclass
class SendReport:
    """What one sending run did, message by message (labels name people: screen only)."""

    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)
    recipients: int = 0
    stopped: str | None = None

    @property
    def complete(self) -> bool:
        return not (self.refused or self.left or self.stopped)


def send_batch(
    *,
    store: Store,
    batch: Batch,
    config: SmtpConfig,
    progress: Callable[[str], None] = lambda _label: None,
) -> SendReport:
    """Send every message of the batch, recording each as soon as the server took it."""
    report = SendReport()
    try:
        with Mailer(config) as mailer:
            for position, item in enumerate(batch.built):
                outgoing = item.rendered.outgoing
                everyone = len(item.pending) == len(outgoing.to)
                envelope = [r.email for r in item.pending] + (outgoing.cc if everyone else [])
                try:
                    refused = mailer.send(item.message, envelope)
                except RecipientsRefused as exc:
                    reasons = "; ".join(f"{a}: {why}" for a, why in exc.refused.items())
                    report.refused.append(f"{outgoing.label} ({reasons})")
                    progress(outgoing.label)
                    continue
                except DeliveryError as exc:
                    report.stopped = exc.message
                    report.left = [b.rendered.outgoing.label for b in batch.built[position:]]
                    break
                refused_keys = {a.casefold() for a in refused}
                reached = [r for r in item.pending if r.email.casefold() not in refused_keys]
                with store.transaction() as db:
                    records.record_sent(
                        db=db,
                        kind=batch.kind,
                        cohort_id=batch.cohort_id,
                        subject_key=outgoing.subject_key,
                        person_ids=[r.person_id for r in reached],
                    )
                report.sent.append(outgoing.label)
                report.recipients += len(reached)
                if refused:
                    reasons = "; ".join(f"{a}: {why}" for a, why in refused.items())
                    report.refused.append(f"{outgoing.label} ({reasons})")
                progress(outgoing.label)
    except DeliveryError as exc:  # could not connect: nothing went
        report.stopped = exc.message
        report.left = [b.rendered.outgoing.label for b in batch.built]
    finally:
        with store.transaction() as db:
            audit.log(db=db, action=AUDIT_ACTION, detail=_send_summary(batch, report))
    return report


def _send_summary(batch: Batch, report: SendReport) -> str:
    detail = (
        f"sent {len(report.sent)} of {len(batch.built)} {batch.kind} message(s) to "
        f"{report.recipients} recipient(s) in cohort {batch.cohort_name}"
    )
    if report.refused:
        detail += f"; {len(report.refused)} with refused recipients"
    if report.left:
        detail += f"; {len(report.left)} left for the next run after a delivery failure"
    return detail


def draft_introductions(*, store: Store, cohort_name: str | None, directory: Path) -> list[Path]:
    """Write the introduction drafts of a cohort (the demo's last step); return the files."""
    from chefintro.cohorts import current_cohort

    with store.transaction() as db:
        cohort = current_cohort(db=db, name=cohort_name)
        batch = prepare_batch(db=db, cohort=cohort, kind=content.INTRO, draft=True)
    return write_batch(store=store, batch=batch, directory=directory)
