"""Compile a mapping into SQL: per map, the staging columns it reads and one INSERT … SELECT.

Ids of loaded rows are ``{base} + row`` where ``base = (batch index + 1) * id_block`` is filled in per
batch (an integer, never user text). Text constants are quoted here; names are quoted identifiers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aquadsl.targets import ir
from aquadsl.targets.exprs import column_type, unpivot_extra
from aquadsl.targets.manifest import Manifest

STAGE = "s"          # the alias of the staged family in every SELECT
_PG = {"str": "text", "int": "int8", "float": "float8", "date": "date", "datetime": "timestamptz"}


def qi(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMPTZ '{value.isoformat()}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    # Braces are doubled: the SQL passes once through str.format (for {stage} and {base}).
    return "'" + str(value).replace("'", "''").replace("{", "{{").replace("}", "}}") + "'"


@dataclass
class CompiledMap:
    """Everything a worker needs for one map: plain data, safe to pickle."""

    model: str
    kind: str                                   # map or infra
    family: str
    table: str                                  # schema-qualified, quoted
    stage_columns: list[tuple[str, str]]        # (column or attribute path, pgtype)
    columns: list[str]                          # target columns written, in order
    select_sql: str                             # SELECT … FROM {stage} s … (uses {base} in maps)
    rows_per_row: int = 1                       # unpivot fan-out
    history_sql: str | None = None              # INSERT INTO history … SELECT … (uses {lo}, {hi})
    history_table: str | None = None            # the history model's label
    history_block: int = 0                      # ids per batch in the history table
    conflict: str = ""                          # infra upsert: ON CONFLICT …
    natural_key: list[str] = field(default_factory=list)   # infra get_or_create: key attnames
    declared_key: bool = False                  # infra key the database does not enforce (no ON CONFLICT)
    fk_sql: list[str] = field(default_factory=list)   # set-based parent checks (see fkcheck), {lo} {hi}
    lookup_tables: list[str] = field(default_factory=list)   # tables the SELECT joins (analyzed before loading)
    pk: str = "id"

    def insert_sql(self, stage: str, base: int) -> str:
        cols = ", ".join(qi(c) for c in self.columns)
        return f"INSERT INTO {self.table} ({cols}) " + self.select_sql.format(stage=stage, base=base) + self.conflict


class _Ctx:
    def __init__(self, m: ir.ModelMap, manifest: Manifest, target: ir.Target, load_time: dt.datetime):
        self.m, self.manifest, self.target, self.load_time = m, manifest, target, load_time
        self.extra, _ = unpivot_extra(m)
        self.stage: dict[str, str] = {}
        self.joins: list[str] = []
        self.aliases: dict[str, str] = {}

    def table(self, label: str) -> str:
        return f"{qi(self.target.schema_name)}.{qi(self.manifest.model(label)['db_table'])}"

    def col(self, path: tuple[str, ...]) -> str:
        name = ".".join(path)
        if self.m.unpivot is not None and name in (self.m.unpivot.key_name, self.m.unpivot.value_name):
            return f"u.{qi(name)}"
        self.stage[name] = _PG[column_type(self.m.family, path, self.extra)]
        return f"{STAGE}.{qi(name)}"


def expr_sql(e, ctx: _Ctx, decimals: int | None) -> str:
    k = e.kind
    if k == "lit":
        return literal(e.value)
    if k == "column":
        return ctx.col(e.path)
    if k == "load_time":
        return literal(ctx.load_time)
    if k == "ref":
        from aquadsl.targets.families import REF_COLUMNS

        if e.family == "batches":
            return "({base} + 1)"
        return f"({{base}} + {ctx.col((e.column or REF_COLUMNS[e.family],))})"
    if k == "lookup":
        return _lookup(e, ctx)
    if k == "value_map":
        src = ctx.col(e.source.path)
        whens = " ".join(f"WHEN {literal(x.key)} THEN {literal(x.value)}" for x in e.entries)
        return f"(CASE {src} {whens} END)"
    if k == "neg":
        return f"(-{expr_sql(e.operand, ctx, decimals)})"
    if k == "binop":
        left, right = expr_sql(e.left, ctx, decimals), expr_sql(e.right, ctx, decimals)
        if e.op == "/":
            return f"(({left})::numeric / ({right}))"
        if e.op == "+" and (_is_text(e.left, ctx) or _is_text(e.right, ctx)):   # "TRF-" + batch_id
            return f"(({left})::text || ({right})::text)"
        return f"({left} {e.op} {right})"
    return _call(e, ctx, decimals)


def _is_text(e, ctx: _Ctx) -> bool:
    from aquadsl.targets.exprs import facts

    return facts(e, ctx.m.family, ctx.extra, {}).kind == "text"


def _call(e: ir.Call, ctx: _Ctx, decimals: int | None) -> str:
    args = [expr_sql(a, ctx, decimals) for a in e.args]
    if e.name == "round_even":     # Python's Decimal.quantize default: ties to the even digit
        places = e.args[1].value if len(e.args) > 1 and e.args[1].kind == "lit" else (decimals or 0)
        factor = f"{10 ** int(places)}::numeric"
        scaled = f"(({args[0]})::numeric * {factor})"
        return (f"(CASE WHEN abs({scaled} - trunc({scaled})) = 0.5 AND mod(trunc({scaled}), 2) = 0 "
                f"THEN trunc({scaled}) / {factor} ELSE round(({args[0]})::numeric, {int(places)}) END)")
    if e.name == "round":
        places = e.args[1].value if len(e.args) > 1 and e.args[1].kind == "lit" else (decimals or 0)
        return f"round(({args[0]})::numeric, {int(places)})"
    if e.name == "int":
        return f"trunc(({args[0]})::numeric)::bigint"
    if e.name == "text":
        return f"({args[0]})::text"
    return f"{e.name}({', '.join(args)})"


def _lookup(e: ir.Lookup, ctx: _Ctx) -> str:
    conds = []
    for key in e.keys:
        f = ctx.manifest.field(e.model, key.field)
        conds.append((f["column"], expr_sql(key.value, ctx, None)))
    sig = e.model + repr(conds)
    if sig not in ctx.aliases:
        alias = f"l{len(ctx.aliases) + 1}"
        on = " AND ".join(f"{alias}.{qi(c)} = {v}" for c, v in conds)
        ctx.joins.append(f"LEFT JOIN {ctx.table(e.model)} {alias} ON {on}")
        ctx.aliases[sig] = alias
    pk = ctx.manifest.model(e.model)["pk"]
    return f"{ctx.aliases[sig]}.{qi(pk)}"


def _cast(sql: str, field: dict) -> str:
    """Cast to the column's type, except text (an explicit cast would truncate a too-long value)."""
    t = field["db_type"] or ""
    if field["type"] in ("CharField", "TextField", "SlugField", "EmailField", "URLField") or "char" in t:
        return sql
    return f"({sql})::{t}"


def compile_map(m: ir.ModelMap, manifest: Manifest, target: ir.Target, load_time: dt.datetime) -> CompiledMap:
    ctx = _Ctx(m, manifest, target, load_time)
    model = manifest.model(m.model)
    columns, values = [], []
    if m.kind == "map":
        columns.append(model["pk"])
        values.append(_id_sql(m, ctx))
    for fm in m.fields:
        f = manifest.field(m.model, fm.field)
        if fm.expr.kind == "default":
            sql = literal(f["default"]["value"])
        else:
            sql = expr_sql(fm.expr, ctx, f["decimal_places"])
        columns.append(f["column"])
        values.append(_cast(sql, f))
    source = f"FROM {{stage}} {STAGE}"
    if m.unpivot is not None:
        rows = ", ".join(f"({literal(i.value)}, {ctx.col((i.key,))}, {j})" for j, i in enumerate(m.unpivot.items))
        source += f" CROSS JOIN LATERAL (VALUES {rows}) AS u({qi(m.unpivot.key_name)}, {qi(m.unpivot.value_name)}, _j)"
    where = ""
    if m.where is not None:
        op = {"==": "=", "!=": "<>"}.get(m.where.op, m.where.op)       # the language's == is SQL's =
        where = f" WHERE {expr_sql(m.where.left, ctx, None)} {op} {expr_sql(m.where.right, ctx, None)}"
    select = f"SELECT {', '.join(values)} {source} {' '.join(ctx.joins)}{where}"
    out = CompiledMap(model=m.model, kind=m.kind, family=m.family, table=ctx.table(m.model),
                      stage_columns=sorted(ctx.stage.items()), columns=columns, select_sql=select,
                      rows_per_row=len(m.unpivot.items) if m.unpivot else 1, pk=model["pk"],
                      lookup_tables=sorted({j.split(" ")[2] for j in ctx.joins}))
    if m.kind == "infra":
        _infra_clauses(m, manifest, out)
    return out


def _id_sql(m: ir.ModelMap, ctx: _Ctx) -> str:
    from aquadsl.targets.families import row_family

    family = row_family(m.family)     # a provided copy of batches/assignments is numbered like them
    if family == "batches":
        row = "1"
    elif family in ("assignments", "transfers"):   # numbered as ref() numbers them
        row = ctx.col(({"assignments": "assignment_no", "transfers": "transfer_no"}[family],))
    else:
        row = f"{STAGE}._row"
    if m.unpivot is not None:
        return f"({{base}} + ({row} - 1) * {len(m.unpivot.items)} + u._j + 1)"
    return f"({{base}} + {row})"


def _infra_clauses(m: ir.ModelMap, manifest: Manifest, out: CompiledMap) -> None:
    keys = [manifest.field(m.model, k)["column"] for k in m.natural_key]
    out.natural_key = keys
    names = frozenset(manifest.field(m.model, k)["name"] for k in m.natural_key)
    out.declared_key = names not in manifest.unique_sets(m.model)
    rest = [c for c in out.columns if c not in keys]
    if rest:
        sets = ", ".join(f"{qi(c)} = EXCLUDED.{qi(c)}" for c in rest)
        out.conflict = f" ON CONFLICT ({', '.join(qi(k) for k in keys)}) DO UPDATE SET {sets}"
    else:
        out.conflict = f" ON CONFLICT ({', '.join(qi(k) for k in keys)}) DO NOTHING"


def history_sql(c: CompiledMap, manifest: Manifest, target: ir.Target, load_time: dt.datetime) -> str | None:
    """INSERT one '+' history row per loaded row of ``c`` (history_id = the row's id), or None."""
    info = manifest.model(c.model)["history_table"]
    if info is None:
        return None
    hist = manifest.model(info["model"])
    own = {f["column"] for f in manifest.model(c.model)["fields"]}
    cols, vals = [], []
    special = {"history_id": f"({{hlo}} + t.{qi(c.pk)} - {{lo}})", "history_date": literal(load_time),
               "history_type": "'+'"}
    pk_type = next(f["db_type"] for f in hist["fields"] if f["column"] == "history_id")
    c.history_block = target.id_block if "big" in pk_type else min(target.id_block, 10**6)
    for f in hist["fields"]:
        col = f["column"]
        if col in special:
            vals.append(special[col])
        elif col in own:
            vals.append(f"t.{qi(col)}")
        elif f["null"]:
            vals.append("NULL")
        else:
            raise ValueError(f"history table {hist['db_table']} has a required column {col} aquadsl cannot fill")
        cols.append(qi(col))
    table = f"{qi(target.schema_name)}.{qi(hist['db_table'])}"
    c.history_table = info["model"]
    return (f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(vals)} FROM {c.table} t "
            f"WHERE t.{qi(c.pk)} >= {{lo}} AND t.{qi(c.pk)} < {{hi}}")
