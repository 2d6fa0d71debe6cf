"""Runtime faults as values: a diagnostic code, a one-line message and a documented exit code.

Exit codes of `aquadsl apply`, `status` and `migrate` (in addition to ``aquadsl.cli.exits``:
0 OK, 1 ERROR for scenario diagnostics, 70 INTERNAL, 130 INTERRUPTED):

    3   BATCHES_FAILED    one or more batches failed after every retry (each is named, with its log)
    4   STALE_PLAN        the database holds another plan's batches; re-run with --fresh to replace them
    65  BAD_PLAN          the plan file is corrupt, not a plan, or has an unknown format_version
    69  DATABASE          the database is unreachable, refuses the credentials, or the URL is invalid
    73  LOG_DIR           the log directory or the --report file cannot be written (permissions, disk full)
    75  LOCKED            another apply is running on the same database; try again when it has finished,
                          or this run lost its lock (its connection was closed) and stopped
"""

from __future__ import annotations

BATCHES_FAILED = 3
STALE_PLAN = 4
BAD_PLAN = 65
DATABASE = 69
LOG_DIR = 73
LOCKED = 75          # EX_TEMPFAIL

# Diagnostic codes (AQS4xx plan files, AQS5xx runtime and database).
AQS_PLAN_FILE = "AQS401"
AQS_DATABASE = "AQS501"
AQS_STALE = "AQS502"
AQS_LOG_DIR = "AQS503"
AQS_BATCH = "AQS504"
AQS_INTERRUPTED = "AQS505"
AQS_NOT_MIGRATED = "AQS506"
AQS_LOCKED = "AQS507"
AQS_LOCK_LOST = "AQS508"


class RuntimeFault(Exception):
    """An expected failure: shown to the user as one line, mapped to an exit code."""

    def __init__(self, code: str, message: str, exit_code: int, hints: tuple[str, ...] = ()):
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code
        self.hints = hints

    def render(self) -> str:
        """``error[AQS501]: message`` followed by ``help:`` lines."""
        lines = [f"error[{self.code}]: {self.message}"]
        lines.extend(f"  help: {h}" for h in self.hints)
        return "\n".join(lines)


def database_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_DATABASE, message, DATABASE, hints)


def log_dir_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_LOG_DIR, message, LOG_DIR, hints)


def plan_fault(message: str, *hints: str) -> RuntimeFault:
    return RuntimeFault(AQS_PLAN_FILE, message, BAD_PLAN, hints)


def lock_lost_fault(detail: str) -> RuntimeFault:
    """The apply lock went away during the run: stop before another apply's data can mix with ours."""
    return RuntimeFault(AQS_LOCK_LOST, f"lost the apply lock ({detail}); stopped so that no other apply's "
                        "data mixes with this one", LOCKED,
                        ("committed batches are kept; re-run the same command to resume",))


class LockLost(Exception):
    """Raised inside a batch transaction when this run no longer holds the apply lock."""
