"""`status`: what a farm database holds (plan hash, batches done, failed and pending), read-only."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from aquadsl.farm.settings import DatabaseURLError, database_config
from aquadsl.printable import printable
from aquadsl.runtime import db, ledger
from aquadsl.runtime.errors import AQS_NOT_MIGRATED, DATABASE, RuntimeFault, database_fault
from aquadsl.runtime.lock import held_by_anyone


def database_status(url: str) -> ledger.LedgerStatus:
    """Read the ledger; never creates a database file or tables."""
    try:
        config = database_config(url)
    except DatabaseURLError as exc:
        raise database_fault(f"invalid database URL {db.redact(url)}: {exc}") from None
    if config["ENGINE"].endswith("sqlite3") and not Path(config["NAME"]).exists():
        raise RuntimeFault(AQS_NOT_MIGRATED, f"there is no database at {config['NAME']}", DATABASE,
                           ("run `aquadsl apply FILE` to create it, or pass --database URL",))
    db.require_migrated(url)
    st = ledger.status()
    if st.last_run and st.last_run["outcome"] == ledger.RUNNING and not held_by_anyone(url):
        st.last_run |= {"outcome": ledger.INTERRUPTED, "note": ledger.DIED_NOTE}
    if st.plan_hash is not None:
        from aquadsl.verify.native import ledger_mismatches

        st.mismatches = ledger_mismatches()
    return st


def render_status(st: ledger.LedgerStatus, database: str, fmt: str = "text") -> str:
    """The status as text (one fact per line) or JSON."""
    if fmt == "json":
        data = asdict(st) | {"database": database}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
    if st.plan_hash is None:
        return f"{database}: farm schema present, no plan applied yet\n"
    lines = [
        f"database: {database}",
        f"plan:     {st.plan_hash} (scenario {st.scenario!r})",
        f"batches:  {len(st.done)} done, {len(st.failed)} failed, {len(st.pending)} pending (of {st.total})",
        f"rows:     {st.rows:,}",
    ]
    if st.failed:
        lines.append("failed:   " + ", ".join(printable(b) for b in st.failed))
    if st.last_run:
        r = st.last_run
        note = f" ({r['note']})" if r.get("note") else ""
        lines.append(f"last run: #{r['id']} {r['outcome']}{note}, started {r['started_at']}"
                     + (f", ended {r['ended_at']}" if r.get("ended_at") else ""))
    state = "complete" if st.total and len(st.done) == st.total else "incomplete"
    if st.mismatches:
        lines.append("counts:   DISAGREE with the ledger: " + "; ".join(printable(m) for m in st.mismatches))
        lines.append("          run `aquadsl verify` for details")
        state = f"{state}, but the tables do not hold what the ledger recorded"
    lines.append(f"state:    {state}")
    return "\n".join(lines) + "\n"
