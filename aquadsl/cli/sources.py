"""Turn a command-line argument into a plan: a scenario file, a plan JSON file, or `REV:path` in git."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from aquadsl.compiler import compile_path
from aquadsl.diagnostics import Diagnostic
from aquadsl.plan.model import Plan, PlanFormatError, loads, meaning_problem


@dataclass
class Loaded:
    plan: Plan | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    bad_plan: bool = False       # a plan file that is corrupt or inconsistent (exit 65)


def load_plan(arg: str, today: dt.date) -> Loaded:
    """A plan from ``arg``: ``*.json`` is read as a plan, ``REV:path`` is compiled at that git revision."""
    path = Path(arg)
    if not path.exists() and ":" in arg:
        rev, _, rel = arg.partition(":")
        return _from_git(rev, rel, today)
    if path.suffix.lower() == ".json":
        try:
            return _plan_file(path.read_bytes(), arg)
        except OSError as exc:
            return Loaded(None, error=f"cannot read '{arg}': {exc.strerror or exc}", bad_plan=True)
    result = compile_path(path, today=today)
    return Loaded(result.plan if result.ok else None, result.diagnostics, result.sources)


def _from_git(rev: str, rel: str, today: dt.date) -> Loaded:
    """Compile ``rel`` (relative to the working directory) as it was at ``rev``, imports included."""
    outside = Loaded(None, error=f"in '{rev}:{rel}', give a path relative to the current directory "
                                 "that stays inside the repository")
    if not rel or Path(rel).is_absolute():
        return outside
    try:
        top = _git("rev-parse", "--show-toplevel").strip()
        prefix = _git("rev-parse", "--show-prefix").strip()
        commit = _commit(rev)
        if commit is None:
            return Loaded(None, error=f"cannot read '{rev}:{rel}' from git: '{rev}' is not a revision "
                                      "of this repository")
        archive = subprocess.run(["git", "-C", top, "archive", "--format=tar", commit], capture_output=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        return Loaded(None, error=f"cannot read '{rev}:{rel}' from git: {_reason(exc)}")
    with tempfile.TemporaryDirectory(prefix="aquadsl-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter=_inside_only)
        target = Path(tmp) / prefix / rel
        if not target.resolve().is_relative_to(Path(tmp).resolve()):
            return outside
        if not target.exists():
            return Loaded(None, error=f"'{rel}' does not exist at revision {rev}")
        if target.suffix == ".json":
            return _plan_file(target.read_bytes(), f"{rev}:{rel}")
        result = compile_path(target, today=today)
        diags = [_relabel(d, tmp, rev) for d in result.diagnostics]
        return Loaded(result.plan if result.ok else None, diags, _relabel_sources(result.sources, tmp, rev))


def _plan_file(data: bytes, label: str) -> Loaded:
    """A plan file's plan, or why it is unusable: corrupt, or inconsistent (the check apply runs)."""
    try:
        plan = loads(data.decode("utf-8"))
    except (PlanFormatError, UnicodeDecodeError) as exc:
        return Loaded(None, error=f"'{label}' is not a usable plan: {exc}", bad_plan=True)
    problem = meaning_problem(plan)
    if problem:
        return Loaded(None, error=f"'{label}' is inconsistent: {problem}", bad_plan=True)
    return Loaded(plan)


def _commit(rev: str) -> str | None:
    """The commit id ``rev`` names, or None. User text never reaches git as an option: a leading
    dash is refused, and ``--end-of-options`` ends option parsing before it."""
    if not rev or rev.startswith("-"):
        return None
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
                           capture_output=True, text=True)
    sha = found.stdout.strip()
    return sha if found.returncode == 0 and len(sha) in (40, 64) and all(c in "0123456789abcdef" for c in sha) \
        else None


def _inside_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, but a member it refuses (a symlink to an absolute path or out of the
    tree) is skipped instead of failing the whole revision: it cannot matter to a scenario inside."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        return None


def _reason(exc: Exception) -> str:
    """The last line git printed (stderr may be bytes or text), or the exception itself."""
    detail = getattr(exc, "stderr", None) or ""
    if isinstance(detail, bytes):
        detail = detail.decode(errors="replace")
    lines = detail.strip().splitlines()
    return lines[-1] if lines else str(exc)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], capture_output=True, check=True, text=True).stdout


def _rename(path: str, tmp: str, rev: str) -> str:
    try:
        return f"{rev}:{Path(path).resolve().relative_to(Path(tmp).resolve()).as_posix()}"
    except ValueError:
        return path


def _relabel(d: Diagnostic, tmp: str, rev: str) -> Diagnostic:
    if d.span is None:
        return d
    return d.model_copy(update={"span": d.span.model_copy(update={"path": _rename(d.span.path, tmp, rev)})})


def _relabel_sources(sources: dict[str, str], tmp: str, rev: str) -> dict[str, str]:
    return {_rename(k, tmp, rev): v for k, v in sources.items()}
