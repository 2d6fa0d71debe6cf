"""Extending a loaded database to a plan that differs only by a later `until` (instead of refusing it).

The ledger records the applied plan (compressed). When a new plan differs from it only by a later
`until`, the ledger is rewritten in one transaction: batches that change are marked pending with the
first assignment number whose rows they replace, new batches are added as pending, unchanged batches
stay done. Each batch is then loaded by the normal run, in its own transaction (delete the replaced
rows, insert the new ones, mark it done), so a kill at any point resumes cleanly.
"""

from __future__ import annotations

import zlib

from aquadsl.plan.extension import Extension, until_extension
from aquadsl.plan.model import Plan, dumps, loads


def pack(plan: Plan) -> bytes:
    """The plan as stored in the ledger."""
    return zlib.compress(dumps(plan).encode("utf-8"), 6)


def stored_plan(current) -> Plan | None:
    """The plan a FarmPlan row records, or None (loaded by an older aquadsl, or unreadable)."""
    data = getattr(current, "plan_zlib", None)
    if not data:
        return None
    try:
        return loads(zlib.decompress(bytes(data)).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError):
        return None


def plan_extension(current, plan: Plan) -> Extension | str:
    """The extension from the recorded plan to ``plan``, or why there is none (one line)."""
    old = stored_plan(current)
    if old is None:
        return "the database does not record its plan (it was loaded before extension existed)"
    return until_extension(old, plan)


def mark_extension(ext: Extension) -> None:
    """Inside the ledger's transaction: mark every batch the extension reloads as pending.

    A done batch replaces its rows from ``ext.replace[id]`` on. A batch not yet done keeps what its
    rows need: NULL (absent, loaded whole) stays NULL; a pending replacement keeps the earlier start.
    """
    from aquadsl.farm.models import BatchLedger
    from aquadsl.runtime import ledger

    rows = {r.batch_id: r for r in BatchLedger.objects.filter(batch_id__in=list(ext.replace))}
    for batch_id, start in sorted(ext.replace.items()):
        row = rows.get(batch_id)
        if row is None:
            continue
        if row.status == ledger.DONE:
            row.status, row.replace_from = ledger.PENDING, start
        elif row.replace_from is not None:
            row.replace_from = min(row.replace_from, start)
        else:
            continue
        row.save(update_fields=["status", "replace_from"])


def replacements() -> dict[str, int]:
    """Batches still to load whose loaded rows must be partly replaced: id -> first assignment number."""
    from aquadsl.farm.models import BatchLedger
    from aquadsl.runtime import ledger

    found = BatchLedger.objects.exclude(status=ledger.DONE).exclude(replace_from=None)
    return dict(found.values_list("batch_id", "replace_from"))
