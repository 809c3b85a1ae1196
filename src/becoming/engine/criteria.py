"""Criterion dataclasses, literal coercion and human wording shared by compiler, reference
and explanations. Leaves carry `line`/`path` (excluded from equality) so data checks can point
back into the document."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

ATTRIBUTE_TYPES = ("text", "number", "date", "boolean")
MEASURES = ("count", "sum", "distinct_days", "days_since_last")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


def _loc():
    return field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class AttributeCriterion:
    """op is one of equals, not_equals, in (value is a tuple), present (value is a bool),
    range (at_least and/or at_most, numbers or ISO date strings)."""

    name: str
    op: str
    value: Any = None
    at_least: Any = None
    at_most: Any = None
    line: int | None = _loc()
    path: str | None = _loc()

    def literals(self) -> list:
        if self.op == "in":
            return list(self.value)
        if self.op == "range":
            return [v for v in (self.at_least, self.at_most) if v is not None]
        return [self.value] if self.op != "present" else []

    def to_dict(self) -> dict:
        body: dict[str, Any] = {"name": self.name}
        if self.op == "range":
            body.update({k: v for k, v in (("at_least", self.at_least),
                                           ("at_most", self.at_most)) if v is not None})
        else:
            body[self.op] = list(self.value) if self.op == "in" else self.value
        return {"attribute": body}


@dataclass(frozen=True)
class EventCriterion:
    type: str
    within_days: int | None = None
    measure: str = "count"
    at_least: float | None = None
    at_most: float | None = None
    within: str | None = field(default=None, compare=False)  # as written, e.g. "3m"
    line: int | None = _loc()
    path: str | None = _loc()

    def to_dict(self) -> dict:
        body: dict[str, Any] = {"type": self.type}
        if self.within_days is not None:
            body["within"] = self.within or f"{self.within_days}d"
        if self.measure != "count":
            body["measure"] = self.measure
        body.update(_bounds(self.at_least, self.at_most))
        return {"event": body}


@dataclass(frozen=True)
class AnswerCriterion:
    question: str
    at_least: float | None = None
    at_most: float | None = None
    equals: float | None = None
    line: int | None = _loc()
    path: str | None = _loc()

    def to_dict(self) -> dict:
        body: dict[str, Any] = {"question": self.question}
        if self.equals is not None:
            body["equals"] = self.equals
        body.update(_bounds(self.at_least, self.at_most))
        return {"answer": body}


@dataclass(frozen=True)
class AllOf:
    items: tuple

    def to_dict(self) -> dict:
        return {"all": [c.to_dict() for c in self.items]}


@dataclass(frozen=True)
class AnyOf:
    items: tuple

    def to_dict(self) -> dict:
        return {"any": [c.to_dict() for c in self.items]}


@dataclass(frozen=True)
class Not:
    item: Any

    def to_dict(self) -> dict:
        return {"not": self.item.to_dict()}


Leaf = AttributeCriterion | EventCriterion | AnswerCriterion
Criterion = Leaf | AllOf | AnyOf | Not


def _bounds(lo, hi) -> dict:
    return {k: v for k, v in (("at_least", lo), ("at_most", hi)) if v is not None}


def iter_leaves(criteria: Iterable) -> Iterator[Leaf]:
    """Leaves in document order (depth first) — the order columns are numbered in."""
    for c in criteria:
        if isinstance(c, (AllOf, AnyOf)):
            yield from iter_leaves(c.items)
        elif isinstance(c, Not):
            yield from iter_leaves([c.item])
        else:
            yield c


def coerce_literal(value: Any, kind: str) -> Any:
    """Convert a model literal to the Python value of an attribute type; ValueError if it
    cannot be (e.g. 'abc' for a number). YAML gives "Yes" as text, so booleans accept
    yes/no/true/false/1/0."""
    if kind == "text":
        return str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if kind == "date":
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        low = str(value).strip().lower()
        if low in _TRUE or low in _FALSE:
            return low in _TRUE
        raise ValueError(value)
    raise ValueError(f"unknown attribute type {kind}")


def infer_type(leaf: AttributeCriterion) -> str:
    """Attribute type guessed from a literal when neither data nor the model declare it."""
    lits = leaf.literals()
    if not lits:
        return "text"
    first = lits[0]
    if isinstance(first, bool):
        return "boolean"
    if isinstance(first, (int, float)):
        return "number"
    if leaf.op == "range":
        return "date"
    return "text"


# --------------------------------------------------------------------------- wording

_MEASURE_WORDS = {"count": "{t} events", "sum": "total value of {t} events",
                  "distinct_days": "days with {t} events",
                  "days_since_last": "days since the last {t} event"}


def label(leaf: Leaf) -> str:
    """Short human description of what a leaf observes."""
    if isinstance(leaf, AttributeCriterion):
        return leaf.name
    if isinstance(leaf, AnswerCriterion):
        return f"answer to {leaf.question}"
    text = _MEASURE_WORDS[leaf.measure].format(t=leaf.type)
    if leaf.within_days is not None and leaf.measure != "days_since_last":
        text += f" in the last {leaf.within_days} days"
    elif leaf.within_days is not None:
        text += f" (within {leaf.within_days} days)"
    return text


def _num(x: Any) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def threshold_text(leaf: Leaf) -> str:
    """The requirement in words: 'at least 3', 'one of pro, enterprise', 'present'."""
    if isinstance(leaf, AttributeCriterion):
        if leaf.op == "in":
            return "one of " + ", ".join(_num(v) for v in leaf.value)
        if leaf.op == "present":
            return "present" if leaf.value else "absent"
        if leaf.op in ("equals", "not_equals"):
            return ("" if leaf.op == "equals" else "not ") + _num(leaf.value)
    if isinstance(leaf, AnswerCriterion) and leaf.equals is not None:
        return _num(leaf.equals)
    lo, hi = leaf.at_least, leaf.at_most
    if lo is not None and hi is not None:
        return f"between {_num(lo)} and {_num(hi)}"
    return f"at least {_num(lo)}" if lo is not None else f"at most {_num(hi)}"
