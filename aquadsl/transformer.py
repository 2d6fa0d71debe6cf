"""Tree -> IR: one method per grammar rule; no lookups and no validation beyond shape."""

from __future__ import annotations

import datetime as dt
import functools

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedInput, VisitError

from aquadsl import ir
from aquadsl.diagnostics import Diagnostics, Span
from aquadsl.parser import MAX_NESTING, grammar_text, parse_text
from aquadsl.patterns import parse_pattern
from aquadsl.tokens import (NestingTooDeep, NumberTooLarge, first_position, last_position, new_node,
                            parse_float, Positioned, token_span, tokens_of, parse_int, unquote)


class ToIR(Transformer):
    """Build ``ir`` nodes bottom-up. Pattern strings are parsed here, since they are syntax."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.diagnostics = Diagnostics()
        self._depth: dict[int, int] = {}

    def _span(self, children) -> Span:
        """From the first to the last positioned child (tokens and IR nodes carry positions)."""
        first, last = first_position(children), last_position(children)
        if first is None:
            return new_node(Span, path=self.path, line=1, col=1, end_line=1, end_col=2)
        last = last or first
        return new_node(Span, path=self.path, line=first[0], col=first[1], end_line=last[2], end_col=last[3])

    def _t(self, tok: Token) -> Span:
        return token_span(self.path, tok)

    # ------------------------------------------------------------ top level
    def start(self, children):
        return new_node(ir.Module, path=self.path, items=tuple(children))

    def import_stmt(self, c):
        return new_node(ir.Import, span=self._span(c), target=unquote(c[1]))

    def kind_def(self, c):
        label = tokens_of(c, "STRING")
        q = [x for x in c if isinstance(x, ir.Quantity)]
        return new_node(ir.ContainerKind, span=self._t(c[1]), name=str(c[1]),
                                label=unquote(label[0]) if label else None, volume=q[0], max_biomass=q[1],
                                max_density=_value_after(c, "KW_MAX_DENSITY"),
                                max_fish=_value_after(c, "KW_MAX_FISH"), max_fish_span=_span_after(c, "KW_MAX_FISH"))

    # ---------------------------------------------------------- geographies
    def geography(self, c):
        fields: dict[str, list] = {k: [] for k in
                                   ("stations", "halls", "sea", "temperatures", "names", "code", "prefix",
                                    "weathers", "salinities", "temperature_offsets")}
        for key, value in c[4:-1]:
            if key == "names":
                fields[key].extend(value)
            else:
                fields[key].append(value)
        codes, prefixes = fields.pop("code"), fields.pop("prefix")
        return new_node(ir.Geography, 
            span=self._t(c[1]), name=str(c[1]), label=unquote(c[2]),
            code=codes[0][0] if codes else None, code_spans=tuple(s for _, s in codes),
            prefix=prefixes[0][0] if prefixes else None, prefix_spans=tuple(s for _, s in prefixes),
            **{k: tuple(v) for k, v in fields.items()})

    def geo_code(self, c):
        return ("code", (str(c[1]), self._t(c[1])))

    def geo_prefix(self, c):
        return ("prefix", (str(c[1]), self._t(c[1])))

    def geo_stations(self, c):
        return ("stations", new_node(ir.Stations, span=self._span(c), count=parse_int(c[1]), halls=c[3],
                                        containers=parse_int(c[5])))

    def hall_range(self, c):
        a, b = str(c[0]), str(c[2])
        if len(a) == 1 and len(b) == 1 and a <= b and a.isalpha() and b.isalpha() and a.isupper() == b.isupper():
            return tuple(chr(x) for x in range(ord(a), ord(b) + 1))
        self.diagnostics.error("AQS104", f"a hall range runs between two letters, like A..E; got {a}..{b}",
                               self._span(c))
        return ()

    def hall_list(self, c):
        return tuple(str(t) for t in tokens_of(c, "NAME"))

    def geo_hall(self, c):
        ints = tokens_of(c, "INT")
        return ("halls", new_node(ir.HallSpec, span=self._span(c), letter=str(c[1]), container_kind=str(c[3]),
                                     kind_span=self._t(c[3]),
                                     containers=parse_int(ints[0]) if ints else None))

    def geo_sea(self, c):
        return ("sea", new_node(ir.SeaSpec, span=self._span(c), areas=parse_int(c[1]), rings=parse_int(c[3]),
                                  container_kind=str(c[5]), kind_span=self._t(c[5])))

    def geo_temperature(self, c):
        return ("temperatures", new_node(ir.Temperature, span=self._span(c), water=str(c[1]), profile=c[2]))

    def constant_profile(self, c):
        return new_node(ir.ConstantProfile, span=self._span(c), value=c[1].value)

    def monthly_profile(self, c):
        return new_node(ir.MonthlyProfile, span=self._span(c), values=tuple(x.value for x in c[1:]))

    def sine_profile(self, c):
        return new_node(ir.SineProfile, span=self._span(c), mean=c[2].value, amplitude=c[4].value, peak_day=parse_int(c[6]))

    def geo_weather(self, c):
        nums = [x for x in c if isinstance(x, Positioned)]
        return ("weathers", new_node(ir.Weather, span=self._span(c), water=str(c[1]), sd=nums[0].value,
                                     persistence=parse_int(tokens_of(c, "INT")[0]),
                                     yearly=_value_after(c, "KW_YEARLY") or 0.0,
                                     sites=_value_after(c, "KW_SITES") or 0.0))

    def geo_temperature_offset(self, c):
        ints = tokens_of(c, "INT")
        return ("temperature_offsets", new_node(ir.TemperatureOffset, span=self._span(c), water=str(c[1]),
                                                areas=(parse_int(ints[0]), parse_int(ints[1])), offset=c[-1].value))

    def geo_salinity(self, c):
        ints = tokens_of(c, "INT")
        return ("salinities", new_node(ir.Salinity, span=self._span(c),
                                       areas=(parse_int(ints[0]), parse_int(ints[1])) if ints else None,
                                       mean=_value_after(c, "KW_MEAN"), tide=_value_after(c, "KW_TIDE"),
                                       seasonal=_value_after(c, "KW_SEASONAL") or 0.0,
                                       rain=_value_after(c, "KW_RAIN") or 0.0, drop=_value_after(c, "KW_DROP") or 0.0))

    def geo_names(self, c):
        return ("names", tuple(c[2:-1]))

    def name_rule(self, c):
        return new_node(ir.NameRule, span=self._span(c), target=str(c[0]), pattern=self._pattern(c[1]))

    # ------------------------------------------------------------ lifecycle
    def lifecycle(self, c):
        label = tokens_of(c[:3], "STRING")
        body = [x for x in c if not isinstance(x, Token)]
        return new_node(ir.Lifecycle, span=self._t(c[1]), name=str(c[1]), label=unquote(label[0]) if label else None,
                            start_weight=tuple(x for x in body if isinstance(x, ir.Quantity)),
                            stages=tuple(x for x in body if isinstance(x, ir.Stage)))

    def start_weight(self, c):
        return c[1]

    def stage(self, c):
        label = tokens_of(c[:3], "STRING")
        groups: dict[str, list] = {k: [] for k in ("settings", "rings", "feed", "sensors", "cadences", "at_days",
                                                 "at_weights", "incidents", "pellets", "lice_growth",
                                                 "lice_limits", "delousing", "end_weight", "overrides",
                                                 "temperatures", "lice_pressure")}
        for group, node in (x for x in c if isinstance(x, tuple)):
            groups[group].append(node)
        return new_node(ir.Stage, span=self._t(c[1]), name=str(c[1]), label=unquote(label[0]) if label else None,
                        **{k: tuple(v) for k, v in groups.items()})

    def _setting(self, c, key, value):
        return ("settings", new_node(ir.Setting, span=self._span(c), key=key, value=value))

    def st_days(self, c):
        return self._setting(c, "days", parse_int(c[1]))

    def st_water(self, c):
        return self._setting(c, "water", str(c[1]))

    def st_hall(self, c):
        return self._setting(c, "hall", str(c[1]))

    def st_containers(self, c):
        return self._setting(c, "containers", parse_int(c[1]))

    def st_tgc(self, c):
        return self._setting(c, "tgc", c[1].value)

    def st_weight_cap(self, c):
        return self._setting(c, "weight_cap", c[1])

    def st_mortality(self, c):
        return self._setting(c, "mortality", c[1])

    def st_maintenance(self, c):
        return self._setting(c, "maintenance", c[1])

    def st_feedings(self, c):
        return self._setting(c, "feedings", parse_int(c[1]))

    def st_rings(self, c):
        return ("rings", new_node(ir.RingPreference, span=self._span(c), counts=c[1]))

    def int_range(self, c):
        a, b = parse_int(c[0]), parse_int(c[2])
        if a > b or b - a > 10_000:
            self.diagnostics.error("AQS104", f"a range runs from low to high, like 8..20; got {a}..{b}",
                                   self._span(c))
            return (a,)
        # A range prefers the most rings that are free: 20, 19, ... down to 8.
        return tuple(range(b, a - 1, -1))

    def int_list(self, c):
        return tuple(parse_int(t) for t in tokens_of(c, "INT"))

    def feed_none(self, c):
        return ("feed", new_node(ir.Feed, span=self._span(c), mode="none"))

    def feed_rate(self, c):
        return ("feed", new_node(ir.Feed, span=self._span(c), mode="rate", value=c[2], feed_name=unquote(c[3])))

    def feed_fcr(self, c):
        q = new_node(ir.Quantity, span=self._span(c), value=c[2].value)
        return ("feed", new_node(ir.Feed, span=self._span(c), mode="fcr", value=q, feed_name=unquote(c[3])))

    def st_sensors(self, c):
        names = c[4]
        return ("sensors", new_node(ir.Sensors, span=self._span(c), per_day=parse_int(c[1]),
                                      parameters=tuple(str(t) for t in names),
                                      parameter_spans=tuple(self._t(t) for t in names)))

    def name_list(self, c):
        return tuple(tokens_of(c, "NAME"))

    def st_every(self, c):
        ints = tokens_of(c, "INT")
        return ("cadences", new_node(ir.Cadence, span=self._span(c), event=str(c[0]), every=parse_int(ints[0]),
                                       fish=parse_int(ints[1]) if len(ints) > 1 else None))

    def st_at_days(self, c):
        return ("at_days", new_node(ir.AtDays, span=self._span(c), event=str(c[0]),
                                     days=tuple(parse_int(t) for t in tokens_of(c, "INT"))))

    def st_at_weight(self, c):
        return ("at_weights", new_node(ir.AtWeight, span=self._span(c), event=str(c[0]), weight=c[3]))

    def st_spread(self, c):
        return self._setting(c, str(c[0]), c[1])

    def st_harvest_capacity(self, c):
        return self._setting(c, "harvest_capacity", c[1])

    def st_withdrawal(self, c):
        return self._setting(c, "feed_withdrawal", parse_int(c[1]))

    def st_fallow(self, c):
        return self._setting(c, "fallow", parse_int(c[1]))

    def st_incident(self, c):
        ints = tokens_of(c, "INT")
        quantities = [x for x in c if isinstance(x, ir.Quantity)]
        months = (parse_int(ints[0]), parse_int(ints[1])) if len(ints) == 3 else (1, 12)
        response = next((x for x in c if isinstance(x, tuple)), (None, None))
        return ("incidents", new_node(ir.Incident, span=self._span(c), name=str(c[1]), rate=c[3].value,
                                      months=months, mortality=quantities[0], days=parse_int(ints[-1]),
                                      appetite=quantities[1] if len(quantities) > 1 else None,
                                      response=response[0], above=response[1]))

    def response_early_harvest(self, c):
        return ("early_harvest", next(x for x in c if isinstance(x, ir.Quantity)), list(c))

    def response_cull(self, c):
        return ("cull", None, list(c))   # the tokens, so the statement's span covers 'then cull'

    def st_pellet(self, c):
        q = [x for x in c if isinstance(x, ir.Quantity)]
        return ("pellets", new_node(ir.Pellet, span=self._span(c), feed_name=unquote(c[1]),
                                    up_to=q[0] if q else None))

    def st_lice_growth(self, c):
        return ("lice_growth", new_node(ir.LiceGrowth, span=self._span(c), growth=c[1], settle=c[5].value))

    def st_lice_limit(self, c):
        ints = tokens_of(c, "INT")
        weeks = (parse_int(ints[0]), parse_int(ints[1])) if ints else None
        return ("lice_limits", new_node(ir.LiceLimit, span=self._span(c), limit=c[1].value, weeks=weeks))

    def st_delousing(self, c):
        ints = tokens_of(c, "INT")
        return ("delousing", new_node(ir.Delousing, span=self._span(c), cut=c[2], mortality=c[4],
                                      rest=parse_int(ints[0]), rings_per_day=parse_int(ints[1]) if len(ints) > 1 else None))

    def st_lice_pressure(self, c):
        return ("lice_pressure", new_node(ir.LicePressure, span=self._span(c), pressure=c[1],
                                          neighbours=parse_int(tokens_of(c, "INT")[0])))

    def st_end_weight(self, c):
        unit = str(c[-1])
        low = new_node(ir.Quantity, span=c[1].span, value=c[1].value, unit=unit)
        high = new_node(ir.Quantity, span=c[3].span, value=c[3].value, unit=unit)
        return ("end_weight", new_node(ir.EndWeight, span=self._span(c), low=low, high=high))

    def st_override(self, c):
        ints = [t for t in c if isinstance(t, Token) and t.type == "INT"]
        kinds = [t.type for t in c if isinstance(t, Token)]
        tgc = next((x.value for x in c if isinstance(x, Positioned)), None)
        profile = next((x for x in c if isinstance(x, (ir.ConstantProfile, ir.MonthlyProfile, ir.SineProfile))), None)
        return ("overrides", new_node(ir.Override, span=self._span(c), geography=str(c[1]),
                                      geography_span=self._t(c[1]), days=parse_int(ints[0]) if ints else None,
                                      tgc=tgc if "KW_TGC" in kinds else None, temperature=profile))

    def st_temperature(self, c):
        return ("temperatures", new_node(ir.StageTemperature, span=self._span(c), profile=c[1]))

    # ------------------------------------------------------------- scenario
    def scenario(self, c):
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
        return new_node(ir.Scenario, span=self._t(c[1]), name=unquote(c[1]), **{k: tuple(v) for k, v in groups.items()})

    def sc_lifecycle(self, c):
        return ("lifecycle", (str(c[1]), self._t(c[1])))

    def sc_start(self, c):
        return ("start", (self._date(c[1]), self._t(c[1])))

    def until_date(self, c):
        return new_node(ir.Until, span=self._t(c[1]), date=self._date(c[1]))

    def until_today(self, c):
        return new_node(ir.Until, span=self._t(c[1]), today=True)

    def sc_seed(self, c):
        return ("seed", (parse_int(c[1]), self._t(c[1])))

    def let_stmt(self, c):
        return new_node(ir.Let, span=self._span(c), name=str(c[1]), name_span=self._t(c[1]), expr=c[3])

    def batches(self, c):
        groups: dict[str, list] = {k: [] for k in
                                   ("geographies", "count", "stagger", "eggs", "harvest_target", "id_pattern", "lets")}
        for item in c[2:-1]:
            if isinstance(item, ir.Let):
                groups["lets"].append(item)
            else:
                groups[item[0]].append(item[1])
        geos = groups.pop("geographies")
        return new_node(ir.Batches, span=self._t(c[0]), geographies=tuple((n, s) for g in geos for n, s in g[0]),
                          geographies_spans=tuple(g[1] for g in geos), **{k: tuple(v) for k, v in groups.items()})

    def b_geographies(self, c):
        return ("geographies", (tuple((str(t), self._t(t)) for t in c[1]), self._span(c)))

    def count_per_geography(self, c):
        return ("count", new_node(ir.Count, span=self._span(c), mode="per_geography", value=parse_int(c[1])))

    def count_total(self, c):
        return ("count", new_node(ir.Count, span=self._span(c), mode="total", value=parse_int(c[1])))

    def count_each(self, c):
        return ("count", new_node(ir.Count, span=self._span(c), mode="each", each=c[1]))

    def stagger_interleaved(self, c):
        return ("stagger", new_node(ir.Stagger, span=self._span(c), days=parse_int(c[1]), mode="interleaved"))

    def stagger_offsets(self, c):
        return ("stagger", new_node(ir.Stagger, span=self._span(c), days=parse_int(c[1]), mode="offsets", offsets=c[4]))

    def geo_ints(self, c):
        return tuple(x for x in c if isinstance(x, ir.GeoInt))

    def geo_int(self, c):
        return new_node(ir.GeoInt, span=self._span(c), geography=str(c[0]), value=parse_int(c[1]))

    def b_eggs(self, c):
        return ("eggs", c[1])

    def b_harvest(self, c):
        return ("harvest_target", new_node(ir.HarvestTarget, span=self._span(c), low=c[1].value, high=c[3].value, unit=str(c[4])))

    def b_id(self, c):
        return ("id_pattern", self._pattern(c[1]))

    # ---------------------------------------------------------- expressions
    def _nested(self, node, *children):
        """Track expression depth while building, so deep input never reaches recursive code."""
        depth = 1 + max((self._depth.get(id(ch), 0) for ch in children), default=0)
        if depth > MAX_NESTING:
            raise NestingTooDeep(node.span)
        self._depth[id(node)] = depth
        return node

    def binop(self, c):
        return self._nested(new_node(ir.BinOp, span=self._span(c), op=str(c[1]), left=c[0], right=c[2]), c[0], c[2])

    def ifelse(self, c):
        node = new_node(ir.IfElse, span=self._span(c), cond=c[1], then=c[3], other=c[5])
        return self._nested(node, c[1], c[3], c[5])

    def per_geography(self, c):
        pairs = [x for x in c if isinstance(x, tuple)]
        node = new_node(ir.PerGeography, span=self._span([c[0], c[-1]]), names=tuple(str(n) for n, _ in pairs),
                        name_spans=tuple(self._t(n) for n, _ in pairs), values=tuple(v for _, v in pairs))
        return self._nested(node, *(v for _, v in pairs))

    def geo_value(self, c):
        return (c[0], c[1])

    def neg(self, c):
        return self._nested(new_node(ir.Neg, span=self._span(c), operand=c[1]), c[1])

    def pos(self, c):
        return c[1]

    def paren(self, c):
        # Parentheses add no node, but widen its span and count as nesting (as in the tree parser).
        node = c[1].model_copy(update={"span": self._span(c)})
        self._depth[id(node)] = self._depth.get(id(c[1]), 0)
        return self._nested(node, node)

    def int_lit(self, c):
        return new_node(ir.Num, span=self._t(c[0]), value=parse_int(c[0]))

    def float_lit(self, c):
        return new_node(ir.Num, span=self._t(c[0]), value=parse_float(c[0]))

    def var(self, c):
        return new_node(ir.Var, span=self._t(c[0]), name=str(c[0]))

    def call(self, c):
        args = tuple(x for x in c[1:] if not isinstance(x, Token))
        node = new_node(ir.Call, span=self._span(c), func=str(c[0]), func_span=self._t(c[0]), args=args)
        return self._nested(node, *args)

    def placeholder(self, c):
        spec = str(c[2]) if len(c) > 2 else ""
        return (c[0], spec)

    def quantity(self, c):
        return new_node(ir.Quantity, span=self._span(c), value=c[0].value, unit=str(c[1]) if len(c) > 1 else None)

    def number(self, c):
        value = parse_float(c[-1]) if c[-1].type == "FLOAT" else parse_int(c[-1])
        return Positioned(-value if len(c) > 1 else value, self._span(c))

    # -------------------------------------------------------------- helpers
    def _date(self, tok: Token) -> dt.date | None:
        """The date, or None (already reported) for an impossible one such as 2023-02-30."""
        try:
            return dt.date.fromisoformat(str(tok))
        except ValueError:
            self.diagnostics.error("AQS105", f"'{tok}' is not a calendar date", self._t(tok))
            return None

    def _pattern(self, tok: Token) -> ir.Pattern:
        return parse_pattern(tok, self.path, self.diagnostics, ToIR(self.path).transform)


def _after(c, keyword: str) -> Positioned | None:
    """The number that follows the token ``keyword`` among children ``c``, if the keyword is there."""
    at = next((k for k, x in enumerate(c) if isinstance(x, Token) and x.type == keyword), None)
    return c[at + 1] if at is not None else None


def _value_after(c, keyword: str):
    found = _after(c, keyword)
    return None if found is None else found.value


def _span_after(c, keyword: str):
    found = _after(c, keyword)
    return None if found is None else found.span


def _unwrap(exc: BaseException) -> BaseException:
    while isinstance(exc, VisitError):
        exc = exc.orig_exc
    return exc


def _fail(t: ToIR, exc: BaseException) -> tuple[None, Diagnostics]:
    """Turn a transformer-raised limit into a diagnostic; anything else is a bug and propagates."""
    orig = _unwrap(exc)
    if isinstance(orig, NumberTooLarge):
        t.diagnostics.error("AQS107", f"number {str(orig.token)[:20]}... is too large", token_span(t.path, orig.token))
    elif isinstance(orig, NestingTooDeep):
        t.diagnostics.error("AQS103", f"expression nested more than {MAX_NESTING} levels deep "
                        "(operators and parentheses both count)", orig.span)
    else:
        raise exc
    return None, t.diagnostics


def to_ir(path: str, tree: Tree) -> tuple[ir.Module | None, Diagnostics]:
    """Transform a parse tree (from ``parser.parse_text``) into a module, with any diagnostics.

    Errors found while building (bad dates, ranges or patterns) still return the module, with
    neutral placeholders, so that validation can report the file's other errors too.
    """
    t = ToIR(path)
    try:
        module = t.transform(tree)
    except (VisitError, NumberTooLarge, NestingTooDeep) as exc:
        return _fail(t, exc)
    return module, t.diagnostics


@functools.lru_cache(maxsize=1)
def _inline() -> tuple[Lark, ToIR]:
    """A parser that builds the IR while parsing (no tree, no position propagation): the fast path."""
    transformer = ToIR("<none>")
    parser = Lark(grammar_text(), parser="lalr", propagate_positions=False, maybe_placeholders=False,
                  start="start", transformer=transformer, cache=True)
    return parser, transformer


def parse_module(path: str, text: str) -> tuple[ir.Module | None, Diagnostics]:
    """Source text -> module. Syntax errors are re-parsed by ``parse_text`` for full diagnostics."""
    parser, t = _inline()
    t.path, t.diagnostics, t._depth = path, Diagnostics(), {}
    try:
        module = parser.parse(text)
    except UnexpectedInput:
        return None, parse_text(path, text).diagnostics
    except (VisitError, NumberTooLarge, NestingTooDeep) as exc:
        return _fail(t, exc)
    finally:
        t._depth = {}
    return module, t.diagnostics
