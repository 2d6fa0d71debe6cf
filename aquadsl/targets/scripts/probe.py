"""Runs INSIDE a target's interpreter (stdlib + the target's Django only): print its manifest as JSON.

Usage: python probe.py  (cwd = the project directory, DJANGO_SETTINGS_MODULE set by the caller).
Exit 0 with the manifest on stdout; exit 3 with {"error": ...} when Django cannot be set up.
"""
import json
import os
import sys
import weakref

SIGNALS = ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed")


def _fail(message):
    print(json.dumps({"error": message}))
    sys.exit(3)


def _setup():
    sys.path.insert(0, os.getcwd())
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    try:
        import django
    except Exception as exc:  # noqa: BLE001 - reported as data
        _fail(f"this interpreter cannot import Django ({type(exc).__name__}: {exc})")
    try:
        import importlib

        importlib.import_module(settings_module)
    except Exception as exc:  # noqa: BLE001
        _fail(f"settings module {settings_module!r} cannot be imported ({type(exc).__name__}: {exc})")
    try:
        django.setup()
    except Exception as exc:  # noqa: BLE001
        _fail(f"django.setup() failed with settings {settings_module!r} ({type(exc).__name__}: {exc})")
    return django


def _path(obj):
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__name__)}"


def _default(field):
    from django.db.models.fields import NOT_PROVIDED

    if field.default is NOT_PROVIDED:
        return None
    value = field.default
    if callable(value):
        return {"callable": _path(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return {"value": value}
    return {"value": str(value)}


def _field(field, connection):
    data = {
        "name": field.name, "column": field.column, "type": field.get_internal_type(),
        "db_type": field.db_type(connection), "null": bool(field.null),
        "primary_key": bool(field.primary_key), "unique": bool(field.unique),
        "max_length": field.max_length, "max_digits": getattr(field, "max_digits", None),
        "decimal_places": getattr(field, "decimal_places", None), "default": _default(field),
        "db_default": getattr(field, "db_default", None) is not None
        and type(getattr(field, "db_default", None)).__name__ != "NOT_PROVIDED",
        "auto_now": bool(getattr(field, "auto_now", False)),
        "auto_now_add": bool(getattr(field, "auto_now_add", False)),
        "choices": [str(c[0]) for c in field.flatchoices] if field.choices else None,
        "validators": sorted({_path(type(v)) for v in field.validators}),
        "foreign_key": None,
    }
    if field.is_relation and field.many_to_one:
        target = field.remote_field.model
        data["foreign_key"] = {"model": target._meta.label, "field": field.target_field.column}
    return data


def _constraints(meta):
    out = []
    for fields in meta.unique_together:
        out.append({"kind": "unique", "fields": sorted(fields), "condition": None, "name": None})
    for c in meta.constraints:
        kind = type(c).__name__
        if kind == "UniqueConstraint" and c.fields:
            out.append({"kind": "partial_unique" if c.condition is not None else "unique",
                        "fields": sorted(c.fields), "name": c.name,
                        "condition": str(c.condition) if c.condition is not None else None})
        elif kind == "CheckConstraint":
            out.append({"kind": "check", "fields": [], "name": c.name, "condition": str(c.check)})
    return sorted(out, key=lambda c: (c["kind"], c["fields"], c["name"] or ""))


def _overrides(model, name):
    from django.db import models

    base = getattr(models.Model, name)
    for klass in model.__mro__:
        if klass is models.Model:
            return None
        if name in vars(klass) and vars(klass)[name] is not base:
            return _path(vars(klass)[name])
    return None


def _receivers(model):
    from django.db.models import signals
    from django.dispatch.dispatcher import _make_id

    found = []
    for name in SIGNALS:
        signal = getattr(signals, name)
        for key, ref in list(signal.receivers):
            sender = key[1]
            if sender not in (_make_id(model), _make_id(None)):
                continue
            func = ref() if isinstance(ref, weakref.ReferenceType) else ref
            if func is None:
                continue
            path = _path(func)
            found.append({"signal": name, "receiver": path, "history": path.startswith("simple_history."),
                          "any_sender": sender == _make_id(None)})
    return sorted(found, key=lambda r: (r["signal"], r["receiver"]))


def _history_of(model):
    instance = getattr(model, "instance_type", None)
    fields = {f.name for f in model._meta.concrete_fields}
    if instance is not None and {"history_id", "history_type", "history_date"} <= fields:
        return instance._meta.label
    return None


def _hypertables(connection):
    try:
        with connection.cursor() as cur:
            if connection.vendor != "postgresql":
                return {"available": False, "tables": []}
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
            if cur.fetchone() is None:
                return {"available": False, "tables": []}
            cur.execute("SELECT hypertable_name FROM timescaledb_information.hypertables ORDER BY 1")
            return {"available": True, "tables": [r[0] for r in cur.fetchall()]}
    except Exception as exc:  # noqa: BLE001 - the database is optional for a probe
        return {"available": None, "tables": [], "error": " ".join(str(exc).split())[:200]}


def manifest():
    django = _setup()
    from django.apps import apps
    from django.db import connection

    models = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        models[meta.label] = {
            "db_table": meta.db_table, "pk": meta.pk.column,
            "fields": [_field(f, connection) for f in meta.concrete_fields],
            "constraints": _constraints(meta),
            "save_override": _overrides(model, "save"), "clean_override": _overrides(model, "clean"),
            "receivers": _receivers(model), "history_of": _history_of(model), "history_table": None,
        }
    for label, data in models.items():
        if data["history_of"] in models:
            models[data["history_of"]]["history_table"] = {"model": label, "db_table": data["db_table"]}
    return {"format_version": 1, "django": django.get_version(), "vendor": connection.vendor,
            "settings": os.environ.get("DJANGO_SETTINGS_MODULE"), "models": models,
            "timescaledb": _hypertables(connection)}


def _callables(job):
    """Replay steps' callables (stdin {"callables": [...], "paths": [...]}): can each be imported and called?"""
    import importlib.util

    where = os.path.join(os.path.dirname(os.path.abspath(__file__)), "replay.py")
    spec = importlib.util.spec_from_file_location("aquadsl_target_replay", where)
    replay = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(replay)
    return {path: replay.describe(path, job.get("paths", ())) for path in sorted(set(job["callables"]))}


if __name__ == "__main__":
    text = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    job = json.loads(text) if text.strip() else {}
    data = manifest()
    if job.get("callables"):
        data["callables"] = _callables(job)
    print(json.dumps(data, sort_keys=True))
