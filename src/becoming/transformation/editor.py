"""The model editor's form: the same YAML model as rows a non-developer can fill in.

A model becomes rows (:func:`form_from_model`): dimensions (name, weight, target), their
stages (name, order) and each stage's criteria (a product event, an attribute, a survey
answer). Posted rows become the model's data again (:func:`form_from_post`,
:func:`model_data`), which the engine validates as it validates any YAML; its issues, found by
field path, are phrased with the model's own names and put next to the field they are about
(:func:`validate_form`). Keys are never typed: they are kept from the model, or made from the
names of new dimensions and stages. Criteria the form cannot show as fields (``all``/``any``/
``not``, an attribute between two bounds) are kept as they are, shown as YAML, and can only be
removed here: the YAML tab edits them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from becoming.engine import Model, ModelError, ModelIssue, check_attributes, parse_model_data

KINDS = {"event": "Product usage", "attribute": "Attribute", "answer": "Survey answer"}
ATTRIBUTE_OPS = {"equals": "is", "not_equals": "is not", "in": "is one of", "at_least": "at least",
                 "at_most": "at most", "present": "is filled in"}
MEASURE_LABELS = {"count": "times", "sum": "total value", "distinct_days": "days active",
                  "days_since_last": "days since last"}
WINDOWS = ("7d", "30d", "90d", "6m", "1y")
ROW = re.compile(r"^d(\d+)(?:-s(\d+)(?:-c(\d+))?)?-(\w+)$")


@dataclass
class CriterionRow:
    kind: str  # event, attribute, answer, or raw (kept as written)
    values: dict[str, str] = field(default_factory=dict)
    raw: str = ""  # JSON of a criterion the form keeps as is
    errors: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def raw_yaml(self) -> str:
        return yaml.safe_dump(json.loads(self.raw), sort_keys=False, allow_unicode=True) if self.raw else ""


@dataclass
class StageRow:
    name: str = ""
    key: str = ""
    order: str = ""
    description: str = ""
    criteria: list[CriterionRow] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class DimensionRow:
    name: str = ""
    key: str = ""
    weight: str = "1"
    target: str = ""  # the target stage's row index
    description: str = ""
    stages: list[StageRow] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class EditorForm:
    vision: str = ""
    attributes: str = "{}"  # declared attribute types, JSON, kept as they are
    dimensions: list[DimensionRow] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # every issue, in words, for the summary


# -- model -> rows -------------------------------------------------------------------------

def form_from_model(model: Model | None) -> EditorForm:
    """The rows showing ``model`` (an empty dimension with two stages when there is none)."""
    if model is None:
        return EditorForm(dimensions=[blank_dimension()])
    form = EditorForm(vision=model.vision, attributes=json.dumps(model.attributes))
    for dim in model.to_dict()["dimensions"]:
        keys = [s["key"] for s in dim["stages"]]
        form.dimensions.append(DimensionRow(
            name=dim["name"], key=dim["key"], weight=_text(dim.get("weight", 1)),
            target=str(keys.index(dim["target"])), description=dim.get("description", ""),
            stages=[StageRow(name=s["name"], key=s["key"], order=str(j + 1),
                             description=s.get("description", ""),
                             criteria=[criterion_row(c) for c in s.get("when", [])])
                    for j, s in enumerate(dim["stages"])]))
    return form


def criterion_row(data: dict) -> CriterionRow:
    kind, body = next(iter(data.items()))
    if kind == "event":
        values = {"type": body["type"], "within": body.get("within", ""),
                  "measure": body.get("measure", "count")}
        values.update({k: _text(body[k]) for k in ("at_least", "at_most") if k in body})
        return CriterionRow("event", values)
    if kind == "answer":
        return CriterionRow("answer", {"question": body["question"],
                                       **{k: _text(body[k]) for k in ("at_least", "at_most", "equals") if k in body}})
    if kind == "attribute":
        ops = [o for o in ATTRIBUTE_OPS if o in body]
        if len(ops) == 1:
            value = body[ops[0]]
            shown = ", ".join(_text(v) for v in value) if isinstance(value, list) else _text(value)
            return CriterionRow("attribute", {"name": body["name"], "op": ops[0], "value": shown})
    return CriterionRow("raw", raw=json.dumps(data))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def blank_dimension() -> DimensionRow:
    return DimensionRow(target="1", stages=[StageRow(order="1"), StageRow(order="2", criteria=[CriterionRow("event")])])


# -- posted rows -> rows ------------------------------------------------------------------------

def form_from_post(post) -> EditorForm:
    """Rows from the posted fields (``d0-name``, ``d0-s1-order``, ``d0-s1-c0-type``...)."""
    form = EditorForm(vision=post.get("vision", ""), attributes=post.get("attributes", "{}") or "{}")
    dims: dict[int, DimensionRow] = {}
    stages: dict[tuple[int, int], StageRow] = {}
    crits: dict[tuple[int, int, int], CriterionRow] = {}
    for name in post:
        found = ROW.match(name)
        if not found:
            continue
        d, s, c, part = int(found[1]), found[2], found[3], found[4]
        value = post.get(name, "")
        if s is None:
            dim = dims.setdefault(d, DimensionRow(weight=""))
            if part in ("name", "key", "weight", "target", "description"):
                setattr(dim, part, value)
        elif c is None:
            stage = stages.setdefault((d, int(s)), StageRow())
            if part in ("name", "key", "order", "description"):
                setattr(stage, part, value)
        else:
            row = crits.setdefault((d, int(s), int(c)), CriterionRow("event"))
            if part == "kind":
                row.kind = value if value in (*KINDS, "raw") else "event"
            elif part == "raw":
                row.raw = value
            else:
                row.values[part] = value.strip()
    for d in sorted(dims):
        form.dimensions.append(dims[d])
    for (d, s) in sorted(stages):
        if d in dims:
            dims[d].stages.append(stages[(d, s)])
    by_position = {(d, s): i for d in dims for i, (dd, s) in enumerate(k for k in sorted(stages) if k[0] == d)}
    for (d, s, c) in sorted(crits):
        if (d, s) in by_position:
            dims[d].stages[by_position[(d, s)]].criteria.append(crits[(d, s, c)])
    return form


def change_rows(form: EditorForm, op: str) -> None:
    """Add or remove a row: ``add-dimension``, ``add-stage:D``, ``add-event:D:S`` (or
    ``add-attribute``, ``add-answer``), ``remove:D``, ``remove:D:S``, ``remove:D:S:C``."""
    verb, _, where = op.partition(":")
    at = [int(p) for p in where.split(":") if p.isdigit()]
    try:
        if verb == "add-dimension":
            form.dimensions.append(blank_dimension())
        elif verb == "add-stage":
            stages = form.dimensions[at[0]].stages
            stages.append(StageRow(order=str(len(stages) + 1), criteria=[CriterionRow("event")]))
        elif verb.startswith("add-") and verb[4:] in KINDS:
            form.dimensions[at[0]].stages[at[1]].criteria.append(CriterionRow(verb[4:]))
        elif verb == "remove" and len(at) == 1:
            del form.dimensions[at[0]]
        elif verb == "remove" and len(at) == 2:
            dim = form.dimensions[at[0]]
            del dim.stages[at[1]]
            target = int(dim.target) if dim.target.isdigit() else -1
            # The target follows its stage; removing the target leaves it to be chosen again.
            dim.target = "" if target == at[1] else str(target - 1) if target > at[1] else dim.target
        elif verb == "remove" and len(at) == 3:
            del form.dimensions[at[0]].stages[at[1]].criteria[at[2]]
    except IndexError:  # a stale page: nothing to change
        pass


# -- rows -> model data --------------------------------------------------------------------------

def make_key(name: str, taken: set[str], fallback: str) -> str:
    """A key from a name people typed ("Use the product" -> use_the_product), unique in ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or fallback
    if not base[0].isalpha():
        base = f"{fallback}_{base}"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _order(stage: StageRow, position: int) -> tuple[float, int]:
    try:
        return float(stage.order), position
    except ValueError:
        return float(position + 1), position


def ordered_stages(dim: DimensionRow) -> list[int]:
    """Row indexes of the dimension's stages in the order the model lists them."""
    return sorted(range(len(dim.stages)), key=lambda j: _order(dim.stages[j], j))


def model_data(form: EditorForm, attribute_types: dict[str, str] | None = None) -> dict:
    """The model document the rows describe (keys made for new names)."""
    types = dict(attribute_types or {})
    try:
        declared = json.loads(form.attributes or "{}")
    except ValueError:
        declared = {}
    if isinstance(declared, dict):
        types.update({k: v for k, v in declared.items() if isinstance(v, str)})
    data: dict[str, Any] = {"vision": form.vision.strip()}
    if declared:
        data["attributes"] = declared
    dim_keys = {d.key for d in form.dimensions if d.key}
    data["dimensions"] = [_dimension(dim, dim_keys, types) for dim in form.dimensions]
    return data


def _dimension(dim: DimensionRow, dim_keys: set[str], types: dict[str, str]) -> dict:
    key = dim.key or make_key(dim.name, dim_keys, "dimension")
    stage_keys = {s.key for s in dim.stages if s.key}
    keys = [s.key or make_key(s.name, stage_keys, "stage") for s in dim.stages]
    for stage, k in zip(dim.stages, keys, strict=True):
        stage.key = k  # kept on the page, so a second save keeps the same keys
    dim.key = key
    out: dict[str, Any] = {"key": key, "name": dim.name.strip()}
    if dim.description:
        out["description"] = dim.description
    out["weight"] = _number(dim.weight) if dim.weight.strip() else 1
    target = int(dim.target) if dim.target.isdigit() and int(dim.target) < len(keys) else None
    out["target"] = keys[target] if target is not None else None
    out["stages"] = []
    for j in ordered_stages(dim):
        stage = dim.stages[j]
        body: dict[str, Any] = {"key": keys[j], "name": stage.name.strip()}
        if stage.description:
            body["description"] = stage.description
        if stage.criteria:
            body["when"] = [_criterion(c, types) for c in stage.criteria]
        out["stages"].append(body)
    return out


def _criterion(row: CriterionRow, types: dict[str, str]) -> dict:
    v = row.values
    if row.kind == "raw":
        return json.loads(row.raw)
    if row.kind == "event":
        body: dict[str, Any] = {"type": v.get("type", "")}
        if v.get("within"):
            body["within"] = v["within"]
        if v.get("measure", "count") != "count":
            body["measure"] = v["measure"]
        body.update({k: _number(v[k]) for k in ("at_least", "at_most") if v.get(k)})
        return {"event": body}
    if row.kind == "answer":
        return {"answer": {"question": v.get("question", ""),
                           **{k: _number(v[k]) for k in ("equals", "at_least", "at_most") if v.get(k)}}}
    name, op, raw = v.get("name", ""), v.get("op", "equals"), v.get("value", "")
    kind = types.get(name, "text")
    if op == "present":
        value: Any = raw.strip().lower() not in ("false", "no", "0")
    elif op == "in":
        value = [_typed(part.strip(), kind) for part in raw.split(",") if part.strip()]
    elif op in ("at_least", "at_most"):
        value = _number(raw)
    else:
        value = _typed(raw, kind)
    return {"attribute": {"name": name, op if op in ATTRIBUTE_OPS else "equals": value}}


def _number(text: str) -> Any:
    """A number when the text is one; otherwise the text, for the engine to refuse by name."""
    text = text.strip()
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            continue
    return text


def _typed(text: str, kind: str) -> Any:
    if kind == "number":
        return _number(text)
    if kind == "boolean" and text.lower() in ("true", "false", "yes", "no"):
        return text.lower() in ("true", "yes")
    return text


def to_yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# -- validating, in the model's own words --------------------------------------------------------

PATH = re.compile(r"^dimensions\[(\d+)\](?:\.stages\[(\d+)\](?:\.when\[(\d+)\])?)?\.?(.*)$")
PLAIN = [
    (re.compile(r"^window '(.*)' is not a number followed by d, w, m or y$"),
     r"window '\1' is not a window; write e.g. 90d"),
    (re.compile(r"^needs a non-empty list of criteria \('when'\)$"),
     "add a criterion: what a customer must do or be to reach this stage"),
    (re.compile(r"^duplicate stage key '(.*)'$"), r"two stages are called alike ('\1'); give each its own name"),
    (re.compile(r"^duplicate dimension key '(.*)'$"), r"two dimensions are called alike ('\1'); give each its own name"),
    (re.compile(r"^needs at_least and/or at_most$"), "give an at least or an at most"),
    (re.compile(r"^missing required field 'target'$"), "choose the target stage"),
    (re.compile(r"^missing required field '(\w+)'$"), r"fill in the \1"),
    (re.compile(r"^must be a non-empty string$"), "fill this in"),
    (re.compile(r"^the first stage cannot have 'when' criteria: every customer starts there$"),
     "the first stage has no criteria (every customer starts there): move it down, or remove its criteria"),
    (re.compile(r"^target '(.*)' is the first stage; aim for a stage customers have to reach$"),
     "the target is the first stage; aim for a stage customers have to reach"),
]
# The form field an issue's last path part is about.
FIELD = {"event.type": "type", "event.within": "within", "event.measure": "measure",
         "event.at_least": "at_least", "event.at_most": "at_most", "answer.question": "question",
         "answer.equals": "equals", "answer.at_least": "at_least", "answer.at_most": "at_most",
         "attribute.name": "name", "key": "name", "when": "criteria"}


def plain(message: str) -> str:
    for pattern, replacement in PLAIN:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def place_issues(form: EditorForm, issues: list[ModelIssue]) -> None:
    """Put each issue next to its field, phrased "Dimension → Stage: what is wrong"."""
    for issue in issues:
        found = PATH.match(issue.field or "")
        text = plain(issue.message)
        if not found or int(found[1]) >= len(form.dimensions):
            part = (issue.field or "").split(".")[0] or "model"
            form.errors.setdefault(part, []).append(text)
            form.problems.append(text)
            continue
        dim = form.dimensions[int(found[1])]
        dim_name = dim.name.strip() or f"Dimension {int(found[1]) + 1}"
        rest = found[4]
        if found[2] is None:
            name = rest.split(".")[0] or "name"
            said = f"{dim_name}: {text}"
            dim.errors.setdefault(name, []).append(said)
            form.problems.append(said)
            continue
        j = ordered_stages(dim)[int(found[2])]
        stage = dim.stages[j]
        where = f"{dim_name} → {stage.name.strip() or f'Stage {j + 1}'}"
        if found[3] is None:
            said = f"{where}: {text}"
            stage.errors.setdefault(FIELD.get(rest, rest or "name"), []).append(said)
            form.problems.append(said)
            continue
        row = stage.criteria[int(found[3])]
        part = rest if rest in FIELD else ".".join(rest.split(".")[:2])
        name = FIELD.get(part) or ("value" if part.startswith("attribute.") else "row")
        said = f"{where}: {text}"
        row.errors.setdefault(name, []).append(said)
        form.problems.append(said)


def validate_form(form: EditorForm, attribute_types: dict[str, str]) -> str | None:
    """The YAML the rows make when it is a valid model for this workspace's data; else None,
    with every issue placed on the form."""
    data = model_data(form, attribute_types)
    try:
        model = parse_model_data(data)
    except ModelError as exc:
        place_issues(form, exc.errors)
        return None
    issues = check_attributes(model, attribute_types)
    if issues:
        place_issues(form, issues)
        return None
    return to_yaml(data)
