"""Pass 4: expand the batch rules into batches: schedule order, dates, eggs, ids, harvest targets, growth."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from aquadsl.compiler.text_limits import ID, text_problem
from aquadsl import ir
from aquadsl.compiler import living
from aquadsl.compiler.checked import Checked
from aquadsl.compiler.evaluate import EvalError, evaluate, render_pattern
from aquadsl.diagnostics import Diagnostics, Note
from aquadsl.plan.model import Infrastructure
from aquadsl.sim.growth import Trajectory, project
from aquadsl.sim.lice import course

MAX_EGGS = 10 ** 9


@dataclass(frozen=True)
class BatchSpec:
    """One batch before allocation."""

    id: str
    index: int
    geography: str
    geo_index: int
    start: dt.date
    eggs: int
    harvest_target_kg: float
    trajectory: Trajectory
    growth_factors: dict[str, float] = field(default_factory=dict)
    mortality_factors: dict[str, float] = field(default_factory=dict)
    incidents: tuple = ()
    weight_events: tuple = ()
    harvest_days: tuple = ()
    cull_days: tuple = ()             # a batch culled after an incident: its rings emptied as CULL mortality
    stage_targets: dict[str, float] = field(default_factory=dict)


def schedule(checked: Checked) -> list[tuple[str, int, dt.date]]:
    """(geography, index within geography, start date) in schedule order."""
    rules = checked.batches
    out = []
    if rules.stagger_mode == "interleaved":
        counters = dict.fromkeys(rules.geographies, 0)
        i = 0
        while any(counters[g] < rules.counts[g] for g in rules.geographies):
            for g in rules.geographies:
                if counters[g] < rules.counts[g]:
                    out.append((g, counters[g], checked.start + dt.timedelta(days=i * rules.stagger_days)))
                    counters[g] += 1
                    i += 1
        return out
    rank = {g: k for k, g in enumerate(rules.geographies)}
    for g in rules.geographies:
        for j in range(rules.counts[g]):
            out.append((g, j, checked.start + dt.timedelta(days=rules.offsets[g] + j * rules.stagger_days)))
    return sorted(out, key=lambda x: (x[2], rank[x[0]], x[1]))


def harvest_target(seed: int, batch_id: str, low: float, high: float) -> float:
    """A per-batch target in kg, uniform in [low, high], derived from the seed and batch id (to the gram)."""
    digest = hashlib.sha256(f"{seed}\x00{batch_id}\x00harvest_target".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2 ** 64
    return round(low + u * (high - low), 3)


def expand(checked: Checked, infra: Infrastructure, diags: Diagnostics) -> list[BatchSpec]:
    """Every batch that starts on or before ``until``; formula errors are reported once per place."""
    rules = checked.batches
    geos = {g.name: g for g in infra.geographies}
    order = schedule(checked)
    late = [x for x in order if x[2] > checked.until]
    if late:
        diags.append(_late_warning(len(late), checked))
    seen_errors: set[tuple] = set()
    batches, ids = [], {}
    for index, (geo, j, start) in enumerate(x for x in order if x[2] <= checked.until):
        env = _batch_env(checked, geo, geos[geo], j, index, start)
        try:
            env.update(_lets(rules.lets, env))
            eggs = _eggs(evaluate(rules.eggs, env), rules.eggs)
            batch_id = render_pattern(rules.id_pattern, env)
        except EvalError as exc:
            if exc.span not in seen_errors:  # one report per place in the formula, not per batch
                seen_errors.add(exc.span)
                diags.error("AQS304", f"{exc.message} (batch {index} of the schedule, {geo} #{j})", exc.span)
            continue
        problem = text_problem(batch_id, ID)
        if problem:
            diags.error("AQS302", f"the id pattern gives batch {index} the id '{batch_id[:40]}', which {problem}",
                        rules.id_pattern.span)
            return []
        if not batch_id.strip():
            diags.error("AQS302", f"the id pattern gives batch {index} of the schedule an empty id",
                        rules.id_pattern.span)
            return []
        if batch_id in ids:
            diags.error("AQS306", f"batch id '{batch_id}' is produced twice (batches {ids[batch_id]} and {index})",
                        rules.id_pattern.span, hints=["every batch needs its own id: combine {geo_index} with {prefix} or {geography}, "
                               "or use {global_index}"])
            return []
        ids[batch_id] = index
        target = harvest_target(checked.seed, batch_id, *rules.harvest_kg)
        available = living.LIFE_DAYS      # the whole life: until only cuts the plan (lower)
        growth, mortality = living.factors(checked.seed, batch_id, checked.lifecycle)
        targets = living.stage_targets(checked.seed, batch_id, checked.lifecycle)
        traj = project(checked.lifecycle, geos[geo].temperature, start, target * 1000, available, growth,
                       seed=checked.seed, place=geo, targets=targets)
        batches.append(BatchSpec(
            id=batch_id, index=index, geography=geo, geo_index=j, start=start, eggs=eggs, harvest_target_kg=target,
            trajectory=traj, growth_factors=growth, mortality_factors=mortality, stage_targets=targets,
            incidents=living.incidents(checked.seed, batch_id, checked.lifecycle, start, traj)
            + living.delousing_losses(course(checked.lifecycle, checked.seed, batch_id, start, traj.stage_index,
                                             traj.temperature)),
            weight_events=living.weight_events(checked.lifecycle, start, traj)))
    _warn_short_harvests(checked, batches, diags)
    return batches


def _warn_short_harvests(checked: Checked, batches: list[BatchSpec], diags: Diagnostics) -> None:
    """Batches harvested at the end of the last stage because they never reached their target."""
    short = [b for b in batches if b.trajectory.harvest_day is not None
             and b.trajectory.weight_g[-1] < b.harvest_target_kg * 1000]
    if not short:
        return
    from aquadsl.diagnostics import Diagnostic
    last = checked.lifecycle.stages[-1]
    first = short[0]
    diags.append(Diagnostic(
        code="AQS321", severity="warning", span=checked.stage_spans.get(last.name) or checked.batches.span,
        message=(f"{len(short)} batch(es) reach the end of stage '{last.name}' below their harvest target and "
                 f"are harvested short (first: {first.id} at {first.trajectory.weight_g[-1] / 1000:.2f} kg, "
                 f"target {first.harvest_target_kg} kg)"),
        hints=(f"raise the tgc or the days of stage '{last.name}', or lower harvest_target",)))


def _batch_env(checked: Checked, geo: str, geo_plan, j: int, index: int, start: dt.date) -> dict:
    rules = checked.batches
    return {**checked.variables, "batch_index": j, "geo_index": j, "global_index": index,
            "geo_number": rules.geographies.index(geo) + 1, "start_year": start.year,
            "start_month": start.month, "start_day": start.day, "batches_in_geography": rules.counts[geo],
            "prefix": geo_plan.prefix, "code": geo_plan.code, "geography": geo}


def _lets(lets: tuple[ir.Let, ...], env: dict) -> dict:
    out = {}
    for let in lets:
        out[let.name] = evaluate(let.expr, {**env, **out})
    return out


def _eggs(value, expr: ir.Expr) -> int:
    if isinstance(value, str):
        raise EvalError(f"eggs must be a number, not the text '{value}'", expr.span)
    if isinstance(value, float):
        if not value.is_integer():
            raise EvalError(f"eggs must be a whole number; the formula gave {value} (use // to divide)", expr.span)
        value = int(value)
    if value <= 0:
        raise EvalError(f"eggs must be above zero; the formula gave {value:,}", expr.span)
    if value > MAX_EGGS:
        raise EvalError(f"eggs must be at most {MAX_EGGS:,}; the formula gave {value:,}", expr.span)
    return value


def _late_warning(n: int, checked: Checked):
    from aquadsl.diagnostics import Diagnostic
    return Diagnostic(code="AQS320", severity="warning", span=checked.batches.count_span,
                      message=f"{n} batch(es) would start after until ({checked.until}) and are left out",
                      notes=(Note(message="the stagger is set here", span=checked.batches.stagger_span),))
