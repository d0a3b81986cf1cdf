"""``chefintro db``: where the store is, its health, backups, audit log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chefintro.cli import output
from chefintro.cli.common import JsonOption, YesOption, confirm, state
from chefintro.errors import EXIT_RULE, ChefintroError
from chefintro.words import noun, plural

if TYPE_CHECKING:
    from chefintro.store.journal import UndoPlan

app = typer.Typer(help="Inspect and look after the store.", no_args_is_help=True)


@app.command("path")
def path(ctx: typer.Context) -> None:
    """Print where the store is (a file path, or the URL without its password)."""
    from chefintro.store import describe
    from chefintro.store.opened import store_exists

    location = state(ctx).location
    output.plain(describe(location))
    if not store_exists(location):
        output.info("The store does not exist yet; 'chefintro init' creates it there.")


@app.command("check")
def check(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the store's integrity, references, schema version and journal mode.

    Exits 1 when something is wrong, so that scripts can act on it.

    Example: chefintro db check || echo "Look at the store"
    """
    from chefintro.pairing import live_pair_problems
    from chefintro.store import check_store

    report = check_store(state(ctx).location, rules=[live_pair_problems])
    if as_json:
        output.emit_json(report.to_json())
    else:
        if report.backend != "sqlite":
            integrity = "not applicable"
        elif report.integrity == ["ok"]:
            integrity = "ok"
        else:
            integrity = (
                plural(len(report.integrity), "problem") if report.integrity else "not checked"
            )
        output.record(
            [
                ("Store", report.location),
                ("Backend", report.backend),
                (
                    "Schema",
                    f"{report.schema_version} (this chefintro: {report.tool_schema_version})",
                ),
                ("Integrity", integrity),
                ("References", f"{len(report.foreign_key_problems)} broken"),
                ("Journal mode", report.journal_mode or "not applicable"),
                ("File mode", report.file_mode or "not applicable"),
            ]
        )
        for note in report.notes:
            output.info(note)
        for line in report.integrity[:20] if report.integrity != ["ok"] else []:
            output.warning(line)
        for line in report.foreign_key_problems[:20]:
            output.warning(line)
        for line in report.schema_differences[:20]:
            output.warning(f"Schema: {line}")
    if not report.ok:
        for problem in report.problems:
            output.error(problem)
        raise typer.Exit(EXIT_RULE)
    if not as_json:
        output.success("The store is in good order.")


@app.command("backup")
def backup(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Backup file to write (replaced if it exists); readable only by you.",
            metavar="FILE",
            dir_okay=False,
        ),
    ],
) -> None:
    """Write a consistent copy of the store to FILE, even while it is in use.

    Example: chefintro db backup ~/säkerhetskopior/chefintro-2026-05-12.db
    """
    from chefintro import audit

    st = state(ctx)
    done = audit.backup(location=st.location, target=file, store=st.store)
    output.success(f"Backed up the store to {done.path}.")
    if not done.logged:
        output.warning(
            "The backup is complete, but the audit log could not record it: the store is busy."
        )


@app.command("restore")
def restore(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="Backup file made by 'chefintro db backup'.", dir_okay=False, metavar="FILE"
        ),
    ],
    yes: YesOption = False,
) -> None:
    """Replace the store with a backup; the current store is kept beside it.

    The backup must be an intact SQLite file with a schema this chefintro knows.
    When it is not, the store stays as it is. Asks first unless --yes.

    Example: chefintro db restore ~/säkerhetskopior/chefintro-2026-05-12.db
    """
    from chefintro import audit
    from chefintro.changes import Kind
    from chefintro.store.journal import max_snapshot_bytes, record
    from chefintro.store.opened import store_exists
    from chefintro.store.snapshots import discard, take_snapshot

    st = state(ctx)
    exists = store_exists(st.location)
    max_bytes: int | None = None
    if exists:
        confirm(
            yes=yes,
            what="Replacing the store with a backup",
            question=f"Replace the whole store with {file}?",
        )
        try:
            with st.transaction() as db:  # finishes an interrupted erasure first
                max_bytes = max_snapshot_bytes(db)
        except ChefintroError:
            pass  # a damaged store, or one of another schema, may still be replaced
        st.close()  # the restore needs the store to itself
    taken = take_snapshot(st.location, "db restore", max_bytes=max_bytes) if exists else None
    try:
        done = audit.restore(location=st.location, source=file, store=st.store)
    except BaseException:
        if taken is not None:
            discard(taken_path=taken.path)  # the store was not changed: nothing to undo
        raise
    with st.transaction() as db:  # the restored store's journal: 'db undo' goes back over it
        record(
            db=db,
            command="db restore",
            kind=Kind.REPLACING,
            summary="the whole store replaced by a backup",
            snapshot=taken.path.name if taken is not None else None,
        )
    output.success(f"Restored the store from {file}.")
    if done.previous is not None:
        output.info(f"The store as it was before is kept in {done.previous}")
    if done.undone:
        output.warning(
            f"{plural(len(done.undone), 'erasure or anonymisation', 'erasures or anonymisations')} "
            f"{noun(len(done.undone), 'was', 'were')} made after this backup, so "
            "the personal data they removed is back in the store. Do them again; 'chefintro db "
            "log' lists them."
        )


@app.command("log")
def log(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the audit log: backups, restores, exports, erasures and anonymisations."""
    from chefintro import audit

    with state(ctx).transaction() as db:
        entries = audit.audit_entries(db=db)
    if as_json:
        output.emit_json([e.to_json() for e in entries])
        return
    output.table(
        ["When (UTC)", "Action", "Detail"],
        [(e.at.replace(microsecond=0), e.action, e.detail) for e in entries],
    )


@app.command("undo")
def undo(ctx: typer.Context, yes: YesOption = False) -> None:
    """Put the store back as it was before the last command that removed, replaced or
    imported data, undoing every command since; each is named first.

    A snapshot is taken before every command that removes, replaces or imports data, and
    every command that changes data is journalled; 'chefintro db snapshots' lists them.
    Asks first unless --yes. Erasures and anonymisations are not undone.

    Example: chefintro db undo
    """
    from chefintro import audit
    from chefintro.store.journal import plan_undo
    from chefintro.store.snapshots import require_sqlite

    st = state(ctx)
    require_sqlite(st.location)
    with st.transaction() as db:  # opening the store finishes an interrupted erasure first
        plan = plan_undo(db=db, location=st.location)
    _show_undo(plan)
    n = len(plan.undone) + (1 if plan.unjournalled else 0)
    confirm(
        yes=yes,
        what="Undoing",
        question=f"Undo {'this command' if n == 1 else f'these {n} commands'}?",
    )
    st.close()  # the undo needs the store to itself
    result = audit.undo(location=st.location, plan=plan, store=st.store)
    first = plan.undone[-1] if plan.undone else None
    before = (
        f"'{first.command}' of {first.finished_local:%Y-%m-%d %H:%M}"
        if first is not None and not plan.unjournalled
        else f"'{plan.unjournalled}'"
    )
    output.success(
        f"Undid {n} command{'s' if n != 1 else ''}: the store is as it was before {before}."
    )
    if plan.erasures:
        output.info(
            "Erased and anonymised people stay so: every snapshot was scrubbed when they were."
        )
    if result.kept is not None:
        output.info(f"The store as it was before the undo is kept in {result.kept}")


def _show_undo(plan: UndoPlan) -> None:
    """Name every command the undo goes back over, newest first (on stderr)."""
    lines = [
        f"{e.finished_local:%Y-%m-%d %H:%M}  {e.command}: {e.summary}"
        + ("  (not undone: erasures stay)" if e.erasure else "")
        for e in plan.undone
    ]
    if plan.unjournalled:
        lines.append(
            f"'{plan.unjournalled}', and any command before it since chefintro began its "
            "journal (made before this version kept one)"
        )
    output.info("This undoes, newest first:\n  " + "\n  ".join(lines))


@app.command("snapshots")
def snapshots(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the command journal, newest first: what each command changed, which left an
    undo snapshot, and what 'chefintro db undo' would undo now."""
    from chefintro.errors import NotFoundError
    from chefintro.store.journal import plan_undo, read_journal
    from chefintro.store.snapshots import require_sqlite

    st = state(ctx)
    require_sqlite(st.location)
    with st.transaction() as db:
        journal = read_journal(db=db, location=st.location, limit=50)
        try:
            plan: UndoPlan | None = plan_undo(db=db, location=st.location)
        except NotFoundError:
            plan = None
    next_undo = {e.id for e in plan.undone} if plan is not None else set()
    if as_json:
        output.emit_json([{**e.to_json(), "next_undo": e.id in next_undo} for e in journal])
        return
    if not journal:
        output.info("No command has changed the store since chefintro began its journal.")
        return
    output.table(
        ["When", "Command", "What changed", "Snapshot", "Next undo"],
        [
            (
                f"{e.finished_local:%Y-%m-%d %H:%M:%S}",
                e.command,
                e.summary,
                "yes" if e.snapshot_kept else ("dropped" if e.snapshot else "—"),
                "undone" if e.id in next_undo else "",
            )
            for e in journal
        ],
        caption="'chefintro db undo' undoes the commands marked 'undone'.",
    )
