"""The mapping IR: frozen pydantic nodes, each with its source span; expressions are a tagged union."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict

from aquadsl.diagnostics import Span


class Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Lit(Node):
    kind: Literal["lit"] = "lit"
    value: str | int | float | bool | dt.date | dt.datetime | None
    span: Span


class Column(Node):
    """A column of the map's row family (``eggs``), or an attribute of the entity it names (``container.unit``)."""

    kind: Literal["column"] = "column"
    path: tuple[str, ...]
    span: Span


class LoadTime(Node):
    kind: Literal["load_time"] = "load_time"
    span: Span


class Default(Node):
    """The field's own constant default, read from the manifest."""

    kind: Literal["default"] = "default"
    span: Span


class Call(Node):
    kind: Literal["call"] = "call"
    name: str
    args: tuple["Expr", ...]
    span: Span


class KeyArg(Node):
    field: str
    value: "Expr"
    span: Span


class Lookup(Node):
    """The id of the target row whose natural key fields equal the given values."""

    kind: Literal["lookup"] = "lookup"
    model: str
    keys: tuple[KeyArg, ...]
    span: Span
    model_span: Span


class Ref(Node):
    """The deterministic id of the loaded row this row belongs to (its batch or assignment)."""

    kind: Literal["ref"] = "ref"
    family: str
    column: str | None = None    # the column holding the row number (default: the family's usual one)
    span: Span


class MapEntry(Node):
    key: str | int
    value: str | int | float | bool | None
    span: Span
    value_span: Span


class ValueMap(Node):
    kind: Literal["value_map"] = "value_map"
    source: Column
    entries: tuple[MapEntry, ...]
    span: Span


class BinOp(Node):
    kind: Literal["binop"] = "binop"
    op: str
    left: "Expr"
    right: "Expr"
    span: Span


class Neg(Node):
    kind: Literal["neg"] = "neg"
    operand: "Expr"
    span: Span


Expr = Union[Lit, Column, LoadTime, Default, Call, Lookup, Ref, ValueMap, BinOp, Neg]


class FieldMap(Node):
    field: str
    expr: Expr
    span: Span          # the field name


class Skip(Node):
    field: str
    reason: str
    span: Span


class Unpivot(Node):
    items: tuple[MapEntry, ...]   # source column -> the key value written for it
    key_name: str
    value_name: str
    span: Span


class Where(Node):
    left: Expr
    op: str
    right: Expr
    span: Span


class ModelMap(Node):
    """``map`` (batch rows) or ``infra`` (infrastructure and master data) for one target model."""

    kind: Literal["map", "infra"]
    model: str
    family: str
    fields: tuple[FieldMap, ...]
    skips: tuple[Skip, ...] = ()
    unpivot: Unpivot | None = None
    where: Where | None = None
    create: Literal["upsert", "get_or_create"] | None = None
    natural_key: tuple[str, ...] = ()
    history: Literal["none", "initial"] | None = None
    span: Span
    model_span: Span
    family_span: Span


class Decision(Node):
    subject: Literal["save", "clean", "signal"]
    target: str                         # a model label, or a receiver's dotted path
    action: Literal["ignore", "emulate", "replay"]
    emulate: tuple[str, ...] = ()       # save: fields; signal: model labels
    replay: str | None = None           # a dotted callable in the target's interpreter
    reason: str = ""
    span: Span
    target_span: Span


class ReplayStep(Node):
    """``replay NAME per MODEL call "module.function"``: the target's own code, once per loaded row of MODEL."""

    name: str
    model: str                          # a label loaded by a `map` block (its rows have per-batch ids)
    callable: str                       # dotted; imported from the target's project, else the mapping's folder
    undo: str | None = None             # called on the same rows before `apply --fresh` deletes them
    reason: str = ""
    span: Span
    model_span: Span
    callable_span: Span
    undo_span: Span | None = None


class Target(Node):
    name: str
    project: str | None = None
    python: str | None = None
    settings: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    schema_name: str = "public"
    ledger_schema: str = "aquadsl"
    load_time: dt.datetime | None = None
    history: Literal["none", "initial"] = "none"
    id_block: int = 10**9
    verify_sample: int = 20
    endpoints: tuple[str, ...] = ()
    foreign_keys: Literal["checked", "trusted"] = "checked"
    indexes: Literal["kept", "deferred"] = "kept"
    span: Span
    spans: dict[str, Span] = {}


class Mapping(Node):
    path: str
    target: Target | None
    maps: tuple[ModelMap, ...]
    decisions: tuple[Decision, ...]
    replays: tuple[ReplayStep, ...] = ()


for _cls in (Call, KeyArg, Lookup, BinOp, Neg, FieldMap, Where, ModelMap):
    _cls.model_rebuild()
