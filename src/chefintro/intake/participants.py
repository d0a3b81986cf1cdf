"""The participant intake: every rule a participant row meets, as one list of checks.

``participant add`` sends one row (a registered person and the options given),
a roster's Deltagare sheet and a yearly plan's rosters send all of theirs; each gets
the findings of :data:`CHECKS` for its rows, word for word the same. What a row asks of
the matching (its wished mentors) is resolved here too, once, for every door:
:meth:`ParticipantContext.wished_keys`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chefintro import clock, rules, settings
from chefintro.enums import ParticipantStatus, Role
from chefintro.errors import ChefintroError, UsageError
from chefintro.intake.findings import Finding, problem, warning
from chefintro.models import Agency, Cohort, Participant, Person
from chefintro.text import email_key, person_name_key


class ParticipantFacts(NamedTuple):
    """One row as the store will hold it once taken: the person's values (a blank roster
    cell keeps the stored one) and what the row asks of the cohort."""

    name: str
    email: str
    agency: str  # the agency's code
    role: Role
    manager_since: date | None = None
    capacity: int | None = None
    wished_field: str | None = None
    #: Wished mentors as given: e-mail addresses or names, best first.
    wishes: tuple[str, ...] = ()
    #: The stored person's id; None for someone the row adds.
    person_id: int | None = None
    #: A mentor's wishes (issue 34): towns, adepts (e-mail or name) best first, and the
    #: adepts they should not mentor (e-mail or name, a reason in brackets after it).
    wished_locations: tuple[str, ...] = ()
    wished_adepts: tuple[str, ...] = ()
    not_adepts: tuple[str, ...] = ()


class MentorRef(NamedTuple):
    """A mentor (or, for a mentor's wishes, an adept) a wish may name: of the cohort, or on
    the same roster."""

    name: str
    email: str
    agency: str
    withdrawn: bool = False


class Limits(NamedTuple):
    adept_months: int
    mentor_months: int
    adept_max_months: int


def eligibility_limits(db: Session) -> Limits:
    """The eligibility settings: months an adept and a mentor need, an adept's most."""
    return Limits(
        settings.get_int(db=db, key=settings.ADEPT_MONTHS),
        settings.get_int(db=db, key=settings.MENTOR_MONTHS),
        settings.get_int(db=db, key=settings.ADEPT_MAX_MONTHS),
    )


@dataclass
class ParticipantContext:
    """What the checks know of the cohort a row joins."""

    cohort: str
    starts_on: date
    limits: Limits
    today: date
    #: E-mail key → the mentor a wish by address finds.
    mentors: dict[str, MentorRef] = field(default_factory=dict)
    #: E-mail key → the adept a mentor's wish by address finds.
    adepts: dict[str, MentorRef] = field(default_factory=dict)
    #: Person id → an earlier cohort in which that person was an adept.
    earlier_adept: dict[int, str] = field(default_factory=dict)
    #: Name key → (person id, e-mail, cohort) of those who took part in an earlier cohort.
    earlier_by_name: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    earlier_ids: set[int] = field(default_factory=set)
    _by_name: dict[Role, dict[str, list[str]]] = field(default_factory=dict, repr=False)
    _judged: dict[tuple[date | None, Role], tuple[str, int | None, int]] = field(
        default_factory=dict, repr=False
    )
    _resolved: dict[tuple[Role, str], tuple[str | None, list[str]]] = field(
        default_factory=dict, repr=False
    )
    _said: dict[tuple[date | None, Role], str | None] = field(default_factory=dict, repr=False)

    @classmethod
    def for_cohort(
        cls,
        *,
        db: Session,
        cohort: Cohort,
        person_ids: Iterable[int] = (),
        today: date | None = None,
    ) -> ParticipantContext:
        """The context of ``cohort``: its settings, its mentors, and which of ``person_ids``
        were adepts in an earlier cohort."""
        context = cls(
            cohort=cohort.name,
            starts_on=cohort.starts_on,
            limits=eligibility_limits(db),
            today=today or clock.today(),
            mentors=cohort_mentors(db=db, cohort=cohort),
            adepts=cohort_mentors(db=db, cohort=cohort, role=Role.ADEPT),
        )
        context.earlier_adept = earlier_adept_cohorts(
            db=db, cohort=cohort, person_ids=list(person_ids)
        )
        context.earlier_by_name = earlier_participants_by_name(db=db, cohort=cohort)
        context.earlier_ids = {
            entry[0] for entries in context.earlier_by_name.values() for entry in entries
        }
        return context

    def add_mentors(self, mentors: Mapping[str, MentorRef], role: Role = Role.MENTOR) -> None:
        """Let wishes find these mentors (or adepts) too (a roster's own rows win)."""
        self.side(role).update(mentors)
        self._by_name.pop(role, None)
        self._resolved.clear()

    def side(self, role: Role) -> dict[str, MentorRef]:
        """The people of one role a wish may name, by e-mail key."""
        return self.mentors if role == Role.MENTOR else self.adepts

    def _named(self, wish: str, role: Role) -> list[str]:
        index = self._by_name.get(role)
        if index is None:
            index = self._by_name[role] = {}
            for key, person in self.side(role).items():
                index.setdefault(person_name_key(person.name), []).append(key)
        return index.get(person_name_key(wish), [])

    def resolve(self, wish: str, role: Role = Role.MENTOR) -> tuple[str | None, list[str]]:
        """A wish's e-mail key and the keys a name matched among the people of ``role``
        (an adept's wished mentors, a mentor's wished adepts), found once per spelling."""
        found = self._resolved.get((role, wish))
        if found is None:
            found = self._resolved[role, wish] = self._find(wish, role)
        return found

    def _find(self, wish: str, role: Role) -> tuple[str | None, list[str]]:
        """A wish's e-mail key (None when a name finds no one person of ``role``) and the
        keys a name matched."""
        if "@" in wish:
            return email_key(wish), []
        found = self._named(wish, role)
        return (found[0] if len(found) == 1 else None), found

    def wished_keys(self, row: ParticipantFacts) -> list[str]:
        """The row's wished mentors as stored: addresses kept, names found among the mentors
        (a name that finds no one mentor is left out, and warned of by :data:`CHECKS`)."""
        keys: list[str] = []
        for wish in row.wishes:
            key, _ = self.resolve(wish)
            if key is not None and key not in keys:
                keys.append(key)
        return keys

    def judge(self, manager_since: date | None, role: Role) -> tuple[str, int | None, int]:
        """:func:`rules.eligibility` at the cohort's start, once per (date, role)."""
        verdict = self._judged.get((manager_since, role))
        if verdict is None:
            verdict = self._judged[manager_since, role] = rules.eligibility(
                manager_since=manager_since,
                role=role,
                starts_on=self.starts_on,
                adept_months=self.limits.adept_months,
                mentor_months=self.limits.mentor_months,
                adept_max_months=self.limits.adept_max_months,
            )
        return verdict

    def eligibility_words(self, manager_since: date | None, role: Role) -> str | None:
        """What the eligibility warning says after the person's name, or None; worked out
        once per (date, role), as a large roster repeats them."""
        key = (manager_since, role)
        if key in self._said:
            return self._said[key]
        status, months, needed = self.judge(manager_since, role)
        said: str | None = None
        if status == rules.UNKNOWN:
            said = ": the manager-since date (Chef sedan) is unknown; check eligibility."
        elif status == rules.SHORT:
            said = (
                f" ({role}) has managed staff for {_months(max(months or 0, 0))} at the "
                f"cohort's start; the programme asks for {_months(needed)}."
            )
        elif status == rules.LONG:
            said = (
                f" (adept) has managed staff for {_months(months or 0)} at the cohort's "
                f"start; the programme is for managers of at most "
                f"{_months(self.limits.adept_max_months)}."
            )
        self._said[key] = said
        return said


def cohort_mentors(
    *, db: Session, cohort: Cohort, role: Role = Role.MENTOR
) -> dict[str, MentorRef]:
    """The cohort's mentors (or adepts) by e-mail key, for wishes."""
    rows = db.execute(
        sa_select(
            col(Person.email_key),
            col(Person.name),
            col(Person.email),
            col(Agency.code),
            col(Participant.status),
        )
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(col(Participant.cohort_id) == cohort.id)
        .where(col(Participant.role) == role)
    ).all()
    return {
        key: MentorRef(name, email, code, status == ParticipantStatus.WITHDRAWN)
        for key, name, email, code, status in rows
    }


def earlier_adept_cohorts(*, db: Session, cohort: Cohort, person_ids: list[int]) -> dict[int, str]:
    """Return, per person, an earlier cohort in which they were an adept (by start date)."""
    if not person_ids:
        return {}
    found: dict[int, str] = {}
    for start in range(0, len(person_ids), 500):
        rows = db.exec(
            select(Participant.person_id, Cohort.name)
            .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
            .where(col(Participant.person_id).in_(person_ids[start : start + 500]))
            .where(Participant.role == Role.ADEPT)
            .where(Participant.cohort_id != cohort.id)
            .where(Cohort.starts_on < cohort.starts_on)
            .order_by(col(Cohort.starts_on))
        ).all()
        found.update({int(pid): str(name) for pid, name in rows})
    return found


def earlier_participants_by_name(
    *, db: Session, cohort: Cohort
) -> dict[str, list[tuple[int, str, str]]]:
    """Everyone who took part in a cohort before ``cohort``, by name key (for returners)."""
    rows = db.execute(
        sa_select(col(Person.id), col(Person.name), col(Person.email), col(Cohort.name))
        .join(Participant, col(Participant.person_id) == col(Person.id))
        .join(Cohort, col(Cohort.id) == col(Participant.cohort_id))
        .where(col(Cohort.starts_on) < cohort.starts_on)
        .order_by(col(Cohort.starts_on))
    ).all()
    found: dict[str, list[tuple[int, str, str]]] = {}
    for person_id, name, email, cohort_name in rows:
        entries = found.setdefault(person_name_key(name), [])
        if all(entry[0] != person_id for entry in entries):
            entries.append((person_id, email, cohort_name))
    return found


def _months(count: int) -> str:
    # Said for most rows of a large roster: plain words here, not words.plural (issue 16).
    return f"{count} month" if count == 1 else f"{count} months"


# --- the checks: (context, row) -> findings ---------------------------------------------


def capacity(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """A mentor takes 1 to :data:`rules.MAX_CAPACITY` adepts; an adept has no capacity."""
    try:
        rules.participant_capacity(row.role, row.capacity)
    except ChefintroError as exc:
        return [problem(exc.message, "capacity", UsageError)]
    return []


def wishes_fit_the_role(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """Wished mentors are an adept's; a wished field is either side's."""
    if not row.wishes:
        return []
    try:
        rules.check_wishes(row.role, wished_field=row.wished_field, preferred_mentors=row.wishes)
    except ChefintroError as exc:
        return [problem(exc.message, "preferred_mentors", UsageError)]
    return []


def no_wish_for_oneself(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """Nobody wishes for themselves as a mentor."""
    if not row.wishes:
        return []
    own = email_key(row.email)
    if any(
        context.resolve(wish)[0] == own
        if "@" in wish
        else person_name_key(wish) == person_name_key(row.name)
        for wish in row.wishes
    ):
        return [
            problem(
                f"{row.name} lists themselves as a preferred mentor; remove that wish.",
                "preferred_mentors",
                UsageError,
            )
        ]
    return []


def wished_mentors(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """Each wish names one mentor of the cohort, of another agency, still taking part."""
    if row.role != Role.ADEPT or not row.wishes:
        return []
    return list(_wish_findings(context, row))


def _wish_findings(context: ParticipantContext, row: ParticipantFacts) -> Iterator[Finding]:
    for wish in row.wishes:
        key, named = context.resolve(wish)
        if key is None:
            what = "no mentor" if not named else f"{len(named)} mentors"
            yield warning(
                f"{row.name} wishes for {wish!r}, but {what} of cohort {context.cohort} "
                f"{'has' if len(named) < 2 else 'have'} that name; write the mentor's e-mail "
                "address instead. The wish was left out.",
                "preferred_mentors",
            )
            continue
        mentor = context.mentors.get(key)
        if mentor is None:
            yield warning(
                f"{row.name} wishes for {wish}, who is not a mentor of cohort "
                f"{context.cohort}; the wish is kept but plays no part in matching until "
                "they are.",
                "preferred_mentors",
            )
        elif mentor.agency == row.agency:
            yield warning(
                f"{row.name} wishes for {mentor.name}, who is from the same agency "
                f"({row.agency}); a mentor is always from another agency, so the wish plays "
                "no part in matching.",
                "preferred_mentors",
            )
        elif mentor.withdrawn:
            yield warning(
                f"{row.name} wishes for {mentor.name}, who has withdrawn from cohort "
                f"{context.cohort}; the wish plays no part in matching.",
                "preferred_mentors",
            )


def mentor_wishes(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """A mentor's wished towns and adepts, and the adepts they should not mentor, are a
    mentor's; each adept named is one adept of the cohort (found as wished mentors are)."""
    if not (row.wished_locations or row.wished_adepts or row.not_adepts):
        return []  # nearly every row of a roster
    return list(_mentor_wish_findings(context, row))


def _mentor_wish_findings(context: ParticipantContext, row: ParticipantFacts) -> Iterator[Finding]:
    given = (
        ("wished_locations", row.wished_locations),
        ("wished_adepts", row.wished_adepts),
        ("not_adepts", row.not_adepts),
    )
    if row.role != Role.MENTOR:
        for column, values in given:
            if values:
                yield problem(
                    "Wished towns, wished adepts and adepts not to mentor are a mentor's; an "
                    "adept wishes for mentors.",
                    column,
                    UsageError,
                )
                return
        return
    for column, values in given[1:]:
        for value in values:
            wish = not_adept(value)[0] if column == "not_adepts" else value
            key, named = context.resolve(wish, Role.ADEPT)
            if key is None:
                what = "no adept" if not named else f"{len(named)} adepts"
                yield warning(
                    f"{row.name} names {wish!r}, but {what} of cohort {context.cohort} "
                    f"{'has' if len(named) < 2 else 'have'} that name; write the adept's e-mail "
                    "address instead. It was left out.",
                    column,
                )
            elif key not in context.adepts:
                yield warning(
                    f"{row.name} names {wish}, who is not an adept of cohort {context.cohort}; "
                    "it was left out.",
                    column,
                )


def not_adept(value: str) -> tuple[str, str | None]:
    """Split 'Åsa Öberg (tidigare chef)' into the adept and the reason in brackets."""
    text = value.strip()
    if text.endswith(")") and "(" in text:
        who, _, why = text[:-1].rpartition("(")
        if who.strip() and why.strip():
            return who.strip(), why.strip()
    return text, None


def manager_since_ahead(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """A manager-since date lies in the past."""
    if row.manager_since is not None and row.manager_since > context.today:
        return [
            warning(
                f"{row.name} becomes a manager on {row.manager_since.isoformat()}, after today; "
                "check the manager-since date (Chef sedan).",
                "manager_since",
            )
        ]
    return []


def eligible(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """The role's months as a manager at the cohort's start (warned, never refused)."""
    text = eligibility_warning(context, row)
    if text is not None:
        return [warning(text, "manager_since")]
    return []


def eligibility_warning(context: ParticipantContext, row: ParticipantFacts) -> str | None:
    """The eligibility warning of a row, or None (``participant list`` shows it too)."""
    said = context.eligibility_words(row.manager_since, row.role)
    return None if said is None else row.name + said


def first_time_adept(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """The programme is taken once as an adept."""
    text = earlier_adept_warning(context, row)
    if text is not None:
        return [warning(text, "role")]
    return []


def earlier_adept_warning(context: ParticipantContext, row: ParticipantFacts) -> str | None:
    if row.role != Role.ADEPT or row.person_id is None:
        return None
    earlier = context.earlier_adept.get(row.person_id)
    if earlier is None:
        return None
    return (
        f"{row.name} was an adept in cohort {earlier} already; the programme is taken once "
        "as an adept."
    )


def returning_under_another_address(
    context: ParticipantContext, row: ParticipantFacts
) -> list[Finding]:
    """Someone new by address who has the name of an earlier participant may be that person
    come back (another agency, a new e-mail): say so, with the command that joins the two;
    never join them silently."""
    if not context.earlier_by_name:
        return []
    if row.person_id is not None and row.person_id in context.earlier_ids:
        return []  # took part before under this very record
    return [
        warning(
            f"{row.name} <{row.email}> has the name of {email}, who took part in cohort "
            f"{cohort}; if they are one person, join the records with 'chefintro person link "
            f"{email} {row.email}' (nothing was joined).",
            "email",
        )
        for person_id, email, cohort in context.earlier_by_name.get(person_name_key(row.name), [])
        if person_id != row.person_id and email_key(email) != email_key(row.email)
    ]


#: Every rule a participant row meets, in the order its findings are shown.
CHECKS = (
    capacity,
    wishes_fit_the_role,
    no_wish_for_oneself,
    wished_mentors,
    mentor_wishes,
    manager_since_ahead,
    eligible,
    first_time_adept,
    returning_under_another_address,
)


def consent_change(stored: bool | None, given: bool | None) -> bool | None:
    """The consent to be listed a door records, or None when nothing changes.

    Every door (``participant consent``, a roster's Samtycke column) asks this one rule: a
    blank answer keeps what is stored (an old workbook without the column never withdraws
    a consent), and an answer equal to the stored one changes nothing.
    """
    if given is None or given == stored:
        return None
    return given


def check_participant(context: ParticipantContext, row: ParticipantFacts) -> list[Finding]:
    """Run every check on one row; problems first, then warnings, each in check order."""
    findings: list[Finding] = []
    for check in CHECKS:
        found = check(context, row)
        if found:
            findings += found
    if len(findings) > 1:
        findings.sort(key=lambda finding: not finding.is_problem)
    return findings
