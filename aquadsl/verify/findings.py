"""The shape every verify check reports in: one finding per check and subject, rendered as text or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

EXIT_OK = 0        # every check passed
EXIT_FAILED = 1    # at least one check failed; each failure is one finding with a precise message


@dataclass(frozen=True)
class Finding:
    """One check of one subject: ``check`` names the rule ("row-count", "conservation", "full-clean"),
    ``subject`` what it was applied to (a table, a model, a batch or container), ``message`` says what
    was found in one line, e.g. "farm_mortality_events: 71,800 expected, 70,700 found"."""

    check: str
    subject: str
    ok: bool
    message: str
    expected: int | float | str | None = None
    found: int | float | str | None = None


@dataclass
class VerifyReport:
    """All findings of one verify run, in the order the checks ran (each check sorts its subjects)."""

    database: str                      # redacted URL, never a password
    plan_hash: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.failures else EXIT_OK

    def render(self, fmt: str = "text") -> str:
        """Text: failures first, one line each, then a one-line tally. JSON: everything, sorted keys."""
        if fmt == "json":
            data = {"database": self.database, "plan_hash": self.plan_hash, "ok": not self.failures,
                    "findings": [asdict(f) for f in self.findings]}
            return json.dumps(data, indent=2, sort_keys=True) + "\n"
        lines = [f"FAIL {f.check}: {f.message}" for f in self.failures]
        checks = sorted({f.check for f in self.findings})
        lines.append(f"{self.database}: {len(self.findings) - len(self.failures)} of {len(self.findings)} "
                     f"checks passed ({len(checks)} kinds: {', '.join(checks)})")
        return "\n".join(lines) + "\n"
