"""The Celery executor's own logic without a broker: order of enqueuing, result mapping, broker URLs."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from aquadsl.executors import ExecutorConfig
from aquadsl.executors.base import BROKER
from aquadsl.executors.brokers import default_backend, kind, redact
from aquadsl.executors.celery_exec import CeleryExecutor
from aquadsl.runtime.errors import RuntimeFault
from aquadsl.runtime.progress import Progress
from aquadsl.runtime.scheduler import Runner
from aquadsl.runtime.workers import Task
from tests.runtime.planfactory import small_plan


class FakeApp:
    """Records send_task calls in order."""

    def __init__(self):
        self.sent = []

    def send_task(self, name, args, **options):
        self.sent.append((name, args, options))
        return SimpleNamespace(id=f"task-{len(self.sent)}", forget=lambda: None)


class Quiet:
    """The sink and log the runner writes to, doing nothing."""

    pending_writes = 0

    def call(self, fn, *args):
        pass

    def append(self, batch_id, text):
        pass

    def path_for(self, batch_id):
        return Path("/nonexistent") / f"{batch_id}.log"


def _executor(plan, timeout=30.0):
    config = ExecutorConfig("celery", "redis://:s3cret@127.0.0.1:6379/0")
    ex = CeleryExecutor(config, url="postgresql://u:pw@db/farm", plan_text="{}", plan_hash="h" * 64, run_id=7,
                        timeout=timeout, batches=len(plan.batches))
    ex.app = FakeApp()
    return ex


def test_every_batch_is_enqueued_at_once_largest_first_with_time_limits():
    plan = small_plan(batches=5)
    ex = _executor(plan)
    runner = Runner(plan, [b.id for b in plan.batches], ex, Quiet(), Quiet(), Progress(5, 0), run_id=7,
                    plan_hash="h" * 64, database="db", retries=2, timeout=30.0, backoff=1.0)
    runner._dispatch()
    sent_ids = [args[3] for _, args, _ in ex.app.sent]
    by_size = sorted(plan.batches, key=lambda b: (-sum(b.estimated_rows.values()), b.index))
    assert sent_ids == [b.id for b in by_size]
    _, args, options = ex.app.sent[0]
    assert args[:3] == ["postgresql://u:pw@db/farm", "h" * 64, 7] and args[4] == 1
    assert options["soft_time_limit"] == 30.0 and options["time_limit"] > 30.0
    assert "pw" not in options["argsrepr"]     # what Celery shows of the task never holds the password
    assert not ex.idle() and len(ex.busy()) == 5


def _finish(ex, state, value):
    slot = ex.slots[0]
    slot.task = Task("B1", 1, "/x.log")
    slot.result = SimpleNamespace(id="t", forget=lambda: None)
    return ex._finished(slot, state, value, 30.0)


def test_results_map_to_the_schedulers_events():
    ex = _executor(small_plan(batches=1))
    done = _finish(ex, "SUCCESS", ["done", {"batches": 1}, False, 1.5, 120.0, "host:1"])
    assert done[0] == "result" and done[2][0] == "done" and done[2][2:] == ({"batches": 1}, False, 1.5, 120.0)
    soft = _finish(ex, "SUCCESS", ["failed", "SoftTimeLimitExceeded: x", "", 30.0, 100.0, "host:1"])
    assert soft[0] == "timeout" and soft[3] == 30.0
    hard = _finish(ex, "FAILURE", type("TimeLimitExceeded", (Exception,), {})("30"))
    assert hard[0] == "timeout"
    failed = _finish(ex, "SUCCESS", ["failed", "OperationalError: gone", "trace", 2.0, 90.0, "host:2"])
    assert failed[2][0] == "failed" and failed[2][2] == "OperationalError: gone"
    lost = _finish(ex, "FAILURE", RuntimeError("postgresql://u:pw@db/farm broke"))
    assert lost[2][0] == "failed" and "pw" not in lost[2][2]
    assert ex.worker_peaks() == [120.0, 90.0] and not ex.busy()


def test_broker_urls():
    assert kind("redis://127.0.0.1:6379/0") == "redis" and kind("amqp://guest:guest@h//") == "amqp"
    assert default_backend("redis://h:6379/1") == "redis://h:6379/1" and default_backend("amqp://h//") == "rpc://"
    assert redact("amqp://guest:secret@h:5672//") == "amqp://guest:***@h:5672//"
    for bad in ("kafka://h:1", "redis://", "redis://h:notaport/0"):
        with pytest.raises(RuntimeFault) as err:
            kind(bad)
        assert err.value.exit_code == BROKER
