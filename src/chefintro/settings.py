"""Settings kept in the store: eligibility months, matching weights, retention, mail,
follow-up, surveys and the programme's texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro import rules
from chefintro.errors import NotFoundError, UsageError
from chefintro.models import Setting
from chefintro.text import clean_field

# The keys of the settings table: every key is named here and nowhere else.
CURRENT_COHORT = "current_cohort"
ADEPT_MONTHS = "eligibility.adept_months"
MENTOR_MONTHS = "eligibility.mentor_months"
ADEPT_MAX_MONTHS = "eligibility.adept_max_months"
RETENTION_MONTHS = "retention.months"
FIRST_MEETING_WEEKS = "followup.first_meeting_weeks"
QUIET_WEEKS = "followup.quiet_weeks"
NUDGE_WEEKS = "followup.nudge_weeks"
SURVEY_MIN_GROUP = "survey.min_group"
PROGRAMME_NAME = "programme.name"
PROGRAMME_COORDINATOR = "programme.coordinator"
UNDO_MAX_MB = "undo.max_mb"
MAIL_FROM = "mail.from"
MAIL_SMTP_HOST = "mail.smtp_host"
MAIL_SMTP_PORT = "mail.smtp_port"
MAIL_STARTTLS = "mail.starttls"
MAIL_USER = "mail.user"
MAIL_ALLOW_PLAIN_AUTH = "mail.allow_plain_auth"
MAIL_REMINDER_TO = "mail.reminder_to"
#: The language of report tables the coordinator forwards (documents are Swedish).
REPORT_LANG = "report.lang"
STABILITY_COST = "matching.stability_cost"
#: ``mail.reminder_to``: one message per person, or one to the coordinator with the
#: people in Bcc.
REMINDER_EACH = "each"
REMINDER_BCC = "bcc"
#: The prefix of the matching weights' keys; the rest is the weight's short name.
WEIGHTS = "weights."


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: int
    minimum: int
    maximum: int
    help: str


#: Weights of the soft criteria may be negative: a negative weight counts against it.
_WEIGHT = (-1000, 1000)

SPECS: tuple[SettingSpec, ...] = (
    SettingSpec(ADEPT_MONTHS, 6, 0, 600, "Months as a manager an adept needs"),
    SettingSpec(MENTOR_MONTHS, 36, 0, 600, "Months as a manager a mentor needs"),
    SettingSpec(ADEPT_MAX_MONTHS, 36, 0, 600, "Months as a manager an adept may have at most"),
    SettingSpec(WEIGHTS + "same_field", 30, *_WEIGHT, "Points when adept and mentor share a field"),
    SettingSpec(
        WEIGHTS + "wished_field", 40, *_WEIGHT, "Points when the mentor's field is the wish"
    ),
    SettingSpec(WEIGHTS + "preference_1", 50, *_WEIGHT, "Points for the adept's 1st wished mentor"),
    SettingSpec(WEIGHTS + "preference_2", 35, *_WEIGHT, "Points for the adept's 2nd wished mentor"),
    SettingSpec(WEIGHTS + "preference_3", 20, *_WEIGHT, "Points for the adept's 3rd wished mentor"),
    SettingSpec(WEIGHTS + "same_location", 10, *_WEIGHT, "Points when both work in the same town"),
    SettingSpec(
        WEIGHTS + "experience_per_year", 2, 0, 100, "Points per year the mentor has managed"
    ),
    SettingSpec(
        WEIGHTS + "experience_cap_years", 10, 0, 50, "Years of experience that count at most"
    ),
    SettingSpec(
        WEIGHTS + "mentor_field", 30, *_WEIGHT, "Points when the adept's field is the mentor's wish"
    ),
    SettingSpec(
        WEIGHTS + "mentor_location",
        10,
        *_WEIGHT,
        "Points when the adept's town is the mentor's wish",
    ),
    SettingSpec(
        WEIGHTS + "mentor_wish", 40, *_WEIGHT, "Points when the mentor wished for the adept"
    ),
    SettingSpec(
        WEIGHTS + "extra_mentee_cost", 15, 0, 1000, "Cost of each extra mentee on one mentor"
    ),
    SettingSpec(RETENTION_MONTHS, 24, 1, 1200, "Months after closing before a cohort is due"),
    SettingSpec(FIRST_MEETING_WEEKS, 6, 1, 52, "Weeks after a pair starts to its first meeting"),
    SettingSpec(QUIET_WEEKS, 8, 1, 52, "Weeks without a meeting before a pair is quiet"),
    SettingSpec(NUDGE_WEEKS, 4, 1, 52, "Weeks before a flagged pair is nudged again"),
    SettingSpec(SURVEY_MIN_GROUP, 5, 3, 100, "Fewest answers a survey group needs to be shown"),
    SettingSpec(UNDO_MAX_MB, 500, 0, 1_000_000, "Megabytes the undo snapshots take at most"),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}


def _port(value: str) -> str:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise UsageError(f"{MAIL_SMTP_PORT} takes a port number 1–65535, not {value!r}.")
    return str(int(value))


_YES = {"true", "yes", "ja", "1", "on"}
_NO = {"false", "no", "nej", "0", "off"}


def _flag(value: str) -> str:
    word = value.casefold()
    if word in _YES:
        return "true"
    if word in _NO:
        return "false"
    raise UsageError(f"Give true or false, not {value!r}.")


def _address(value: str) -> str:
    from email.utils import parseaddr

    _, address = parseaddr(value)
    problem = rules.email_problem(address)
    if problem is not None:
        raise UsageError(f"{value!r}: {address!r} {problem} (e.g. 'Name <name@agency.se>').")
    return value


def _free(value: str) -> str:
    return value


def _reminder_to(value: str) -> str:
    word = value.strip().casefold()
    if word not in (REMINDER_EACH, REMINDER_BCC):
        raise UsageError(
            f"{MAIL_REMINDER_TO} is '{REMINDER_EACH}' (one message per person) or "
            f"'{REMINDER_BCC}' (to the coordinator, the people in Bcc), not {value!r}."
        )
    return word


def _lang(value: str) -> str:
    from chefintro.texts import parse_lang

    try:
        return parse_lang(value)
    except ValueError as exc:
        raise UsageError(f"{REPORT_LANG}: {exc}") from None


def _percent(value: str) -> str:
    """A share of the score, '1 %', '0,5' or '0.5%': stored with a decimal comma, '0,5 %'."""
    text = value.replace("%", "").replace("\u00a0", "").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not 0 <= number <= 100:
        raise UsageError(
            f"{STABILITY_COST} takes a percentage from 0 to 100, e.g. '1 %' or '0,5', "
            f"not {value!r}."
        )
    return f"{number.normalize():f}".replace(".", ",") + " %"


def stability_cost(*, db: Session) -> Decimal:
    """Return ``matching.stability_cost`` as a fraction of the score (1 % is 0.01)."""
    text = get_setting_text(db=db, key=STABILITY_COST)
    return Decimal(text.removesuffix("%").strip().replace(",", ".")) / 100


@dataclass(frozen=True)
class TextSettingSpec:
    """A free-text setting; ``check`` returns the value to store or raises UsageError.

    An unset text setting reads as its default; ``""`` means "none".
    """

    key: str
    default: str
    help: str
    max_length: int = 200
    check: Callable[[str], str] = _free


TEXT_SPECS: tuple[TextSettingSpec, ...] = (
    TextSettingSpec(
        PROGRAMME_NAME,
        "Chefsintroduktionsprogrammet i Myndighetsnätverket",
        "The programme's name on certificates and summaries",
    ),
    TextSettingSpec(
        PROGRAMME_COORDINATOR, "", "The coordinator who signs certificates and messages"
    ),
    TextSettingSpec(
        MAIL_FROM, "", "Sender of messages, e.g. 'Name <name@agency.se>'", check=_address
    ),
    TextSettingSpec(MAIL_SMTP_HOST, "", "SMTP server that 'message … --send' uses"),
    TextSettingSpec(
        MAIL_SMTP_PORT, "587", "SMTP port (587 with STARTTLS, 465 TLS, 25)", check=_port
    ),
    TextSettingSpec(MAIL_STARTTLS, "true", "Whether to use STARTTLS (true/false)", check=_flag),
    TextSettingSpec(MAIL_USER, "", "SMTP login (password: $CHEFINTRO_SMTP_PASSWORD)"),
    TextSettingSpec(
        MAIL_ALLOW_PLAIN_AUTH,
        "false",
        "Allow the SMTP login without TLS (password in clear; true/false)",
        check=_flag,
    ),
    TextSettingSpec(
        MAIL_REMINDER_TO,
        REMINDER_EACH,
        "Reminders: 'each' (one per person) or 'bcc' (coordinator in To, people in Bcc)",
        check=_reminder_to,
    ),
    TextSettingSpec(
        REPORT_LANG, "sv", "Language of report tables: sv (Swedish) or en", check=_lang
    ),
    TextSettingSpec(
        STABILITY_COST,
        "1 %",
        "How much of the score 'pair suggest --stable' may give up for no blocking pair",
        check=_percent,
    ),
)
TEXT_SPEC_BY_KEY = {spec.key: spec for spec in TEXT_SPECS}


def get_int(*, db: Session, key: str) -> int:
    """Return an integer setting, or its default when unset."""
    row = db.get(Setting, key)
    return _int_or_default(SPEC_BY_KEY[key], row.value if row is not None else None)


def _int_or_default(spec: SettingSpec, value: str | None) -> int:
    if value is None:
        return spec.default
    try:
        return int(value)
    except ValueError:
        return spec.default


def all_values(*, db: Session) -> list[tuple[SettingSpec, int, bool]]:
    """Return every known setting with its value and whether it differs from the default."""
    stored = {row.key: row.value for row in db.exec(select(Setting)).all()}
    result = []
    for spec in SPECS:
        value = int(stored[spec.key]) if spec.key in stored else spec.default
        result.append((spec, value, spec.key in stored and value != spec.default))
    return result


def get_setting_text(*, db: Session, key: str) -> str:
    """Return a text setting (programme name, coordinator, mail …), or its default when unset."""
    spec = TEXT_SPEC_BY_KEY[key]
    value = get_text(db=db, key=key)
    return value if value is not None else spec.default


def all_text_values(*, db: Session) -> list[tuple[TextSettingSpec, str, bool]]:
    """Return every text setting with its value and whether it differs from the default."""
    return [
        (spec, value := get_setting_text(db=db, key=spec.key), value != spec.default)
        for spec in TEXT_SPECS
    ]


def _set_text(*, db: Session, spec: TextSettingSpec, value: str) -> str:
    """Store a text setting; an empty value unsets it, so that it reads as its default."""
    cleaned = clean_field(value, what=spec.key)
    if cleaned is None:
        put_text(db=db, key=spec.key, value=None)
        return spec.default
    if len(cleaned) > spec.max_length:
        raise UsageError(f"{spec.key} takes at most {spec.max_length} characters.")
    stored = spec.check(cleaned)
    _put(db=db, key=spec.key, value=stored)
    return stored


def set_value(*, db: Session, key: str, value: str) -> int | str:
    """Validate and store a setting; return the stored integer (or text)."""
    text_spec = TEXT_SPEC_BY_KEY.get(key.strip().lower())
    if text_spec is not None:
        return _set_text(db=db, spec=text_spec, value=value)
    spec = SPEC_BY_KEY.get(key.strip().lower())
    if spec is None:
        known = ", ".join([s.key for s in SPECS] + [s.key for s in TEXT_SPECS])
        raise NotFoundError(f"Unknown setting {key!r}. Known settings: {known}.")
    text = value.strip().replace("\u2212", "-")  # a typographic minus, as Word writes it
    try:
        number = int(text)
    except ValueError:
        raise UsageError(
            f"{spec.key} takes a whole number from {spec.minimum} to {spec.maximum}, not {value!r}."
        ) from None
    if not spec.minimum <= number <= spec.maximum:
        raise UsageError(
            f"{number} is out of range for {spec.key}: give a whole number from "
            f"{spec.minimum} to {spec.maximum}."
        )
    _put(db=db, key=spec.key, value=str(number))
    return number


def weights(*, db: Session) -> dict[str, int]:
    """Return the matching weights by short name (``same_field`` …), read with one select
    (as :func:`get_int` reads each)."""
    specs = [spec for spec in SPECS if spec.key.startswith(WEIGHTS)]
    rows = db.execute(
        sa_select(col(Setting.key), col(Setting.value)).where(
            col(Setting.key).in_([spec.key for spec in specs])
        )
    )
    stored: dict[str, str] = {key: value for key, value in rows}  # noqa: C416 - a Result is no mapping
    return {
        spec.key.removeprefix(WEIGHTS): _int_or_default(spec, stored.get(spec.key))
        for spec in specs
    }


def get_text(*, db: Session, key: str) -> str | None:
    row = db.get(Setting, key)
    return row.value if row is not None else None


def put_text(*, db: Session, key: str, value: str | None) -> None:
    """Store or (with None) remove a free-text internal setting such as the current cohort."""
    if value is None:
        row = db.get(Setting, key)
        if row is not None:
            db.delete(row)
        return
    _put(db=db, key=key, value=value)


def _put(*, db: Session, key: str, value: str) -> None:
    row = db.get(Setting, key)
    if row is None:
        db.add(Setting(key=key, value=value))
    else:
        row.value = value
        db.add(row)
