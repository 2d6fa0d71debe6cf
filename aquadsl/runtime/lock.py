"""One apply at a time per database: a PostgreSQL advisory lock, or an flock'ed file beside the SQLite file.

Two concurrent applies would otherwise race on migrations, the ledger and the batches, and fail with
raw database errors. The second one now stops at once with a LOCKED fault (exit 75).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator

from aquadsl.runtime import db
from aquadsl.runtime.errors import AQS_LOCKED, LOCKED, RuntimeFault, database_fault

# A fixed key for pg_try_advisory_lock: the bytes of "aquadsl1" as a (positive) bigint.
ADVISORY_KEY = int.from_bytes(b"aquadsl1", "big")
LOCK_SUFFIX = ".lock"


def _locked(url: str, holder: str = "") -> RuntimeFault:
    return RuntimeFault(AQS_LOCKED, f"another apply is running on {db.redact(url)}{holder}", LOCKED,
                        ("wait for it to finish (or stop it), then run this command again: it resumes",))


@contextlib.contextmanager
def apply_lock(url: str) -> Iterator[None]:
    """Hold the database's apply lock for the ``with`` block; a LOCKED fault if another apply holds it."""
    db.check_connection(url)
    release = _postgresql(url) if db.vendor() == "postgresql" else _sqlite(url)
    try:
        yield
    finally:
        release()


def _postgresql(url: str) -> Callable[[], None]:
    """A session advisory lock on a connection of its own, so that Django closing or replacing its
    connection during the run (a dropped connection, a retry) never releases the lock early."""
    from django.db import connection

    try:
        raw = connection.get_new_connection(connection.get_connection_params())
        raw.autocommit = True
        with raw.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            acquired = cur.fetchone()[0]
    except Exception as exc:  # noqa: BLE001 - raw psycopg2 errors, not wrapped by Django
        raise database_fault(f"cannot take the apply lock on {db.redact(url)}: {db.describe_error(exc, url)}") \
            from None
    if not acquired:
        raw.close()
        raise _locked(url)
    return raw.close


def lock_path(url: str) -> str:
    """The lock file of an SQLite database: ``<database file>.lock``."""
    from django.conf import settings

    return f"{settings.DATABASES['default']['NAME']}{LOCK_SUFFIX}"


def _sqlite(url: str) -> Callable[[], None]:
    """An exclusive flock on ``<file>.lock``. The file stays (deleting it would let a third apply lock
    a new file while the second still holds the old one); the kernel drops the lock if we die."""
    path = lock_path(url)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise database_fault(f"cannot create the lock file '{path}': {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_holder(fd)
        os.close(fd)
        raise _locked(url, f" (process {holder})" if holder else "") from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode("ascii"))

    def release() -> None:
        os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock
    return release


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
