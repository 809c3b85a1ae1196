"""Explain one customer's assessment: where they stand on each dimension and, for every leaf
criterion of the next stage, what was observed, what is needed and what is missing.

Contract: `explain(model, compiled, row)` takes one row of the wide result (a dict with the
v_<n>, c_<n>, stage__<dim> and progress__<dim> columns) and returns one DimensionExplanation
per dimension, in model order. At the top stage `criteria` is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from becoming.engine.compiler import CompiledModel, LeafInfo
from becoming.engine.criteria import AnswerCriterion, AttributeCriterion, EventCriterion
from becoming.engine.schema import Model


@dataclass(frozen=True)
class CriterionExplanation:
    column: str
    path: str
    label: str
    observed: Any
    threshold: str
    met: bool
    missing: str  # "" when met
    negated: bool = False  # the stage needs this leaf to be false


@dataclass(frozen=True)
class DimensionExplanation:
    dimension: str
    name: str
    stage: str
    stage_name: str
    stage_index: int
    target: str
    target_index: int
    progress: float
    next_stage: str | None
    criteria: tuple[CriterionExplanation, ...]


def explain(model: Model, compiled: CompiledModel, row: dict) -> list[DimensionExplanation]:
    out = []
    for dim in model.dimensions:
        s = int(row[f"stage__{dim.key}"])
        nxt = dim.stages[s + 1] if s + 1 < len(dim.stages) else None
        leaves = compiled.leaves(dim.key, s + 1) if nxt else []
        out.append(DimensionExplanation(
            dimension=dim.key, name=dim.name, stage=dim.stages[s].key,
            stage_name=dim.stages[s].name, stage_index=s, target=dim.target,
            target_index=dim.target_index, progress=float(row[f"progress__{dim.key}"]),
            next_stage=nxt.key if nxt else None,
            criteria=tuple(_leaf(info, row) for info in leaves)))
    return out


def _leaf(info: LeafInfo, row: dict) -> CriterionExplanation:
    observed = row.get(info.value_column)
    met = bool(row.get(info.column))
    # A leaf under `not` is satisfied for the stage when it does NOT hold.
    satisfied = met != info.negated
    missing = "" if satisfied else _missing(info, observed)
    return CriterionExplanation(info.column, info.path, info.label, observed, info.threshold,
                                met, missing, info.negated)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _missing(info: LeafInfo, observed: Any) -> str:
    c = info.criterion
    if info.negated:
        return f"{info.label} is {_fmt(observed)}; the stage needs it not to be " \
               f"{info.threshold}"
    if isinstance(c, AttributeCriterion):
        if observed is None:
            return f"{c.name} is missing, needs {info.threshold}"
        shown = f"'{observed}'" if isinstance(observed, str) else _fmt(observed)
        return f"{c.name} is {shown}, needs {info.threshold}"
    if isinstance(c, AnswerCriterion):
        if observed is None:
            return f"no answer to {c.question} yet"
        return f"answer to {c.question} is {_fmt(observed)}, needs {info.threshold}"
    assert isinstance(c, EventCriterion)
    if c.measure == "days_since_last" and observed is None:
        return f"no {c.type} event yet"
    if c.measure == "count" and c.at_least is not None and observed < c.at_least:
        window = f" in the last {c.within_days} days" if c.within_days else ""
        return f"{_fmt(observed)} of {_fmt(c.at_least)} {c.type} events{window}"
    return f"{info.label} is {_fmt(observed)}, needs {info.threshold}"
