"""The scripts that run in a target's interpreter import only the standard library and Django;
the rest of aquadsl.targets never imports a target's code (it talks to it through subprocesses)."""

from __future__ import annotations

import sys

from tests.conftest import ROOT
from tests.test_boundaries import imported_modules

SCRIPTS = ROOT / "aquadsl" / "targets" / "scripts"


def test_target_scripts_import_only_the_standard_library_and_django():
    bad = []
    for path in sorted(SCRIPTS.glob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and top != "django":
                bad.append(f"{path.name} imports {name}")
    assert not bad and len(list(SCRIPTS.glob("*.py"))) == 4, bad


def test_the_targets_package_stays_out_of_the_target_and_the_scenario_front_end():
    bad = []
    for path in sorted((ROOT / "aquadsl" / "targets").glob("*.py")):
        for name in imported_modules(path):
            if name.startswith(("hatchery", "seafarm", "aquadsl.compiler", "aquadsl.transformer", "aquadsl.ir")):
                bad.append(f"{path.name} imports {name}")
    assert not bad, bad
