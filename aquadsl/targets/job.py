"""A compiled target load: the maps in load order with their SQL, and the data workers need (picklable)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from aquadsl.plan.model import Plan
from aquadsl.targets import ir
from aquadsl.targets.families import ENTITY, INFRA, infra_rows
from aquadsl.targets.manifest import Manifest
from aquadsl.targets.fkcheck import fk_sql
from aquadsl.targets.sqlgen import CompiledMap, compile_map, history_sql


@dataclass
class TargetJob:
    name: str
    schema: str
    id_block: int
    load_time: dt.datetime
    maps: list[CompiledMap]                   # batch maps, in foreign-key order
    infra: list[CompiledMap]                  # infra maps, in file order
    entities: dict[str, dict] = field(default_factory=dict)   # infra rows that attribute paths read
    digest: str = ""                          # identity of mapping + manifest (part of the plan hash)
    trusted: bool = False                     # foreign_keys trusted: skip PostgreSQL's per-row FK checks
    deferred: bool = False                    # indexes deferred: see targets.bulkindex

    def wanted(self, family: str) -> list[tuple[str, str]]:
        """The staged columns of a family: the union over every map that reads it."""
        cols: dict[str, str] = {}
        for c in self.maps:
            if c.family == family:
                cols.update(dict(c.stage_columns))
        return sorted(cols.items())

    def families(self) -> list[str]:
        return list(dict.fromkeys(c.family for c in self.maps))


def load_time_of(mapping: ir.Mapping, plan: Plan) -> dt.datetime:
    """The one pinned timestamp: the mapping's, else midnight UTC of the plan's until date."""
    if mapping.target.load_time is not None:
        return mapping.target.load_time
    until = plan.parameters.until
    return dt.datetime(until.year, until.month, until.day, tzinfo=dt.timezone.utc)


def _order(maps: list[ir.ModelMap], manifest: Manifest) -> list[ir.ModelMap]:
    """Maps ordered so that a model's foreign-key targets among the mapped models come first."""
    labels = {m.model for m in maps}
    deps = {m.model: {f["foreign_key"]["model"] for f in manifest.model(m.model)["fields"]
                      if f["foreign_key"] and f["foreign_key"]["model"] in labels and
                      f["foreign_key"]["model"] != m.model} for m in maps}
    done, out, pending = set(), [], list(maps)
    while pending:
        ready = [m for m in pending if deps[m.model] <= done | {m.model}]
        ready = ready or pending[:1]          # a cycle: keep file order (constraints are deferred)
        for m in ready:
            pending.remove(m)
            out.append(m)
        done |= {m.model for m in ready}
    return out


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in sorted(value.items()) if "span" not in k and k != "path"}
    if isinstance(value, (list, tuple)):
        return [_strip(v) for v in value]
    return value


def digest(mapping: ir.Mapping, manifest: Manifest) -> str:
    """Identity of what a load writes. ``indexes`` is left out: it changes the time, never a row, so a
    killed ``indexes deferred`` run may be resumed with ``indexes kept``."""
    data = _strip(mapping.model_dump(mode="json"))
    if data.get("target"):
        data["target"].pop("indexes", None)
    text = json.dumps([data, manifest.data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_job(mapping: ir.Mapping, manifest: Manifest, plan: Plan) -> TargetJob:
    t = mapping.target
    when = load_time_of(mapping, plan)
    batch = _order([m for m in mapping.maps if m.kind == "map"], manifest)
    maps = []
    for m in batch:
        c = compile_map(m, manifest, t, when)
        c.fk_sql = fk_sql(c, manifest, t.schema_name)
        policy = m.history or t.history
        if policy == "initial":
            c.history_sql = history_sql(c, manifest, t, when)
        maps.append(c)
    infra = [compile_map(m, manifest, t, when) for m in mapping.maps if m.kind == "infra"]
    needed = {ENTITY[p.split(".")[0]] for c in maps for p, _ in c.stage_columns if "." in p}
    entities = {f: infra_rows(plan, f) for f in sorted(needed) if f in INFRA}
    return TargetJob(t.name, t.schema_name, t.id_block, when, maps, infra, entities, digest(mapping, manifest),
                     t.foreign_keys == "trusted", t.indexes == "deferred")
