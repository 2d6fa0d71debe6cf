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
    from aquadsl.targets.replay import probe_payload

    result = load_mapping(path)
    if not result.ok or result.mapping.target is None:
        result.diagnostics.extend(check_mapping(result.mapping, Manifest({"models": {}})) if result.mapping else [])
        print_diagnostics(result.diagnostics, result.sources)
        sys.exit(exits.ERROR)
    try:
        manifest = load_manifest(manifest_path) if manifest_path else Manifest(
            run_script(result.mapping, "probe.py", probe_payload(result.mapping), database))
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


def apply_to_target(plan, mapping_path: str, manifest_path: str | None, url: str, options, replay: str = "all"):
    """`apply --target`: check, load, then run the mapping's replay decisions and the chosen replay steps."""
    from aquadsl.targets.apply import apply_target
    from aquadsl.targets.interp import TargetError, run_script

    if options.executor.name != "local":   # checked before anything is written
        from aquadsl.executors.base import usage_fault

        raise usage_fault("a targeted apply runs on the local executor only (its workers carry the target job)",
                          "drop --executor celery for --target")
    mapping, manifest = checked_mapping(mapping_path, manifest_path, url)
    steps = chosen_steps(mapping, replay)
    if options.fresh:
        _undo_steps(mapping, url)
    summary = apply_target(plan, *load_only(mapping, manifest), url, options, echo=lambda m: click.echo(m, err=True))
    replays = [d.replay for d in mapping.decisions if d.action == "replay"]
    if summary.failed or summary.pending:
        return summary
    try:
        if replays:
            run_script(mapping, "replay.py", {"callables": replays}, url)
            click.echo(f"replayed {len(replays)} callable(s) in the target: {', '.join(replays)}", err=True)
        run_steps(mapping, plan, url, steps)
    except TargetError as exc:
        click.echo(f"error[AQS661]: replay failed: {exc}", err=True)
        sys.exit(69)
    return summary


def load_only(mapping, manifest):
    """The mapping and manifest without the replay steps: adding or changing a step leaves a load current."""
    from aquadsl.targets.manifest import Manifest

    data = {k: v for k, v in manifest.data.items() if k != "callables"}
    return mapping.model_copy(update={"replays": ()}), Manifest(data)


def _undo_steps(mapping, url: str) -> None:
    """--fresh: what the replay steps wrote goes before the rows it hangs on (exit 69 if an undo fails)."""
    from aquadsl.targets.interp import TargetError
    from aquadsl.targets.replay import undo_replays

    try:
        undone = undo_replays(mapping, url)
    except TargetError as exc:
        click.echo(f"error[AQS661]: undoing the replay steps failed (no loaded row was deleted; run again to "
                   f"resume): {exc}", err=True)
        sys.exit(69)
    for name, batches in undone.items():
        if batches:
            click.echo(f"--fresh: undid replay {name} for {batches} batch(es)", err=True)


def chosen_steps(mapping, choice: str):
    """The replay steps ``--replay`` selects, or exit 2 naming the unknown ones."""
    from aquadsl.targets.replay import selected

    try:
        return selected(mapping, choice)
    except ValueError as exc:
        click.echo(f"aquadsl: --replay: {exc}", err=True)
        sys.exit(exits.USAGE)


def run_steps(mapping, plan, url: str, steps) -> None:
    """Run the replay steps, one line per step with its time (TargetError propagates)."""
    from aquadsl.targets.replay import run_replays

    if steps:
        click.echo(f"replaying {', '.join(s.name for s in steps)} in the target (this can take longer than the "
                   "load; --replay none skips it, `aquadsl target replay` runs it later)", err=True)
    for result in run_replays(mapping, plan, url, steps):
        click.echo(result.line(), err=True)
