"""``chefintro certificate``: an A4 certificate for each adept who completed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import AsOfOption, as_of_moment, state
from chefintro.words import plural


def certificate(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option("--out", help="Folder for the PDF files (default: here).", metavar="DIR"),
    ] = Path("."),
    adept: Annotated[
        str | None,
        typer.Option("--adept", help="Only this adept (e-mail or unique name).", metavar="ADEPT"),
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Write an A4 certificate (PDF) for each adept who completed the programme.

    It names the programme (setting programme.name), the cohort, the adept and their
    agency, the programme days they attended, and has a signature line with the
    coordinator's name (setting programme.coordinator). Logged in 'db log' by count.
    --as-of judges completion as on that day and dates the certificate then (at the
    latest the cohort's last day).
    Example: chefintro certificate --out intyg/
    Example: chefintro certificate --out intyg/ --as-of 2027-12-09
    """
    from chefintro.certificates.issue import (
        log_certificates,
        plan_certificates,
        render_certificates,
    )

    moment = as_of_moment(as_of)
    st = state(ctx)
    with st.transaction() as db:
        cohort = st.current_cohort(db)
        plan = plan_certificates(db=db, cohort=cohort, out_dir=out, adept=adept, now=moment)
    run = render_certificates(plan)  # minutes for a large cohort: no transaction held
    with st.transaction() as db:
        log_certificates(db=db, run=run)
    for path in run.files:
        output.plain(str(path))
    if run.files:
        output.success(
            f"Wrote {plural(len(run.files), 'certificate')} for cohort {run.cohort} in {out}."
        )
    else:
        output.info(f"No adept of cohort {run.cohort} has completed yet; no certificate written.")
    if run.coordinator_missing and run.files:
        output.warning(
            "No coordinator's name under the signature line; set it with "
            "'chefintro settings set programme.coordinator \"Förnamn Efternamn\"'."
        )
