"""`/api/v1/`: thin handlers over the same actions the pages and the CLI call."""

import datetime as dt
from typing import Any

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Query, Status
from ninja.errors import HttpError

from becoming.assessments import actions as assessments
from becoming.customers.actions import upsert_customer
from becoming.customers.models import Customer
from becoming.engine import ModelError
from becoming.jobs.models import Job
from becoming.transformation import actions as models_

from . import schemas as s
from .auth import TokenAuth, require
from .engage import router as engage_router

api = NinjaAPI(title="Becoming API", version="1", auth=TokenAuth(), urls_namespace="api-v1")
api.add_router("", engage_router)
PAGE_MAX = 500


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    return api.create_response(
        request, {"message": "; ".join(exc.messages), "details": [{"message": m} for m in exc.messages]},
        status=400,
    )


@api.exception_handler(ModelError)
def on_model_error(request, exc):
    details = [{"line": i.line, "field": i.field, "message": i.message} for i in exc.errors]
    return api.create_response(request, {"message": "the model is not valid", "details": details}, status=400)


def _customer(request, external_id) -> Customer:
    return get_object_or_404(Customer, workspace=request.workspace, external_id=external_id)


# -- customers -------------------------------------------------------------------------------

@api.get("/customers", response=s.CustomerPage, tags=["customers"])
def list_customers(request, q: str = "", offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    qs = Customer.objects.filter(workspace=request.workspace).order_by("external_id")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(external_id__icontains=q)
    count = qs.count()
    items = list(qs[offset:offset + limit])
    nxt = offset + limit if offset + limit < count else None
    return {"count": count, "next_offset": nxt, "items": items}


@api.post("/customers", response={201: s.CustomerOut, 200: s.CustomerOut, 400: s.Error}, tags=["customers"])
def upsert(request, body: s.CustomerIn):
    """Create a customer, or update the one with this external id (upsert)."""
    require(request, "member")
    customer, created = upsert_customer(request.workspace, body.external_id, body.name, body.attributes)
    if body.kind and body.kind != customer.kind:
        customer.kind = body.kind
        customer.save(update_fields=["kind"])
    return Status(201 if created else 200, customer)


@api.get("/customers/{external_id}", response={200: s.CustomerOut, 404: s.Error}, tags=["customers"])
def get_customer(request, external_id: str):
    return _customer(request, external_id)


@api.patch("/customers/{external_id}", response={200: s.CustomerOut, 400: s.Error, 404: s.Error}, tags=["customers"])
def update_customer(request, external_id: str, body: s.CustomerPatch):
    require(request, "member")
    customer = _customer(request, external_id)
    customer, _ = upsert_customer(request.workspace, customer.external_id, body.name, body.attributes)
    if body.kind:
        customer.kind = body.kind
        customer.save(update_fields=["kind"])
    return customer


@api.delete("/customers/{external_id}", response={204: None, 404: s.Error}, tags=["customers"])
def delete_customer(request, external_id: str):
    """Delete a customer and their signals."""
    require(request, "admin")
    from becoming.signals.actions import store_for

    customer = _customer(request, external_id)
    store_for(request.workspace).delete_customers([customer.pk])
    customer.delete()
    return Status(204, None)


@api.get("/customers/{external_id}/contacts", response={200: list[s.ContactOut], 404: s.Error}, tags=["customers"])
def list_contacts(request, external_id: str):
    return list(_customer(request, external_id).contacts.all())


@api.post("/customers/{external_id}/contacts", response={201: s.ContactOut, 404: s.Error}, tags=["customers"])
def add_contact(request, external_id: str, body: s.ContactIn):
    require(request, "member")
    customer = _customer(request, external_id)
    contact = customer.contacts.create(workspace=request.workspace, **body.dict())
    return Status(201, contact)


@api.delete("/customers/{external_id}/contacts/{contact_id}", response={204: None, 404: s.Error}, tags=["customers"])
def delete_contact(request, external_id: str, contact_id: int):
    require(request, "member")
    get_object_or_404(_customer(request, external_id).contacts, pk=contact_id).delete()
    return Status(204, None)


# -- events ----------------------------------------------------------------------------------

@api.post("/events", response={200: s.EventResult, 400: s.Error}, tags=["signals"])
def ingest_events(request, body: s.EventBatch):
    """Append a batch of events (up to 10,000). Re-sent ids are not doubled; all or nothing."""
    require(request, "member")
    from becoming.signals.actions import ingest_batch

    return ingest_batch(request.workspace, [e.dict() for e in body.events], body.create_customers)


# -- the model -------------------------------------------------------------------------------

def _model_out(version):
    return {"version": version.number, "created": version.created, "yaml": version.text,
            "model": version.parsed().to_dict()}


def _text(body: s.ModelIn) -> str:
    if (body.model is None) == (body.yaml is None):
        raise HttpError(400, "send exactly one of `model` (JSON) and `yaml` (text)")
    return body.yaml if body.yaml is not None else models_.model_text_from_data(body.model)


@api.get("/model", response={200: s.ModelOut, 404: s.Error}, tags=["model"])
def get_model(request):
    version = models_.current_version(request.workspace)
    if version is None:
        raise HttpError(404, "this workspace has no model yet")
    return _model_out(version)


@api.post("/model/validate", response=s.Validation, tags=["model"])
def validate_model(request, body: s.ModelIn):
    try:
        text = _text(body)
    except ModelError as exc:
        return {"valid": False, "errors": [vars(i) for i in exc.errors]}
    _, issues = models_.validate_text(text, request.workspace)
    return {"valid": not issues, "errors": [vars(i) for i in issues]}


@api.post("/model/apply", response={201: s.ModelOut, 400: s.Error}, tags=["model"])
def apply_model(request, body: s.ModelIn):
    require(request, "admin")
    text = _text(body)
    _, issues = models_.validate_text(text, request.workspace)
    if issues:
        details = [{"line": i.line, "field": i.field, "message": i.message} for i in issues]
        return Status(400, {"message": "the model is not valid", "details": details})
    return Status(201, _model_out(models_.apply_model(request.workspace, text, note=body.note)))


# -- assessments -----------------------------------------------------------------------------

@api.get("/assessments/{external_id}", response={200: s.AssessmentOut, 404: s.Error}, tags=["assessments"])
def customer_assessment(request, external_id: str, as_of: dt.date | None = None):
    """A customer's stages with explanations: from the snapshot of that date, else computed live."""
    customer = _customer(request, external_id)
    found = assessments.assess_customer(request.workspace, customer, as_of)
    if found is None:
        raise HttpError(404, "no model applied yet")
    return found


@api.post("/assessments", response={202: s.JobOut}, tags=["assessments"])
def run_assessment(request, as_of: dt.date | None = None):
    """Queue an assessment of every customer; poll /jobs/{id} for progress."""
    require(request, "member")
    from becoming.jobs.actions import enqueue

    job = enqueue(request.workspace, "assess", {"as_of": as_of.isoformat() if as_of else None})
    return Status(202, job)


@api.get("/stage-changes", response=s.StageChangePage, tags=["assessments"])
def stage_changes(request, dimension: str = "", direction: str = Query("", pattern="^(up|down|)$"),
                  since: dt.date | None = None, customer_id: str = "",
                  offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Who moved up or down, when, on which dimension; newest first."""
    qs = assessments.stage_changes(request.workspace, dimension=dimension, direction=direction,
                                   since=since, external_id=customer_id)
    count = qs.count()
    items = [
        {"customer_id": c.customer.external_id, "dimension": c.dimension, "from_stage": c.from_stage,
         "to_stage": c.to_stage, "direction": c.direction, "as_of": c.as_of,
         "previous_as_of": c.previous_as_of}
        for c in qs.select_related("customer")[offset:offset + limit]
    ]
    return {"count": count, "next_offset": offset + limit if offset + limit < count else None, "items": items}


@api.get("/outcomes/report", response={200: dict[str, Any], 400: s.Error}, tags=["outcomes"])
def outcomes_report(request, outcome: str = Query("churn", pattern="^(churn|revenue)$"),
                    as_of: dt.date | None = None, window: str = ""):
    """Outcomes by dimension and stage, associations, the value of a step up (see the CLI)."""
    from becoming.outcomes.report import build_report

    return build_report(request.workspace, outcome, as_of, window or None)


@api.post("/outcomes", response={200: s.EventResult, 400: s.Error}, tags=["outcomes"])
def add_outcomes(request, body: s.OutcomeBatch):
    """Churn, renewal and revenue outcomes (kind "outcome" signals); all or nothing."""
    require(request, "member")
    from becoming.signals.actions import ingest_batch

    events = [{**o.dict(), "kind": "outcome"} for o in body.outcomes]
    return ingest_batch(request.workspace, events)


@api.get("/jobs/{job_id}", response={200: s.JobOut, 404: s.Error}, tags=["jobs"])
def get_job(request, job_id: int):
    return get_object_or_404(Job, workspace=request.workspace, pk=job_id)


@api.get("/export/assessments", tags=["export"], response={200: None, 400: s.Error})
def export_assessments(request, as_of: dt.date | None = None, format: str = Query("json", pattern="^(json|csv)$")):
    """One row per customer and dimension, as JSON or CSV."""
    from becoming.web.export import to_records

    table = assessments.export_rows(request.workspace, as_of)
    if format == "csv":
        import pyarrow.csv as pacsv

        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink)
        response = HttpResponse(sink.getvalue().to_pybytes(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="assessments.csv"'
        return response
    return api.create_response(request, to_records(table), status=200)
