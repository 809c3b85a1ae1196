"""Compile a Model into one SQL query, built only from sqlglot expressions.

Shape of the query (CTEs in order):
  events        one scan of `signals` (kind='event', used types, time < cutoff), one
                GROUP BY customer_id with a conditional aggregate per (type, window, measure)
  answers_ranked / answers   latest answer per (customer, question) via ROW_NUMBER, pivoted
  observed      customers LEFT JOIN events, answers: v_<n>, the observed value of each leaf
  criteria      c_<n>: each leaf's truth, never NULL (missing observations are FALSE)
  stages        stage__<dim>: the highest stage whose criteria and all those below hold
  progress      progress__<dim>: reached stages plus partial credit, over the target index
and the final SELECT adds "index", the weighted mean progress times 100.

Only portable constructs are used (CASE WHEN, ROW_NUMBER, DateDiff, casts) so the same model
transpiles to Spark SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlglot import exp

from becoming.engine.criteria import (
    AllOf,
    AnswerCriterion,
    AnyOf,
    AttributeCriterion,
    EventCriterion,
    Leaf,
    Not,
    coerce_literal,
    infer_type,
    iter_leaves,
    label,
    threshold_text,
)
from becoming.engine.schema import Model, ModelError, ModelIssue


@dataclass(frozen=True)
class LeafInfo:
    """One leaf criterion of the model and the columns it got in the result."""

    n: int
    column: str  # c_<n>: the leaf's boolean
    value_column: str  # v_<n>: the observed value
    dimension: str
    stage_index: int
    stage: str
    top_index: int  # which top-level criterion of the stage this leaf belongs to
    path: str
    label: str
    threshold: str
    criterion: Leaf = field(repr=False)
    negated: bool = False  # under an odd number of `not`: the stage needs it to be false


@dataclass(frozen=True)
class CompiledModel:
    model: Model = field(repr=False)
    as_of: date
    dialect: str
    sql: str = field(repr=False)
    criteria: list[LeafInfo] = field(repr=False)
    attribute_types: dict[str, str] = field(repr=False)

    def leaves(self, dimension: str, stage_index: int) -> list[LeafInfo]:
        return [c for c in self.criteria
                if c.dimension == dimension and c.stage_index == stage_index]


def compile_model(model: Model, as_of: date, dialect: str = "duckdb",
                  customers: str = "customers", signals: str = "signals",
                  attribute_types: dict[str, str] | None = None) -> CompiledModel:
    """Compile `model` for `as_of` into one SQL query in `dialect` (any sqlglot dialect).

    `attribute_types` (name -> text|number|date|boolean, usually read from the data) decides
    how literals are typed; it overrides the model's declared types, which override a guess
    from the literal itself. Raises ModelError if a literal cannot take its attribute's type.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    types = resolve_types(model, attribute_types)
    builder = _Builder(model, as_of, types)
    query = builder.build(exp.to_table(customers), exp.to_table(signals))
    sql = query.sql(dialect=dialect, pretty=True)
    return CompiledModel(model, as_of, dialect, sql, builder.infos, types)


def resolve_types(model: Model, attribute_types: dict[str, str] | None) -> dict[str, str]:
    """Attribute types by precedence: data, then declared, then guessed from literals."""
    types: dict[str, str] = {}
    for dim in model.dimensions:
        for stage in dim.stages:
            for leaf in iter_leaves(stage.when):
                if isinstance(leaf, AttributeCriterion) and leaf.name not in types:
                    types[leaf.name] = infer_type(leaf)
    types.update(model.attributes)
    types.update(attribute_types or {})
    return types


def cutoff_of(as_of: date) -> datetime:
    """Signals count when time < the start of the day after as_of."""
    return datetime.combine(as_of + timedelta(days=1), datetime.min.time())


# --------------------------------------------------------------------------- helpers

def _col(name: str, table: str | None = None, quoted: bool = False) -> exp.Column:
    return exp.column(name, table=table, quoted=quoted)


def _num(x) -> exp.Expr:
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return exp.Literal.number(int(x))
    # A bare 0.1 is DECIMAL in DuckDB; say DOUBLE so comparisons match Python floats.
    return exp.cast(exp.Literal.number(repr(x)), "DOUBLE")


def _date(d: date) -> exp.Expr:
    return exp.cast(exp.Literal.string(d.isoformat()), "DATE")


def _ts(t: datetime) -> exp.Expr:
    return exp.cast(exp.Literal.string(t.isoformat(sep=" ")), "TIMESTAMP")


def _literal(value, kind: str) -> exp.Expr:
    value = coerce_literal(value, kind)
    if kind == "number":
        return _num(value)
    if kind == "date":
        return _date(value)
    if kind == "boolean":
        return exp.true() if value else exp.false()
    return exp.Literal.string(value)


def _range(value: exp.Expr, lo, hi, lit) -> exp.Expr:
    parts: list[exp.Expr] = []
    if lo is not None:
        parts.append(exp.GTE(this=value, expression=lit(lo)))
    if hi is not None:
        parts.append(exp.LTE(this=value, expression=lit(hi)))
    return exp.and_(*parts)


def _false_if_null(cond: exp.Expr) -> exp.Expr:
    return exp.Coalesce(this=cond, expressions=[exp.false()])


SIG_TIME, SIG_TYPE, SIG_VALUE = (_col("time", quoted=True), _col("type", quoted=True),
                                 _col("value", quoted=True))


class _Builder:
    """Accumulates the per-leaf expressions while walking the model once."""

    def __init__(self, model: Model, as_of: date, types: dict[str, str]):
        self.model, self.as_of, self.types = model, as_of, types
        self.cutoff = cutoff_of(as_of)
        self.infos: list[LeafInfo] = []
        self.observed: list[exp.Expr] = []  # v_<n> AS ...
        self.truths: list[exp.Expr] = []  # c_<n> AS ...
        self.event_aggs: dict[tuple, tuple[str, exp.Expr]] = {}
        self.questions: dict[str, str] = {}
        self.stage_tops: dict[str, list[list[exp.Expr]]] = {}
        issues: list = []
        for d, dim in enumerate(model.dimensions):
            tops: list[list[exp.Expr]] = [[]]
            for s, stage in enumerate(dim.stages[1:], start=1):
                tops.append([self.walk(c, issues, (dim.key, s, stage.key, t),
                                       f"dimensions[{d}].stages[{s}].when[{t}]", False)
                             for t, c in enumerate(stage.when)])
            self.stage_tops[dim.key] = tops
        if issues:
            raise ModelError(issues)

    # ------------------------------------------------------------------- leaves

    def walk(self, c, issues, where, path: str, negated: bool) -> exp.Expr:
        """The boolean expression of a criterion over c_<n> columns, registering leaves."""
        if isinstance(c, (AllOf, AnyOf)):
            combine = exp.and_ if isinstance(c, AllOf) else exp.or_
            kind = "all" if isinstance(c, AllOf) else "any"
            return exp.paren(combine(*[self.walk(x, issues, where, f"{path}.{kind}[{i}]",
                                                 negated) for i, x in enumerate(c.items)]))
        if isinstance(c, Not):
            return exp.not_(self.walk(c.item, issues, where, f"{path}.not", not negated))
        n = len(self.infos) + 1
        value, cond = self.leaf(c, n, issues, path)
        self.observed.append(exp.alias_(value, f"v_{n}"))
        self.truths.append(exp.alias_(_false_if_null(cond), f"c_{n}"))
        dim, s, stage, top = where
        self.infos.append(LeafInfo(n, f"c_{n}", f"v_{n}", dim, s, stage, top, path, label(c),
                                   threshold_text(c), c, negated))
        return _col(f"c_{n}")

    def leaf(self, c: Leaf, n: int, issues, path: str):
        """(observed value expression, condition over v_<n>) for one leaf."""
        v = _col(f"v_{n}")
        if isinstance(c, EventCriterion):
            return self.event_value(c), _range(v, c.at_least, c.at_most, _num)
        if isinstance(c, AnswerCriterion):
            alias = self.questions.setdefault(c.question, f"a_{len(self.questions) + 1}")
            cond = (exp.EQ(this=v, expression=_num(c.equals)) if c.equals is not None
                    else _range(v, c.at_least, c.at_most, _num))
            return _col(alias, "a"), cond
        kind = self.types.get(c.name, "text")
        value = _col(c.name, "c", quoted=True)
        try:
            return value, self.attribute_cond(c, v, kind)
        except ValueError:
            issues.append(ModelIssue(c.line, f"{path}.attribute", f"a value of '{c.name}' "
                                     f"cannot be compared with {kind} attribute '{c.name}'"))
            return value, exp.false()

    def attribute_cond(self, c: AttributeCriterion, v, kind: str) -> exp.Expr:
        def lit(x):
            return _literal(x, kind)

        if c.op == "present":
            is_null = exp.Is(this=v, expression=exp.Null())
            return exp.not_(is_null) if c.value else is_null
        if c.op == "equals":
            return exp.EQ(this=v, expression=lit(c.value))
        if c.op == "not_equals":
            return exp.NEQ(this=v, expression=lit(c.value))
        if c.op == "in":
            return exp.In(this=v, expressions=[lit(x) for x in c.value])
        if kind not in ("number", "date"):
            raise ValueError(kind)
        return _range(v, c.at_least, c.at_most, lit)

    def event_value(self, c: EventCriterion) -> exp.Expr:
        key = (c.type, c.within_days, c.measure)
        if key not in self.event_aggs:
            self.event_aggs[key] = (f"e_{len(self.event_aggs) + 1}", self.event_agg(c))
        col = _col(self.event_aggs[key][0], "e")
        if c.measure == "days_since_last":
            return exp.DateDiff(this=_date(self.as_of), expression=exp.cast(col, "DATE"),
                                unit=exp.var("DAY"))
        # No events at all means 0 (count, sum, days), not unknown.
        return exp.Coalesce(this=col, expressions=[exp.Literal.number(0)])

    def event_agg(self, c: EventCriterion) -> exp.Expr:
        cond: exp.Expr = exp.EQ(this=SIG_TYPE, expression=exp.Literal.string(c.type))
        if c.within_days is not None:
            cond = exp.and_(cond, exp.GTE(this=SIG_TIME, expression=_ts(self.window_start(c))))

        def when(then):
            return exp.Case().when(cond, then)

        if c.measure == "count":
            return exp.Count(this=when(exp.Literal.number(1)))
        if c.measure == "sum":
            return exp.Sum(this=when(SIG_VALUE))
        if c.measure == "distinct_days":
            return exp.Count(this=exp.Distinct(expressions=[when(exp.cast(SIG_TIME, "DATE"))]))
        return exp.Max(this=when(SIG_TIME))

    def window_start(self, c: EventCriterion) -> datetime:
        return self.cutoff - timedelta(days=c.within_days or 0)

    # ------------------------------------------------------------------- query

    def build(self, customers: exp.Table, signals: exp.Table) -> exp.Select:
        observed = (exp.select(_col("customer_id", "c"), *self.observed)
                    .from_(customers.as_("c")))
        ctes = []
        if self.event_aggs:
            ctes.append(("events", self.events_cte(signals)))
            observed = observed.join("events", on=_on("e"), join_type="left", join_alias="e")
        if self.questions:
            ranked, answers = self.answers_ctes(signals)
            ctes += [("answers_ranked", ranked), ("answers", answers)]
            observed = observed.join("answers", on=_on("a"), join_type="left", join_alias="a")
        ctes.append(("observed", observed))
        ctes.append(("criteria", exp.select(exp.Star(), *self.truths).from_("observed")))
        ctes.append(("stages", exp.select(exp.Star(), *self.stage_columns()).from_("criteria")))
        ctes.append(("progress", exp.select(exp.Star(), *self.progress_columns())
                     .from_("stages")))
        query = exp.select(*self.final_columns()).from_("progress")
        for name, cte in ctes:
            query = query.with_(name, as_=cte)
        return query

    def events_cte(self, signals: exp.Table) -> exp.Select:
        types = sorted({k[0] for k in self.event_aggs})
        where = [exp.EQ(this=_col("kind"), expression=exp.Literal.string("event")),
                 exp.In(this=SIG_TYPE, expressions=[exp.Literal.string(t) for t in types]),
                 exp.LT(this=SIG_TIME, expression=_ts(self.cutoff))]
        windows = [k[1] for k in self.event_aggs]
        if all(w is not None for w in windows):  # every aggregate is windowed: prune older rows
            start = self.cutoff - timedelta(days=max(windows))
            where.append(exp.GTE(this=SIG_TIME, expression=_ts(start)))
        aggs = [exp.alias_(agg, name) for name, agg in self.event_aggs.values()]
        return (exp.select(_col("customer_id"), *aggs).from_(signals)
                .where(exp.and_(*where)).group_by(_col("customer_id")))

    def answers_ctes(self, signals: exp.Table) -> tuple[exp.Select, exp.Select]:
        order = exp.Order(expressions=[exp.Ordered(this=SIG_TIME, desc=True, nulls_first=False),
                                       exp.Ordered(this=SIG_VALUE, desc=True,
                                                   nulls_first=False)])
        rn = exp.Window(this=exp.RowNumber(), partition_by=[_col("customer_id"), SIG_TYPE],
                        order=order)
        qs = [exp.Literal.string(q) for q in self.questions]
        where = exp.and_(exp.EQ(this=_col("kind"), expression=exp.Literal.string("answer")),
                         exp.In(this=SIG_TYPE, expressions=qs),
                         exp.LT(this=SIG_TIME, expression=_ts(self.cutoff)))
        ranked = (exp.select(_col("customer_id"), SIG_TYPE, SIG_VALUE, exp.alias_(rn, "rn"))
                  .from_(signals).where(where))
        pivots = [exp.alias_(exp.Max(this=exp.Case().when(
            exp.EQ(this=SIG_TYPE, expression=exp.Literal.string(q)), SIG_VALUE)), alias)
            for q, alias in self.questions.items()]
        answers = (exp.select(_col("customer_id"), *pivots).from_("answers_ranked")
                   .where(exp.EQ(this=_col("rn"), expression=exp.Literal.number(1)))
                   .group_by(_col("customer_id")))
        return ranked, answers

    def stage_columns(self) -> list[exp.Expr]:
        cols = []
        for dim in self.model.dimensions:
            tops = self.stage_tops[dim.key]
            case = exp.Case()
            for k in range(len(tops) - 1, 0, -1):  # highest stage first
                case = case.when(exp.and_(*[t for s in tops[1:k + 1] for t in s]),
                                 exp.Literal.number(k))
            cols.append(exp.alias_(case.else_(exp.Literal.number(0)), f"stage__{dim.key}"))
        return cols

    def progress_columns(self) -> list[exp.Expr]:
        cols = []
        for dim in self.model.dimensions:
            t, tops = dim.target_index, self.stage_tops[dim.key]
            stage = _col(f"stage__{dim.key}")
            case = exp.Case().when(exp.GTE(this=stage, expression=exp.Literal.number(t)),
                                   exp.Literal.number("1.0"))
            for s in range(t):
                case = case.when(exp.EQ(this=stage, expression=exp.Literal.number(s)),
                                 _partial(s, tops[s + 1], t))
            cols.append(exp.alias_(case, f"progress__{dim.key}"))
        return cols

    def final_columns(self) -> list[exp.Expr]:
        cols: list[exp.Expr] = [_col("customer_id")]
        for info in self.infos:
            cols += [_col(info.value_column), _col(info.column)]
        weighted = []
        for dim in self.model.dimensions:
            cols += [_col(f"stage__{dim.key}"), _col(f"progress__{dim.key}")]
            weighted.append(exp.Mul(this=_num_f(dim.weight),
                                    expression=_col(f"progress__{dim.key}")))
        total = sum(d.weight for d in self.model.dimensions)
        total_sum: exp.Expr = weighted[0]
        for w in weighted[1:]:
            total_sum = exp.Add(this=total_sum, expression=w)
        index = exp.Div(this=exp.Mul(this=exp.Literal.number("100.0"),
                                     expression=exp.paren(total_sum)), expression=_num_f(total))
        cols.append(exp.alias_(index, "index", quoted=True))
        return cols


def _num_f(x: float) -> exp.Expr:
    """A DOUBLE literal: float arithmetic must match the Python reference exactly."""
    return exp.cast(exp.Literal.number(repr(float(x))), "DOUBLE")


def _partial(s: int, tops: list[exp.Expr], t: int) -> exp.Expr:
    """(s + held/len(tops)) / t for a customer at stage s: one CASE per top-level criterion."""
    held = [exp.Case().when(x, exp.Literal.number("1.0")).else_(exp.Literal.number("0.0"))
            for x in tops]
    total: exp.Expr = held[0]
    for h in held[1:]:
        total = exp.Add(this=total, expression=h)
    frac = exp.Div(this=exp.paren(total), expression=_num_f(len(tops)))
    return exp.Div(this=exp.paren(exp.Add(this=_num_f(s), expression=frac)),
                   expression=_num_f(t))


def _on(alias: str) -> exp.Expr:
    return exp.EQ(this=_col("customer_id", "c"), expression=_col("customer_id", alias))
