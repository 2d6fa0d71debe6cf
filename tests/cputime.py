"""A pytest plugin that reports the CPU time each test used, its own and its finished children's.

Wall-clock durations (``--durations``) depend on machine load: at a load average of 10 a test takes
several times longer than on a quiet machine. CPU seconds (user + system, of the test process and of
every child it waited for: CLI runs, workers, migrations) barely move with load, so the summary's
"most CPU" list says where the suite really spends its time. Work in processes the test did not wait
for (PostgreSQL backends, a Celery worker killed with SIGKILL) is not counted.

Under pytest-xdist each worker measures its own tests and sends the figure with the test report
(``user_properties``), so the controller's summary covers the whole run.
"""

from __future__ import annotations

import resource

import pytest

KEY = "cpu_s"
START = pytest.StashKey[float]()
SHOWN = 15


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    item.stash[START] = _cpu()
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    if call.when == "teardown" and START in item.stash:
        # setup + call + teardown; the teardown report carries it (user_properties are copied into it)
        item.user_properties.append((KEY, round(_cpu() - item.stash[START], 3)))
    yield


class Collector:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        for key, value in getattr(report, "user_properties", ()):
            if key == KEY:
                self.seconds[report.nodeid] = value

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        total = sum(self.seconds.values())
        terminalreporter.write_sep("=", f"{SHOWN} tests using most CPU (user+sys, with their children)")
        for nodeid, seconds in sorted(self.seconds.items(), key=lambda kv: (-kv[1], kv[0]))[:SHOWN]:
            terminalreporter.write_line(f"{seconds:8.2f}s  {nodeid}")
        terminalreporter.write_line(f"{total:8.2f}s  all {len(self.seconds)} tests")


def pytest_configure(config):
    config.pluginmanager.register(Collector(), "aquadsl-cputime-collector")
