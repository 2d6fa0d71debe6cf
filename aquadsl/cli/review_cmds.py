"""`aquadsl plan-textconv`: a git diff driver that shows a plan JSON file as its summary and batch lines.

Set up once per repository (documented in the README):
    git config diff.aquadsl-plan.textconv "aquadsl plan-textconv"
    echo '*.plan.json diff=aquadsl-plan' >> .gitattributes     (or 'plan.json diff=aquadsl-plan')
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from aquadsl.plan.model import Plan, PlanFormatError, loads


def batch_lines(plan: Plan) -> list[str]:
    """One line per batch, in plan order: the facts a reviewer compares."""
    out = ["", "Batches (id, geography #index, start, eggs, harvest target, harvested or status at until)"]
    for b in plan.batches:
        end = f"harvest {b.harvest_date}" if b.harvest_date else (
            f"culled {b.end - dt.timedelta(days=1)}" if b.status == "culled" else f"{b.status} at until")
        out.append(f"  {b.id}  {b.geography} #{b.geo_index + 1}  {b.start}  {b.eggs:,} eggs  "
                   f"{b.harvest_target_kg:g} kg  {end}")
    return out


def textconv_text(text: str) -> str:
    """The text git diffs for one side: the plan preview and batch lines, or the file unchanged."""
    from aquadsl.render.preview import render_text

    try:
        plan = loads(text)
    except PlanFormatError as exc:   # not a plan (or another format version): diff it as it is
        return f"(aquadsl plan-textconv: shown as is, {exc})\n{text}"
    return render_text(plan) + "\n".join(batch_lines(plan)) + "\n"


@click.command(name="plan-textconv")
@click.argument("file", type=click.Path(dir_okay=False))
def plan_textconv(file: str) -> None:
    """Print a plan JSON file as its summary and one line per batch (a git textconv diff driver)."""
    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        click.echo(f"aquadsl: cannot read '{file}': {exc.strerror or exc}", err=True)
        sys.exit(1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        sys.stdout.buffer.write(raw)          # binary: leave it to git
        return
    click.echo(textconv_text(text), nl=False)


COMMANDS = (plan_textconv,)
