"""Building the e-mails (standard library ``email``) and writing them as .eml drafts.

A draft is a complete RFC 5322 message with ``X-Unsent: 1``, which Outlook, Thunderbird
and Apple Mail open as an editable, unsent message. The body is ``multipart/alternative``
(plain text, then HTML), both UTF-8 in quoted-printable so every line is short ASCII;
non-ASCII names in headers are encoded words (RFC 2047). A reminder is wrapped in
``multipart/mixed`` with the programme day's ``text/calendar`` file attached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from chefintro.files import all_or_none
from chefintro.messages.content import Outgoing, Recipient
from chefintro.messages.render import Rendered
from chefintro.rules import MAX_NAME_LENGTH, mail_address

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
    #: The pending recipients' addresses as the SMTP envelope takes them (punycode domains).
    envelope: list[str]

    @property
    def file_name(self) -> str:
        return f"{self.rendered.outgoing.file_stem}.eml"


# What could make a display name read as an address, or a list of them, in a mail
# program that decodes encoded words before it parses (issue 29): the specials of
# RFC 5322 and the opening of an encoded word.
_SPECIALS = re.compile(r'[<>,;:@"\\()\[\]]|=\?|\?=')
_SPACES = re.compile(r"\s+")


def display_name(name: str) -> str:
    """Return ``name`` safe as a display name: no address syntax, one line, at most 200.

    The email package then quotes or encodes it (RFC 2047 for non-ASCII letters); with
    nothing of an address left in it, no decoding can turn it into a recipient.
    """
    cleaned = _SPACES.sub(" ", _SPECIALS.sub(" ", name)).strip()
    return cleaned[:MAX_NAME_LENGTH]


def address(name: str, email: str) -> Address:
    """Return the header address: a safe display name, the domain in ASCII (punycode).

    Raises :class:`chefintro.rules.NotAnEmail` for an address the rule refuses.
    """
    local, _, domain = mail_address(email.strip()).rpartition("@")
    return Address(display_name=display_name(name), username=local, domain=domain)


def _addresses(recipients: Sequence[Recipient]) -> tuple[Address, ...]:
    return tuple(address(r.name, r.email) for r in recipients)


def check_addresses(outgoing: Outgoing, *, sender: str | None, draft: bool) -> None:
    """Raise :class:`chefintro.rules.NotAnEmail` for any address :func:`build_message`
    would refuse for this message, so that a bad one is found before any message is made."""
    if sender:
        address(*parseaddr(sender))
    if not outgoing.blind or draft:
        _addresses(outgoing.to)
    for email in outgoing.cc:
        address("", email)


def build_message(
    rendered: Rendered,
    *,
    sender: str | None,
    draft: bool,
    attachment: Attachment | None = None,
    now: datetime | None = None,
    reaching: Sequence[Recipient] | None = None,
) -> EmailMessage:
    """Return the message for ``rendered``; a draft carries ``X-Unsent: 1``.

    ``reaching``: a draft's recipients still to reach, when the message reached some of
    them before; the draft is addressed to those only (a mail program sends to whom a
    draft names), without the copy to others (``cc``) that went with the first sending.
    A message sent names all its recipients; its envelope says who gets it.
    """
    outgoing = rendered.outgoing
    to, cc = outgoing.to, outgoing.cc
    if reaching is not None and len(reaching) < len(to):
        to, cc = list(reaching), []
    message = EmailMessage(policy=policy.SMTP)
    sender_name, sender_address = parseaddr(sender or "")
    origin = address(sender_name, sender_address) if sender else None
    if origin is not None:
        message["From"] = origin
    if not outgoing.blind:
        message["To"] = _addresses(to)
    elif origin is not None:
        # A letter to many in Bcc: the coordinator is its one visible recipient.
        message["To"] = origin
    else:
        message["To"] = "undisclosed-recipients:;"
    if cc:
        message["Cc"] = tuple(address("", email) for email in cc)
    if outgoing.blind and draft:  # a draft keeps its Bcc for the mail program to send
        message["Bcc"] = _addresses(to)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now or datetime.now(ZoneInfo("Europe/Stockholm")))
    # The sender's domain as the header has it (an IDN in ASCII): a Message-ID is ASCII.
    domain = origin.domain if origin is not None else FALLBACK_DOMAIN
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


DRAFT_HEADER = "X-Chefintro-Draft"


def draft_tag(kind: str, cohort_name: str) -> str:
    """Return the ``X-Chefintro-Draft`` value of a kind's drafts: kind and cohort, ASCII."""
    from chefintro.messages.content import safe_file_stem

    return f"{kind} {safe_file_stem(cohort_name)}"


def _is_own_draft(path: Path, tag: str) -> bool:
    """Tell whether ``path`` is a draft this command wrote for ``tag`` (headers only)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16384)
    except OSError:
        return False
    headers = head.split(b"\r\n\r\n", 1)[0]
    return f"\r\n{DRAFT_HEADER}: {tag}\r\n".encode("ascii") in b"\r\n" + headers + b"\r\n"


def write_drafts(built: Iterable[Built], directory: Path, tag: str) -> tuple[int, int]:
    """Write each message as ``<directory>/<file>.eml`` (mode 0600), all or none.

    ``built`` may be a stream: each message is written and let go before the next is
    made, so memory does not grow with the number of drafts. The files are moved into
    place only when every one is written; a message that stops the run (its template)
    leaves the folder as it was. Return how many files were written and how many earlier
    drafts with the same tag were replaced.
    """
    from chefintro.errors import OutputError

    try:
        earlier = (
            [p for p in sorted(directory.glob("*.eml")) if p.is_file() and _is_own_draft(p, tag)]
            if directory.is_dir()
            else []
        )
    except OSError as exc:
        raise OutputError(f"Cannot read the folder {directory}: {exc.strerror or exc}.") from None
    earlier_names = {p.name for p in earlier}
    overwritten: set[str] = set()  # earlier drafts a new one takes the place of
    count = 0
    with all_or_none(directory) as write:
        for item in built:
            item.message[DRAFT_HEADER] = tag
            write(item.file_name, to_bytes(item.message))
            count += 1
            if item.file_name in earlier_names:
                overwritten.add(item.file_name)
    for old in earlier:
        if old.name not in overwritten:
            try:
                old.unlink()
            except OSError as exc:
                raise OutputError(
                    f"Cannot remove the earlier draft {old}: {exc.strerror or exc}."
                ) from None
    return count, len(earlier)
