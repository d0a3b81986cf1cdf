"""Writing files safely: a private temporary file beside the target, moved into place.

Every file chefintro writes (workbooks, calendars, exports, backups) goes through
:func:`private_output`, so a crash never leaves half a file behind and files that may hold
personal data are readable by their owner only (mode 0600).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from chefintro.errors import OutputError

# The store this process works on: no output may replace it or the files SQLite keeps
# beside it. Set when the command line knows its --db and whenever a store is opened.
_store_files: tuple[Path, ...] = ()

_STORE_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def protect_store(path: Path | None) -> None:
    """Make every writer refuse ``path`` (the store's file) and its -wal, -shm, -journal."""
    global _store_files
    if path is None:
        _store_files = ()
        return
    store = Path(path).expanduser().absolute()
    with suppress(OSError, RuntimeError):
        store = store.resolve()
    _store_files = (store, *(store.with_name(store.name + s) for s in _STORE_SIDE_SUFFIXES))


def _is_store_file(target: Path) -> bool:
    if not _store_files:
        return False
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError):
        resolved = target
    if resolved in _store_files:
        return True
    for protected in _store_files:  # another name for the same file (a hard link)
        with suppress(OSError):
            if protected.exists() and target.exists() and os.path.samefile(protected, target):
                return True
    return False


def _refuse_special(target: Path) -> None:
    """Refuse an existing target that is not a regular file (directory, device, FIFO …)."""
    try:
        info = os.stat(target)  # follows links: a link to a device is a device
    except FileNotFoundError:
        return  # nothing there, or a dangling link that the new file will replace
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"Cannot write {target}: it is a directory, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"Cannot write {target}: it is not a regular file (a device, pipe or socket); "
            "give a file name."
        )


def check_destination(path: Path) -> Path:
    """Return ``path`` made absolute, or raise OutputError (73) if it cannot be a new file.

    Refused: the store itself and its side files, a folder, anything that exists and is
    not a regular file (a device such as /dev/null, a FIFO, a socket, a link to one), and a
    path whose folder does not exist. Callers that build something expensive check first,
    before doing the work; :func:`private_output` checks again.
    """
    target = path.expanduser().absolute()
    if _is_store_file(target):
        raise OutputError(
            f"Cannot write {target}: it is the store (or one of its files); give another file name."
        )
    _refuse_special(target)
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: its folder does not exist.")
    return target


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def file_slug(text: str, limit: int) -> str:
    """Return ``text`` as a plain part of a file name: ASCII letters and digits joined by
    hyphens, at most ``limit`` characters ("Åsa Öberg" → "asa-oberg"); "" if none is left.

    The one rule for file names made from names (certificates, survey forms): safe on
    every file system and in e-mail attachments, and short enough for Windows paths.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", ascii_text.casefold()).strip("-")[:limit].rstrip("-")


def unique_name(name: str, used: set[str]) -> str:
    """Return ``name``, or ``name`` with -2, -3 … before its suffix, so it is not in ``used``
    (compared case-insensitively, as Windows and macOS do); the result is added to it."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    candidate, number = name, 2
    while candidate.casefold() in used:
        candidate = f"{stem}-{number}{dot}{suffix}"
        number += 1
    used.add(candidate.casefold())
    return candidate


def output_folder(path: Path) -> Path:
    """Return the folder an ``--out`` names, created (with its parents) when missing.

    The one rule for every output folder (certificates, agency workbooks, templates, the
    plan's outputs): a missing folder is made, a file or a folder that cannot be made is
    refused with OutputError (73).
    """
    folder = path.expanduser()
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"Cannot write to {folder}: it is a file, not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {folder}: {exc.strerror or exc}.") from None
    return folder


@contextmanager
def private_output(path: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a private temporary path; move it to ``path`` when the block succeeds.

    With ``overwrite=False`` an existing ``path`` is refused (OutputError), also when it
    appears while the file is being written.
    """
    target = check_destination(path)
    if not overwrite and target.exists():
        raise OutputError(f"{target} already exists; give a new file name.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        fsync(temporary)
        check_destination(target)  # it may have become the store, a device or a FIFO meanwhile
        if overwrite:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails instead of replacing a file that appeared
            except FileExistsError:
                raise OutputError(f"{target} already exists; give a new file name.") from None
    except OSError as exc:
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    finally:
        temporary.unlink(missing_ok=True)


def fsync(path: Path) -> None:
    """Flush a file's (or, where the platform allows, a folder's) data to disk."""
    if path.is_dir():
        with suppress(OSError):  # not every platform can open a folder
            _fsync_fd(path)
    else:
        _fsync_fd(path)


def _fsync_fd(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, privately and atomically."""
    with private_output(path) as temporary:
        temporary.write_bytes(data)


@contextmanager
def all_or_none(directory: Path) -> Iterator[Callable[[str, bytes], Path]]:
    """Yield a writer of files in ``directory``: each file is written now, privately, beside
    its target, and all are moved into place when the block succeeds, none when it fails.

    For many files made one at a time (drafts): nothing of a run that stops half-way is
    left, neither its new files nor ``directory`` if this made it, and no earlier file is
    replaced. Raises OutputError (73) for a folder or file that cannot be written.
    """
    made = [folder for folder in (directory, *directory.parents) if not folder.exists()]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {directory}: {exc.strerror or exc}.") from None
    # The temporary files' names alone, ".<name>.<random>.tmp" (mkstemp's random part has
    # no dot): a run of 50,000 drafts keeps 50,000 short strings, not two paths each.
    staged: list[str] = []

    def target_of(temporary: str) -> Path:
        return directory / temporary[1:].rsplit(".", 2)[0]

    def write(name: str, data: bytes) -> Path:
        target = directory / name
        try:
            fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            staged.append(os.path.basename(temporary))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
        return target

    try:
        yield write
        for temporary in staged:  # every target first: none is moved if one is refused
            check_destination(target_of(temporary))
        for temporary in staged:
            target = target_of(temporary)
            try:
                os.replace(directory / temporary, target)
            except OSError as exc:
                raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    except BaseException:
        for temporary in staged:
            (directory / temporary).unlink(missing_ok=True)
        for folder in made:  # the innermost first; only if still empty
            with suppress(OSError):
                folder.rmdir()
        raise
