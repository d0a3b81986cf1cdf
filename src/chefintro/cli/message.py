"""``chefintro message``: introductions, peer-group letters and reminders, as drafts or sent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple

import typer

from chefintro.cli import output
from chefintro.cli.common import YesOption, state
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from types import ModuleType

    from sqlmodel import Session

    from chefintro.cli.common import AppState
    from chefintro.messages.content import Outgoing
    from chefintro.messages.service import Batch
    from chefintro.messages.smtp import SmtpConfig
    from chefintro.models import Cohort

app = typer.Typer(
    help="Write the year's messages as Outlook drafts (.eml), or send them.",
    no_args_is_help=True,
)

OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="Folder for the drafts (default: meddelanden/<cohort>/<kind>/ here).",
        metavar="DIR",
        file_okay=False,
    ),
]
TemplateOption = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help="Folder of edited templates (from 'message templates'); missing files are built-in.",
        metavar="DIR",
    ),
]
SendOption = Annotated[
    bool,
    typer.Option(
        "--send",
        help="Send through the SMTP server in settings (mail.*) instead of writing drafts.",
    ),
]
AgainOption = Annotated[
    bool,
    typer.Option(
        "--again",
        help="Include messages already sent, and those in doubt (by default they are left out).",
    ),
]


class Sending(NamedTuple):
    """The options every message command takes: where, which templates, send or write."""

    out: Path | None
    template: Path | None
    send: bool
    again: bool
    yes: bool


def _run(
    ctx: typer.Context,
    kind: str,
    how: Sending,
    *,
    session_id: int | None = None,
    cc_agency: bool = False,
    gather: Callable[[Session, Cohort], list[Outgoing]] | None = None,
    ledger: ModuleType | None = None,
) -> None:
    from chefintro.messages import records, service
    from chefintro.messages.smtp import smtp_config

    out, template, send, again, yes = how
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        config = smtp_config(db=db) if send else None
        batch = service.prepare_batch(
            items=gather(db, cohort) if gather is not None else None,
            ledger=ledger or records,
            db=db,
            cohort=cohort,
            kind=kind,
            draft=not send,
            template_dir=template,
            session_id=session_id,
            cc_agency=cc_agency,
            again=again,
        )
        directory = out if out is not None else service.default_directory(cohort, kind)
    name = service.KIND_NAMES[kind]
    skipped = (
        f" ({batch.already_sent} already sent are left out; --again includes them)"
        if batch.already_sent
        else ""
    )
    if batch.in_doubt:
        output.warning(
            f"{plural(len(batch.in_doubt), name)} in doubt, left out: a run claimed them but "
            "did not hear that the server took them (it stopped, or is still sending). Check the "
            f"Sent folder; --again sends them again: {'; '.join(batch.in_doubt)}."
        )
    for line in batch.failed:
        output.warning(f"Not {'sent' if send else 'written'}: {line}.")
    if not batch.count:
        output.info(f"No {name} is left to {'send' if send else 'write'}{skipped}.")
        _failed(batch, name)
        return
    if config is None:
        written = service.write_batch(store=st.store(), batch=batch, directory=directory)
        output.success(
            f"Wrote {plural(written.count, name + ' draft')} for "
            f"{plural(batch.recipients, 'recipient')} to "
            f"{directory}{skipped}."
        )
        if written.replaced:
            output.info(
                f"Replaced {plural(written.replaced, 'earlier ' + name + ' draft')} of this kind "
                f"in {directory}."
            )
        output.info("Open a draft in Outlook, Thunderbird or Apple Mail to check and send it.")
        _failed(batch, name)
        return
    if config.plain_auth:
        output.warning(
            "mail.allow_plain_auth is true: the SMTP password goes to the server without TLS."
        )
    _confirm(batch, name, config.describe(), yes, skipped)
    _send(st, batch, name, config)
    _failed(batch, name)


def _failed(batch: Batch, name: str) -> None:
    from chefintro.errors import InvalidInputError

    if batch.failed:
        raise InvalidInputError(
            f"{plural(len(batch.failed), name)} could not be made: a recipient's address breaks "
            "the e-mail rule (see above); fix it with 'chefintro person edit' and run again."
        )


def _confirm(batch: Batch, name: str, server: str, yes: bool, skipped: str) -> None:
    # Sending changes only the sent-message records (no undo snapshot: a sent e-mail
    # cannot be taken back, and the records are what keeps it from going twice).
    from chefintro.cli.common import confirm

    question = (
        f"Send {plural(len(batch.waiting), name)} to {plural(batch.recipients, 'recipient')} "
        f"through {server}{skipped}?"
    )
    confirm(yes=yes, what=question[:-1], question=question, nothing="Nothing was sent.")


def _send(st: AppState, batch: Batch, name: str, config: SmtpConfig) -> None:
    from chefintro.messages import service
    from chefintro.messages.smtp import DeliveryError

    with output.steps(len(batch.waiting)) as advance:
        report = service.send_batch(store=st.store(), batch=batch, config=config, progress=advance)
    if report.sent:
        # Name what went only when something did not: that is when it matters.
        which = "" if report.complete else ": " + "; ".join(report.sent)
        output.success(
            f"Sent {plural(len(report.sent), name)} to "
            f"{plural(report.recipients, 'recipient')}{which}."
        )
    for line in report.refused:
        output.warning(f"The server refused recipients of {line}; they are left for the next run.")
    if report.taken:
        output.warning(
            f"{plural(len(report.taken), name)} {noun(len(report.taken), 'was', 'were')} being "
            "sent by another run at the same time and "
            f"{noun(len(report.taken), 'was', 'were')} left to it: {'; '.join(report.taken)}."
        )
    if report.in_doubt:
        output.warning(
            f"The connection broke while sending {'; '.join(report.in_doubt)}: the server may "
            "have taken it. It is left in doubt; check the Sent folder, and use --again to send "
            "it again."
        )
    if report.stopped is not None:
        left = "; ".join(report.left)
        reason = report.stopped.rstrip(". ")
        if not report.sent:
            nothing = "" if reason.endswith("Nothing was sent") else " Nothing was sent."
            raise DeliveryError(
                f"Sending stopped: {reason}.{nothing} Run the same command again to send "
                f"{noun(len(batch.waiting), 'it', 'them')}."
            )
        if not report.left:  # the last one went in doubt (the warning above says so)
            raise DeliveryError(
                f"Sending stopped: {reason}. Sent {len(report.sent)} of "
                f"{plural(len(batch.waiting), name)}; the last is in doubt."
            )
        raise DeliveryError(
            f"Sending stopped: {reason}. Sent {len(report.sent)} of "
            f"{plural(len(batch.waiting), name)}; not sent: {left}. Run the same command again "
            "to send the rest."
        )
    if report.refused:
        raise DeliveryError(
            f"{plural(len(report.refused), name)} did not reach every recipient; run the same "
            "command again to retry them."
        )


# intro, groups and reminder declare the same options one by one, deliberately: Typer
# reads a command's options from its own signature, so each lists them (issue 9).
@app.command("intro")
def intro(
    ctx: typer.Context,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
    cc_agency: Annotated[
        bool,
        typer.Option(
            "--cc-agency", help="Copy each agency's HR contact (agency edit CODE --contact)."
        ),
    ] = False,
) -> None:
    """Introduce every active pair to each other: one message per pair, in Swedish.

    Without --send, writes one editable draft (.eml) per pair. The adept books the first
    meeting; the first programme day and the coordinator's name come from the store.

    Example: chefintro message intro --cc-agency
    Example: chefintro message intro --send --yes
    """
    from chefintro.messages.content import INTRO

    _run(ctx, INTRO, Sending(out, template, send, again, yes), cc_agency=cc_agency)


@app.command("groups")
def groups(
    ctx: typer.Context,
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Write to every peer group: one message per group, listing its members.

    Example: chefintro message groups --out utkast/grupper
    """
    from chefintro.messages.content import GROUPS

    _run(ctx, GROUPS, Sending(out, template, send, again, yes))


@app.command("reminder")
def reminder(
    ctx: typer.Context,
    session_id: Annotated[
        int, typer.Argument(help="The session's id (see 'session list').", metavar="SESSION_ID")
    ],
    out: OutOption = None,
    template: TemplateOption = None,
    send: SendOption = False,
    again: AgainOption = False,
    yes: YesOption = False,
) -> None:
    """Remind everyone expected at a session, with its calendar entry attached.

    Goes to every active participant not excused from the session. The attached .ics
    has the same UID as 'session ics', so it updates the same calendar event.

    Example: chefintro message reminder 3 --send
    """
    from chefintro.messages.content import REMINDER

    _run(ctx, REMINDER, Sending(out, template, send, again, yes), session_id=session_id)


@app.command("templates")
def templates(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the templates into.", metavar="DIR")
    ],
) -> None:
    """Write the built-in Swedish templates to a folder, to edit and use with --template.

    Existing files are left alone (nothing is overwritten).

    Example: chefintro message templates mallar && chefintro message intro --template mallar
    """
    from chefintro.files import output_folder, private_output
    from chefintro.messages.render import builtin_templates

    output_folder(directory)
    written, kept = [], []
    for name, text in builtin_templates().items():
        target = directory / name
        if target.exists():
            kept.append(name)
            continue
        with private_output(target, overwrite=False) as temporary:
            temporary.write_text(text, encoding="utf-8")
        written.append(name)
    output.success(f"Wrote {plural(len(written), 'template')} to {directory}.")
    if kept:
        output.info(f"Left {plural(len(kept), 'existing file')} as they were: {', '.join(kept)}.")
