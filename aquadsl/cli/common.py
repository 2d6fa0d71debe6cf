"""Helpers shared by commands: dates, reading plans or scenarios, printing diagnostics, atomic writes."""

from __future__ import annotations

import datetime as dt
import sys

import click

from aquadsl.diagnostics import Diagnostic, render_json, render_text


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"'{value}' is not a date (YYYY-MM-DD)", param, ctx)


TODAY = click.option("--today", type=DateParam(), default=None,
                     help="The date that `until today` means (default: the real date, read once).")


def resolve_today(today: dt.date | None) -> dt.date:
    """The only place the wall clock is read: to resolve `until today` when --today is not given."""
    return today or dt.date.today()


def print_diagnostics(diags: list[Diagnostic], sources: dict[str, str], fmt: str = "text") -> None:
    if fmt == "json":
        click.echo(render_json(diags))
    elif diags:
        click.echo(render_text(diags, sources), err=True)


def fail(message: str, code: int) -> None:
    click.echo(f"aquadsl: {message}", err=True)
    sys.exit(code)
