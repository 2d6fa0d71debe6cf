"""`aquadsl check MAPPING --manifest M`: prove a mapping complete against the target's manifest.

Codes (AQS6xx, see docs/targets.md): 600 syntax, 601-606 names, 610-614 required columns and
Python-side defaults, 620-623 choices, 630-632 sizes and types, 640-644 lookups and keys,
650-653 decisions on save()/clean()/signals, 654-657 replay steps.
"""

from __future__ import annotations

from aquadsl.diagnostics import Diagnostics, Note, did_you_mean
from aquadsl.targets import ir
from aquadsl.targets.check_fields import check_field
from aquadsl.targets.exprs import column_type, unpivot_extra, walk
from aquadsl.targets.families import REF_COLUMNS, all_families, family_columns, is_infra
from aquadsl.targets.manifest import Manifest


def check_mapping(mapping: ir.Mapping, manifest: Manifest) -> Diagnostics:
    """Every problem of ``mapping`` against ``manifest``, in source order."""
    diags = Diagnostics()
    _check_target(mapping, diags)
    manifest = with_declared_keys(mapping, manifest)
    mapped: dict[str, list[ir.ModelMap]] = {}
    for m in mapping.maps:
        if _check_header(m, manifest, diags):
            mapped.setdefault(m.model, []).append(m)
            _check_body(m, manifest, mapping, diags)
    _check_decisions(mapping, manifest, mapped, diags)
    return diags


def with_declared_keys(mapping: ir.Mapping, manifest: Manifest) -> Manifest:
    """The manifest plus the `infra ... by KEY` keys of models whose database enforces no unique key.

    Many applications (AquaMind among them) keep names unique per parent only by convention. The
    mapping's `by` key then declares the natural key: aquadsl's own rows are unique in it by
    construction, and apply refuses a database whose existing rows repeat one (so a lookup by it
    can never match twice).
    """
    models = dict(manifest.models)
    for m in mapping.maps:
        if m.kind != "infra" or m.model not in models or not m.natural_key:
            continue
        names = [(manifest.field(m.model, k) or {"name": k})["name"] for k in m.natural_key]
        if frozenset(names) in manifest.unique_sets(m.model):
            continue
        model = dict(models[m.model])
        model["constraints"] = [*model.get("constraints", []),
                                {"kind": "unique", "fields": sorted(names), "name": "aquadsl_declared_key",
                                 "condition": None, "declared": True}]
        models[m.model] = model
    return Manifest({**manifest.data, "models": models})


def declared_keys(manifest: Manifest, label: str) -> list[list[str]]:
    """The declared (not database-enforced) keys of a model, as added by with_declared_keys."""
    return [c["fields"] for c in (manifest.model(label) or {}).get("constraints", []) if c.get("declared")]


def _check_target(mapping: ir.Mapping, diags: Diagnostics) -> None:
    t = mapping.target
    if t is None:
        diags.error("AQS606", "the mapping has no `target` block saying how to reach the target",
                    hints=('add: target NAME { project "DIR" python "DIR/.venv/bin/python" settings "pkg.settings" }',))
        return
    for key in ("project", "python", "settings"):
        if getattr(t, key) is None:
            diags.error("AQS606", f"the target block does not say `{key}`", t.span)
    if t.id_block < 1000:
        diags.error("AQS606", "id_block must be at least 1000 (ids per batch and model)", t.spans.get("id_block"))


def _check_header(m: ir.ModelMap, manifest: Manifest, diags: Diagnostics) -> bool:
    ok = True
    if manifest.model(m.model) is None:
        diags.error("AQS601", f"the target has no model '{m.model}'", m.model_span,
                    hints=did_you_mean(m.model, manifest.models))
        ok = False
    if family_columns(m.family) is None:
        diags.error("AQS604", f"no row family '{m.family}'", m.family_span,
                    hints=did_you_mean(m.family, all_families()))
        ok = False
    elif m.kind == "map" and is_infra(m.family):
        diags.error("AQS604", f"'{m.family}' is infrastructure: use `infra {m.model} from {m.family} upsert by ...`",
                    m.family_span)
        ok = False
    elif m.kind == "infra" and not is_infra(m.family):
        diags.error("AQS604", f"'{m.family}' holds batch rows: use `map {m.model} from {m.family}`", m.family_span)
        ok = False
    return ok


def _check_body(m: ir.ModelMap, manifest: Manifest, mapping: ir.Mapping, diags: Diagnostics) -> None:
    extra, extra_values = unpivot_extra(m)
    _check_unpivot(m, diags)
    seen: dict[str, ir.FieldMap | ir.Skip] = {}
    for item in (*m.fields, *m.skips):
        field = manifest.field(m.model, item.field)
        if field is None:
            diags.error("AQS602", f"{m.model} has no field '{item.field}'", item.span,
                        hints=did_you_mean(item.field, manifest.field_names(m.model)))
            continue
        if field["name"] in seen:
            first = seen[field["name"]]
            diags.error("AQS603", f"{m.model}.{field['name']} is mapped twice", item.span,
                        notes=(Note(message="first mapped here", span=first.span),))
            continue
        seen[field["name"]] = item
        if isinstance(item, ir.Skip):
            _check_skip(m, item, field, diags)
            continue
        _check_columns(m, item.expr, extra, diags)
        check_field(m, item, field, manifest, mapping, extra, extra_values, diags)
    _check_missing(m, manifest, seen, diags)
    if m.kind == "infra":
        _check_natural_key(m, manifest, seen, diags)


def _check_unpivot(m: ir.ModelMap, diags: Diagnostics) -> None:
    if m.unpivot is None:
        return
    cols = family_columns(m.family) or {}
    for item in m.unpivot.items:
        if item.key not in cols:
            diags.error("AQS605", f"row family '{m.family}' has no column '{item.key}'", item.span,
                        hints=did_you_mean(item.key, cols))


def _check_columns(m: ir.ModelMap, expr, extra: dict[str, str], diags: Diagnostics) -> None:
    cols = list(family_columns(m.family) or {}) + list(extra)
    for node in walk(expr):
        if node.kind == "column" and column_type(m.family, node.path, extra) is None:
            name = ".".join(node.path)
            diags.error("AQS605", f"row family '{m.family}' has no column '{name}'", node.span,
                        hints=did_you_mean(name, cols))
        elif node.kind == "ref" and node.column is not None and node.family not in REF_COLUMNS:
            _check_ref_column(m, node, diags)
        elif node.kind == "ref" and (node.family not in REF_COLUMNS or is_infra(m.family)
                                     or (node.column or REF_COLUMNS[node.family] or "batch_id") not in cols):
            diags.error("AQS642", f"ref({node.family}) is not available in a map from '{m.family}'", node.span,
                        hints=("ref(batches) in any batch family; ref(assignments) where rows have an assignment; "
                               "ref(growth_samples) in fish_observations",))


def _check_ref_column(m: ir.ModelMap, node: ir.Ref, diags: Diagnostics) -> None:
    """ref(FAMILY, COLUMN): both batch families; COLUMN an int column numbering FAMILY's rows in this batch."""
    if is_infra(m.family) or family_columns(node.family) is None or is_infra(node.family):
        diags.error("AQS642", f"ref({node.family}, {node.column}) needs batch families on both sides", node.span,
                    hints=did_you_mean(node.family, [f for f in all_families() if not is_infra(f)]))
    elif (family_columns(m.family) or {}).get(node.column) != "int":
        diags.error("AQS642", f"row family '{m.family}' has no int column '{node.column}' to number "
                              f"{node.family}'s rows", node.span)


def _check_skip(m: ir.ModelMap, skip: ir.Skip, field: dict, diags: Diagnostics) -> None:
    if not field["null"] and not field["db_default"] and not field["primary_key"]:
        diags.error("AQS614", f"{m.model}.{field['name']} is NOT NULL without a database default: it cannot "
                              "be skipped", skip.span)


def _check_missing(m: ir.ModelMap, manifest: Manifest, seen: dict, diags: Diagnostics) -> None:
    for field in manifest.model(m.model)["fields"]:
        if field["name"] in seen or field["primary_key"]:
            continue
        where = f"{m.model}.{field['name']} (column {field['column']})"
        if field["auto_now"] or field["auto_now_add"]:
            diags.error("AQS611", f"{where} is auto_now in Python; COPY would skip it", m.model_span,
                        hints=(f"map it: {field['name']} = load_time",))
        elif field["default"] is not None and not field["db_default"]:
            required = "" if field["null"] else "NOT NULL "
            diags.error("AQS611", f"{required}{where} has a Python-only default that COPY would skip",
                        m.model_span, hints=(f"map it ({field['name']} = default, or a constant)"
                                             + ("" if required else f", or write `skip {field['name']} \"reason\"`"),))
        elif not field["null"] and not field["db_default"]:
            diags.error("AQS610", f"missing NOT NULL column {where}", m.model_span,
                        hints=(f"map it: {field['name']} = ...",))


def _check_natural_key(m: ir.ModelMap, manifest: Manifest, seen: dict, diags: Diagnostics) -> None:
    for name in m.natural_key:
        if not isinstance(seen.get(name), ir.FieldMap):
            diags.error("AQS644", f"natural key field '{name}' of {m.model} is not mapped", m.model_span)
            return
    if frozenset(m.natural_key) not in manifest.unique_sets(m.model):
        sets = [", ".join(sorted(s)) for s in manifest.unique_sets(m.model) if "id" not in s]
        diags.error("AQS644", f"({', '.join(m.natural_key)}) is not a unique key of {m.model}", m.model_span,
                    hints=(f"unique keys: {'; '.join(sets) or 'none besides id'}",))


def _check_decisions(mapping: ir.Mapping, manifest: Manifest, mapped: dict, diags: Diagnostics) -> None:
    from aquadsl.targets.decisions import check_decisions
    from aquadsl.targets.replay import check_replays

    check_decisions(mapping, manifest, mapped, diags)
    check_replays(mapping, manifest, mapped, diags)
