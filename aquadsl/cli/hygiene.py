"""A one-time hint when aquadsl's own files (logs, the SQLite file and its lock) sit unignored in a git
repository, with the `.gitignore` lines that keep them out of a user's commits."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import click

STATE_DIR = Path(".aquadsl")              # logs and the hint's marker (apply's default log dir is inside)
MARKER = STATE_DIR / "gitignore-hint-shown"
LINES = (".aquadsl/", "aquadsl.sqlite3*")


def _unignored(paths: list[Path]) -> list[Path]:
    """The existing ``paths`` that git would pick up; none outside a git work tree or without git."""
    if not shutil.which("git"):
        return []
    out = []
    for path in paths:
        if not path.exists():
            continue
        try:
            result = subprocess.run(["git", "check-ignore", "-q", str(path)], capture_output=True, timeout=10,
                                    cwd=path.parent if path.is_file() else Path.cwd())
        except (OSError, subprocess.SubprocessError):
            return []
        if result.returncode == 128:      # not a git work tree
            return []
        if result.returncode == 1:
            out.append(path)
    return out


def gitignore_hint(sqlite_file: str | None) -> None:
    """Print the hint once per working directory (the marker under .aquadsl/ remembers it)."""
    if MARKER.exists():
        return
    paths = [STATE_DIR] + ([Path(sqlite_file)] if sqlite_file else [])
    loose = _unignored(paths)
    if not loose:
        return
    names = ", ".join(str(p) for p in loose)
    click.echo(f"hint: git would pick up aquadsl's files ({names}); add these lines to .gitignore:\n"
               + "".join(f"  {line}\n" for line in LINES)
               + "(this hint is shown once per directory)", err=True)
    try:
        STATE_DIR.mkdir(exist_ok=True)
        MARKER.write_text("the .gitignore hint was shown\n", encoding="utf-8")
    except OSError:
        pass


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` URL, else None."""
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else None
