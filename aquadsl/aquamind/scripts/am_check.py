"""Runs INSIDE AquaMind's interpreter (stdlib + AquaMind only): validate loaded rows and read them through its API.

stdin: {"models": {label: sample_size}, "endpoints": {label: "/api/v1/.../"}, "seed": int}
stdout (last line): {"counts": {...}, "clean": {...}, "replay": {...}, "api": {...}}
Everything runs in one transaction that is rolled back, so the database is left as it was.
"""
import json
import os
import sys


def _setup():
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()


def _sample(model, size, seed):
    """Up to ``size`` rows spread evenly over the table by id, starting at a seeded offset."""
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    step = max(1, len(ids) // max(size, 1))
    chosen = ids[seed % step::step][:size]
    return list(model.objects.filter(pk__in=chosen).order_by("pk"))


def _values(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _clean(objs):
    from django.core.exceptions import ValidationError

    problems = []
    for obj in objs:
        try:
            obj.full_clean()
        except ValidationError as exc:
            problems.append({"pk": obj.pk, "errors": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}})
    return {"checked": len(objs), "problems": problems[:20], "failed": len(problems)}


def _replay(objs):
    from django.db import transaction

    skip = {"updated_at", "last_computed_at"}
    changed = []
    for obj in objs:
        before = _values(obj)
        try:
            with transaction.atomic():
                obj.save()
                obj.refresh_from_db()
                after = _values(obj)
                raise _Rollback()
        except _Rollback:
            pass
        except Exception as exc:  # noqa: BLE001 - reported as data
            changed.append({"pk": obj.pk, "error": f"{type(exc).__name__}: {exc}"[:300]})
            continue
        diff = {k: [str(before[k]), str(after[k])] for k in before if k not in skip and before[k] != after[k]}
        if diff:
            changed.append({"pk": obj.pk, "fields": diff})
    return {"checked": len(objs), "changed": changed[:20], "failed": len(changed)}


class _Rollback(Exception):
    pass


def _api(endpoints, models):
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    user = get_user_model().objects.create_superuser("aquadsl-api-check", "", "x")
    client = APIClient()
    client.force_authenticate(user)
    out = {}
    for label, url in sorted(endpoints.items()):
        model = models[label]
        listing = client.get(url, HTTP_HOST="127.0.0.1")
        entry = {"list_status": listing.status_code, "db_count": model.objects.count()}
        if listing.status_code == 200:
            body = listing.json()
            results = body.get("results", body) if isinstance(body, dict) else body
            entry["api_count"] = body.get("count", len(results)) if isinstance(body, dict) else len(results)
            first = results[0] if results else None
            if first is not None and "id" in first:
                detail = client.get(f"{url}{first['id']}/", HTTP_HOST="127.0.0.1")
                entry["detail_status"] = detail.status_code
                entry["detail_id_matches"] = detail.status_code == 200 and detail.json().get("id") == first["id"]
                entry["detail_in_db"] = model.objects.filter(pk=first["id"]).exists()
        else:
            entry["body"] = listing.content[:300].decode("utf-8", "replace")
        out[label] = entry
    return out


def main():
    payload = json.loads(sys.stdin.read() or "{}")
    _setup()
    from django.apps import apps
    from django.db import transaction

    models = {label: apps.get_model(label) for label in set(payload.get("models", {})) | set(payload.get("endpoints", {}))}
    seed = int(payload.get("seed", 0))
    result = {"counts": {label: m.objects.count() for label, m in sorted(models.items())}, "clean": {}, "replay": {}}
    try:
        with transaction.atomic():
            for label, size in sorted(payload.get("models", {}).items()):
                objs = _sample(models[label], int(size), seed)
                result["clean"][label] = _clean(objs)
                result["replay"][label] = _replay(objs)
            result["api"] = _api(payload.get("endpoints", {}), models)
            raise _Rollback()
    except _Rollback:
        pass
    print(json.dumps(result, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
