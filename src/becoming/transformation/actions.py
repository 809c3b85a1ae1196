"""Validate and apply transformation models; every apply makes a new version."""

import difflib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from becoming.customers.models import Attribute
from becoming.engine import (
    Model,
    ModelError,
    ModelIssue,
    check_attributes,
    parse_model,
    parse_model_data,
)

from .models import ModelVersion


def validate_text(text: str, workspace=None) -> tuple[Model | None, list[ModelIssue]]:
    """Parse a YAML model; with a workspace, also check the attributes it names exist there."""
    try:
        model = parse_model(text)
    except ModelError as exc:
        return None, list(exc.errors)
    if workspace is None:
        return model, []
    return model, check_attributes(model, workspace_attributes(workspace))


def signal_types(workspace, limit: int = 500) -> dict[str, list[str]]:
    """The event types and survey questions the workspace's signals hold, by name: what the
    model editor offers for a criterion's ``event.type`` and ``answer.question``."""
    import duckdb

    from becoming.signals.actions import store_for

    con = duckdb.connect()
    try:
        store_for(workspace).register(con, "signals")
        rows = con.execute("SELECT DISTINCT kind, type FROM signals WHERE kind IN ('event', 'answer') "
                           "AND type IS NOT NULL ORDER BY type LIMIT ?", [limit]).fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {"event": [], "answer": []}
    for kind, type_ in rows:
        out[kind].append(type_)
    return out


def workspace_attributes(workspace) -> dict[str, str]:
    return dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))


def model_text_from_data(data: dict) -> str:
    """JSON (from the API) to the YAML text we store, after validating it as a model."""
    import yaml

    parse_model_data(data)  # raises ModelError with field paths
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


class InvalidModel(ValidationError):
    """A model with issues: the messages name each line; ``details`` keep line and field apart."""

    summary = "the model is not valid"

    def __init__(self, issues: list[ModelIssue]):
        super().__init__([format_issue(i) for i in issues])
        self.details = [{"line": i.line, "field": i.field, "message": i.message} for i in issues]


@transaction.atomic
def apply_model(workspace, text: str, user=None, note: str = "") -> ModelVersion:
    """Store `text` as the workspace's next model version, or raise InvalidModel listing issues."""
    model, issues = validate_text(text, workspace)
    if issues:
        raise InvalidModel(issues)
    last = ModelVersion.objects.select_for_update().filter(workspace=workspace)
    number = (last.aggregate(n=Max("number"))["n"] or 0) + 1
    return ModelVersion.objects.create(
        workspace=workspace, number=number, text=text, created_by=user, note=note
    )


def current_version(workspace) -> ModelVersion | None:
    return ModelVersion.objects.filter(workspace=workspace).order_by("-number").first()


def model_version(workspace, number) -> ModelVersion | None:
    """Version ``number`` (an int or its text) of the workspace's model; None when absent."""
    if str(number or "").isdigit():
        return ModelVersion.objects.filter(workspace=workspace, number=int(number)).first()
    return None


def version_diff(workspace, number) -> dict | None:
    """What version ``number`` changed against the version before it: unified-diff lines,
    each with its kind ("add", "remove", "context", "hunk") for the page; None when absent."""
    version = model_version(workspace, number)
    if version is None:
        return None
    before = (ModelVersion.objects.filter(workspace=workspace, number__lt=version.number)
              .order_by("-number").first())
    old = before.text.splitlines() if before else []
    lines = []
    for line in difflib.unified_diff(old, version.text.splitlines(),
                                     f"version {before.number}" if before else "nothing",
                                     f"version {version.number}", lineterm="", n=2):
        kind = ("file" if line.startswith(("---", "+++")) else "hunk" if line.startswith("@@")
                else "add" if line.startswith("+") else "remove" if line.startswith("-")
                else "context")
        lines.append({"kind": kind, "text": line})
    return {"version": version, "before": before, "lines": lines}


def rollback_model(workspace, number, user=None) -> ModelVersion:
    """Make version ``number``'s text the current model again, as a new version (history is
    kept: a rollback can itself be rolled back)."""
    version = model_version(workspace, number)
    if version is None:
        raise ValidationError(f"there is no version {number} of this workspace's model")
    current = current_version(workspace)
    if current is not None and current.number == version.number:
        raise ValidationError(f"version {version.number} is already the current model")
    return apply_model(workspace, version.text, user, note=f"rollback to version {version.number}")


def assessed_under(workspace) -> int | None:
    """The model version of the latest assessment, or None before the first."""
    from becoming.assessments.models import Snapshot

    latest = (Snapshot.objects.filter(workspace=workspace).order_by("-as_of", "-created")
              .values_list("model_version__number", flat=True).first())
    return latest


def current_model(workspace) -> Model | None:
    """The workspace's current model, parsed; None before the first apply."""
    version = current_version(workspace)
    return version.parsed() if version else None


def format_issue(issue: ModelIssue) -> str:
    where = f"line {issue.line}: " if issue.line else ""
    return f"{where}{issue.field}: {issue.message}" if issue.field else f"{where}{issue.message}"
