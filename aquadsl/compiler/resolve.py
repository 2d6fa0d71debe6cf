"""Pass 1: gather definitions from every module into symbol tables; duplicates are diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Note


@dataclass(frozen=True)
class Symbols:
    """Definitions by name, in definition order (imports first, then the importing file)."""

    root: str
    kinds: dict[str, ir.ContainerKind]
    geographies: dict[str, ir.Geography]
    lifecycles: dict[str, ir.Lifecycle]
    scenario: ir.Scenario | None


def resolve(modules: list[ir.Module], root: str, diags: Diagnostics) -> Symbols:
    """Build the symbol tables; a scenario is only allowed in the root file."""
    tables: dict[type, dict] = {ir.ContainerKind: {}, ir.Geography: {}, ir.Lifecycle: {}}
    what = {ir.ContainerKind: "container kind", ir.Geography: "geography", ir.Lifecycle: "lifecycle"}
    scenarios: list[ir.Scenario] = []
    for module in modules:
        for item in module.items:
            if isinstance(item, ir.Scenario):
                if module.path != root:
                    diags.error("AQS206", "a scenario may only be written in the file being compiled, "
                                "not in an imported library", item.span)
                else:
                    scenarios.append(item)
                continue
            table = tables.get(type(item))
            if table is None:
                continue
            if item.name in table:
                first = table[item.name]
                diags.error("AQS202", f"{what[type(item)]} '{item.name}' is defined twice", item.span,
                            notes=[Note(message="first defined here", span=first.span)])
                continue
            table[item.name] = item
    for extra in scenarios[1:]:
        diags.error("AQS206", "only one scenario per file", extra.span,
                    notes=[Note(message="the first scenario is here", span=scenarios[0].span)])
    return Symbols(root=root, kinds=tables[ir.ContainerKind], geographies=tables[ir.Geography],
                   lifecycles=tables[ir.Lifecycle], scenario=scenarios[0] if scenarios else None)
