"""Building the e-mails (standard library ``email``) and writing them as .eml drafts.

A draft is a complete RFC 5322 message with ``X-Unsent: 1``, which Outlook, Thunderbird
and Apple Mail open as an editable, unsent message. The body is ``multipart/alternative``
(plain text, then HTML), both UTF-8 in quoted-printable so every line is short ASCII;
non-ASCII names in headers are encoded words (RFC 2047). A reminder is wrapped in
``multipart/mixed`` with the programme day's ``text/calendar`` file attached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from chefintro.files import write_bytes
from chefintro.messages.content import Recipient
from chefintro.messages.render import Rendered

FALLBACK_DOMAIN = "chefintro.invalid"


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class Built:
    """A finished message, with the recipients it still has to reach."""

    rendered: Rendered
    message: EmailMessage
    pending: list[Recipient]

    @property
    def file_name(self) -> str:
        return f"{self.rendered.outgoing.file_stem}.eml"


def _address(name: str, email: str) -> Address:
    local, _, domain = email.strip().rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def _addresses(recipients: Sequence[Recipient]) -> tuple[Address, ...]:
    return tuple(_address(r.name, r.email) for r in recipients)


def build_message(
    rendered: Rendered,
    *,
    sender: str | None,
    draft: bool,
    attachment: Attachment | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """Return the message for ``rendered``; a draft carries ``X-Unsent: 1``."""
    outgoing = rendered.outgoing
    message = EmailMessage(policy=policy.SMTP)
    _, sender_address = parseaddr(sender or "")
    if sender:
        message["From"] = sender
    message["To"] = _addresses(outgoing.to)
    if outgoing.cc:
        message["Cc"] = tuple(_address("", email) for email in outgoing.cc)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now or datetime.now(ZoneInfo("Europe/Stockholm")))
    domain = sender_address.rpartition("@")[2] or FALLBACK_DOMAIN
    message["Message-ID"] = make_msgid(domain=domain)  # short enough never to be folded
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(rendered.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = "sv-SE"  # after set_content, which clears Content-* headers
    if attachment is not None:
        message.add_attachment(
            attachment.data,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
            params=dict(attachment.params),
        )
    return message


def to_bytes(message: EmailMessage) -> bytes:
    """Return the message as it goes on the wire and into an .eml file (CRLF lines)."""
    return message.as_bytes(policy=policy.SMTP)


def write_drafts(built: Sequence[Built], directory: Path) -> list[Path]:
    """Write each message as ``<directory>/<file>.eml`` (mode 0600, atomically)."""
    from chefintro.errors import OutputError

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {directory}: {exc.strerror or exc}.") from None
    paths = []
    for item in built:
        path = directory / item.file_name
        write_bytes(path, to_bytes(item.message))
        paths.append(path)
    return paths
