"""The Jinja2 environments: templates are package data; they only loop and format what Python prepared."""

from __future__ import annotations

import functools

import jinja2

from aquadsl.render.preview import md_escape


@functools.cache
def environment(kind: str) -> jinja2.Environment:
    """``md``: no escaping (cells are escaped with the ``md`` filter); ``html``: autoescaped."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aquadsl.report", "templates"),
        autoescape=kind == "html", undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = md_escape
    return env


def render(template: str, **context) -> str:
    kind = "html" if template.endswith(".html.j2") else "md"
    return environment(kind).get_template(template).render(**context)
