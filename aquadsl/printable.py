"""User text made safe to print: control characters are shown as escapes, never sent raw.

A label, batch id or scenario name can hold ESC (``\\x1b``) and other control characters: printed raw,
they recolour or clear a terminal, or hide text in a pull-request comment. Every renderer of user text
(the previews, `diff`, `status`, the `apply` summary) passes it through :func:`printable`.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included: they break a one-line cell), DEL, C1 controls, and the
# bidirectional formatting characters that reorder what a reader sees (Trojan Source).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """``text`` with every control or bidi character replaced by its escape (``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(_escape, str(text))
