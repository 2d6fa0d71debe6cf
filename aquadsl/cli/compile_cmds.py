"""`aquadsl check`, `compile` and `diff`: thin commands over the compiler and the plan renderers."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import yaml

from aquadsl.cli import exits
from aquadsl.cli.common import TODAY, fail, print_diagnostics, resolve_today, write_atomic
from aquadsl.cli.sources import load_plan
from aquadsl.compiler import check_path, compile_path
from aquadsl.plan.model import dumps, to_data


@click.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--manifest", type=click.Path(dir_okay=False), default=None,
              help="A target manifest (aquadsl target probe): check .aqt mappings against it.")
@TODAY
def check(files: tuple[str, ...], fmt: str, today, manifest: str | None) -> None:
    """Report every error in FILES (scenarios, libraries or .aqt mappings); exit 1 if there is any."""
    from aquadsl.targets.loader import check_path as check_mapping

    diags, seen, sources = [], set(), {}
    for f in files:
        if f.endswith(".aqt"):
            result = check_mapping(f, manifest)
        else:
            result = check_path(f, today=resolve_today(today))
        fresh = [d for d in result.diagnostics if d not in seen]  # a shared library is reported once
        seen.update(fresh)
        diags.extend(fresh)
        sources.update(result.sources)
    print_diagnostics(diags, sources, fmt)
    errors = sum(d.severity == "error" for d in diags)
    if fmt == "text":
        click.echo(f"{len(files)} file(s) checked: {errors} error(s)", err=True)
    sys.exit(exits.ERROR if errors else exits.OK)


@click.command(name="compile")
@click.argument("file")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write the canonical plan JSON here.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "yaml", "md"]), default="text",
              show_default=True, help="text/md: a preview; json/yaml: the plan itself.")
@click.option("--workers", type=click.IntRange(1, 256), default=14, show_default=True,
              help="Show the balanced partitions for N workers (14: the old production runs).")
@TODAY
def compile_(file: str, out: str | None, fmt: str, workers: int, today) -> None:
    """Compile FILE to a deterministic plan and print a preview (or the plan)."""
    result = compile_path(file, today=resolve_today(today))
    print_diagnostics(result.diagnostics, result.sources)
    if not result.ok:
        sys.exit(exits.ERROR)
    if out:
        try:
            write_atomic(Path(out), dumps(result.plan))
        except OSError as exc:
            fail(f"cannot write '{out}': {exc.strerror or exc}", exits.ERROR)
    click.echo(render_plan(result.plan, fmt, workers), nl=False)


def render_plan(plan, fmt: str, workers: int | None) -> str:
    """The plan in the chosen format; json is byte-identical to what --out writes."""
    if fmt == "json":
        return dumps(plan)
    if fmt == "yaml":
        return yaml.safe_dump(to_data(plan), sort_keys=True, allow_unicode=True)
    from aquadsl.render.preview import render_markdown, render_text
    text = render_markdown(plan, workers) if fmt == "md" else render_text(plan, workers)
    return text if text.endswith("\n") else text + "\n"


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "md"]), default="text", show_default=True)
@TODAY
def diff(old: str, new: str, fmt: str, today) -> None:
    """Compare two scenarios, plans or REV:path git revisions. Exit 0: same, 2: changes, 1: error."""
    from aquadsl.plan.diff import diff_plans
    from aquadsl.render.diffview import render_diff_markdown, render_diff_text
    sides = [load_plan(arg, resolve_today(today)) for arg in (old, new)]
    for arg, side in zip((old, new), sides):
        print_diagnostics(side.diagnostics, side.sources)
        if side.error:
            click.echo(f"aquadsl: {side.error}", err=True)
    if any(side.plan is None for side in sides):
        sys.exit(exits.ERROR)
    result = diff_plans(sides[0].plan, sides[1].plan)
    text = render_diff_markdown(result) if fmt == "md" else render_diff_text(result)
    click.echo(text, nl=not text.endswith("\n"))
    sys.exit(exits.CHANGES if result.has_changes else exits.OK)


COMMANDS = (check, compile_, diff)
