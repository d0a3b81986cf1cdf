"""Writing files safely: a private temporary file beside the target, moved into place.

Every file chefintro writes (workbooks, calendars, exports, backups) goes through
:func:`private_output`, so a crash never leaves half a file behind and files that may hold
personal data are readable by their owner only (mode 0600).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from chefintro.errors import OutputError


def check_destination(path: Path) -> Path:
    """Return ``path`` made absolute, or raise OutputError (73) if it cannot be a new file.

    Callers that build something expensive check first, before doing the work.
    """
    target = path.expanduser().absolute()
    if target.is_dir():
        raise OutputError(f"Cannot write {target}: it is a directory, not a file.")
    if not target.parent.is_dir():
        raise OutputError(f"Cannot write {target}: its folder does not exist.")
    return target


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
