"""A later `until` extends a loaded database: equal to a fresh apply by digest, kill-safe, resumable.

Anything else that differs is refused (exit 4) with a line saying what differs; so is an earlier until.
"""

from __future__ import annotations

import datetime as dt

import pytest

from aquadsl.plan.extension import Extension, until_extension
from aquadsl.plan.model import dumps
from aquadsl.runtime import digest, ledger
from aquadsl.runtime.apply import ApplyOptions, apply_plan
from aquadsl.runtime.errors import STALE_PLAN, RuntimeFault
from tests.runtime.conftest import SAFETY_NET_S, done_count, run_cli, start_cli, use, wait_for
from tests.runtime.planfactory import START, small_plan

OLD, MID, NEW = (START + dt.timedelta(days=d) for d in (140, 200, 260))


def _plan(until: dt.date, batches_started: int | None = None):
    """The 6-batch plan cut at ``until``; like the compiler, batches not started by then are left out."""
    full = small_plan(6, until=max(until, START + dt.timedelta(days=150)))
    if batches_started is None:
        return full
    cut = small_plan(batches_started, until=until)
    return cut.model_copy(update={"parameters": cut.parameters.model_copy(
        update={"batches": full.parameters.batches})})


def _old():
    return _plan(OLD, batches_started=5)


def _apply(plan, url, tmp_path, **kw):
    options = ApplyOptions(log_dir=str(tmp_path / "logs"), progress="none", backoff=0.05, **kw)
    return apply_plan(plan, url, options, echo=lambda m: None)


@pytest.fixture(scope="module")
def fresh_digests(tmp_path_factory):
    """Digests of fresh applies (SQLite; digests are equal across backends, tested in test_apply)."""
    out = {}
    for name, plan in {"mid": _plan(MID), "new": _plan(NEW)}.items():
        path = tmp_path_factory.mktemp(name)
        url = f"sqlite:///{path / 'fresh.sqlite3'}"
        _apply(plan, url, path)
        use(url)
        out[name] = digest.digests()
    return out


# ------------------------------------------------------------------ the plan comparison (no database)
def test_a_later_until_is_an_extension_of_the_active_batches_and_the_new_ones():
    ext = until_extension(_old(), _plan(NEW))
    assert isinstance(ext, Extension)
    assert ext.describe().startswith(f"only `until` changed: {OLD} → {NEW}")
    old = _old()
    active = {b.id for b in old.batches if b.status == "active"}
    assert set(ext.replace) == active and ext.added == ("FAR-2023-006",)
    for batch_id, first in ext.replace.items():   # the open stay's first assignment
        windows = [w for w in old.batch(batch_id).stages if w.end > w.start]
        assert first == 1 + sum(len(w.container_names()) for w in windows[:-1])


def test_other_changes_are_described_not_extended():
    old, new = _old(), _plan(NEW)
    eggs = new.model_copy(update={"batches": tuple(
        b.model_copy(update={"eggs": b.eggs + 1}) if b.index < 3 else b for b in new.batches)})
    assert until_extension(old, eggs) == "eggs of 3 batch(es) changed"
    seed = new.model_copy(update={"parameters": new.parameters.model_copy(update={"seed": 8})})
    assert until_extension(old, seed) == "`seed` changed: 7 → 8"
    moved = new.model_copy(update={"batches": tuple(
        b.model_copy(update={"start": b.start + dt.timedelta(days=1)}) if b.index == 0 else b
        for b in new.batches)})
    assert until_extension(old, moved).startswith("start dates of 1 batch(es) changed")
    earlier = until_extension(_plan(NEW), old)
    assert earlier.startswith(f"`until` moved earlier: {NEW} → {OLD}")


# ------------------------------------------------------------------------------ on both databases
def test_a_later_until_extends_twice_and_equals_a_fresh_apply_each_time(db_url, tmp_path, fresh_digests):
    old, mid, new = _old(), _plan(MID), _plan(NEW)
    _apply(old, db_url, tmp_path, workers=2)
    use(db_url)
    before = digest.digests()
    summary = _apply(mid, db_url, tmp_path, workers=2)
    assert summary.ledger.startswith(f"extended: only `until` changed: {OLD} → {MID}")
    assert summary.outcome == "completed" and summary.failed == 0
    completed = sum(b.status == "completed" for b in old.batches)
    assert summary.skipped == completed and summary.succeeded == len(mid.batches) - completed
    # Only what `until` touches was written: fewer rows than a fresh load of the later plan.
    assert 0 < summary.rows_total < sum(mid.estimated_rows.values())
    use(db_url)
    assert digest.digests() == fresh_digests["mid"] != before
    assert digest.row_counts() == mid.estimated_rows
    summary = _apply(new, db_url, tmp_path, workers=1)
    assert summary.ledger.startswith(f"extended: only `until` changed: {MID} → {NEW}")
    use(db_url)
    assert digest.digests() == fresh_digests["new"]
    st = ledger.status()
    assert st.plan_hash == ledger.plan_hash(new) and len(st.done) == len(new.batches)


def test_batches_left_failed_by_earlier_runs_are_loaded_right_by_a_later_extension(db_url, tmp_path, monkeypatch,
                                                                                  fresh_digests):
    """A batch that never loaded (rows absent) is loaded whole; a batch whose extension failed (rows of
    the older plan) is replaced from the earlier of its two open stays."""
    old = _old()
    never, stuck = [b.id for b in old.batches if b.status == "active"][:2]
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:raise:{never}:*")
    assert _apply(old, db_url, tmp_path, retries=0).failed == 1
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"simulate:raise:{never}:*,simulate:raise:{stuck}:*")
    assert _apply(_plan(MID), db_url, tmp_path, retries=0).failed == 2
    monkeypatch.delenv("AQUADSL_FAULT_INJECTION")
    summary = _apply(_plan(NEW), db_url, tmp_path)
    assert summary.outcome == "completed" and summary.ledger.startswith("extended: ")
    use(db_url)
    assert digest.digests() == fresh_digests["new"]


def test_an_earlier_until_or_another_change_is_refused_and_nothing_moves(db_url, tmp_path):
    new = _plan(NEW)
    _apply(new, db_url, tmp_path)
    use(db_url)
    before = digest.digests()
    with pytest.raises(RuntimeFault) as err:
        _apply(_old(), db_url, tmp_path)
    assert err.value.exit_code == STALE_PLAN
    assert f"`until` moved earlier: {NEW} → {OLD}" in err.value.render() and "--fresh" in err.value.render()
    seed = new.model_copy(update={"parameters": new.parameters.model_copy(update={"seed": 8})})
    with pytest.raises(RuntimeFault) as err:
        _apply(seed, db_url, tmp_path)
    assert err.value.exit_code == STALE_PLAN and "`seed` changed: 7 → 8" in err.value.render()
    use(db_url)
    assert digest.digests() == before and ledger.status().plan_hash == ledger.plan_hash(new)


def test_an_extension_killed_inside_a_batch_transaction_is_retried_cleanly(pg_url, tmp_path, monkeypatch,
                                                                          fresh_digests):
    """PostgreSQL: the worker dies after the batch's old rows were deleted and its first table written.
    (On SQLite the parent writes; the CLI test below kills it inside the transaction.)"""
    old, new = _old(), _plan(NEW)
    _apply(old, pg_url, tmp_path)
    victim = next(b.id for b in old.batches if b.status == "active")
    monkeypatch.setenv("AQUADSL_FAULT_INJECTION", f"load:kill:{victim}:1")
    summary = _apply(new, pg_url, tmp_path, workers=2, retries=1)
    assert summary.outcome == "completed"
    log = (tmp_path / "logs" / f"{victim}.log").read_text()
    assert "worker process died (killed by SIGKILL)" in log and "attempt 2: loaded" in log
    use(pg_url)
    assert digest.digests() == fresh_digests["new"]


def test_an_extension_killed_outright_resumes_to_the_same_digests(db_url, tmp_path, fresh_digests):
    """SIGKILL of the whole apply (SQLite: while its writer is inside a batch's transaction, after
    deleting the rows it replaces), then the same command again."""
    old, new = _old(), _plan(NEW)
    _apply(old, db_url, tmp_path)
    (tmp_path / "new.json").write_text(dumps(new), encoding="utf-8")
    victim = [b.id for b in old.batches if b.status == "active"][-1]
    point = "write:kill" if db_url.startswith("sqlite") else "simulate:hang"
    proc = start_cli("apply", str(tmp_path / "new.json"), "--database", db_url, "--workers", "1",
                     "--progress", "none", "--log-dir", str(tmp_path / "logs"), cwd=tmp_path,
                     env={"AQUADSL_FAULT_INJECTION": f"{point}:{victim}:*"})
    try:
        if point == "simulate:hang":   # wait for the event: the ledger shows the victim running
            wait_for(lambda: _status(db_url, victim) == "running")
            proc.kill()
        proc.communicate(timeout=SAFETY_NET_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -9
    assert _status(db_url, victim) != "done"
    resumed = run_cli("apply", str(tmp_path / "new.json"), "--database", db_url, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert done_count(db_url) == len(new.batches)
    use(db_url)
    assert digest.digests() == fresh_digests["new"]


def _status(url: str, batch_id: str) -> str:
    from django.db import connections
    from django.db.utils import Error

    from aquadsl.farm.models import BatchLedger

    use(url)
    try:
        return BatchLedger.objects.filter(batch_id=batch_id).values_list("status", flat=True).first() or ""
    except Error:
        return ""
    finally:
        connections.close_all()


def test_rows_before_the_open_stay_do_not_depend_on_until_and_the_open_stay_does():
    """The design's premise, row by row: simulated to a later until, a batch reproduces every row
    (same position, so same id, same values) before its open stay's first assignment; rows from
    there on change (end dates, final populations, and the numbering of later containers)."""
    import numpy as np

    from aquadsl.sim.simulate import simulate_batch

    old, new = _old(), _plan(NEW)
    ext = until_extension(old, new)
    changed_tables = set()
    for batch_id, first in ext.replace.items():
        before, after = simulate_batch(old, batch_id), simulate_batch(new, batch_id)
        for table, cols in before.items():
            if "assignment_no" not in cols:
                continue
            keep = int(np.searchsorted(cols["assignment_no"], first))
            assert keep == int(np.searchsorted(after[table]["assignment_no"], first))
            for name, values in cols.items():
                assert np.array_equal(values[:keep], after[table][name][:keep]), (batch_id, table, name)
            tail = len(values) - keep
            if any(not np.array_equal(v[keep:], after[table][n][keep:keep + tail]) for n, v in cols.items()):
                changed_tables.add(table)
    assert {"assignments", "daily_states", "environmental_readings"} <= changed_tables
