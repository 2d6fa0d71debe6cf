"""Runs INSIDE a target's interpreter (stdlib + Django only): judge loaded rows with the target's own code.

stdin: {"models": {label: {"ranges": [[lo, hi], ...], "expected": n or null}}, "sample": k, "seed": s,
        "endpoints": [paths]}
stdout: {"findings": [{check, subject, ok, message, expected, found}, ...]} or {"error": ...} (exit 3).
Checks: row-count, full-clean (a seeded sample), save-replay (in a rolled-back transaction), endpoint.
"""
import json
import os
import random
import sys


def finding(check, subject, ok, message, expected=None, found=None):
    return {"check": check, "subject": subject, "ok": ok, "message": message, "expected": expected, "found": found}


def _queryset(model, ranges):
    from django.db.models import Q

    q = Q(pk__in=[])
    for lo, hi in ranges:
        q |= Q(pk__gte=lo, pk__lt=hi)
    return model.objects.filter(q)


def _sample(qs, n, k, seed, label, ranges):
    """``k`` rows chosen by a seeded draw of row numbers (one indexed scan, whatever the table size)."""
    from django.db import connection

    rng = random.Random(f"{seed}:{label}")
    picks = sorted(rng.sample(range(1, n + 1), min(k, n)))
    meta = qs.model._meta
    pk = connection.ops.quote_name(meta.pk.column)
    where = " OR ".join(f"({pk} >= %s AND {pk} < %s)" for _ in ranges) or "FALSE"
    with connection.cursor() as cur:
        cur.execute(f"SELECT x.pk FROM (SELECT {pk} AS pk, row_number() OVER (ORDER BY {pk}) AS rn "
                    f"FROM {connection.ops.quote_name(meta.db_table)} WHERE {where}) x WHERE x.rn = ANY(%s)",
                    [v for r in ranges for v in r] + [picks])
        ids = [row[0] for row in cur.fetchall()]
    return list(qs.model.objects.filter(pk__in=ids).order_by("pk"))


def _full_clean(label, objs, clean_ignored=None):
    """full_clean() on each sampled row. Where the mapping decides to ignore the model's clean(), the
    other checks (fields, unique, constraints) must pass, and what clean() rejects is reported with
    that decision instead of failing."""
    from django.core.exceptions import ValidationError

    problems, rejected = [], []
    for obj in objs:
        try:
            if clean_ignored:
                obj.clean_fields()
                obj.validate_unique()
                obj.validate_constraints()
            else:
                obj.full_clean()
        except ValidationError as exc:
            problems.append(f"id {obj.pk}: {_detail(exc)}")
            continue
        if clean_ignored:
            try:
                obj.clean()
            except ValidationError as exc:
                rejected.append(f"id {obj.pk}: {_detail(exc)}")
    if problems:
        return finding("full-clean", label, False, f"{label}: {len(problems)} of {len(objs)} sampled rows fail "
                       f"full_clean(): " + " | ".join(problems[:3]), 0, len(problems))
    if rejected:
        return finding("full-clean", label, True, f"{label}: {len(objs)} sampled rows pass full_clean() but "
                       f"clean(), which rejects {len(rejected)} ({rejected[0]}); clean() is decided ignore: "
                       f"{clean_ignored}", 0, 0)
    return finding("full-clean", label, True, f"{label}: {len(objs)} sampled rows pass full_clean()", 0, 0)


def _detail(exc) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in sorted(exc.message_dict.items()))
    return " ".join(exc.messages)


def _replay(label, objs):
    from django.db import transaction

    fields = [f for f in objs[0]._meta.concrete_fields if not getattr(f, "auto_now", False)] if objs else []
    diffs = []
    with transaction.atomic():
        for obj in objs:
            before = {f.attname: getattr(obj, f.attname) for f in fields}
            obj.save()
            # What the database stores is what the application reads back: save() may compute more
            # decimals than the column keeps (AquaMind's biomass), which the column then rounds.
            obj.refresh_from_db()
            for f in fields:
                after = getattr(obj, f.attname)
                if after != before[f.attname]:
                    diffs.append(f"{f.name} of id {obj.pk}: loaded {before[f.attname]!r}, save() computes {after!r}")
        transaction.set_rollback(True)
    if diffs:
        return finding("save-replay", label, False, f"{label}: save() computes {len(diffs)} field(s) differently: "
                       + " | ".join(diffs[:3]), 0, len(diffs))
    return finding("save-replay", label, True, f"{label}: save() on {len(objs)} sampled rows changes no field", 0, 0)


def _client():
    """A test client: as a throw-away superuser (made in the caller's rolled-back transaction) when the
    target can sign one in (DRF's force_authenticate, or a session login), else anonymous."""
    import importlib
    import importlib.util

    from django.apps import apps
    from django.test import Client

    if not apps.is_installed("django.contrib.auth"):
        return Client()
    from django.contrib.auth import get_user_model

    if importlib.util.find_spec("rest_framework") is not None:     # token/JWT-only APIs take no session
        client = importlib.import_module("rest_framework.test").APIClient()
        client.force_authenticate(get_user_model().objects.create_superuser("aquadsl-verify", "", None))
        return client
    client = Client()
    if apps.is_installed("django.contrib.sessions"):
        client.force_login(get_user_model().objects.create_superuser("aquadsl-verify", "", None))
    return client


def _endpoint(path, client):
    try:
        response = client.get(path, HTTP_ACCEPT="application/json", HTTP_HOST="127.0.0.1")
        ok = response.status_code == 200
        return finding("endpoint", path, ok, f"GET {path}: {response.status_code}", 200, response.status_code)
    except Exception as exc:  # noqa: BLE001
        return finding("endpoint", path, False, f"GET {path}: {type(exc).__name__}: {exc}", 200, None)


def main():
    sys.path.insert(0, os.getcwd())
    job = json.load(sys.stdin)
    try:
        import django

        django.setup()
        from django.apps import apps
    except Exception as exc:  # noqa: BLE001 - reported as data
        print(json.dumps({"error": f"django.setup() failed ({type(exc).__name__}: {exc})"}))
        sys.exit(3)
    out = []
    try:
        for label, spec in sorted(job["models"].items()):
            qs = _queryset(apps.get_model(label), spec["ranges"])
            n, expected = qs.count(), spec["expected"]
            if expected is not None:
                out.append(finding("row-count", label, n == expected,
                                   f"{label}: {expected:,} expected, {n:,} found", expected, n))
            if spec.get("sample", True):
                objs = _sample(qs, n, job["sample"], job["seed"], label, spec["ranges"])
                out.append(_full_clean(label, objs, spec.get("clean_ignored")))
                out.append(_replay(label, objs))
        if job.get("endpoints"):
            from django.db import transaction

            with transaction.atomic():
                client = _client()
                out.extend(_endpoint(p, client) for p in job["endpoints"])
                transaction.set_rollback(True)
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"error": f"verify failed ({type(exc).__name__}: {' '.join(str(exc).split())[:300]})"}))
        sys.exit(3)
    print(json.dumps({"findings": out}, default=str))


if __name__ == "__main__":
    main()
