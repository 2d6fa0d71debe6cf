"""Architecture boundaries: runtime sees only plan/sim; sim and compiler never import Django or Lark."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "aquadsl"
FRONT_END = ("aquadsl.parser", "aquadsl.transformer", "aquadsl.ir", "aquadsl.compiler")
RULES = {
    "runtime": FRONT_END,
    "sim": FRONT_END + ("django", "lark", "aquadsl.runtime", "aquadsl.farm"),
    "compiler": ("django", "aquadsl.runtime", "aquadsl.farm"),
    "plan": FRONT_END + ("django", "lark", "aquadsl.runtime", "aquadsl.farm"),
    "farm": FRONT_END,
}


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports(layer):
    folder = PACKAGE / layer
    if not folder.exists():
        pytest.skip(f"aquadsl/{layer} does not exist yet")
    bad = []
    for path in sorted(folder.rglob("*.py")):
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in RULES[layer]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_ir_and_diagnostics_do_not_import_django():
    for name in ("ir.py", "diagnostics.py", "parser.py", "transformer.py"):
        assert not any(m.startswith("django") for m in imported_modules(PACKAGE / name))
