"""Who gets a certificate and what it says: every adept of the cohort who completed the
programme (:func:`chefintro.yearend.completion_report`), one A4 PDF each.

Rendering takes minutes for a large cohort, so it runs outside any transaction: the
command reads what the certificates say (:func:`plan_certificates`) in a transaction,
ends it, renders (:func:`render_certificates`), and logs the count in a short one
(:func:`log_certificates`). Other commands read and write the store meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from chefintro import audit, clock, settings
from chefintro.certificates.pdf import CertificateData
from chefintro.errors import NotFoundError, OutputError, RuleError
from chefintro.files import file_slug, output_folder, unique_name
from chefintro.ids import id_of
from chefintro.models import Agency, Cohort, Participant, Person
from chefintro.text import email_key, person_name_key
from chefintro.words import plural
from chefintro.yearend import (
    COMPLETED,
    CompletionRow,
    completion_report,
    days_present,
)


@dataclass(frozen=True)
class CertificateRun:
    cohort: str
    files: list[Path]
    not_completed: int
    coordinator_missing: bool


@dataclass(frozen=True)
class CertificatePlan:
    """What the certificates say and where they go, read from the store."""

    cohort: str
    certificates: list[tuple[CertificateData, Path]]
    not_completed: int
    coordinator_missing: bool
    #: The --out folder, made when rendering if missing (files.output_folder).
    folder: Path = Path(".")


#: The longest name part of a certificate's file name: short enough for Windows paths
#: (260 characters with the folder) whatever a name holds.
NAME_SLUG_LIMIT = 60
COHORT_SLUG_LIMIT = 30


def file_name(cohort: str, name: str) -> str:
    """Return a plain, short file name for a certificate: intyg-2027-asa-oberg.pdf."""
    slug = file_slug(name, NAME_SLUG_LIMIT) or "deltagare"
    cohort_slug = file_slug(cohort, COHORT_SLUG_LIMIT) or "omgang"
    return f"intyg-{cohort_slug}-{slug}.pdf"


def plan_certificates(
    *,
    db: Session,
    cohort: Cohort,
    out_dir: Path,
    adept: str | None = None,
    now: datetime | None = None,
) -> CertificatePlan:
    """Read one certificate per adept who completed (or only for ``adept``: an e-mail or
    the unique name of one of the cohort's adepts), and the file each goes to."""
    folder = out_dir.expanduser()
    if folder.exists() and not folder.is_dir():  # made when rendering (files.output_folder)
        raise OutputError(f"Cannot write to {folder}: it is a file, not a folder.")
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
    issued_on = min(cohort.ends_on, (now or clock.now_local()).date())
    issued_on = max(issued_on, cohort.starts_on)
    planned: list[tuple[CertificateData, Path]] = []
    used: set[str] = set()
    for row in completed:
        part, person, agency = by_email[email_key(row.email)]
        name = unique_name(file_name(cohort.name, person.name), used)
        planned.append(
            (
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
                folder / name,
            )
        )
    return CertificatePlan(
        cohort=cohort.name,
        certificates=planned,
        not_completed=report.judged - len([r for r in report.adepts if r.status == COMPLETED]),
        coordinator_missing=not coordinator,
        folder=folder,
    )


def render_certificates(plan: CertificatePlan) -> CertificateRun:
    """Render the planned certificates (no store is needed: run it outside a transaction)."""
    from chefintro.certificates.pdf import render

    output_folder(plan.folder)  # the one rule for --out: made when missing
    files: list[Path] = []
    for data, target in plan.certificates:
        render(data, target)
        files.append(target)
    return CertificateRun(
        cohort=plan.cohort,
        files=files,
        not_completed=plan.not_completed,
        coordinator_missing=plan.coordinator_missing,
    )


def log_certificates(*, db: Session, run: CertificateRun) -> None:
    """Record in the audit log how many certificates were written."""
    audit.log(
        db=db,
        action="certificates",
        detail=f"cohort {run.cohort}: {plural(len(run.files), 'certificate')} written",
    )


def _find(rows: list[CompletionRow], ref: str) -> CompletionRow:
    wanted = ref.strip()
    by_email = [r for r in rows if email_key(r.email) == email_key(wanted)]
    if by_email:
        return by_email[0]
    folded = person_name_key(wanted)
    by_name = [r for r in rows if person_name_key(r.name) == folded]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise RuleError(
            f"{len(by_name)} adepts are named {wanted!r}; give the e-mail address instead."
        )
    raise NotFoundError(f"No adept {wanted!r} in this cohort (give an e-mail or a name).")
