"""Tree -> IR: one method per grammar rule; no lookups and no validation beyond shape."""

from __future__ import annotations

import datetime as dt

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError

from aquadsl import ir
from aquadsl.diagnostics import Diagnostic, Diagnostics, Span
from aquadsl.parser import human_name, parse_placeholder


def _tok_span(path: str, tok: Token) -> Span:
    return Span(path=path, line=tok.line, col=tok.column,
                end_line=tok.end_line or tok.line, end_col=tok.end_column or tok.column + 1)


def _meta_span(path: str, meta) -> Span:
    if getattr(meta, "empty", True):
        return Span(path=path, line=1, col=1, end_line=1, end_col=2)
    return Span(path=path, line=meta.line, col=meta.column, end_line=meta.end_line, end_col=meta.end_column)


def unquote(tok: Token) -> str:
    body = str(tok)[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\") if "\\" in body else body


MAX_DIGITS = 30


class NumberTooLarge(Exception):
    """A numeric literal with more digits than any scenario needs."""

    def __init__(self, token: Token):
        self.token = token


def parse_int(tok: Token) -> int:
    digits = str(tok).replace("_", "")
    if len(digits) > MAX_DIGITS:
        raise NumberTooLarge(tok)
    return int(digits)


def _parse_float(tok: Token) -> float:
    text = str(tok).replace("_", "")
    value = float(text)
    if len(text) > 60 or value in (float("inf"), float("-inf")) or abs(value) > 1e30:
        raise NumberTooLarge(tok)
    return value


def _tokens(children, *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _trees(children, *names: str) -> list:
    return [c for c in children if not isinstance(c, Token)]


@v_args(meta=True)
class ToIR(Transformer):
    """Build ``ir`` nodes bottom-up. Pattern strings are parsed here, since they are syntax."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.diagnostics = Diagnostics()

    def _s(self, meta) -> Span:
        return _meta_span(self.path, meta)

    def _t(self, tok: Token) -> Span:
        return _tok_span(self.path, tok)

    # ------------------------------------------------------------ top level
    def start(self, meta, children):
        return ir.Module(path=self.path, items=tuple(children))

    def import_stmt(self, meta, c):
        return ir.Import(span=self._s(meta), target=unquote(c[1]))

    def kind_def(self, meta, c):
        label = _tokens(c, "STRING")
        q = [x for x in c if isinstance(x, ir.Quantity)]
        return ir.ContainerKind(span=self._t(c[1]), name=str(c[1]),
                                label=unquote(label[0]) if label else None, volume=q[0], max_biomass=q[1])

    # ---------------------------------------------------------- geographies
    def geography(self, meta, c):
        fields: dict[str, list] = {k: [] for k in
                                   ("stations", "halls", "sea", "temperatures", "names", "code", "prefix")}
        for key, value in c[4:-1]:
            if key == "names":
                fields[key].extend(value)
            else:
                fields[key].append(value)
        codes, prefixes = fields.pop("code"), fields.pop("prefix")
        return ir.Geography(
            span=self._t(c[1]), name=str(c[1]), label=unquote(c[2]),
            code=codes[0][0] if codes else None, code_spans=tuple(s for _, s in codes),
            prefix=prefixes[0][0] if prefixes else None, prefix_spans=tuple(s for _, s in prefixes),
            **{k: tuple(v) for k, v in fields.items()})

    def geo_code(self, meta, c):
        return ("code", (str(c[1]), self._t(c[1])))

    def geo_prefix(self, meta, c):
        return ("prefix", (str(c[1]), self._t(c[1])))

    def geo_stations(self, meta, c):
        return ("stations", ir.Stations(span=self._s(meta), count=parse_int(c[1]), halls=c[3],
                                        containers=parse_int(c[5])))

    def hall_range(self, meta, c):
        a, b = str(c[0]), str(c[2])
        if len(a) == 1 and len(b) == 1 and a <= b:
            return tuple(chr(x) for x in range(ord(a), ord(b) + 1))
        self.diagnostics.error("AQS104", f"a hall range runs between two letters, like A..E; got {a}..{b}",
                               self._s(meta))
        return (a,)

    def hall_list(self, meta, c):
        return tuple(str(t) for t in _tokens(c, "NAME"))

    def geo_hall(self, meta, c):
        ints = _tokens(c, "INT")
        return ("halls", ir.HallSpec(span=self._s(meta), letter=str(c[1]), container_kind=str(c[3]),
                                     kind_span=self._t(c[3]),
                                     containers=parse_int(ints[0]) if ints else None))

    def geo_sea(self, meta, c):
        return ("sea", ir.SeaSpec(span=self._s(meta), areas=parse_int(c[1]), rings=parse_int(c[3]),
                                  container_kind=str(c[5]), kind_span=self._t(c[5])))

    def geo_temperature(self, meta, c):
        return ("temperatures", ir.Temperature(span=self._s(meta), water=str(c[1]), profile=c[2]))

    def constant_profile(self, meta, c):
        return ir.ConstantProfile(span=self._s(meta), value=c[1])

    def monthly_profile(self, meta, c):
        return ir.MonthlyProfile(span=self._s(meta), values=tuple(c[1:]))

    def sine_profile(self, meta, c):
        return ir.SineProfile(span=self._s(meta), mean=c[2], amplitude=c[4], peak_day=parse_int(c[6]))

    def geo_names(self, meta, c):
        return ("names", tuple(c[2:-1]))

    def name_rule(self, meta, c):
        return ir.NameRule(span=self._s(meta), target=str(c[0]), pattern=self._pattern(c[1]))

    # ------------------------------------------------------------ lifecycle
    def lifecycle(self, meta, c):
        label = _tokens(c[:3], "STRING")
        body = [x for x in c if not isinstance(x, Token)]
        return ir.Lifecycle(span=self._t(c[1]), name=str(c[1]), label=unquote(label[0]) if label else None,
                            start_weight=tuple(x for x in body if isinstance(x, ir.Quantity)),
                            stages=tuple(x for x in body if isinstance(x, ir.Stage)))

    def start_weight(self, meta, c):
        return c[1]

    def stage(self, meta, c):
        label = _tokens(c[:3], "STRING")
        groups: dict[str, list] = {k: [] for k in ("settings", "rings", "feed", "sensors", "cadences", "at_days")}
        for group, node in (x for x in c if isinstance(x, tuple)):
            groups[group].append(node)
        return ir.Stage(span=self._t(c[1]), name=str(c[1]), label=unquote(label[0]) if label else None,
                        **{k: tuple(v) for k, v in groups.items()})

    def _setting(self, meta, key, value):
        return ("settings", ir.Setting(span=self._s(meta), key=key, value=value))

    def st_days(self, meta, c):
        return self._setting(meta, "days", parse_int(c[1]))

    def st_water(self, meta, c):
        return self._setting(meta, "water", str(c[1]))

    def st_hall(self, meta, c):
        return self._setting(meta, "hall", str(c[1]))

    def st_containers(self, meta, c):
        return self._setting(meta, "containers", parse_int(c[1]))

    def st_tgc(self, meta, c):
        return self._setting(meta, "tgc", c[1])

    def st_weight_cap(self, meta, c):
        return self._setting(meta, "weight_cap", c[1])

    def st_mortality(self, meta, c):
        return self._setting(meta, "mortality", c[1])

    def st_feedings(self, meta, c):
        return self._setting(meta, "feedings", parse_int(c[1]))

    def st_rings(self, meta, c):
        return ("rings", ir.RingPreference(span=self._s(meta), counts=c[1]))

    def int_range(self, meta, c):
        a, b = parse_int(c[0]), parse_int(c[2])
        if a > b or b - a > 10_000:
            self.diagnostics.error("AQS104", f"a range runs from low to high, like 8..20; got {a}..{b}",
                                   self._s(meta))
            return (a,)
        return tuple(range(a, b + 1))

    def int_list(self, meta, c):
        return tuple(parse_int(t) for t in _tokens(c, "INT"))

    def feed_none(self, meta, c):
        return ("feed", ir.Feed(span=self._s(meta), mode="none"))

    def feed_rate(self, meta, c):
        return ("feed", ir.Feed(span=self._s(meta), mode="rate", value=c[2], feed_name=unquote(c[3])))

    def feed_fcr(self, meta, c):
        q = ir.Quantity(span=self._s(meta), value=c[2])
        return ("feed", ir.Feed(span=self._s(meta), mode="fcr", value=q, feed_name=unquote(c[3])))

    def st_sensors(self, meta, c):
        names = c[4]
        return ("sensors", ir.Sensors(span=self._s(meta), per_day=parse_int(c[1]),
                                      parameters=tuple(str(t) for t in names),
                                      parameter_spans=tuple(self._t(t) for t in names)))

    def name_list(self, meta, c):
        return tuple(_tokens(c, "NAME"))

    def st_every(self, meta, c):
        ints = _tokens(c, "INT")
        return ("cadences", ir.Cadence(span=self._s(meta), event=str(c[0]), every=parse_int(ints[0]),
                                       fish=parse_int(ints[1]) if len(ints) > 1 else None))

    def st_at_days(self, meta, c):
        return ("at_days", ir.AtDays(span=self._s(meta), event=str(c[0]),
                                     days=tuple(parse_int(t) for t in _tokens(c, "INT"))))

    # ------------------------------------------------------------- scenario
    def scenario(self, meta, c):
        groups: dict[str, list] = {k: [] for k in ("lifecycle", "start", "until", "seed", "lets", "batches")}
        for item in c[3:-1]:
            if isinstance(item, ir.Let):
                groups["lets"].append(item)
            elif isinstance(item, ir.Batches):
                groups["batches"].append(item)
            elif isinstance(item, ir.Until):
                groups["until"].append(item)
            else:
                groups[item[0]].append(item[1])
        return ir.Scenario(span=self._t(c[1]), name=unquote(c[1]), **{k: tuple(v) for k, v in groups.items()})

    def sc_lifecycle(self, meta, c):
        return ("lifecycle", (str(c[1]), self._t(c[1])))

    def sc_start(self, meta, c):
        return ("start", (self._date(c[1]), self._t(c[1])))

    def until_date(self, meta, c):
        return ir.Until(span=self._t(c[1]), date=self._date(c[1]))

    def until_today(self, meta, c):
        return ir.Until(span=self._t(c[1]), today=True)

    def sc_seed(self, meta, c):
        return ("seed", (parse_int(c[1]), self._t(c[1])))

    def let_stmt(self, meta, c):
        return ir.Let(span=self._s(meta), name=str(c[1]), name_span=self._t(c[1]), expr=c[3])

    def batches(self, meta, c):
        groups: dict[str, list] = {k: [] for k in
                                   ("geographies", "count", "stagger", "eggs", "harvest_target", "id_pattern", "lets")}
        for item in c[2:-1]:
            if isinstance(item, ir.Let):
                groups["lets"].append(item)
            else:
                groups[item[0]].append(item[1])
        geos = groups.pop("geographies")
        return ir.Batches(span=self._t(c[0]), geographies=tuple((n, s) for g in geos for n, s in g[0]),
                          geographies_spans=tuple(g[1] for g in geos), **{k: tuple(v) for k, v in groups.items()})

    def b_geographies(self, meta, c):
        return ("geographies", (tuple((str(t), self._t(t)) for t in c[1]), self._s(meta)))

    def count_per_geography(self, meta, c):
        return ("count", ir.Count(span=self._s(meta), mode="per_geography", value=parse_int(c[1])))

    def count_total(self, meta, c):
        return ("count", ir.Count(span=self._s(meta), mode="total", value=parse_int(c[1])))

    def count_each(self, meta, c):
        return ("count", ir.Count(span=self._s(meta), mode="each", each=c[1]))

    def stagger_interleaved(self, meta, c):
        return ("stagger", ir.Stagger(span=self._s(meta), days=parse_int(c[1]), mode="interleaved"))

    def stagger_offsets(self, meta, c):
        return ("stagger", ir.Stagger(span=self._s(meta), days=parse_int(c[1]), mode="offsets", offsets=c[4]))

    def geo_ints(self, meta, c):
        return tuple(x for x in c if isinstance(x, ir.GeoInt))

    def geo_int(self, meta, c):
        return ir.GeoInt(span=self._s(meta), geography=str(c[0]), value=parse_int(c[1]))

    def b_eggs(self, meta, c):
        return ("eggs", c[1])

    def b_harvest(self, meta, c):
        return ("harvest_target", ir.HarvestTarget(span=self._s(meta), low=c[1], high=c[3], unit=str(c[4])))

    def b_id(self, meta, c):
        return ("id_pattern", self._pattern(c[1]))

    # ---------------------------------------------------------- expressions
    def binop(self, meta, c):
        return ir.BinOp(span=self._s(meta), op=str(c[1]), left=c[0], right=c[2])

    def neg(self, meta, c):
        return ir.Neg(span=self._s(meta), operand=c[1])

    def pos(self, meta, c):
        return c[1]

    def paren(self, meta, c):
        return c[1]

    def int_lit(self, meta, c):
        return ir.Num(span=self._t(c[0]), value=parse_int(c[0]))

    def float_lit(self, meta, c):
        return ir.Num(span=self._t(c[0]), value=_parse_float(c[0]))

    def var(self, meta, c):
        return ir.Var(span=self._t(c[0]), name=str(c[0]))

    def call(self, meta, c):
        args = tuple(x for x in c[1:] if not isinstance(x, Token))
        return ir.Call(span=self._s(meta), func=str(c[0]), func_span=self._t(c[0]), args=args)

    def placeholder(self, meta, c):
        spec = str(c[2]) if len(c) > 2 else ""
        return (c[0], spec)

    def quantity(self, meta, c):
        return ir.Quantity(span=self._s(meta), value=c[0], unit=str(c[1]) if len(c) > 1 else None)

    def number(self, meta, c):
        value = _parse_float(c[-1]) if c[-1].type == "FLOAT" else parse_int(c[-1])
        return -value if len(c) > 1 else value

    # -------------------------------------------------------------- helpers
    def _date(self, tok: Token) -> dt.date:
        try:
            return dt.date.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.error("AQS105", f"'{tok}' is not a calendar date", self._t(tok))
            return dt.date(2000, 1, 1)

    def _pattern(self, tok: Token) -> ir.Pattern:
        """Split ``"a-{expr:03}"`` into text and placeholders; each placeholder is parsed by the grammar."""
        text, span = unquote(tok), self._t(tok)
        parts: list = []
        i, buf = 0, []
        while i < len(text):
            ch = text[i]
            if ch in "{}" and text[i:i + 2] in ("{{", "}}"):
                buf.append(ch)
                i += 2
                continue
            if ch == "}":
                self._pattern_error("unmatched '}' in pattern (write '}}' for a literal brace)", span, i)
                return ir.Pattern(span=span, source=text, parts=())
            if ch != "{":
                buf.append(ch)
                i += 1
                continue
            close = text.find("}", i)
            if close < 0:
                self._pattern_error("unclosed '{' in pattern", span, i)
                return ir.Pattern(span=span, source=text, parts=())
            if buf:
                parts.append(ir.Literal_(span=span, text="".join(buf)))
                buf = []
            part = self._placeholder(text[i + 1:close], span, i + 1)
            if part is None:
                return ir.Pattern(span=span, source=text, parts=())
            parts.append(part)
            i = close + 1
        if buf:
            parts.append(ir.Literal_(span=span, text="".join(buf)))
        return ir.Pattern(span=span, source=text, parts=tuple(parts))

    def _placeholder(self, inner: str, span: Span, offset: int) -> ir.Placeholder | None:
        # offset counts characters after the opening quote; +1 for the quote itself.
        base_col = span.col + 1 + offset
        try:
            tree = parse_placeholder(inner)
        except UnexpectedInput as err:
            col = base_col + max(0, (getattr(err, "column", 1) or 1) - 1)
            what = ""
            tok = getattr(err, "token", None)
            if tok is not None:
                what = "end of placeholder" if tok.type == "$END" else f"'{tok}'"
            elif getattr(err, "char", None):
                what = repr(err.char)
            self.diagnostics.error("AQS106", f"bad placeholder {{{inner}}}: unexpected {what or 'input'}",
                                   span.shifted(span.line, col, 1))
            return None
        sub = ToIR(self.path)
        expr, spec = sub.transform(tree)
        expr = _relocate(expr, span.line, base_col - 1)
        zero = spec.startswith("0")
        return ir.Placeholder(span=span.shifted(span.line, base_col, len(inner)), expr=expr,
                              width=int(spec) if spec else 0, zero_pad=zero)

    def _pattern_error(self, message: str, span: Span, offset: int) -> None:
        self.diagnostics.error("AQS106", message, span.shifted(span.line, span.col + 1 + offset, 1))


def _relocate(expr, line: int, col_offset: int):
    """Move spans of an expression parsed from a pattern to their place in the file."""
    def fix(s: Span) -> Span:
        return Span(path=s.path, line=line, col=s.col + col_offset, end_line=line, end_col=s.end_col + col_offset)

    update = {"span": fix(expr.span)}
    for name in ("left", "right", "operand"):
        if hasattr(expr, name):
            update[name] = _relocate(getattr(expr, name), line, col_offset)
    if isinstance(expr, ir.Call):
        update["args"] = tuple(_relocate(a, line, col_offset) for a in expr.args)
        update["func_span"] = fix(expr.func_span)
    return expr.model_copy(update=update)


def to_ir(path: str, tree: Tree) -> tuple[ir.Module | None, Diagnostics]:
    """Transform a parse tree into a module, with any pattern diagnostics."""
    t = ToIR(path)
    try:
        module = t.transform(tree)
    except VisitError as exc:
        orig = exc.orig_exc
        while isinstance(orig, VisitError):
            orig = orig.orig_exc
        if not isinstance(orig, NumberTooLarge):
            raise
        tok = orig.token
        t.diagnostics.error("AQS107", f"number {str(tok)[:20]}... is too large", _tok_span(path, tok))
        return None, t.diagnostics
    return (None if t.diagnostics else module), t.diagnostics
