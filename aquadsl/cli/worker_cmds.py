"""`aquadsl worker` (a Celery worker for aquadsl batches) and the executor options of `apply`.

Exit codes: 0 the worker stopped normally, 64 bad options, 68 the broker is unreachable or its URL is
invalid, 70 internal error. `apply --executor celery` adds 68 and 79 (no worker took a task within
--worker-wait seconds) to apply's own codes.
"""

from __future__ import annotations

import functools
import os
import socket
import sys

import click

from aquadsl.cli import exits

BROKER_HELP = "redis://HOST:6379/0 or amqp://USER:PASSWORD@HOST:5672// (credentials are never printed)."
BACKEND_HELP = "Where task results go (default: the Redis broker itself; rpc:// replies for AMQP)."
QUEUE = click.option("--queue", default="aquadsl", show_default=True, metavar="NAME",
                     help="The broker queue apply and its workers share.")


def executor_options(command):
    """Add --executor/--broker/--result-backend/--queue/--worker-wait; pass ``executor_config`` instead."""
    @click.option("--executor", type=click.Choice(["local", "celery"]), default="local", show_default=True,
                  help="Run batches in local worker processes, or as Celery tasks on `aquadsl worker`s.")
    @click.option("--broker", metavar="URL", default=None, envvar="AQUADSL_BROKER_URL",
                  help="Celery broker (with --executor celery; default $AQUADSL_BROKER_URL): " + BROKER_HELP)
    @click.option("--result-backend", metavar="URL", default=None, help=BACKEND_HELP)
    @QUEUE
    @click.option("--worker-wait", type=click.FloatRange(min=1), default=60.0, show_default=True,
                  metavar="SECONDS", help="Give up (exit 79) when no worker takes a task for this long.")
    @functools.wraps(command)
    def wrapper(*args, executor, broker, result_backend, queue, worker_wait, **kwargs):
        config = _config(executor, broker, result_backend, queue, worker_wait)
        if config.name == "celery":
            _preflight(config, kwargs.get("database"))
        kwargs["executor_config"] = config
        return command(*args, **kwargs)
    return wrapper


def _config(name: str, broker: str | None, result_backend: str | None, queue: str, worker_wait: float):
    from aquadsl.executors import ExecutorConfig
    from aquadsl.executors.base import usage_fault
    from aquadsl.executors.brokers import kind, redact

    if name == "local":
        return ExecutorConfig()   # --broker (or AQUADSL_BROKER_URL) only matters to --executor celery
    if not broker:
        raise usage_fault("--executor celery needs --broker URL (or AQUADSL_BROKER_URL)")
    kind(broker)
    click.echo(f"executor: celery, queue {queue!r} on {redact(broker)}", err=True)
    return ExecutorConfig("celery", broker, result_backend, queue, worker_wait)


def _preflight(config, database: str | None) -> None:
    """Before the database is touched (--fresh!): a shared database, and a broker that answers."""
    from aquadsl.executors import brokers
    from aquadsl.executors.base import usage_fault
    from aquadsl.executors.celery_app import make_app
    from aquadsl.runtime.db import resolve_url

    if not resolve_url(database).startswith("postgres"):
        raise usage_fault("the celery executor needs a database every worker can reach: PostgreSQL",
                          "use --database postgresql://..., or --executor local for SQLite")
    app = make_app(config.broker, config.result_backend, config.queue)
    try:
        brokers.check(app, config.broker, config.result_backend or brokers.default_backend(config.broker))
    finally:
        app.close()


def _guard(command):
    """Faults become one credential-free line and their exit code; never a traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from aquadsl.executors.brokers import scrub
        from aquadsl.runtime.errors import RuntimeFault

        urls = (kwargs.get("broker"), kwargs.get("result_backend"))
        try:
            return command(*args, **kwargs)
        except RuntimeFault as exc:
            click.echo(scrub(exc.render(), *urls), err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback
            click.echo(scrub(f"internal error: {type(exc).__name__}: {exc} (please report this)", *urls), err=True)
            sys.exit(exits.INTERNAL)
    return wrapper


@click.command(epilog=__doc__.split("\n\n", 1)[1].replace("\n", " "))
@click.option("--broker", metavar="URL", required=True, envvar="AQUADSL_BROKER_URL", help=BROKER_HELP)
@click.option("--result-backend", metavar="URL", default=None, help=BACKEND_HELP)
@click.option("--concurrency", type=click.IntRange(1, 256), default=None,
              help="Worker processes on this machine (default: one per CPU). Size against the database.")
@QUEUE
@click.option("--visibility-timeout", type=click.FloatRange(min=1), default=3600.0, show_default=True,
              metavar="SECONDS", help="Redis only: a task unacknowledged this long (its worker died) is "
                                      "given to another worker. Must exceed apply's --timeout.")
@click.option("--loglevel", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@click.option("--name", default=None, help="Worker node name (default: aquadsl-PID@HOST).")
@_guard
def worker(broker, result_backend, concurrency, queue, visibility_timeout, loglevel, name) -> None:
    """Run a Celery worker that loads aquadsl batches (for `apply --executor celery`).

    Each worker process sets Django up itself; the database URL comes with each task and the plan is
    fetched by its hash from that database. No scenario sources are needed on this machine.
    """
    from aquadsl.executors import brokers
    from aquadsl.executors.celery_app import make_app

    app = make_app(broker, result_backend, queue, visibility_timeout)
    brokers.check(app, broker, result_backend or brokers.default_backend(broker))
    node = name or f"aquadsl-{os.getpid()}@{socket.gethostname()}"
    # No mingle: it waits ~1 s at every start to sync revoked-task lists with other workers, which
    # aquadsl does not need (a revoked task that still arrives finds its run ended and does nothing).
    runner = app.Worker(concurrency=concurrency or os.cpu_count() or 1, queues=[queue], loglevel=loglevel.upper(),
                        hostname=node, pool_cls="prefork", optimization="fair", without_mingle=True)
    runner.start()
    sys.exit(runner.exitcode or exits.OK)


COMMANDS = (worker,)
