"""Playbooks as code: parse and validate a playbook's YAML with line-precise issues.

No Django: the step kinds a workspace offers (``registry.PLAYBOOK_STEPS``) and, optionally, its
model are passed in. Issues are the engine's ``ModelIssue`` (line, field path, message), found
all at once as the model's validation finds them, and a trigger's criterion is checked by the
model's own validator, so it reads exactly like a stage's ``when``.

    key: stalled_adopters
    name: Stalled adopters
    description: Accounts stuck at Adopting for two months get a call and a survey.
    trigger:                      # exactly one of:
      days_at_stage: {dimension: practice, stage: adopting, at_least: 60}
      # stage_change: {dimension: practice, to: adopting, within: 30d}   (or direction: up|down)
      # criterion: {event: {type: login, within: 30d, at_most: 2}}       (the model's language)
      # score: {below: 40}  or  {above: 60}          (the transformation index crossed it)
    holdout: 0.1                  # optional: this share of the enrolled is left untreated
    steps:
      - task: {title: Call the champion, due: 7d}
      - survey: {survey: Quarterly pulse}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from becoming.engine.criteria import Criterion
from becoming.engine.schema import (
    MAX_BYTES,
    Model,
    ModelError,
    ModelIssue,
    _check_events,
    _join,
    _to_python,
    _Validator,
)
from becoming.engine.windows import WindowError, window_days

KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TRIGGERS = ("days_at_stage", "stage_change", "criterion", "score")
MAX_HOLDOUT = 0.9


@dataclass(frozen=True)
class Step:
    kind: str
    options: dict
    line: int | None = None


@dataclass(frozen=True)
class Playbook:
    key: str
    name: str
    trigger: str                 # one of TRIGGERS
    when: dict                   # the trigger's options (criterion: the Criterion under "criterion")
    steps: tuple[Step, ...]
    holdout: float = 0.0
    description: str = ""
    criterion: Criterion | None = field(default=None, compare=False)


def parse_playbook(text: str, step_kinds: set[str] | None = None, model: Model | None = None) -> Playbook:
    """A valid Playbook, or ModelError with every issue, each with its line.

    ``step_kinds``: the step keys that exist (None: any). ``model``: check dimensions and
    stages against it (None: only their form)."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise ModelError([ModelIssue(None, "", f"the playbook is {size:,} bytes; at most "
                                               f"{MAX_BYTES:,} are accepted")])
    try:
        _check_events(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ModelError([ModelIssue(mark.line + 1 if mark else None, "",
                                     f"YAML syntax error: {problem}")]) from None
    if node is None:
        raise ModelError([ModelIssue(1, "", "the document is empty")])
    lines: dict[str, int] = {}
    issues: list[ModelIssue] = []
    data = _to_python(node, "", lines, issues)
    return _PlaybookValidator(lines, issues, step_kinds, model).playbook(data)


class _PlaybookValidator(_Validator):
    def __init__(self, lines, issues, step_kinds, model):
        super().__init__(lines, issues)
        self.step_kinds = step_kinds
        self.model = model

    def playbook(self, data: Any) -> Playbook:
        result = None
        if self.fields(data, "", ("key", "name", "trigger", "steps"), ("description", "holdout")):
            key = self.text(data, "key", "")
            if key and not KEY_RE.match(key):
                self.err("key", f"'{key}' must be lower case letters, digits and _ (like stalled_adopters)")
            trigger, when, criterion = self.trigger(data.get("trigger"))
            result = Playbook(key=key, name=self.text(data, "name", ""), trigger=trigger, when=when,
                              steps=self.steps(data.get("steps")), holdout=self.holdout(data),
                              description=self.text(data, "description", "", required=False),
                              criterion=criterion)
        if self.issues or result is None:
            raise ModelError(sorted(self.issues, key=lambda i: (i.line or 0)))
        return result

    def holdout(self, data: dict) -> float:
        value = data.get("holdout", 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= MAX_HOLDOUT:
            self.err("holdout", f"must be a share between 0 and {MAX_HOLDOUT} (like 0.1 for 10%)")
            return 0.0
        return float(value)

    def trigger(self, data: Any) -> tuple[str, dict, Criterion | None]:
        path = "trigger"
        if data is None:
            return "", {}, None
        if not isinstance(data, dict) or len(data) != 1:
            self.err(path, f"must be exactly one of: {', '.join(TRIGGERS)}")
            return "", {}, None
        kind, options = next(iter(data.items()))
        sub = _join(path, kind)
        if kind not in TRIGGERS:
            self.fields(data, path, (), TRIGGERS)  # reports the unknown key with a suggestion
            return "", {}, None
        if kind == "criterion":
            criterion = self.criterion(options, sub)
            return kind, {}, criterion
        if kind == "days_at_stage":
            if self.fields(options, sub, ("dimension", "stage", "at_least")):
                self.stage_ref(options, sub, "stage")
                self.count(options, "at_least", sub)
        elif kind == "stage_change":
            if self.fields(options, sub, ("dimension",), ("to", "direction", "within")):
                if ("to" in options) == ("direction" in options):
                    self.err(sub, "give either 'to' (a stage) or 'direction' (up or down)")
                if "to" in options:
                    self.stage_ref(options, sub, "to")
                else:
                    self.dimension_ref(options, sub)
                if "direction" in options and options["direction"] not in ("up", "down"):
                    self.err(_join(sub, "direction"), "must be up or down")
                self.span(options, "within", sub)
        elif kind == "score":
            if self.fields(options, sub, (), ("below", "above")):
                if len(options) != 1:
                    self.err(sub, "give one of 'below' or 'above' (an index from 0 to 100)")
                for key, value in options.items():
                    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
                        self.err(_join(sub, key), "must be a number from 0 to 100")
        return kind, dict(options) if isinstance(options, dict) else {}, None

    def dimension_ref(self, options: dict, path: str):
        key = options.get("dimension")
        if not isinstance(key, str) or not key:
            self.err(_join(path, "dimension"), "must be a dimension's key")
            return None
        if self.model is None:
            return None
        dims = {d.key: d for d in self.model.dimensions}
        if key not in dims:
            self.err(_join(path, "dimension"), f"no dimension '{key}' in the model "
                                               f"(dimensions: {', '.join(dims)})")
            return None
        return dims[key]

    def stage_ref(self, options: dict, path: str, field_name: str) -> None:
        dim = self.dimension_ref(options, path)
        stage = options.get(field_name)
        if not isinstance(stage, str) or not stage:
            self.err(_join(path, field_name), "must be a stage's key")
        elif dim is not None and stage not in [s.key for s in dim.stages]:
            self.err(_join(path, field_name), f"no stage '{stage}' in dimension '{dim.key}' "
                                              f"(stages: {', '.join(s.key for s in dim.stages)})")

    def count(self, options: dict, key: str, path: str) -> None:
        value = options.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.err(_join(path, key), "must be a whole number of days, at least 1")

    def span(self, options: dict, key: str, path: str) -> None:
        if key not in options:
            return
        try:
            window_days(options[key])
        except WindowError as exc:
            self.err(_join(path, key), str(exc))

    def steps(self, data: Any) -> tuple[Step, ...]:
        if data is None:
            return ()
        if not isinstance(data, list) or not data:
            self.err("steps", "must be a list of at least one step (like - task: {title: Call them})")
            return ()
        out = []
        for i, item in enumerate(data):
            path = f"steps[{i}]"
            if not isinstance(item, dict) or len(item) != 1:
                self.err(path, "each step is one kind with its options (like - task: {title: Call them})")
                continue
            kind, options = next(iter(item.items()))
            sub = _join(path, kind)
            if self.step_kinds is not None and kind not in self.step_kinds:
                self.fields(item, path, (), tuple(sorted(self.step_kinds)))
                if not self.step_kinds:
                    self.err(sub, "no step kinds are available")
                continue
            if options is None:
                options = {}
            if not isinstance(options, dict):
                self.err(sub, "must be a mapping of the step's options")
                continue
            if kind == "task":
                if self.fields(options, sub, ("title",), ("due", "note")):
                    self.text(options, "title", sub)
                    self.span(options, "due", sub)
            elif kind == "survey":
                if self.fields(options, sub, ("survey",), ("site",)):
                    self.text(options, "survey", sub)
            out.append(Step(kind, dict(options), self.line(sub)))
        return tuple(out)
