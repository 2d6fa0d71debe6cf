"""The simulation stays pure: it imports neither Django nor Lark nor the front end or compiler."""

from __future__ import annotations

import ast
from pathlib import Path

import aquadsl.sim

SIM = Path(aquadsl.sim.__file__).parent
FORBIDDEN = ("django", "lark", "psycopg2", "aquadsl.parser", "aquadsl.transformer", "aquadsl.ir",
             "aquadsl.compiler", "aquadsl.runtime", "aquadsl.cli", "random")


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_sim_modules_import_only_plan_sim_numpy_and_the_standard_library():
    modules = sorted(SIM.glob("*.py"))
    assert len(modules) > 5
    for path in modules:
        for name in _imports(path):
            assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (path.name, name)
            if name.startswith("aquadsl"):
                assert name.startswith(("aquadsl.sim", "aquadsl.plan")), (path.name, name)
