"""Checks of one mapped field: type, choices and value maps, lengths, numeric precision, lookups, defaults."""

from __future__ import annotations

from aquadsl.diagnostics import Diagnostics, did_you_mean
from aquadsl.targets import ir
from aquadsl.targets.exprs import FUNCTIONS, facts, walk
from aquadsl.targets.families import VOCABULARIES
from aquadsl.targets.manifest import Manifest, field_kind

_COMPATIBLE = {
    "text": {"text", "any", "null"}, "int": {"int", "any", "null", "id", "decimal"},
    "decimal": {"int", "float", "decimal", "any", "null"}, "float": {"int", "float", "decimal", "any", "null"},
    "date": {"date", "datetime", "any", "null"}, "datetime": {"datetime", "date", "any", "null"},
    "bool": {"bool", "int", "any", "null"}, "json": {"text", "int", "float", "bool", "any", "null"},
}


def check_field(m: ir.ModelMap, item: ir.FieldMap, field: dict, manifest: Manifest, mapping: ir.Mapping,
                extra: dict, extra_values: dict, diags: Diagnostics) -> None:
    expr = item.expr
    info = facts(expr, m.family, extra, extra_values)
    name = f"{m.model}.{field['name']}"
    if not _check_calls(expr, diags):
        return
    if field["auto_now"] or field["auto_now_add"]:
        if expr.kind != "load_time":
            diags.error("AQS611", f"{name} is auto_now: map it to the one pinned `load_time`", expr.span)
        return
    if expr.kind == "default":
        _check_default(name, field, expr, diags)
        return
    kind = field_kind(field)
    if field["foreign_key"] is not None:
        _check_fk(m, name, field, expr, manifest, mapping, diags)
        return
    if info.kind == "id" or (kind in _COMPATIBLE and info.kind not in _COMPATIBLE[kind]):
        diags.error("AQS632", f"{name} is {field['db_type']} but the expression gives {info.kind}", expr.span)
        return
    if info.kind == "null" and not field["null"]:
        diags.error("AQS610", f"{name} is NOT NULL but is mapped to null", expr.span)
    _check_choices(m, name, field, expr, info, diags)
    _check_size(name, field, expr, info, diags)
    for node in walk(expr):
        if node.kind == "lookup":
            check_lookup(node, manifest, diags)


def _check_calls(expr, diags: Diagnostics) -> bool:
    for node in walk(expr):
        if node.kind != "call":
            continue
        if node.name not in FUNCTIONS:
            diags.error("AQS605", f"unknown function '{node.name}'", node.span,
                        hints=did_you_mean(node.name, FUNCTIONS))
            return False
        low, high = FUNCTIONS[node.name]
        if not low <= len(node.args) <= high:
            diags.error("AQS605", f"{node.name}() takes {low}..{high} arguments, not {len(node.args)}", node.span)
            return False
    return True


def _check_default(name: str, field: dict, expr, diags: Diagnostics) -> None:
    default = field["default"]
    if default is None:
        diags.error("AQS613", f"{name} has no default in the target", expr.span)
    elif "callable" in default:
        diags.error("AQS613", f"{name}'s default is computed by {default['callable']}(); write the constant "
                              "it should be", expr.span)


def _check_fk(m: ir.ModelMap, name: str, field: dict, expr, manifest: Manifest, mapping: ir.Mapping,
              diags: Diagnostics) -> None:
    target = field["foreign_key"]["model"]
    if expr.kind == "lookup":
        if expr.model != target:
            diags.error("AQS641", f"{name} points at {target}, not {expr.model}", expr.model_span)
        check_lookup(expr, manifest, diags)
    elif expr.kind == "ref":
        from aquadsl.targets.families import row_family

        sources = {row_family(x.family) for x in mapping.maps if x.kind == "map" and x.model == target}
        if expr.family not in sources:
            diags.error("AQS642", f"{name} points at {target}, but ref({expr.family}) gives the ids of rows loaded "
                                  f"from '{expr.family}', and no map loads {target} from it", expr.span,
                        hints=(f"add `map {target} from {expr.family}`, or use lookup {target}(...)",))
    elif not (expr.kind == "lit" and expr.value is None and field["null"]):
        diags.error("AQS643", f"{name} is a foreign key to {target}: map it with lookup {target}(...) or ref(...)",
                    expr.span)


def check_lookup(node: ir.Lookup, manifest: Manifest, diags: Diagnostics) -> None:
    if manifest.model(node.model) is None:
        diags.error("AQS601", f"the target has no model '{node.model}'", node.model_span,
                    hints=did_you_mean(node.model, manifest.models))
        return
    names = []
    for key in node.keys:
        if any(k.field == key.field for k in node.keys[:node.keys.index(key)]):
            diags.error("AQS603", f"lookup key '{key.field}' is given twice", key.span)
            return
        f = manifest.field(node.model, key.field)
        if f is None:
            diags.error("AQS602", f"{node.model} has no field '{key.field}'", key.span,
                        hints=did_you_mean(key.field, manifest.field_names(node.model)))
            return
        names.append(f["name"])
    if frozenset(names) not in manifest.unique_sets(node.model):
        sets = [", ".join(sorted(s)) for s in manifest.unique_sets(node.model) if s != {"id"}]
        diags.error("AQS640", f"({', '.join(names)}) does not identify one {node.model}: names are not unique",
                    node.span, hints=(f"scope the lookup by a unique key: {'; '.join(sets) or 'none besides id'}",))


def _check_choices(m, name: str, field: dict, expr, info, diags: Diagnostics) -> None:
    choices = field["choices"]
    if expr.kind == "value_map":
        _check_value_map(m, name, expr, choices, diags)
    if not choices:
        return
    if info.values is None:
        diags.error("AQS620", f"{name} accepts only {', '.join(choices)}; map the values with "
                              "`map COLUMN { value: \"CHOICE\", ... }`", expr.span)
        return
    for value in info.values:
        if value is not None and str(value) not in choices:
            diags.error("AQS621", f"{value!r} is not a choice of {name}", _value_span(expr, value),
                        hints=did_you_mean(str(value), choices) or (f"choices: {', '.join(choices)}",))


def _value_span(expr, value):
    if expr.kind == "value_map":
        return next((e.value_span for e in expr.entries if e.value == value), expr.span)
    return expr.span


def _check_value_map(m, name: str, expr: ir.ValueMap, choices, diags: Diagnostics) -> None:
    source = expr.source.path
    emitted = VOCABULARIES.get((m.family, source[0])) if len(source) == 1 else None
    if m.unpivot is not None and source == (m.unpivot.key_name,):
        emitted = tuple(str(i.value) for i in m.unpivot.items)
    keys = [e.key for e in expr.entries]
    if emitted is not None:
        missing = [v for v in emitted if v not in keys]
        if missing:
            diags.error("AQS622", f"the value map of {name} does not cover {', '.join(map(repr, missing))}, "
                                  f"which {m.family}.{'.'.join(source)} can hold", expr.span)
        for entry in expr.entries:
            if entry.key not in emitted:
                diags.append(_warning(f"{m.family}.{'.'.join(source)} never holds {entry.key!r}", entry.span,
                                      did_you_mean(entry.key, emitted)))


def _warning(message, span, hints):
    from aquadsl.diagnostics import Diagnostic

    return Diagnostic(code="AQS623", message=message, span=span, severity="warning", hints=tuple(hints))


def _check_size(name: str, field: dict, expr, info, diags: Diagnostics) -> None:
    if field["max_length"] and info.values:
        for value in info.values:
            if isinstance(value, str) and len(value) > field["max_length"]:
                diags.error("AQS630", f"{value!r} is {len(value)} characters; {name} holds at most "
                                      f"{field['max_length']}", _value_span(expr, value))
    if field["type"] == "DecimalField" and info.bound is not None:
        limit = 10 ** (field["max_digits"] - field["decimal_places"])
        if info.bound >= limit:
            diags.error("AQS631", f"{name} is numeric({field['max_digits']}, {field['decimal_places']}) "
                                  f"(below {limit:g}) but values reach {info.bound:g}", expr.span,
                        hints=("widen the column or scale the value",))
