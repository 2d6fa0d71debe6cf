"""Run a script of ``scripts/`` in the target's own interpreter (a subprocess), with JSON in and out."""

from __future__ import annotations

import json
import os
import subprocess
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aquadsl.targets import ir

TARGET_FAILED = "AQS661"


class TargetError(Exception):
    """The target's interpreter could not be run, or its script reported an error (one clear line)."""


def resolve(mapping: ir.Mapping, value: str) -> str:
    """A path of the target block, relative to the mapping file's folder."""
    # ${VAR} lets one mapping serve every checkout (AquaMind's lives wherever its user cloned it).
    expanded = os.path.expandvars(value)
    if "$" in expanded:
        raise TargetError(f"{mapping.path}: target {mapping.target.name!r}: '{value}' names an environment "
                          "variable that is not set")
    # abspath, not resolve(): a venv's python is a symlink that must not be followed.
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(mapping.path)), expanded))


def _placeholders(url: str | None) -> dict[str, str]:
    if not url:
        return {"database": ""}
    parts = urlsplit(url)
    return {"database": url, "database.name": unquote(parts.path.lstrip("/")),
            "database.host": parts.hostname or "", "database.port": str(parts.port or ""),
            "database.user": unquote(parts.username or ""), "database.password": unquote(parts.password or "")}


def environment(mapping: ir.Mapping, database: str | None) -> dict[str, str]:
    values = _placeholders(database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    env["DJANGO_SETTINGS_MODULE"] = mapping.target.settings
    env["PYTHONPATH"] = resolve(mapping, mapping.target.project)
    for name, template in mapping.target.env:
        text = template
        for key in sorted(values, key=len, reverse=True):
            text = text.replace("{" + key + "}", values[key])
        env[name] = text
    return env


def run_script(mapping: ir.Mapping, script: str, payload: dict | None, database: str | None,
               timeout: float = 600.0) -> dict:
    """Run ``scripts/<script>`` with the target's python in its project folder; its JSON answer."""
    python, project = resolve(mapping, mapping.target.python), resolve(mapping, mapping.target.project)
    where = f"{mapping.path}: target {mapping.target.name!r}"
    if not Path(project).is_dir():
        raise TargetError(f"{where}: project folder '{project}' does not exist")
    if not os.access(python, os.X_OK):
        raise TargetError(f"{where}: python '{python}' is not an executable file")
    path = resources.files("aquadsl.targets").joinpath("scripts", script)
    try:
        proc = subprocess.run([python, str(path)], input=json.dumps(payload or {}), capture_output=True,
                              text=True, cwd=project, env=environment(mapping, database), timeout=timeout)
    except OSError as exc:
        raise TargetError(f"{where}: cannot run '{python}': {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise TargetError(f"{where}: {script} did not finish within {timeout:g} s") from None
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")
    except (json.JSONDecodeError, IndexError):
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise TargetError(f"{where}: {script} failed (exit {proc.returncode}): {last[:300]}") from None
    if isinstance(answer, dict) and "error" in answer and len(answer) == 1:
        raise TargetError(f"{where}: {answer['error']}")
    return answer
