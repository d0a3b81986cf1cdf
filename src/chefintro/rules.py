"""The participant rules as pure functions: the one rulebook every door calls.

``participant add``, a roster's Deltagare rows (``roster import``) and the rosters of a
yearly plan all ask these functions whether an e-mail address, a capacity, an adept's
wishes or an eligibility is allowed. A bulk path batches its database work but never
restates a rule; the pair rules live with the matching problem in
:mod:`chefintro.pairing.problem` and are applied by one function for ``pair set`` and
for a roster's Par rows alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from chefintro.enums import Role
from chefintro.errors import UsageError
from chefintro.text import clean_text

#: The most adepts one mentor may take. Capacity becomes matching slots, so an absurd
#: number must not reach the solver, whichever way it arrives.
MAX_CAPACITY = 20
#: The longest meeting of a pair, in minutes, from ``pair meet`` or a Möten row.
MAX_MEETING_MINUTES = 600
#: The longest e-mail address a mail system must accept (RFC 5321 forward path).
MAX_EMAIL_LENGTH = 254

NOT_AN_EMAIL = "is not an e-mail address"

ELIGIBLE = "ok"
SHORT = "short"
UNKNOWN = "unknown"
LONG = "long"


# --- e-mail addresses -------------------------------------------------------------------

#: The longest local part (before the @) RFC 5321 allows.
MAX_LOCAL_LENGTH = 64
#: Characters RFC 5321 allows in a local part that mail systems read as routing: the
#: percent hack (``x%evil.se@csn.se`` relays to evil.se) and UUCP bang paths.
_ROUTING = frozenset("%!")
NON_ASCII_LOCAL = (
    "has letters outside ASCII before the @ (such as å, ä, ö), which most mail servers "
    "cannot take; give the ASCII form of the address the agency uses (e.g. asa.oberg@…)"
)
ROUTING = "holds % or ! before the @, which mail servers read as a relay route; refused"
# An address nearly every roster cell holds: a dot-atom of letters, digits and _ + - in
# ASCII, a domain of ASCII letter-digit-hyphen labels and a letter TLD. The validator would
# take each such address (tests/test_rulebook.py checks the two agree), so it is spared the
# work (issue 16's 20,000-row roster). Labels with "--" (punycode) and the top-level names
# that never reach a mailbox (RFC 6761, as the validator lists them) take the full path.
_COMMON = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:(?=[A-Za-z0-9-]{1,63}\.)[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+"
    r"(?!(?i:arpa|invalid|local|localhost|onion|test)$)[A-Za-z]{2,63}"
)
_common = _COMMON.fullmatch


def _validated(address: str) -> Any:
    """Return email-validator's reading of ``address`` (no DNS), or raise its error."""
    from email_validator import validate_email

    return validate_email(address, check_deliverability=False, allow_smtputf8=True, strict=True)


def email_problem(address: str) -> str | None:
    """Return why ``address`` (already trimmed) is not an e-mail address we take, or None.

    The one address rule, built on ``email-validator`` (syntax only, no DNS): an RFC 5321
    local part in ASCII (no quoting, no ``%`` or ``!`` routing), a domain that may be
    international (IDN; written as punycode in mail), at most 254 characters, and no
    invisible format characters (which make two addresses look the same).
    """
    if len(address) > MAX_EMAIL_LENGTH:
        return NOT_AN_EMAIL
    if address.isascii():
        if _common(address) is not None:
            return None
    elif any(unicodedata.category(c) == "Cf" for c in address):
        return "contains invisible characters; retype the address"
    from email_validator import EmailNotValidError

    local, at, _ = address.rpartition("@")
    if at and not local.isascii():
        return NON_ASCII_LOCAL
    try:
        _validated(address)
    except EmailNotValidError:
        return NOT_AN_EMAIL
    if _ROUTING.intersection(local):
        return ROUTING
    return None


def mail_address(address: str) -> str:
    """Return ``address`` as it goes into mail headers and the SMTP envelope, or raise.

    An international domain becomes its ASCII (punycode, A-label) form; the local part
    stays exactly as stored. Raises :class:`NotAnEmail` when the address breaks the rule
    (an address stored before the rule tightened), so that one message fails, not a batch.
    """
    problem = email_problem(address)
    if problem is not None:
        raise NotAnEmail(problem)
    if address.isascii():
        return address
    local, _, _ = address.rpartition("@")
    return f"{local}@{_validated(address).ascii_domain}"


class NotAnEmail(ValueError):
    """A value that is not one e-mail address; the message says why, without the value."""


_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)
_ANGLE = re.compile(r"^(?P<display>[^<>]*)<(?P<address>[^<>]*)>$")
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _strip_separators(text: str) -> str:
    """Drop what mail programs leave after an address: whitespace, ``;`` and ``,``."""
    stripped = text.rstrip().rstrip(";,")
    while stripped != text:
        text, stripped = stripped, stripped.rstrip().rstrip(";,")
    return text


def parse_email(value: str) -> str:
    """Return the one e-mail address in ``value`` as people paste it, or raise NotAnEmail.

    The one e-mail rule: ``person add``/``edit``, roster cells (Deltagare, Par, Närvaro,
    wished mentors) and plans all call it. Outlook and mail programs copy addresses as
    ``mailto:a@b.se``, ``<a@b.se>``, ``Anna Ek <a@b.se>`` or ``a@b.se;``; those are
    cleaned to the bare address (trimmed, NFC). Anything else that is not exactly one
    address is refused (:func:`email_problem`, and two addresses in one value).
    """
    # A bare ASCII address, as nearly every roster cell holds, comes back as it is: each
    # step of _parse_pasted would leave it unchanged (no space to trim, nothing to strip or
    # unwrap, one @; tests/test_rulebook.py checks the two agree). Issue 16.
    if len(value) <= MAX_EMAIL_LENGTH and _common(value) is not None:
        return value
    return _parse_pasted(value)


def _parse_pasted(value: str) -> str:
    """:func:`parse_email` for anything but a bare ASCII address."""
    # Each pattern runs only where its character is present.
    text = _strip_separators(clean_text(value) or "")
    angle = _ANGLE.match(text) if "<" in text else None
    if angle is not None:
        text = angle["address"].strip()
    if ":" in text:
        text = _MAILTO.sub("", text).strip()
    text = _strip_separators(text)
    if not text:
        raise NotAnEmail("is empty; an e-mail address is needed")
    if not text.isprintable() and _INVISIBLE.search(text):
        raise NotAnEmail("contains invisible characters; retype the address")
    if text.count("@") > 1 and any(sep in text for sep in ";, <>"):
        raise NotAnEmail("holds more than one address; give one address")
    problem = email_problem(text)
    if problem == NOT_AN_EMAIL:
        raise NotAnEmail(f"{NOT_AN_EMAIL} (expected name@myndighet.se)")
    if problem is not None:
        raise NotAnEmail(problem)
    return text


# --- names ------------------------------------------------------------------------------

#: The longest name a person may have: it goes into mail headers and file names.
MAX_NAME_LENGTH = 200


def name_problem(name: str) -> str | None:
    """Return why a person's (cleaned) name is refused, or None: at most 200 characters."""
    if len(name) > MAX_NAME_LENGTH:
        return (
            f"the name is {len(name)} characters long; at most {MAX_NAME_LENGTH} "
            "(a name goes into mail headers and file names)"
        )
    return None


# --- capacity and wishes ----------------------------------------------------------------


def capacity_allowed(capacity: int) -> bool:
    """Tell whether a mentor may take ``capacity`` adepts: 1 to :data:`MAX_CAPACITY`."""
    return 1 <= capacity <= MAX_CAPACITY


def participant_capacity(role: Role, capacity: int | None) -> int:
    """Return the capacity a participant of ``role`` gets (blank: 1), or raise UsageError.

    Capacity is how many adepts a mentor takes; an adept's is always 1.
    """
    if capacity is None:
        return 1
    if role == Role.ADEPT and capacity != 1:
        raise UsageError("Capacity is for mentors: how many adepts they take.")
    if not capacity_allowed(capacity):
        raise UsageError(
            f"A mentor's capacity is a whole number from 1 to {MAX_CAPACITY} adepts, "
            f"not {capacity}."
        )
    return capacity


def check_wishes(role: Role, *, wished_field: str | None, preferred_mentors: object) -> None:
    """Raise UsageError when a mentor is given preferred mentors (an adept's ranked wishes).

    A wished field is either side's (issue 34): an adept's is the field they want their
    mentor from, a mentor's the field they would like their adept from.
    """
    del wished_field  # both sides may wish for a field
    if role == Role.MENTOR and preferred_mentors:
        raise UsageError("Preferred mentors are for adepts; a mentor may wish for a field.")


# --- peer groups ------------------------------------------------------------------------

#: The largest peer group one may ask for: a group is a conversation, not a lecture.
MAX_GROUP_SIZE = 50


def group_size_problem(size: int) -> str | None:
    """Return why ``size`` is not a peer group's size (2 to :data:`MAX_GROUP_SIZE`), or None.

    ``group form --size`` and a plan's ``[groups] size`` both ask it.
    """
    if not 2 <= size <= MAX_GROUP_SIZE:
        return f"a peer group has 2 to {MAX_GROUP_SIZE} members, not {size}"
    return None


# --- eligibility ------------------------------------------------------------------------


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months


def eligibility(
    *,
    manager_since: date | None,
    role: str,
    starts_on: date,
    adept_months: int,
    mentor_months: int,
    adept_max_months: int | None = None,
) -> tuple[str, int | None, int]:
    """Return (status, months as a manager at ``starts_on``, months the role needs).

    The status is :data:`ELIGIBLE`, :data:`SHORT` (fewer months than the role needs),
    :data:`LONG` (an adept who has managed longer than ``adept_max_months``: the programme
    is for new managers) or :data:`UNKNOWN` (no manager-since date). Eligibility only
    warns; it never refuses.
    """
    needed = adept_months if role == Role.ADEPT else mentor_months
    if manager_since is None:
        return UNKNOWN, None, needed
    months = months_between(manager_since, starts_on)
    if months < needed:
        return SHORT, months, needed
    if role == Role.ADEPT and adept_max_months is not None and months > adept_max_months:
        return LONG, months, needed
    return ELIGIBLE, months, needed
