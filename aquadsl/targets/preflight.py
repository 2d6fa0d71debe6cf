"""Checks that need the plan (not only the manifest): values the scenario names must fit the mapping."""

from __future__ import annotations

from aquadsl.plan.model import Plan
from aquadsl.targets import ir
from aquadsl.targets.exprs import walk
from aquadsl.targets.families import plan_vocabulary
from aquadsl.targets.manifest import Manifest
from aquadsl.targets.schema_checks import AQS_PLAN_VALUES, fault


def _where(span) -> str:
    return f"{span.path}:{span.line}:{span.col}: "


def check_plan_values(mapping: ir.Mapping, manifest: Manifest, plan: Plan) -> None:
    """Every value the plan can put through a value map is covered; every plan string fits its column."""
    for m in mapping.maps:
        for fm in m.fields:
            field = manifest.field(m.model, fm.field)
            for node in walk(fm.expr):
                if node.kind == "value_map":
                    _covered(m, node, plan)
            if fm.expr.kind == "column" and field and field["max_length"]:
                values = plan_vocabulary(plan, m.family, ".".join(fm.expr.path)) or []
                long = [v for v in values if len(v) > field["max_length"]]
                if long:
                    raise fault(AQS_PLAN_VALUES, f"{_where(fm.expr.span)}{long[0]!r} ({len(long[0])} characters) "
                                                 f"does not fit {m.model}.{field['name']} (max_length "
                                                 f"{field['max_length']}); nothing was written")


def _covered(m: ir.ModelMap, node: ir.ValueMap, plan: Plan) -> None:
    if m.unpivot is not None and node.source.path == (m.unpivot.key_name,):
        return
    values = plan_vocabulary(plan, m.family, ".".join(node.source.path))
    if values is None:
        return
    keys = {str(e.key) for e in node.entries}
    missing = [v for v in values if v not in keys]
    if missing:
        raise fault(AQS_PLAN_VALUES, f"{_where(node.span)}the value map of {m.model} does not cover "
                                     f"{', '.join(map(repr, missing))}, which this scenario's "
                                     f"{m.family}.{'.'.join(node.source.path)} holds; nothing was written",
                    "add those values to the map")
