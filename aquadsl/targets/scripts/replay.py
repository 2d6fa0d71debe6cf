"""Runs INSIDE a target's interpreter (stdlib + Django only): the mapping's replay steps and replay decisions.

stdin, one of:
  {"callables": ["app.module.function", ...]}    replay decisions: call each once, in order
  {"steps": [{"name", "model", "callable", "where"}], "batches": [{"id", "lo", "hi"}],
   "ledger_schema": "aquadsl", "paths": [...], "load_time": "..."}
      replay steps: per step, per batch (in the order given) whose rows the ledger marks loaded and
      whose step is not yet recorded, call the function on each row of the model with lo <= pk < hi
      in pk order, then record (step, batch) in the ledger table replay_steps, all in one transaction.
  {"undo": [{"name", "model", "callable" or null, "where"}], "block": id_block, "ledger_schema", "paths"}
      before `apply --fresh`: per step, per batch recorded for it, call the undo function on the same
      rows (ids from the batch's plan_index in the ledger) and delete the record, in one transaction.
stdout: {"called": [...]} / {"steps": {name: {"batches", "skipped", "objects", "seconds"}}} /
{"undone": {name: batches}}, or {"error": "..."}.
Callables are imported from the project first, then from "paths" (the mapping's folder, aquadsl's targets/).
"""
import importlib
import inspect
import json
import os
import sys
import time


def resolve(path, paths=()):
    """The function a dotted path names (sys.path gets ``paths`` appended once)."""
    for extra in paths:
        if extra not in sys.path:
            sys.path.append(extra)
    parts = path.split(".")
    if len(parts) < 2:
        raise ValueError(f"'{path}' is not a dotted path (module.function)")
    for cut in range(len(parts) - 1, 0, -1):       # the longest importable module, then attributes
        module = ".".join(parts[:cut])
        try:
            obj = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if cut > 1 and exc.name and module.startswith(exc.name):
                continue
            raise
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
            if obj is None:
                raise ValueError(f"module {module} has no callable '{'.'.join(parts[cut:])}'")
        if not callable(obj):
            raise ValueError(f"'{path}' is not callable")
        return obj
    raise ValueError(f"'{path}' cannot be imported")


def describe(path, paths=()):
    """What the probe reports about a replay step's callable: importable, and callable with one object."""
    try:
        fn = resolve(path, paths)
        inspect.signature(fn).bind(object())
    except TypeError as exc:
        return {"ok": False, "error": f"it cannot be called with one object ({exc})"}
    except Exception as exc:  # noqa: BLE001 - reported as data
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True}


def _qi(name):
    return '"' + name.replace('"', '""') + '"'


def _ledger(cur, schema):
    table = f"{_qi(schema)}.replay_steps"
    cur.execute(f"CREATE SCHEMA IF NOT EXISTS {_qi(schema)}")
    cur.execute(f"CREATE TABLE IF NOT EXISTS {table} (step text NOT NULL, batch_id text NOT NULL, "
                "objects integer NOT NULL, seconds double precision NOT NULL, PRIMARY KEY (step, batch_id))")
    return table


def _loaded(cur, schema, ids):
    cur.execute("SELECT to_regclass(%s)", [f"{_qi(schema)}.farm_ledger_batches"])
    if cur.fetchone()[0] is None:
        return set()
    cur.execute(f"SELECT batch_id FROM {_qi(schema)}.farm_ledger_batches WHERE status = 'done' "
                "AND batch_id = ANY(%s)", [list(ids)])
    return {r[0] for r in cur.fetchall()}


def run_steps(job):
    from django.apps import apps
    from django.db import connection, transaction

    os.environ["AQUADSL_LOAD_TIME"] = job.get("load_time") or ""
    with connection.cursor() as cur:
        table = _ledger(cur, job["ledger_schema"])
        loaded = _loaded(cur, job["ledger_schema"], [b["id"] for b in job["batches"]])
    out = {}
    for step in job["steps"]:
        where = f"{step['where']}: replay {step['name']}"
        try:
            fn, model = resolve(step["callable"], job.get("paths", ())), apps.get_model(step["model"])
        except Exception as exc:  # noqa: BLE001 - reported as data
            raise RuntimeError(f"{where}: cannot use '{step['callable']}' ({type(exc).__name__}: {exc})") from None
        with connection.cursor() as cur:
            cur.execute(f"SELECT batch_id FROM {table} WHERE step = %s", [step["name"]])
            done = {r[0] for r in cur.fetchall()}
        stats = out[step["name"]] = {"batches": 0, "skipped": 0, "objects": 0, "seconds": 0.0}
        for batch in job["batches"]:
            if batch["id"] not in loaded or batch["id"] in done:
                stats["skipped"] += 1
                continue
            t0, n = time.perf_counter(), 0
            with transaction.atomic():
                for obj in model.objects.filter(pk__gte=batch["lo"], pk__lt=batch["hi"]).order_by("pk").iterator():
                    try:
                        fn(obj)
                    except Exception as exc:  # noqa: BLE001 - reported as data, the batch's step rolled back
                        raise RuntimeError(f"{where}: {step['callable']} failed on {step['model']} pk={obj.pk} "
                                           f"of batch {batch['id']} ({type(exc).__name__}: {exc})") from None
                    n += 1
                seconds = time.perf_counter() - t0
                with connection.cursor() as cur:
                    cur.execute(f"INSERT INTO {table} (step, batch_id, objects, seconds) VALUES (%s, %s, %s, %s)",
                                [step["name"], batch["id"], n, seconds])
            stats["batches"] += 1
            stats["objects"] += n
            stats["seconds"] += seconds
    return out


def undo_steps(job):
    from django.apps import apps
    from django.db import connection, transaction

    schema = job["ledger_schema"]
    with connection.cursor() as cur:
        table = _ledger(cur, schema)
    out = {}
    for step in job["undo"]:
        where = f"{step['where']}: replay {step['name']} (undo)"
        try:
            fn = resolve(step["callable"], job.get("paths", ())) if step["callable"] else None
            model = apps.get_model(step["model"])
        except Exception as exc:  # noqa: BLE001 - reported as data
            raise RuntimeError(f"{where}: cannot use '{step['callable']}' ({type(exc).__name__}: {exc})") from None
        with connection.cursor() as cur:
            cur.execute(f"SELECT r.batch_id, b.plan_index FROM {table} r LEFT JOIN "
                        f"{_qi(schema)}.farm_ledger_batches b USING (batch_id) WHERE r.step = %s ORDER BY 2, 1",
                        [step["name"]])
            recorded = cur.fetchall()
        for batch_id, index in recorded:
            with transaction.atomic():
                if fn is not None and index is not None:
                    lo = (index + 1) * job["block"]
                    for obj in model.objects.filter(pk__gte=lo, pk__lt=lo + job["block"]).order_by("pk").iterator():
                        fn(obj)
                with connection.cursor() as cur:
                    cur.execute(f"DELETE FROM {table} WHERE step = %s AND batch_id = %s", [step["name"], batch_id])
        out[step["name"]] = len(recorded)
    return out


def main():
    sys.path.insert(0, os.getcwd())
    job = json.load(sys.stdin)
    try:
        import django

        django.setup()
        if "steps" in job:
            answer = {"steps": run_steps(job)}
        elif "undo" in job:
            answer = {"undone": undo_steps(job)}
        else:
            for path in job["callables"]:
                resolve(path)()
            answer = {"called": job["callables"]}
    except Exception as exc:  # noqa: BLE001 - reported as data
        message = str(exc) if isinstance(exc, RuntimeError) else f"{type(exc).__name__}: {exc}"
        print(json.dumps({"error": message}))
        sys.exit(3)
    print(json.dumps(answer, sort_keys=True))


if __name__ == "__main__":
    main()
