"""The transformation model: parse a YAML/JSON document into frozen dataclasses.

Contract: `parse_model(text)` and `parse_model_data(dict)` either return a valid `Model` or
raise `ModelError` listing every issue found (not just the first), each with the line (YAML
only), the field path (``dimensions[0].stages[1].when[0].event.within``) and a message.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from becoming.engine.criteria import (
    ATTRIBUTE_TYPES,
    MEASURES,
    AllOf,
    AnswerCriterion,
    AnyOf,
    AttributeCriterion,
    Criterion,
    EventCriterion,
    Not,
    coerce_literal,
    iter_leaves,
)
from becoming.engine.windows import WindowError, window_days

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
KINDS = ("attribute", "event", "answer", "all", "any", "not")
# Limits on a model document, checked before the document is built: a real model is a few
# KB and a dozen levels deep; without them a few hundred bytes of YAML aliases expand to
# gigabytes, and deep nesting exhausts the Python stack.
MAX_BYTES = 256 * 1024
MAX_DEPTH = 50
MAX_VALUES = 50_000  # JSON documents: bounds the work a document arriving decoded can cause


@dataclass(frozen=True)
class ModelIssue:
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class ModelError(ValueError):
    """Raised with every issue of a model document; `.errors` is a list of ModelIssue."""

    def __init__(self, errors: list[ModelIssue]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    description: str = ""
    when: tuple[Criterion, ...] = ()

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"key": self.key, "name": self.name}
        if self.description:
            out["description"] = self.description
        if self.when:
            out["when"] = [c.to_dict() for c in self.when]
        return out


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    target: str
    stages: tuple[Stage, ...]
    description: str = ""
    weight: float = 1.0

    @property
    def target_index(self) -> int:
        return [s.key for s in self.stages].index(self.target)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"key": self.key, "name": self.name}
        if self.description:
            out["description"] = self.description
        out["weight"] = self.weight
        out["target"] = self.target
        out["stages"] = [s.to_dict() for s in self.stages]
        return out


@dataclass(frozen=True)
class Model:
    vision: str
    dimensions: tuple[Dimension, ...]
    attributes: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:  # attributes is a dict; hash what identifies the model
        return hash((self.vision, self.dimensions, tuple(sorted(self.attributes.items()))))

    def names(self) -> dict[str, tuple[str, dict[str, str]]]:
        """{dimension key: (its name, {stage key: stage name})}: what pages show for keys."""
        return {d.key: (d.name, {s.key: s.name for s in d.stages}) for d in self.dimensions}

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"vision": self.vision}
        if self.attributes:
            out["attributes"] = dict(self.attributes)
        out["dimensions"] = [d.to_dict() for d in self.dimensions]
        return out


# --------------------------------------------------------------------------- YAML loading


def _scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a plain scalar the YAML 1.2 way: only true/false are booleans (so `Yes` stays
    the text users mean), dates stay ISO strings (coerced later by attribute type)."""
    tag = node.tag.rsplit(":", 1)[-1]
    if node.style is not None and node.style != "":  # quoted: always text
        return node.value
    if tag == "bool":
        low = node.value.lower()
        return low == "true" if low in ("true", "false") else node.value
    if tag in ("int", "float", "null"):
        try:
            return yaml.constructor.SafeConstructor().construct_object(node)
        except ValueError:  # `!!int x`, or more digits than Python converts: leave it text
            return node.value
    return node.value


def _to_python(node: yaml.Node, path: str, lines: dict[str, int], issues: list) -> Any:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            key = str(_scalar(knode)) if isinstance(knode, yaml.ScalarNode) else "?"
            sub = f"{path}.{key}" if path else key
            if key in out:
                issues.append(ModelIssue(knode.start_mark.line + 1, sub, f"duplicate field '{key}'"))
                continue
            lines[sub] = knode.start_mark.line + 1  # the key's line reads best for blocks
            out[key] = _to_python(vnode, sub, lines, issues)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(n, f"{path}[{i}]", lines, issues) for i, n in enumerate(node.value)]
    return _scalar(node)  # type: ignore[arg-type]  # a leaf here is a ScalarNode


def parse_model(text: str) -> Model:
    """Parse YAML text into a Model, or raise ModelError with line-located issues.

    Refused before anything is built: more than MAX_BYTES, nesting deeper than MAX_DEPTH, and
    any anchor or alias (a model never needs them, and aliases can expand exponentially).
    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BYTES:
        raise _limit(None, "", f"the model is {size:,} bytes; at most {MAX_BYTES:,} are accepted")
    try:
        _check_events(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ModelError([ModelIssue(line, "", f"YAML syntax error: {problem}")]) from None
    if node is None:
        raise ModelError([ModelIssue(1, "", "the document is empty")])
    lines: dict[str, int] = {}
    issues: list[ModelIssue] = []
    data = _to_python(node, "", lines, issues)
    return _Validator(lines, issues).model(data)


def _check_events(text: str) -> None:
    """Refuse anchors, aliases and deep nesting before composing a single node.

    Scans the event stream, which the parsers produce without recursion (the composer
    recurses). libyaml scans fast; if it finds a syntax error, scan again with PyYAML, which
    composes the document next, so both its verdict and its message are the ones that count.
    """
    try:
        _scan_events(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        _scan_events(text, yaml.SafeLoader)


def _scan_events(text: str, loader) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise _limit(line, "", f"YAML aliases (*{getattr(event, 'anchor', '')}) are not supported in a "
                         "model; write the value out in full")
        if getattr(event, "anchor", None):
            raise _limit(line, "", f"YAML anchors (&{getattr(event, 'anchor', '')}) are not supported in a "
                         "model; write the value out in full")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _limit(line, "", f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _limit(line: int | None, path: str, message: str) -> ModelError:
    return ModelError([ModelIssue(line, path, message)])


def parse_model_data(data: Any) -> Model:
    """Validate an already-decoded document (JSON); issues carry line=None."""
    _check_data(data)
    return _Validator(None, []).model(data)


def _check_data(data: Any) -> None:
    """MAX_DEPTH and MAX_VALUES for a decoded document, walked without recursion so a deep
    one cannot exhaust the stack before it is refused."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    count = 0
    while stack:
        value, depth, path = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise _limit(None, "", f"the model has more than {MAX_VALUES:,} values")
        if isinstance(value, dict):
            children = [(v, _join(path, str(k))) for k, v in value.items()]
        elif isinstance(value, list):
            children = [(v, f"{path}[{i}]") for i, v in enumerate(value)]
        else:
            continue
        if depth > MAX_DEPTH:
            raise _limit(None, path, f"nested more than {MAX_DEPTH} levels deep")
        stack.extend((v, depth + 1, sub) for v, sub in children)


# --------------------------------------------------------------------------- validation


class _Validator:
    def __init__(self, lines: dict[str, int] | None, issues: list[ModelIssue]):
        self.lines = lines
        self.issues = issues

    def err(self, path: str, message: str) -> None:
        self.issues.append(ModelIssue(self.line(path), path, message))

    def line(self, path: str) -> int | None:
        if self.lines is None:
            return None
        # A missing field has no line of its own: fall back to its closest existing parent.
        while path not in self.lines and path:
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", path)
            path = parent if parent != path else ""  # a top-level field's parent is the document
        return self.lines.get(path)

    def fields(self, data: Any, path: str, required: tuple, optional: tuple = ()) -> bool:
        """Check a mapping's keys; report unknown and missing ones. False if not a mapping."""
        if not isinstance(data, dict):
            self.err(path, "must be a mapping")
            return False
        allowed = required + optional
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, allowed, n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.err(_join(path, key), f"unknown field '{key}'{extra}")
        for key in required:
            if key not in data or data[key] is None:
                self.err(_join(path, key), f"missing required field '{key}'")
        return True

    def text(self, data: dict, key: str, path: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.err(_join(path, key), "must be a non-empty string")
            return ""
        return value

    def model(self, data: Any) -> Model:
        model = None
        if self.fields(data, "", ("vision", "dimensions"), ("attributes",)):
            model = Model(
                vision=self.text(data, "vision", ""),
                attributes=self.attributes(data.get("attributes")),
                dimensions=self.dimensions(data.get("dimensions")),
            )
        if self.issues or model is None:
            raise ModelError(self.issues)
        return model

    def attributes(self, data: Any) -> dict[str, str]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.err("attributes", "must be a mapping of attribute name to type")
            return {}
        for name, kind in data.items():
            if kind not in ATTRIBUTE_TYPES:
                self.err(f"attributes.{name}", f"unknown attribute type '{kind}'; use "
                         "text, number, date or boolean")
        return {str(k): v for k, v in data.items()}

    def dimensions(self, data: Any) -> tuple[Dimension, ...]:
        if data is None:
            return ()
        if not isinstance(data, list) or not data:
            self.err("dimensions", "must be a non-empty list")
            return ()
        dims, seen = [], set()
        for i, item in enumerate(data):
            path = f"dimensions[{i}]"
            dim = self.dimension(item, path)
            if dim is None:
                continue
            if dim.key in seen:
                self.err(f"{path}.key", f"duplicate dimension key '{dim.key}'")
            seen.add(dim.key)
            dims.append(dim)
        return tuple(dims)

    def dimension(self, data: Any, path: str) -> Dimension | None:
        req, opt = ("key", "name", "target", "stages"), ("description", "weight")
        if not self.fields(data, path, req, opt):
            return None
        key = self.key(data, path)
        weight = data.get("weight", 1)
        if not _finite_number(weight):
            self.err(f"{path}.weight", f"weight '{weight}' is not a number")
            weight = 1
        elif weight <= 0:
            self.err(f"{path}.weight", f"weight must be greater than 0, got {weight}")
        stages = self.stages(data.get("stages"), f"{path}.stages")
        target = data.get("target")
        keys = [s.key for s in stages]
        if target is not None and stages:
            if target not in keys:
                self.err(f"{path}.target",
                         f"target '{target}' is not one of the stages: {', '.join(keys)}")
            elif target == keys[0]:
                self.err(f"{path}.target", f"target '{target}' is the first stage; "
                         "aim for a stage customers have to reach")
        return Dimension(key=key, name=self.text(data, "name", path), target=str(target),
                         stages=stages, description=self.text(data, "description", path, False),
                         weight=float(weight))

    def key(self, data: dict, path: str) -> str:
        key = data.get("key")
        if key is not None and (not isinstance(key, str) or not KEY_RE.match(key)):
            self.err(f"{path}.key", f"key '{key}' must start with a lowercase letter and use "
                     "only lowercase letters, digits and _")
        return str(key)

    def stages(self, data: Any, path: str) -> tuple[Stage, ...]:
        if data is None:
            return ()
        if not isinstance(data, list) or len(data) < 2:
            self.err(path, "needs at least 2 stages")
            return ()
        stages, seen = [], set()
        for i, item in enumerate(data):
            sp = f"{path}[{i}]"
            if not self.fields(item, sp, ("key", "name"), ("description", "when")):
                continue
            key = self.key(item, sp)
            if key in seen:
                self.err(f"{sp}.key", f"duplicate stage key '{key}'")
            seen.add(key)
            when = item.get("when")
            if i == 0 and when is not None:
                self.err(f"{sp}.when", "the first stage cannot have 'when' criteria: "
                         "every customer starts there")
                when = None
            elif i > 0 and (not isinstance(when, list) or not when):
                self.err(f"{sp}.when", "needs a non-empty list of criteria ('when')")
                when = None
            crits = tuple(self.criterion(c, f"{sp}.when[{j}]") for j, c in enumerate(when or ()))
            stages.append(Stage(key=key, name=self.text(item, "name", sp),
                                description=self.text(item, "description", sp, False),
                                when=tuple(c for c in crits if c is not None)))
        return tuple(stages)

    # ------------------------------------------------------------------- criteria

    def criterion(self, data: Any, path: str) -> Criterion | None:
        if not isinstance(data, dict):
            self.err(path, "a criterion must be a mapping with one of: " + ", ".join(KINDS))
            return None
        kinds = [k for k in data if k in KINDS]
        for k in data:
            if k not in KINDS:
                self.err(_join(path, k), f"unknown criterion kind '{k}'; use one of "
                         + ", ".join(KINDS))
        if len(kinds) != 1:
            if not kinds and not data:
                self.err(path, "a criterion needs one of: " + ", ".join(KINDS))
            elif len(kinds) > 1:
                self.err(path, f"a criterion has exactly one kind, found {len(kinds)} "
                         f"({', '.join(kinds)}); combine them with all/any")
            return None
        kind = kinds[0]
        sub, body = f"{path}.{kind}", data[kind]
        if kind in ("all", "any"):
            if not isinstance(body, list) or not body:
                self.err(sub, f"'{kind}' needs a non-empty list of criteria")
                return None
            items = [self.criterion(c, f"{sub}[{i}]") for i, c in enumerate(body)]
            cls = AllOf if kind == "all" else AnyOf
            return cls(tuple(items)) if all(items) else None
        if kind == "not":
            inner = self.criterion(body, sub)
            return Not(inner) if inner else None
        return getattr(self, kind)(body, sub)

    def attribute(self, data: Any, path: str) -> AttributeCriterion | None:
        ops = ("equals", "not_equals", "in", "at_least", "at_most", "present")
        if not self.fields(data, path, ("name",), ops):
            return None
        used = [o for o in ops if o in data]
        exclusive = [o for o in used if o not in ("at_least", "at_most")]
        if not used or len(exclusive) > 1 or (exclusive and len(used) > len(exclusive)):
            self.err(path, "an attribute criterion needs exactly one of equals, not_equals, "
                     "in, present, or at_least/at_most")
            return None
        name = self.text(data, "name", path)
        op = exclusive[0] if exclusive else "range"
        if op in ("equals", "not_equals"):
            ok = self.scalar(data[op], f"{path}.{op}")
            return AttributeCriterion(name, op, value=data[op], line=self.line(path),
                                      path=path) if ok and name else None
        if op == "in":
            vals = data["in"]
            if not isinstance(vals, list) or not vals:
                self.err(f"{path}.in", "'in' needs a non-empty list of values")
                return None
            # A list, not a generator: report every bad value, not just the first.
            if not all([self.scalar(v, f"{path}.in[{i}]") for i, v in enumerate(vals)]):  # noqa: C419
                return None
            return AttributeCriterion(name, "in", value=tuple(vals), line=self.line(path),
                                      path=path) if name else None
        if op == "present":
            if not isinstance(data["present"], bool):
                self.err(f"{path}.present", "present must be true or false")
                return None
            return AttributeCriterion(name, "present", value=data["present"],
                                      line=self.line(path), path=path) if name else None
        lo, hi = (self.bound(data, k, path, dates=True) for k in ("at_least", "at_most"))
        if lo is False or hi is False or not name:
            return None
        return AttributeCriterion(name, "range", at_least=lo, at_most=hi,
                                  line=self.line(path), path=path)

    def event(self, data: Any, path: str) -> EventCriterion | None:
        if not self.fields(data, path, ("type",), ("within", "measure", "at_least", "at_most")):
            return None
        etype = self.text(data, "type", path)
        within, days = data.get("within"), None
        if within is not None:
            try:
                days = window_days(within) or None
            except WindowError:
                pass
            if days is None:
                self.err(f"{path}.within",
                         f"window '{within}' is not a number followed by d, w, m or y")
        measure = data.get("measure", "count")
        if measure not in MEASURES:
            self.err(f"{path}.measure",
                     f"unknown measure '{measure}'; use one of {', '.join(MEASURES)}")
        lo, hi = self.thresholds(data, path)
        if lo is False or hi is False or not etype or measure not in MEASURES:
            return None
        if within is not None and days is None:
            return None
        return EventCriterion(etype, within_days=days, measure=measure, at_least=lo, at_most=hi,
                              within=within, line=self.line(path), path=path)

    def answer(self, data: Any, path: str) -> AnswerCriterion | None:
        if not self.fields(data, path, ("question",), ("at_least", "at_most", "equals")):
            return None
        question = self.text(data, "question", path)
        eq = self.bound(data, "equals", path)
        if eq is not None and eq is not False and ("at_least" in data or "at_most" in data):
            self.err(path, "use either equals or at_least/at_most, not both")
            return None
        if "equals" in data:
            ok = eq is not False and question
            return AnswerCriterion(question, equals=eq, line=self.line(path),
                                   path=path) if ok else None
        lo, hi = self.thresholds(data, path)
        if lo is False or hi is False or not question:
            return None
        return AnswerCriterion(question, at_least=lo, at_most=hi, line=self.line(path), path=path)

    def thresholds(self, data: dict, path: str):
        if "at_least" not in data and "at_most" not in data:
            self.err(path, "needs at_least and/or at_most")
            return False, False
        return self.bound(data, "at_least", path), self.bound(data, "at_most", path)

    def bound(self, data: dict, key: str, path: str, dates: bool = False):
        """A threshold: a number (or an ISO date when `dates`); None if absent, False if bad."""
        value = data.get(key)
        if key not in data:
            return None
        if _finite_number(value):
            return value
        if dates and isinstance(value, (str, date)):
            try:
                coerce_literal(value, "date")
                return str(value)
            except ValueError:
                pass
        what = "a number or an ISO date (YYYY-MM-DD)" if dates else "a number"
        self.err(f"{path}.{key}", f"threshold '{value}' is not {what}")
        return False

    def scalar(self, value: Any, path: str) -> bool:
        if isinstance(value, (str, bool)) or _finite_number(value):
            return True
        self.err(path, f"value '{value}' must be text, a number, a date or true/false")
        return False


def _finite_number(value: Any) -> bool:
    # YAML's .nan/.inf and JSON's NaN/Infinity parse as floats; no weight or threshold means
    # them. An int too big for a float (OverflowError) cannot be compared in SQL either.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --------------------------------------------------------------------------- data checks

NUMERIC_TYPES = ("number", "date")


def check_attributes(model: Model, available: dict[str, str]) -> list[ModelIssue]:
    """Issues for attribute criteria the data cannot answer: attributes neither present in the
    data (`available`, name -> type) nor declared, range ops on text/boolean attributes, and
    literals that cannot be coerced to the attribute's type."""
    issues = []
    for dim in model.dimensions:
        for stage in dim.stages:
            for leaf in iter_leaves(stage.when):
                if isinstance(leaf, AttributeCriterion):
                    issues.extend(_check_leaf(leaf, available.get(leaf.name)
                                              or model.attributes.get(leaf.name)))
    return issues


def _check_leaf(leaf: AttributeCriterion, kind: str | None) -> list[ModelIssue]:
    def issue(msg: str) -> list[ModelIssue]:
        return [ModelIssue(leaf.line, f"{leaf.path}.name", msg)]

    if kind is None:
        return issue(f"unknown attribute '{leaf.name}'")
    if leaf.op == "present":
        return []
    if leaf.op == "range" and kind not in NUMERIC_TYPES:
        return issue(f"attribute '{leaf.name}' is {kind}; at_least/at_most need a number "
                     "or date attribute")
    for value in leaf.literals():
        try:
            coerce_literal(value, kind)
        except ValueError:
            return issue(f"value '{value}' cannot be compared with {kind} attribute "
                         f"'{leaf.name}'")
    return []

