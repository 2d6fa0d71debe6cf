"""Broker URLs: validation, redaction (credentials never printed), the default result backend, reachability."""

from __future__ import annotations

from urllib.parse import urlsplit

from aquadsl.executors.base import broker_fault

SCHEMES = {"redis": "redis", "rediss": "redis", "amqp": "amqp", "amqps": "amqp", "pyamqp": "amqp"}
CHECK_TIMEOUT = 5.0    # seconds to reach the broker before saying it is unreachable


def redact(url: str) -> str:
    """The URL with its password and secret query values replaced by ``***``."""
    from aquadsl.runtime.db import redact as redact_url

    return redact_url(url)


def scrub(text: str, *urls: str | None) -> str:
    """``text`` without any secret of ``urls``."""
    from aquadsl.runtime.db import scrub as scrub_url

    for url in urls:
        text = scrub_url(text, url)
    return text


def kind(url: str) -> str:
    """``redis`` or ``amqp``; a BROKER fault (exit 68) for anything else or an unparseable URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise broker_fault(f"invalid broker URL {redact(url)}: {exc}", _URL_HINT) from None
    found = SCHEMES.get(parts.scheme.lower())
    if found is None or not parts.hostname:
        what = f"unsupported scheme {parts.scheme!r}" if found is None else "no host"
        raise broker_fault(f"invalid broker URL {redact(url)}: {what}", _URL_HINT)
    return found


_URL_HINT = "use redis://HOST:6379/0 or amqp://USER:PASSWORD@HOST:5672// (--broker URL)"


def default_backend(broker: str) -> str:
    """Where results go unless --result-backend says otherwise: Redis itself, or AMQP replies (rpc://)."""
    return broker if kind(broker) == "redis" else "rpc://"


def describe(exc: BaseException) -> str:
    """A one-line reason from a kombu/redis/amqp exception."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if type(exc).__name__ not in text else text


def check(app, broker: str, backend: str) -> None:
    """Connect to the broker (and a Redis result backend) once; a BROKER fault with the reason if that fails."""
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0.2, interval_step=0.2, interval_max=0.5,
                                   timeout=CHECK_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - kombu raises many kinds; all mean "unreachable"
        raise broker_fault(f"cannot reach the broker {redact(broker)}: {scrub(describe(exc), broker)}",
                           "check the host, port and credentials of --broker, and that the broker runs"
                           ) from None
    client = getattr(app.backend, "client", None)
    if client is not None and hasattr(client, "ping"):
        try:
            client.ping()
        except Exception as exc:  # noqa: BLE001
            raise broker_fault(f"cannot reach the result backend {redact(backend)}: "
                               f"{scrub(describe(exc), backend)}",
                               "check --result-backend (default: the Redis broker itself)") from None
