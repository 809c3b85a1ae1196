"""`/api/v1/outcomes`: churn, renewals and revenue in; the outcome report out."""

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import Error, EventResult

from . import actions

OPERATION_GROUP = "routes"
router = Router(tags=["outcomes"])


class OutcomeIn(Schema):
    customer_id: str = Field(description="The customer's external id")
    type: str = Field(pattern="^(churn|renewal|revenue)$")
    time: dt.datetime
    value: float | None = Field(default=None, description="Revenue per month, or a renewal's amount")
    id: str | None = None


class OutcomeBatch(Schema):
    outcomes: list[OutcomeIn] = Field(max_length=10000)


@router.get("/outcomes/report", response={200: dict[str, Any], 400: Error})
def outcomes_report(request, outcome: str = Query("churn", pattern="^(churn|revenue)$"),
                    as_of: dt.date | None = None, window: str = ""):
    """Outcomes by dimension and stage, associations, the value of a step up (see the CLI)."""
    from .actions.report import build_report

    return build_report(request.workspace, outcome, as_of, window or None)


@router.post("/outcomes", response={200: EventResult, 400: Error})
def add_outcomes(request, body: OutcomeBatch):
    """Churn, renewal and revenue outcomes (kind "outcome" signals); all or nothing."""
    require(request, "member")
    return actions.add_outcomes(request.workspace, [o.dict() for o in body.outcomes])
