"""Presentation of compiled plans: previews for `aquadsl compile` and semantic diffs for `aquadsl diff`."""

from aquadsl.render.diffview import render_diff_markdown, render_diff_text
from aquadsl.render.preview import render_markdown, render_text

__all__ = ["render_diff_markdown", "render_diff_text", "render_markdown", "render_text"]
