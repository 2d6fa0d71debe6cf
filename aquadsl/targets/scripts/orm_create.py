"""Runs INSIDE a target's interpreter (stdlib + Django only): get_or_create rows of one model.

stdin: {"model": "app.Model", "columns": [db columns], "key": [key columns], "rows": [[values...]]}
stdout: {"created": n, "existing": m}, or {"error": "..."} with exit 3.
"""
import json
import os
import sys


def main():
    sys.path.insert(0, os.getcwd())
    try:
        import django

        django.setup()
        from django.apps import apps
        from django.db import transaction
    except Exception as exc:  # noqa: BLE001 - reported as data
        print(json.dumps({"error": f"django.setup() failed ({type(exc).__name__}: {exc})"}))
        sys.exit(3)
    job = json.load(sys.stdin)
    model = apps.get_model(job["model"])
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    created = existing = 0
    try:
        with transaction.atomic():
            for row in job["rows"]:
                values = {attnames[c]: v for c, v in zip(job["columns"], row)}
                key = {k: values.pop(k) for k in [attnames[c] for c in job["key"]]}
                _, made = model.objects.get_or_create(**key, defaults=values)
                created += made
                existing += not made
    except Exception as exc:  # noqa: BLE001
        print(json.dumps({"error": f"get_or_create of {job['model']} failed ({type(exc).__name__}: {exc})"}))
        sys.exit(3)
    print(json.dumps({"created": created, "existing": existing}))


if __name__ == "__main__":
    main()
