"""Delivering messages through the coordinator's SMTP server (the only smtplib importer).

The server, port, STARTTLS, sender and login come from settings (``mail.*``); the
password only from the environment (``CHEFINTRO_SMTP_PASSWORD``): it is never stored,
printed or logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from sqlmodel import Session

from chefintro.errors import EXIT_TEMPFAIL, ChefintroError, RuleError
from chefintro.settings import (
    MAIL_ALLOW_PLAIN_AUTH,
    MAIL_FROM,
    MAIL_SMTP_HOST,
    MAIL_SMTP_PORT,
    MAIL_STARTTLS,
    MAIL_USER,
    get_setting_text,
)

PASSWORD_ENV = "CHEFINTRO_SMTP_PASSWORD"
TIMEOUT_SECONDS = 60


class DeliveryError(ChefintroError):
    """The SMTP server could not be reached or stopped taking messages; try again later."""

    exit_code = EXIT_TEMPFAIL


class DeliveryInDoubt(DeliveryError):
    """The connection broke while a message was on its way: the server may have taken it."""


class RecipientsRefused(Exception):
    """The server refused every recipient of one message (the next may still go)."""

    def __init__(self, refused: dict[str, str]) -> None:
        super().__init__("all recipients refused")
        self.refused = refused


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    starttls: bool
    sender: str
    user: str | None
    #: The login goes without TLS (allowed by mail.allow_plain_auth): warn the user.
    plain_auth: bool = False

    @property
    def sender_address(self) -> str:
        """The envelope sender: mail.from's address, its domain in ASCII (punycode)."""
        from chefintro.rules import NotAnEmail, mail_address

        address = parseaddr(self.sender)[1]
        try:
            return mail_address(address)
        except NotAnEmail:  # set before the rule tightened; the server will say
            return address

    def describe(self) -> str:
        security = "TLS" if self.port == 465 else ("STARTTLS" if self.starttls else "no TLS")
        return f"{self.host}:{self.port} ({security}) as {self.sender_address}"


def smtp_config(*, db: Session) -> SmtpConfig:
    """Return the SMTP settings, or raise RuleError naming the setting that is missing."""
    host = get_setting_text(db=db, key=MAIL_SMTP_HOST)
    sender = get_setting_text(db=db, key=MAIL_FROM)
    missing = [key for key, value in ((MAIL_SMTP_HOST, host), (MAIL_FROM, sender)) if not value]
    if missing:
        raise RuleError(
            f"Sending needs {' and '.join(missing)}: set "
            + " and ".join(f"'chefintro settings set {key} …'" for key in missing)
            + ", or leave out --send to write drafts."
        )
    user = get_setting_text(db=db, key=MAIL_USER)
    if user and not os.environ.get(PASSWORD_ENV):
        raise RuleError(
            f"{MAIL_USER} is set, so sending needs the password in the environment variable "
            f"{PASSWORD_ENV} (it is never stored)."
        )
    port = int(get_setting_text(db=db, key=MAIL_SMTP_PORT) or 587)
    starttls = (get_setting_text(db=db, key=MAIL_STARTTLS) or "true") == "true"
    plain = bool(user) and port != 465 and not starttls
    if plain and get_setting_text(db=db, key=MAIL_ALLOW_PLAIN_AUTH) != "true":
        raise RuleError(
            f"{MAIL_USER} is set but {MAIL_STARTTLS} is false, so the password would go to "
            f"{host} in clear text. Set {MAIL_STARTTLS} true (or port 465), or, on a trusted "
            f"network only, '{MAIL_ALLOW_PLAIN_AUTH} true'. Nothing was sent."
        )
    return SmtpConfig(
        host=host,
        port=port,
        starttls=starttls,
        sender=sender,
        user=user or None,
        plain_auth=plain,
    )


def _reason(exc: BaseException) -> str:
    import smtplib

    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error or "")
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, smtplib.SMTPException):  # an OSError too, with no strerror of its own
        return str(exc).rstrip(". ") or type(exc).__name__  # callers end the sentence
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__


class Mailer:
    """An open SMTP connection; use as a context manager."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.client: Any = None

    def __enter__(self) -> Mailer:
        import smtplib
        import ssl

        config = self.config
        try:
            if config.port == 465:  # implicit TLS; STARTTLS does not apply
                self.client = smtplib.SMTP_SSL(
                    config.host,
                    config.port,
                    timeout=TIMEOUT_SECONDS,
                    context=ssl.create_default_context(),
                )
            else:
                self.client = smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS)
                if config.starttls:
                    self.client.starttls(context=ssl.create_default_context())
            if config.user:
                self.client.login(config.user, os.environ.get(PASSWORD_ENV, ""))
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise RuleError(
                f"The SMTP server {config.host} refused the login of {config.user} "
                f"({_reason(exc)}); check {MAIL_USER} and {PASSWORD_ENV}. Nothing was sent."
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise DeliveryError(
                f"Could not connect to the SMTP server {config.describe()}: {_reason(exc)}. "
                "Nothing was sent."
            ) from None
        return self

    def send(self, message: EmailMessage, recipients: list[str]) -> dict[str, str]:
        """Send to ``recipients``; return those refused (address → reason).

        Raises :class:`RecipientsRefused` when every recipient was refused (the
        connection is still good), and :class:`DeliveryError` when the server stopped.
        """
        import smtplib

        try:
            refused = self.client.send_message(
                message, from_addr=self.config.sender_address, to_addrs=recipients
            )
        except smtplib.SMTPRecipientsRefused as exc:
            raise RecipientsRefused(
                {
                    str(a): _reason(smtplib.SMTPResponseException(*r))
                    for a, r in exc.recipients.items()
                }
            ) from None
        except smtplib.SMTPResponseException as exc:  # the server answered: not taken
            raise DeliveryError(_reason(exc)) from None
        except (smtplib.SMTPException, OSError) as exc:  # the line broke: maybe taken
            raise DeliveryInDoubt(_reason(exc)) from None
        return {
            str(a): _reason(smtplib.SMTPResponseException(*r)) for a, r in (refused or {}).items()
        }

    def _close(self) -> None:
        import smtplib

        if self.client is None:
            return
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            try:
                self.client.close()
            except OSError:  # pragma: no cover - closing a dead socket
                pass
        self.client = None

    def __exit__(self, *_: object) -> None:
        self._close()
