"""What the CLI's target options do: load and check the mapping, get a manifest, then run the library."""

from __future__ import annotations

import sys

import click

from aquadsl.cli import exits
from aquadsl.cli.common import print_diagnostics


def checked_mapping(path: str, manifest_path: str | None, database: str | None):
    """(mapping, manifest) after every completeness check, or exit with the diagnostics (1) or 69."""
    from aquadsl.diagnostics import Diagnostics, sort_key
    from aquadsl.targets.check import check_mapping
    from aquadsl.targets.interp import TargetError, run_script
    from aquadsl.targets.loader import load_mapping
    from aquadsl.targets.manifest import Manifest, ManifestError, load_manifest

    result = load_mapping(path)
    if not result.ok or result.mapping.target is None:
        result.diagnostics.extend(check_mapping(result.mapping, Manifest({"models": {}})) if result.mapping else [])
        print_diagnostics(result.diagnostics, result.sources)
        sys.exit(exits.ERROR)
    try:
        manifest = load_manifest(manifest_path) if manifest_path else Manifest(
            run_script(result.mapping, "probe.py", None, database))
    except ManifestError as exc:
        click.echo(f"error[AQS660]: {exc}", err=True)
        sys.exit(exits.ERROR)
    except TargetError as exc:
        click.echo(f"error[AQS661]: {exc}", err=True)
        sys.exit(69)
    diags = Diagnostics(sorted(check_mapping(result.mapping, manifest), key=sort_key))
    print_diagnostics(diags, result.sources)
    if diags.has_errors:
        click.echo(f"{path}: {sum(d.severity == 'error' for d in diags)} error(s); nothing was written", err=True)
        sys.exit(exits.ERROR)
    return result.mapping, manifest


def apply_to_target(plan, mapping_path: str, manifest_path: str | None, url: str, options):
    """`apply --target`: check, load, then run the mapping's replay decisions in the target."""
    from aquadsl.targets.apply import apply_target
    from aquadsl.targets.interp import TargetError, run_script

    if options.executor.name != "local":   # checked before anything is written
        from aquadsl.executors.base import usage_fault

        raise usage_fault("a targeted apply runs on the local executor only (its workers carry the target job)",
                          "drop --executor celery for --target")
    mapping, manifest = checked_mapping(mapping_path, manifest_path, url)
    summary = apply_target(plan, mapping, manifest, url, options, echo=lambda m: click.echo(m, err=True))
    replays = [d.replay for d in mapping.decisions if d.action == "replay"]
    if replays and not summary.failed and summary.pending == 0:
        try:
            run_script(mapping, "replay.py", {"callables": replays}, url)
            click.echo(f"replayed {len(replays)} callable(s) in the target: {', '.join(replays)}", err=True)
        except TargetError as exc:
            click.echo(f"error[AQS661]: replay failed: {exc}", err=True)
            sys.exit(69)
    return summary
