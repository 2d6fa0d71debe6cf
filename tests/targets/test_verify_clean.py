"""Target verify's full_clean() check, and how a `decide clean MODEL ignore` decision shapes it.

The verify script runs in the target's interpreter; its full_clean() step only needs Django's
ValidationError and the model instance's methods, so it is exercised here on stand-in instances.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

import aquadsl.targets
from aquadsl.targets.loader import load_mapping
from aquadsl.targets.verify import clean_ignored

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(aquadsl.targets.__file__).with_name("scripts") / "verify.py"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("aquadsl_target_verify_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Row:
    """A model instance as full_clean() sees it: each check passes unless told to raise."""

    def __init__(self, pk, field_error=None, clean_error=None):
        self.pk, self.field_error, self.clean_error = pk, field_error, clean_error

    def clean_fields(self):
        if self.field_error:
            raise ValidationError({"fish_count": [self.field_error]})

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass

    def clean(self):
        if self.clean_error:
            raise ValidationError(self.clean_error)

    def full_clean(self):
        self.clean_fields()
        try:
            self.clean()
        except ValidationError as exc:
            raise ValidationError({"__all__": exc.messages}) from exc


def test_without_a_decision_a_clean_rejection_fails_the_check(script):
    found = script._full_clean("app.M", [Row(1), Row(2, clean_error="cannot end before it starts")])
    assert not found["ok"] and "1 of 2 sampled rows fail full_clean()" in found["message"]
    assert "cannot end before it starts" in found["message"]


def test_an_ignored_clean_is_reported_with_its_decision_and_passes(script):
    decision = "completed workflows reject new actions by design (m.aqt:12:1)"
    found = script._full_clean("app.M", [Row(1, clean_error="Cannot add actions"), Row(2)], decision)
    assert found["ok"]
    assert "clean(), which rejects 1 (id 1: Cannot add actions)" in found["message"]
    assert "clean() is decided ignore: " + decision in found["message"]


def test_an_ignored_clean_still_fails_on_field_errors(script):
    found = script._full_clean("app.M", [Row(1, field_error="must be positive")], "reason (m.aqt:1:1)")
    assert not found["ok"] and "fish_count: must be positive" in found["message"]


def test_clean_ignored_names_each_decision_with_its_place():
    mapping = load_mapping(str(ROOT / "targets" / "sample.aqt")).mapping
    found = clean_ignored(mapping)
    assert list(found) == ["hatchery.Placement"]
    assert found["hatchery.Placement"].startswith("the simulation never ends a placement before it starts")
    line = next(i for i, text in enumerate((ROOT / "targets" / "sample.aqt").read_text().splitlines(), 1)
                if text.startswith("decide clean hatchery.Placement"))
    assert f"sample.aqt:{line}:" in found["hatchery.Placement"]
