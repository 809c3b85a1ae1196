"""`/api/v1/assessments`, `/stage-changes` and `/export/assessments`."""

import datetime as dt
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error, JobOut
from becoming.customers.models import Customer
from becoming.jobs.actions import enqueue
from becoming.web.export import table_csv_bytes, to_records

from . import actions

OPERATION_GROUP = "routes"
router = Router(tags=["assessments"])


class CriterionOut(Schema):
    label: str
    observed: Any
    threshold: str
    met: bool
    missing: str | None


class DimensionOut(Schema):
    dimension: str
    stage: str
    stage_index: int
    target: str
    progress: float
    next_stage: str | None
    criteria: list[CriterionOut]


class AssessmentOut(Schema):
    customer_id: str
    as_of: dt.date
    model_version: int
    index: float
    dimensions: list[DimensionOut]


class StageChangeOut(Schema):
    customer_id: str
    dimension: str
    from_stage: str
    to_stage: str
    direction: str
    as_of: dt.date
    previous_as_of: dt.date


class StageChangePage(Schema):
    count: int
    next_offset: int | None
    items: list[StageChangeOut]


@router.get("/assessments/{external_id}", response={200: AssessmentOut, 404: Error})
def customer_assessment(request, external_id: str, as_of: dt.date | None = None):
    """A customer's stages with explanations: from the snapshot of that date, else computed live."""
    customer = get_object_or_404(Customer, workspace=request.workspace, external_id=external_id)
    found = actions.assess_customer(request.workspace, customer, as_of)
    if found is None:
        raise HttpError(404, "no model applied yet")
    return found


@router.post("/assessments", response={202: JobOut})
def run_assessment(request, as_of: dt.date | None = None):
    """Queue an assessment of every customer; poll /jobs/{id} for progress."""
    require(request, "member")
    job = enqueue(request.workspace, "assess", {"as_of": as_of.isoformat() if as_of else None})
    return Status(202, job)


@router.get("/stage-changes", response=StageChangePage)
def stage_changes(request, dimension: str = "", direction: str = Query("", pattern="^(up|down|)$"),
                  since: dt.date | None = None, customer_id: str = "",
                  offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Who moved up or down, when, on which dimension; newest first."""
    qs = actions.stage_changes(request.workspace, dimension=dimension, direction=direction,
                               since=since, external_id=customer_id)
    count = qs.count()
    items = [actions.stage_change_row(c) for c in qs.select_related("customer")[offset:offset + limit]]
    return {"count": count, "next_offset": offset + limit if offset + limit < count else None, "items": items}


@router.get("/export/assessments", response={200: None, 400: Error}, tags=["export"])
def export_assessments(request, as_of: dt.date | None = None, format: str = Query("json", pattern="^(json|csv)$")):
    """One row per customer and dimension, as JSON or CSV."""
    table = actions.export_rows(request.workspace, as_of)
    if format == "csv":
        response = HttpResponse(table_csv_bytes(table), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
        return response
    return JsonResponse(to_records(table), safe=False)
