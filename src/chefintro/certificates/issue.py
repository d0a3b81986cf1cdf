"""Who gets a certificate and what it says: every adept of the cohort who completed the
programme (:func:`chefintro.yearend.completion_report`), one A4 PDF each."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from chefintro import audit, settings
from chefintro.errors import NotFoundError, OutputError, RuleError
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Participant, Person
from chefintro.text import email_key
from chefintro.yearend import (
    COMPLETED,
    CompletionRow,
    completion_report,
    days_present,
)

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CertificateRun:
    cohort: str
    files: list[Path]
    not_completed: int
    coordinator_missing: bool


#: The longest name part of a certificate's file name: short enough for Windows paths
#: (260 characters with the folder) whatever a name holds.
NAME_SLUG_LIMIT = 60
COHORT_SLUG_LIMIT = 30


def _slug(text: str, limit: int) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_text.casefold()).strip("-")[:limit].rstrip("-")


def file_name(cohort: str, name: str) -> str:
    """Return a plain, short file name for a certificate: intyg-2027-asa-oberg.pdf."""
    slug = _slug(name, NAME_SLUG_LIMIT) or "deltagare"
    cohort_slug = _slug(cohort, COHORT_SLUG_LIMIT) or "omgang"
    return f"intyg-{cohort_slug}-{slug}.pdf"


def write_certificates(
    *,
    db: Session,
    cohort: Cohort,
    out_dir: Path,
    adept: str | None = None,
    now: datetime | None = None,
) -> CertificateRun:
    """Write one certificate per adept who completed (or only for ``adept``: an e-mail or
    the unique name of one of the cohort's adepts); log how many were written."""
    from chefintro.certificates.pdf import CertificateData, render

    folder = out_dir.expanduser()
    if not folder.is_dir():
        raise OutputError(f"Cannot write certificates to {folder}: it is not a folder.")
    report = completion_report(db=db, cohort=cohort, now=now)
    rows = report.adepts
    if adept is not None:
        wanted = _find(rows, adept)
        if wanted.status != COMPLETED:
            detail = (
                f"attended {wanted.attended} of {report.sessions_total} programme days; "
                f"completing needs {report.required}"
                if wanted.attended is not None
                else "withdrew from the programme"
            )
            raise RuleError(
                f"{wanted.name} has not completed the programme "
                f"({wanted.status.replace('_', ' ')}: {detail}), so gets no certificate."
            )
        rows = [wanted]
    completed = [r for r in rows if r.status == COMPLETED]
    people = db.exec(
        select(Participant, Person, Agency)
        .join(Person, col(Person.id) == col(Participant.person_id))
        .join(Agency, col(Agency.id) == col(Participant.agency_id))
        .where(Participant.cohort_id == cohort.id)
        .where(col(Person.email_key).in_([email_key(r.email) for r in completed]))
    ).all()
    by_email = {person.email_key: (part, person, agency) for part, person, agency in people}
    days = days_present(db=db, cohort=cohort, participant_ids=[id_of(p) for p, _, _ in people])
    programme = settings.get_setting_text(db=db, key=settings.PROGRAMME_NAME)
    coordinator = settings.get_setting_text(db=db, key=settings.PROGRAMME_COORDINATOR)
    issued_on = min(cohort.ends_on, (now or datetime.now()).date())
    issued_on = max(issued_on, cohort.starts_on)
    files: list[Path] = []
    used: set[str] = set()
    for row in completed:
        part, person, agency = by_email[email_key(row.email)]
        name = file_name(cohort.name, person.name)
        stem, number = name.removesuffix(".pdf"), 2
        while name in used:
            name, number = f"{stem}-{number}.pdf", number + 1
        used.add(name)
        target = folder / name
        render(
            CertificateData(
                programme=programme,
                cohort=cohort.name,
                name=person.name,
                agency=agency.name,
                starts_on=cohort.starts_on,
                ends_on=cohort.ends_on,
                days=days.get(id_of(part), []),
                coordinator=coordinator,
                issued_on=issued_on,
            ),
            target,
        )
        files.append(target)
    audit.log(
        db=db,
        action="certificates",
        detail=f"cohort {cohort.name}: {len(files)} certificate(s) written",
    )
    return CertificateRun(
        cohort=cohort.name,
        files=files,
        not_completed=report.judged - len([r for r in report.adepts if r.status == COMPLETED]),
        coordinator_missing=not coordinator,
    )


def _find(rows: list[CompletionRow], ref: str) -> CompletionRow:
    wanted = ref.strip()
    by_email = [r for r in rows if email_key(r.email) == email_key(wanted)]
    if by_email:
        return by_email[0]
    folded = unicodedata.normalize("NFC", " ".join(wanted.split())).casefold()
    by_name = [r for r in rows if unicodedata.normalize("NFC", r.name).casefold() == folded]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise RuleError(
            f"{len(by_name)} adepts are named {wanted!r}; give the e-mail address instead."
        )
    raise NotFoundError(f"No adept {wanted!r} in this cohort (give an e-mail or a name).")
