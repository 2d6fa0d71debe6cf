"""Every save() override, clean() and signal receiver of a mapped model needs an explicit decision."""

from __future__ import annotations

from aquadsl.diagnostics import Diagnostics, did_you_mean
from aquadsl.targets import ir
from aquadsl.targets.manifest import Manifest


def required(manifest: Manifest, labels) -> dict[tuple[str, str], str]:
    """(subject, target) -> the model it belongs to, for every override and non-history receiver."""
    out = {}
    for label in sorted(labels):
        model = manifest.model(label)
        if model["save_override"]:
            out[("save", label)] = label
        if model["clean_override"]:
            out[("clean", label)] = label
        for r in model["receivers"]:
            if not r["history"]:
                out[("signal", r["receiver"])] = label
    return out


def check_decisions(mapping: ir.Mapping, manifest: Manifest, mapped: dict, diags: Diagnostics) -> None:
    needed = required(manifest, mapped)
    given: dict[tuple[str, str], ir.Decision] = {}
    for d in mapping.decisions:
        key = (d.subject, d.target)
        if key not in needed:
            known = [t for (s, t) in needed if s == d.subject]
            diags.error("AQS651", f"no mapped model has a {d.subject} {'receiver' if d.subject == 'signal' else 'override'} "
                                  f"'{d.target}'", d.target_span, hints=did_you_mean(d.target, known))
            continue
        given[key] = d
        _check_action(d, manifest, mapped, diags)
    for (subject, target), label in needed.items():
        if (subject, target) not in given:
            m = mapped[label][0]
            what = {"save": f"{label}.save() is overridden", "clean": f"{label}.clean() is overridden",
                    "signal": f"signal receiver {target} listens to {label}"}[subject]
            diags.error("AQS650", f"{what}: decide ignore, emulate or replay", m.model_span,
                        hints=(f'add: decide {subject} {target} ignore|emulate ...|replay "module.callable" '
                               '"reason"',))


def _check_action(d: ir.Decision, manifest: Manifest, mapped: dict, diags: Diagnostics) -> None:
    if d.action == "emulate" and d.subject == "save":
        mapped_fields = {f.field for m in mapped.get(d.target, []) for f in m.fields}
        for name in d.emulate:
            if name not in mapped_fields:
                diags.error("AQS652", f"save() emulation names '{name}', which no map of {d.target} computes",
                            d.target_span, hints=did_you_mean(name, mapped_fields))
    elif d.action == "emulate" and d.subject == "signal":
        for label in d.emulate:
            if label not in mapped:
                diags.error("AQS652", f"signal emulation names {label}, which no map writes", d.target_span,
                            hints=did_you_mean(label, mapped))
    elif d.action == "emulate":
        diags.error("AQS653", "clean() only validates: decide ignore (verify runs full_clean) or replay",
                    d.span)
    if d.action == "replay" and (not d.replay or "." not in d.replay):
        diags.error("AQS653", "replay needs a dotted callable, e.g. \"app.module.function\"", d.span)
