"""Lark tree -> mapping IR, one method per rule; no lookups or validation here."""

from __future__ import annotations

import ast
import datetime as dt

from lark import Token, Transformer, Tree, v_args

from aquadsl.diagnostics import Span
from aquadsl.targets import ir
from aquadsl.targets.parser import span_of


def _join(a: Span, b: Span) -> Span:
    return Span(path=a.path, line=a.line, col=a.col, end_line=b.end_line, end_col=b.end_col)


def _tokens(children) -> list[Token]:
    return [c for c in children if isinstance(c, Token)]


def _string(tok: Token) -> str:
    return ast.literal_eval(str(tok))


@v_args(inline=False)
class ToIR(Transformer):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def _sp(self, tok: Token) -> Span:
        return span_of(self.path, tok)

    # ----------------------------------------------------------- literals
    def str_lit(self, c):
        return ir.Lit(value=_string(c[0]), span=self._sp(c[0]))

    def int_lit(self, c):
        return ir.Lit(value=int(str(c[0]).replace("_", "")), span=self._sp(c[0]))

    def float_lit(self, c):
        return ir.Lit(value=float(str(c[0]).replace("_", "")), span=self._sp(c[0]))

    def date_lit(self, c):
        try:
            value = dt.date.fromisoformat(str(c[0]))
        except ValueError:
            value = str(c[0])      # reported by the checker as an invalid date
        return ir.Lit(value=value, span=self._sp(c[0]))

    def ts_lit(self, c):
        try:
            value = dt.datetime.fromisoformat(str(c[0]).replace("Z", "+00:00"))
        except ValueError:
            value = str(c[0])
        return ir.Lit(value=value, span=self._sp(c[0]))

    def bool_lit(self, c):
        return ir.Lit(value=str(c[0]) == "true", span=self._sp(c[0]))

    def null_lit(self, c):
        return ir.Lit(value=None, span=self._sp(c[0]))

    def const(self, c):
        return c[0]

    def neg_int(self, c):
        return ir.Lit(value=-int(str(c[1]).replace("_", "")), span=_join(self._sp(c[0]), self._sp(c[1])))

    def neg_float(self, c):
        return ir.Lit(value=-float(str(c[1]).replace("_", "")), span=_join(self._sp(c[0]), self._sp(c[1])))

    # -------------------------------------------------------- expressions
    def dotted(self, c):
        toks = [t for t in c if t.type == "NAME"]
        return (".".join(toks), _join(self._sp(toks[0]), self._sp(toks[-1])))

    def column(self, c):
        name, span = c[0]
        return ir.Column(path=tuple(name.split(".")), span=span)

    def load_time(self, c):
        return ir.LoadTime(span=self._sp(c[0]))

    def default(self, c):
        return ir.Default(span=self._sp(c[0]))

    def call(self, c):
        name = c[0]
        args = tuple(x for x in c[1:] if not isinstance(x, Token))
        return ir.Call(name=str(name), args=args, span=_join(self._sp(name), self._sp(c[-1])))

    def key_arg(self, c):
        return ir.KeyArg(field=str(c[0]), value=c[2], span=self._sp(c[0]))

    def lookup(self, c):
        model, mspan = c[1]
        keys = tuple(x for x in c if isinstance(x, ir.KeyArg))
        return ir.Lookup(model=model, keys=keys, span=_join(self._sp(c[0]), self._sp(c[-1])), model_span=mspan)

    def ref(self, c):
        names = [t for t in c if isinstance(t, Token) and t.type == "NAME"]
        return ir.Ref(family=str(names[0]), column=str(names[1]) if len(names) > 1 else None,
                      span=_join(self._sp(c[0]), self._sp(c[-1])))

    def map_entry(self, c):
        key = _string(c[0]) if c[0].type == "STRING" else int(c[0]) if c[0].type == "INT" else str(c[0])
        return ir.MapEntry(key=key, value=c[2].value, span=self._sp(c[0]), value_span=c[2].span)

    def value_map(self, c):
        name, span = c[1]
        entries = tuple(x for x in c if isinstance(x, ir.MapEntry))
        return ir.ValueMap(source=ir.Column(path=tuple(name.split(".")), span=span), entries=entries,
                           span=_join(self._sp(c[0]), self._sp(c[-1])))

    def binop(self, c):
        return ir.BinOp(op=str(c[1]), left=c[0], right=c[2], span=_join(c[0].span, c[2].span))

    def neg(self, c):
        return ir.Neg(operand=c[1], span=_join(self._sp(c[0]), c[1].span))

    def paren(self, c):
        return c[1]

    # ---------------------------------------------------------- map bodies
    def field_stmt(self, c):
        return ir.FieldMap(field=str(c[0]), expr=c[2], span=self._sp(c[0]))

    def skip_stmt(self, c):
        reason = _string(c[2]) if len(c) > 2 else ""
        return ir.Skip(field=str(c[1]), reason=reason, span=self._sp(c[1]))

    def m_history(self, c):
        return ("history", str(c[1]))

    def unpivot_item(self, c):
        return ir.MapEntry(key=str(c[0]), value=c[2].value, span=self._sp(c[0]), value_span=c[2].span)

    def unpivot(self, c):
        items = tuple(x for x in c if isinstance(x, ir.MapEntry))
        names = [t for t in _tokens(c) if t.type == "NAME"]
        return ir.Unpivot(items=items, key_name=str(names[-2]), value_name=str(names[-1]),
                          span=self._sp(c[0]))

    def where(self, c):
        return ir.Where(left=c[1], op=str(c[2]), right=c[3], span=self._sp(c[0]))

    def _body(self, c) -> dict:
        return dict(fields=tuple(x for x in c if isinstance(x, ir.FieldMap)),
                    skips=tuple(x for x in c if isinstance(x, ir.Skip)),
                    history=next((x[1] for x in c if isinstance(x, tuple) and x and x[0] == "history"), None))

    def map_block(self, c):
        (model, mspan), family = c[1], c[3]
        return ir.ModelMap(kind="map", model=model, family=str(family), **self._body(c),
                           unpivot=next((x for x in c if isinstance(x, ir.Unpivot)), None),
                           where=next((x for x in c if isinstance(x, ir.Where)), None),
                           span=self._sp(c[0]), model_span=mspan, family_span=self._sp(family))

    def infra_block(self, c):
        (model, mspan), family = c[1], c[3]
        mode = next(t for t in _tokens(c) if t.type == "CREATE_MODE")
        key, seen_by = [], False
        for tok in _tokens(c):
            if tok.type == "KW_BY":
                seen_by = True
            elif tok.type == "LBRACE":
                break
            elif seen_by and tok.type == "NAME":
                key.append(str(tok))
        return ir.ModelMap(kind="infra", model=model, family=str(family), **self._body(c), create=str(mode),
                           natural_key=tuple(key), span=self._sp(c[0]), model_span=mspan,
                           family_span=self._sp(family))

    # ---------------------------------------------------------- decisions
    def d_ignore(self, c):
        return ("ignore", (), None)

    def d_emulate(self, c):
        return ("emulate", tuple(x[0] for x in c if isinstance(x, tuple)), None)

    def d_replay(self, c):
        return ("replay", (), _string(c[1]))

    def decide_stmt(self, c):
        (target, tspan), (action, emulate, replay) = c[2], c[3]
        reason = _string(c[4]) if len(c) > 4 else ""
        return ir.Decision(subject=str(c[1]), target=target, action=action, emulate=emulate, replay=replay,
                           reason=reason, span=self._sp(c[0]), target_span=tspan)

    def replay_undo(self, c):
        return ("undo", _string(c[1]), self._sp(c[1]))

    def replay_step(self, c):
        (model, mspan), strings = c[3], [t for t in c if isinstance(t, Token) and t.type == "STRING"]
        undo = next((x for x in c if isinstance(x, tuple) and x[0] == "undo"), (None, None, None))
        return ir.ReplayStep(name=str(c[1]), model=model, callable=_string(strings[0]), undo=undo[1],
                             reason=_string(strings[1]) if len(strings) > 1 else "", span=self._sp(c[0]),
                             model_span=mspan, callable_span=self._sp(strings[0]), undo_span=undo[2])

    # -------------------------------------------------------------- target
    def _setting(self, c, value):
        return (str(c[0]).lower(), value, self._sp(c[0]))

    def t_project(self, c):
        return self._setting(c, _string(c[1]))

    t_python = t_settings = t_schema = t_project

    def t_env(self, c):
        return ("env", (str(c[1]), _string(c[3])), self._sp(c[0]))

    def t_ledger(self, c):
        return ("ledger_schema", _string(c[2]), self._sp(c[0]))

    def t_load_time(self, c):
        return self._setting(c, dt.datetime.fromisoformat(str(c[1]).replace("Z", "+00:00")))

    def t_history(self, c):
        return self._setting(c, str(c[1]))

    t_foreign_keys = t_indexes = t_history

    def t_id_block(self, c):
        return self._setting(c, int(str(c[1]).replace("_", "")))

    t_sample = t_id_block

    def t_endpoints(self, c):
        return ("endpoints", tuple(_string(t) for t in c[1:] if t.type == "STRING"), self._sp(c[0]))

    def target_block(self, c):
        values, spans, env = {}, {}, []
        for item in c:
            if isinstance(item, tuple):
                key, value, span = item
                key = {"schema": "schema_name"}.get(key, key)
                if key == "env":
                    env.append(value)
                else:
                    values[key] = value
                spans.setdefault(key, span)
        return ir.Target(name=str(c[1]), env=tuple(env), span=self._sp(c[0]), spans=spans, **values)

    def start(self, c):
        return list(c)


def to_mapping(path: str, tree: Tree) -> ir.Mapping:
    items = ToIR(path).transform(tree)
    targets = [x for x in items if isinstance(x, ir.Target)]
    return ir.Mapping(path=path, target=targets[0] if targets else None,
                      maps=tuple(x for x in items if isinstance(x, ir.ModelMap)),
                      decisions=tuple(x for x in items if isinstance(x, ir.Decision)),
                      replays=tuple(x for x in items if isinstance(x, ir.ReplayStep)))
