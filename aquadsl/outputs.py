"""Safe output files: never an input, the database or a device; written atomically, keeping the mode.

Every command that writes a file (`compile --out`, `fmt`, `apply --report`) goes through here:

- :func:`output_problem` refuses a path that is one of the command's inputs, the database (or its
  journal and lock files), or exists as something other than a regular file (a FIFO, a device, a
  folder). A symlink to a regular file is written *through* deliberately: the file it points at is
  replaced and the link stays.
- :func:`writable_problem` checks, before any work, that the file can be created in its folder,
  by creating and removing a scratch file there, so no 0-byte target is left behind.
- :func:`write_atomic` writes a temporary file in the target's folder, then renames it over the
  target, keeping the target's permissions (a new file gets the usual 0666 minus the umask).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def is_one_of(path: str | Path, others: Iterable[str | Path]) -> bool:
    """Whether ``path`` names the same file as one of ``others`` (existing or not, symlinks followed)."""
    return any(other and _same(Path(path), Path(other)) for other in others)


def output_problem(path: str | Path, inputs: Iterable[str | Path] = ()) -> str | None:
    """Why ``path`` must not be written (an input, or not a regular file); None if it may be."""
    target = Path(path)
    for source in inputs:
        if source and _same(target, Path(source)):
            return f"it is an input of this command ('{source}')"
    try:
        st = target.stat()   # follows a symlink: what matters is what would be replaced
    except (FileNotFoundError, NotADirectoryError):
        return None   # not there yet: writable_problem says whether its folder can take it
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder"
    if not stat.S_ISREG(st.st_mode):
        return "it is not a regular file (a device, FIFO or socket)"
    return None


def writable_problem(path: str | Path) -> str | None:
    """Why a file could not be written at ``path`` (checked without creating it); None if it can."""
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.exists():
        return f"the folder '{folder}' does not exist"
    if not folder.is_dir():
        return f"'{folder}' is not a folder"
    if target.exists() and not os.access(target, os.W_OK):
        return "permission denied"
    try:
        fd, scratch = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".check", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(scratch)
    return None


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | Path, text: str) -> None:
    """Replace ``path`` (through a symlink, if it is one) with ``text`` via a temp file and a rename."""
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
