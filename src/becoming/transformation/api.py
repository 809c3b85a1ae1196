"""`/api/v1/model`: the transformation model — read, validate, apply."""

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import Error, ErrorDetail
from becoming.engine import ModelError

from . import actions

OPERATION_GROUP = "routes"
router = Router(tags=["model"])


class ModelIn(Schema):
    model: dict[str, Any] | None = Field(default=None, description="The model as JSON")
    yaml: str | None = Field(default=None, description="Or the model as YAML text")
    note: str = ""


class ModelOut(Schema):
    version: int
    created: dt.datetime
    yaml: str
    model: dict[str, Any]


class Validation(Schema):
    valid: bool
    errors: list[ErrorDetail]


def _model_out(version):
    return {"version": version.number, "created": version.created, "yaml": version.text,
            "model": version.parsed().to_dict()}


def _text(body: ModelIn) -> str:
    if (body.model is None) == (body.yaml is None):
        raise HttpError(400, "send exactly one of `model` (JSON) and `yaml` (text)")
    return body.yaml if body.yaml is not None else actions.model_text_from_data(body.model)


@router.get("/model", response={200: ModelOut, 404: Error})
def get_model(request):
    version = actions.current_version(request.workspace)
    if version is None:
        raise HttpError(404, "this workspace has no model yet")
    return _model_out(version)


@router.post("/model/validate", response=Validation)
def validate_model(request, body: ModelIn):
    """Check a model against this workspace's data; nothing is stored (needs the member role)."""
    require(request, "member")
    try:
        text = _text(body)
    except ModelError as exc:
        return {"valid": False, "errors": [vars(i) for i in exc.errors]}
    _, issues = actions.validate_text(text, request.workspace)
    return {"valid": not issues, "errors": [vars(i) for i in issues]}


@router.post("/model/apply", response={201: ModelOut, 400: Error})
def apply_model(request, body: ModelIn):
    require(request, "admin")
    return Status(201, _model_out(actions.apply_model(request.workspace, _text(body), note=body.note)))


class RollbackIn(Schema):
    version: int = Field(..., ge=1, le=2_147_483_647, description="the version to make current again")


@router.post("/model/rollback", response={201: ModelOut, 400: Error, 404: Error})
def rollback_model(request, body: RollbackIn):
    """Make an earlier version the current model again, as a new version (needs the admin role)."""
    require(request, "admin")
    if actions.model_version(request.workspace, body.version) is None:
        raise HttpError(404, f"there is no version {body.version} of this workspace's model")
    return Status(201, _model_out(actions.rollback_model(request.workspace, body.version)))
