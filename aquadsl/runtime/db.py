"""Database URLs, Django setup in this process, connection checks and migrations, with clear errors.

Credentials never leave this module unredacted: messages go through :func:`scrub`.
"""

from __future__ import annotations

import io
import os
import re
from urllib.parse import unquote_plus, urlsplit

from aquadsl.farm.settings import DEFAULT_URL, DatabaseURLError, settings_for
from aquadsl.runtime.errors import AQS_NOT_MIGRATED, DATABASE, RuntimeFault, database_fault

_current_url: str | None = None


def resolve_url(url: str | None) -> str:
    """``--database`` if given, else ``DATABASE_URL``, else the embedded SQLite default.

    An empty ``--database ""`` is an error (a DATABASE fault), never a silent fall back to the default.
    """
    if url is not None and not url.strip():
        raise database_fault("the database URL is empty", "give --database sqlite:///FILE or postgresql://…")
    return url or os.environ.get("DATABASE_URL") or DEFAULT_URL


# Query-string options whose values are secret (or point at secrets): never shown.
SENSITIVE_OPTIONS = frozenset({"password", "passfile", "sslpassword", "sslkey", "sslcert"})


def redact(url: str) -> str:
    """The URL with its password and sensitive query values replaced by ``***`` (safe to print and log)."""
    try:
        parts = urlsplit(url)
        shown = url   # edited as text: urlunsplit would turn sqlite:///a.db into sqlite:/a.db
        if parts.password is not None:
            userinfo, host = parts.netloc.rsplit("@", 1)
            shown = shown.replace(parts.netloc, f"{userinfo.split(':', 1)[0]}:***@{host}", 1)
        if parts.query:
            query = "&".join(_redact_option(o) for o in parts.query.split("&"))
            shown = shown.replace(f"?{parts.query}", f"?{query}", 1)
        return shown
    except ValueError:
        return "<unparseable database URL>"


def _redact_option(option: str) -> str:
    key, sep, _ = option.partition("=")
    return f"{key}=***" if sep and unquote_plus(key).lower() in SENSITIVE_OPTIONS else option


_SECRET_KEYS = "|".join(sorted(SENSITIVE_OPTIONS))
# Structural masks, applied to any text: a URL's userinfo password, a secret URL query option, and a
# libpq keyword/value pair (``password=x`` or ``password='x y'``), as drivers echo them.
_MASKS = (
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]*@", re.IGNORECASE), r"\1***@"),
    (re.compile(rf"([?&](?:{_SECRET_KEYS})=)[^&\s]*", re.IGNORECASE), r"\1***"),
    (re.compile(rf"(\b(?:{_SECRET_KEYS})\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'&]+)", re.IGNORECASE), r"\1***"),
)


def scrub(text: str, url: str | None) -> str:
    """``text`` with the URL redacted and every password-shaped field masked, by structure only:
    a password's text elsewhere in the message (a user name, a word) is left alone."""
    if url:
        text = text.replace(url, redact(url))
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def database_files(url: str) -> tuple[str, ...]:
    """An SQLite database's file and its journal, WAL and lock files (nothing for a server database)."""
    try:
        config = settings_for(url)["DATABASES"]["default"]
    except DatabaseURLError:
        return ()
    if "sqlite" not in config["ENGINE"]:
        return ()
    name = str(config["NAME"])
    return (name, *(name + suffix for suffix in ("-wal", "-shm", "-journal", ".lock")))


def setup(url: str) -> None:
    """Configure Django for ``url`` in this process (again if the URL changed), then ``django.setup()``."""
    global _current_url
    import django
    from django.conf import settings

    try:
        config = settings_for(url)
    except DatabaseURLError as exc:
        raise database_fault(f"invalid database URL {redact(url)}: {exc}") from None
    if not settings.configured:
        settings.configure(**config)
        django.setup()
    elif _current_url != url:
        _switch(settings, config)
    _current_url = url


def _switch(settings, config: dict) -> None:
    """Point the default connection at another database (tests and benchmarks reuse one process)."""
    from asgiref.local import Local
    from django.db import connections

    connections.close_all()
    settings.DATABASES = config["DATABASES"]
    connections.__dict__.pop("settings", None)  # a cached_property, recomputed from settings
    connections._settings = None
    connections._connections = Local(connections.thread_critical)


def vendor() -> str:
    """``sqlite`` or ``postgresql``."""
    from django.db import connection

    return connection.vendor


def describe_error(exc: BaseException, url: str) -> str:
    """A one-line, credential-free reason from a driver exception."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    text = lines[0] if lines else type(exc).__name__
    for marker in ("FATAL:", "ERROR:"):
        text = text.replace(marker, "")
    return scrub(" ".join(text.split()), url)


def check_connection(url: str) -> None:
    """Open the database and run a trivial query; raise a DATABASE fault with the reason if that fails."""
    from django.db import connection
    from django.db.utils import Error as DjangoDBError

    setup(url)
    try:
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
    except (DjangoDBError, OSError) as exc:
        connection.close()
        raise database_fault(f"cannot connect to {redact(url)}: {describe_error(exc, url)}",
                             _hint_for(url)) from None


def _hint_for(url: str) -> str:
    if url.startswith("sqlite"):
        return "check that the directory of the SQLite file exists and is writable"
    return "check the host, port, database name and credentials (--database URL or DATABASE_URL)"


def reconnect_if_dropped() -> None:
    """Replace an idle connection the server has closed (a restart, pg_terminate_backend)."""
    from django.db import connection

    if connection.connection is not None and not connection.is_usable():
        connection.close()


def pending_migrations() -> list[str]:
    """Names of farm migrations not yet applied to the database."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes("farm")
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(targets)]


def migrate(url: str) -> list[str]:
    """Apply pending farm migrations; returns their names (empty if the schema was up to date)."""
    from django.core.management import call_command
    from django.db.utils import Error as DjangoDBError

    check_connection(url)
    try:
        pending = pending_migrations()
        if pending:
            from aquadsl.runtime.faults import inject

            inject("migrate", "farm", 1)   # a test's fault point: Ctrl-C during the migration
            call_command("migrate", "farm", verbosity=0, interactive=False, stdout=io.StringIO())
    except DjangoDBError as exc:
        raise database_fault(f"migrating {redact(url)} failed: {describe_error(exc, url)}") from None
    return pending


def require_migrated(url: str) -> None:
    """Raise a clear fault if the farm tables are missing or out of date (for read-only commands)."""
    check_connection(url)
    if pending_migrations():
        raise RuntimeFault(AQS_NOT_MIGRATED, f"{redact(url)} holds no up-to-date aquadsl farm schema",
                           DATABASE, ("run `aquadsl migrate` or `aquadsl apply` first",))
