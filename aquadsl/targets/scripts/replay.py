"""Runs INSIDE a target's interpreter (stdlib + Django only): call each `replay` callable once, in order.

stdin: {"callables": ["app.module.function", ...]}; stdout: {"called": [...]} or {"error": "..."}.
"""
import importlib
import json
import os
import sys


def main():
    sys.path.insert(0, os.getcwd())
    job = json.load(sys.stdin)
    try:
        import django

        django.setup()
        called = []
        for path in job["callables"]:
            module, _, name = path.rpartition(".")
            getattr(importlib.import_module(module), name)()
            called.append(path)
    except Exception as exc:  # noqa: BLE001 - reported as data
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        sys.exit(3)
    print(json.dumps({"called": called}))


if __name__ == "__main__":
    main()
