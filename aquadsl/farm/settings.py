"""Django settings of the farm database, with DATABASES built from a database URL.

Used two ways: ``DJANGO_SETTINGS_MODULE=aquadsl.farm.settings`` (makemigrations, reads
``DATABASE_URL``), and by the runtime, which calls :func:`settings_for` to configure Django in-process.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_URL = "sqlite:///aquadsl.sqlite3"

# WAL lets `aquadsl status` read while the single writer writes; NORMAL syncs at checkpoints only,
# which is safe with WAL (a power cut may lose the last batches, never corrupt them).
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA cache_size=-131072;"
    "PRAGMA temp_store=MEMORY;"
)

_PG_OPTIONS = {"sslmode", "connect_timeout", "application_name", "options", "sslrootcert",
               "sslcert", "sslkey", "sslpassword", "passfile", "target_session_attrs"}


class DatabaseURLError(ValueError):
    """A database URL that cannot be understood; the message never contains the password."""


def _sqlite(parts) -> dict:
    path = unquote(parts.path)
    # sqlite:///rel.db -> path "/rel.db"; sqlite:////abs.db -> path "//abs.db"
    path = path[1:] if path.startswith("/") else path
    if not path:
        raise DatabaseURLError("sqlite URL names no file (use sqlite:///aquadsl.sqlite3)")
    if path == ":memory:":
        raise DatabaseURLError("an in-memory SQLite database cannot be shared with worker processes; "
                               "name a file (sqlite:///aquadsl.sqlite3)")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(Path(path).expanduser().resolve()),
        "OPTIONS": {"timeout": 60, "init_command": SQLITE_PRAGMAS, "transaction_mode": "IMMEDIATE"},
    }


def _postgresql(parts) -> dict:
    query = dict(parse_qsl(parts.query))
    unknown = sorted(set(query) - _PG_OPTIONS - {"host", "port", "password"})
    if unknown:
        raise DatabaseURLError(f"unknown PostgreSQL URL option {unknown[0]!r}")
    try:
        port = parts.port
    except ValueError:
        raise DatabaseURLError("PostgreSQL URL has an invalid port") from None
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise DatabaseURLError("PostgreSQL URL names no database (postgresql://user@host:5432/NAME)")
    options = {k: v for k, v in query.items() if k in _PG_OPTIONS}
    # Fail fast on an unreachable server instead of waiting for the OS timeout.
    options.setdefault("connect_timeout", "5")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        # libpq also takes the password as a query option; the runtime redacts it like the userinfo one.
        "PASSWORD": query.get("password") or unquote(parts.password or ""),
        "HOST": query.get("host") or parts.hostname or "",
        "PORT": str(query.get("port") or port or ""),
        "OPTIONS": options,
    }


def database_config(url: str) -> dict:
    """The Django ``DATABASES['default']`` entry for ``url`` (sqlite:///FILE or postgresql://...)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise DatabaseURLError("the database URL cannot be parsed") from None
    scheme = parts.scheme.lower()
    if scheme in ("sqlite", "sqlite3"):
        return _sqlite(parts)
    if scheme in ("postgresql", "postgres", "pgsql"):
        return _postgresql(parts)
    shown = scheme or "(none)"
    raise DatabaseURLError(f"unsupported database URL scheme {shown!r}; use sqlite:/// or postgresql://")


def settings_for(url: str) -> dict:
    """Keyword arguments for ``django.conf.settings.configure`` that use the database at ``url``."""
    return {
        "DATABASES": {"default": database_config(url)},
        "INSTALLED_APPS": ["aquadsl.farm"],
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "LOGGING_CONFIG": None,
        "SECRET_KEY": "aquadsl-farm-not-a-web-app",
    }


def _module_settings() -> dict:
    """Settings for DJANGO_SETTINGS_MODULE use; a bad DATABASE_URL is reported later, by the runtime."""
    try:
        return settings_for(os.environ.get("DATABASE_URL") or DEFAULT_URL)
    except DatabaseURLError:
        return settings_for(DEFAULT_URL)


globals().update(_module_settings())
