"""One apply at a time per database: a PostgreSQL advisory lock, or an flock'ed file beside the SQLite file.

Two concurrent applies would otherwise race on migrations, the ledger and the batches, and fail with
raw database errors. The second one now stops at once with a LOCKED fault (exit 75).

The lock is also tied to the writers: every batch transaction checks, inside itself, that this run
still holds the lock (:class:`LockGuard`), and the parent re-checks its lock connection before each
dispatch. A lock lost mid-run (the connection terminated) stops the run with a LOCK_LOST fault
instead of letting a second apply's plan mix with ours. The lock connection opts out of the server's
``idle_session_timeout``, so an idle lock is never dropped by the server.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from aquadsl.runtime import db
from aquadsl.runtime.errors import AQS_LOCKED, LOCKED, LockLost, RuntimeFault, database_fault, lock_lost_fault

# A fixed key for pg_try_advisory_lock: the bytes of "aquadsl1" as a (positive) bigint.
ADVISORY_KEY = int.from_bytes(b"aquadsl1", "big")
LOCK_SUFFIX = ".lock"


def _locked(url: str, holder: str = "") -> RuntimeFault:
    return RuntimeFault(AQS_LOCKED, f"another apply is running on {db.redact(url)}{holder}", LOCKED,
                        ("wait for it to finish (or stop it), then run this command again: it resumes",))


@dataclass(frozen=True)
class LockGuard:
    """Picklable proof of the lock, checked inside each batch transaction (workers and the writer).

    PostgreSQL: a session whose application_name is this run's token holds the advisory lock (the
    parent may re-take it on a new connection with the same token). SQLite: the lock file's path and
    inode (a deleted and recreated lock file never passes).
    """

    vendor: str
    token: str = ""
    path: str = ""
    inode: tuple[int, int] = (0, 0)

    def check(self, connection) -> None:
        """Raise LockLost unless this run still holds the apply lock; call inside the transaction,
        after its first table lock, so that another apply's wipe cannot slip in between."""
        if self.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(_HELD_SQL, [self.token, ADVISORY_KEY >> 32, ADVISORY_KEY & 0xFFFFFFFF])
                if not cur.fetchone()[0]:
                    raise LockLost("no connection of this run holds it any more")
        elif self.path:
            try:
                st = os.stat(self.path)
            except OSError:
                raise LockLost(f"the lock file '{self.path}' was removed") from None
            if (st.st_dev, st.st_ino) != self.inode:
                raise LockLost(f"the lock file '{self.path}' was replaced")


_HELD_SQL = """SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = %s
   AND l.classid = %s AND l.objid = %s AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""


class HeldLock:
    """The parent's handle: the guard for the writers, and ``check()`` for the parent's own loop."""

    def __init__(self, guard: LockGuard, probe: Callable[[], None], release: Callable[[], None],
                 bind: Callable[[str, int], None] = lambda plan_hash, run_id: None):
        self.guard, self._probe, self._release, self.bind = guard, probe, release, bind
        self._mutex = threading.Lock()
        self._checked = 0.0

    def check(self, every: float = 0.0) -> None:
        """Raise a LOCK_LOST fault if the lock is gone for good (at most once per ``every`` seconds)."""
        now = time.monotonic()
        if now - self._checked < every:
            return
        with self._mutex:
            self._checked = now
            try:
                self._probe()
            except LockLost as exc:
                raise lock_lost_fault(str(exc)) from None

    def release(self) -> None:
        with self._mutex:
            self._release()


@contextlib.contextmanager
def apply_lock(url: str) -> Iterator[HeldLock]:
    """Hold the database's apply lock for the ``with`` block; a LOCKED fault if another apply holds it."""
    db.check_connection(url)
    held = _postgresql(url) if db.vendor() == "postgresql" else _sqlite(url)
    try:
        yield held
    finally:
        held.release()


class _PgLock:
    """A session advisory lock on a connection of its own, so that Django closing or replacing its
    connection during the run never releases the lock early. If the server drops the lock connection,
    the lock is re-taken only when no other apply touched the database meanwhile (same plan in the
    ledger, no newer run); otherwise it is lost and the run stops."""

    def __init__(self, url: str):
        self.url = url
        self.token = f"aquadsl-lock {os.getpid()} {os.urandom(6).hex()}"
        self.raw = None
        self.expect: tuple[str, int] | None = None

    def acquire(self) -> bool:
        from django.db import connection

        params = connection.get_connection_params() | {"application_name": self.token}
        self.raw = connection.get_new_connection(params)
        self.raw.autocommit = True
        with self.raw.cursor() as cur:
            # This connection idles for the whole run: a server-side idle timeout must not end it.
            cur.execute("SET idle_session_timeout = 0")
            cur.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            return cur.fetchone()[0]

    def bind(self, plan_hash: str, run_id: int) -> None:
        self.expect = (plan_hash, run_id)

    def probe(self) -> None:
        try:
            with self.raw.cursor() as cur:
                cur.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - the lock connection failed: re-take the lock or stop
            self._retake(db.describe_error(exc, self.url))

    def _retake(self, reason: str) -> None:
        self.close()
        if self.expect is None:
            raise LockLost(f"its connection failed: {reason}")
        try:
            if not self.acquire():
                raise LockLost(f"its connection failed ({reason}) and another apply took it")
            with self.raw.cursor() as cur:
                cur.execute("SELECT (SELECT plan_hash FROM farm_ledger_plan ORDER BY id LIMIT 1), "
                            "(SELECT max(id) FROM farm_ledger_runs)")
                found = cur.fetchone()
        except LockLost:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - still unreachable: the lock is lost
            self.close()
            raise LockLost(f"its connection failed: {db.describe_error(exc, self.url)}") from None
        if tuple(found) != self.expect:
            self.close()
            raise LockLost(f"its connection failed ({reason}) and another apply used the database meanwhile")

    def close(self) -> None:
        try:
            self.raw.close()
        except Exception:  # noqa: BLE001 - already closed or broken
            pass


def _postgresql(url: str) -> HeldLock:
    lock = _PgLock(url)
    try:
        acquired = lock.acquire()
    except Exception as exc:  # noqa: BLE001 - raw psycopg2 errors, not wrapped by Django
        raise database_fault(f"cannot take the apply lock on {db.redact(url)}: {db.describe_error(exc, url)}") \
            from None
    if not acquired:
        lock.close()
        raise _locked(url)
    return HeldLock(LockGuard("postgresql", token=lock.token), lock.probe, lock.close, lock.bind)


def lock_path(url: str) -> str:
    """The lock file of an SQLite database: ``<database file>.lock``."""
    from django.conf import settings

    return f"{settings.DATABASES['default']['NAME']}{LOCK_SUFFIX}"


def _sqlite(url: str) -> HeldLock:
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
    st = os.fstat(fd)
    guard = LockGuard("sqlite", path=os.path.abspath(path), inode=(st.st_dev, st.st_ino))

    def release() -> None:
        os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock
    return HeldLock(guard, lambda: guard.check(None), release)


def held_by_anyone(url: str) -> bool:
    """Whether any process holds the apply lock of the database Django is set up for, without taking
    it (a status must never make an apply starting beside it fail). A run marked running whose lock
    nobody holds is dead: its process was killed outright."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_ANY_HOLDER_SQL, [ADVISORY_KEY >> 32, ADVISORY_KEY & 0xFFFFFFFF])
            return bool(cur.fetchone()[0])
    return _flocked(lock_path(url))


_ANY_HOLDER_SQL = """SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted
   AND l.classid = %s AND l.objid = %s AND l.objsubid = 1
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""


def _flocked(path: str) -> bool:
    """Whether some process holds a flock on ``path``: read from /proc/locks (Linux); elsewhere, whether
    the process whose id the lock file holds is alive."""
    try:
        inode = os.stat(path).st_ino
    except OSError:
        return False   # no lock file: no apply ever ran here, or it was removed
    try:
        with open("/proc/locks", encoding="ascii") as fh:
            table = fh.read()
    except OSError:
        with open(path, "rb") as fh:
            holder = fh.read(32).decode("ascii", "replace").strip()
        return holder.isdigit() and _alive(int(holder))
    for line in table.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2196576 0 EOF" (blocked waiters are marked "->")
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""
