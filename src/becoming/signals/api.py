"""`/api/v1/events`: product events and survey answers into the signal store."""

import datetime as dt
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import Error, EventResult

from .actions import ingest_batch

OPERATION_GROUP = "routes"
router = Router(tags=["signals"])


class EventIn(Schema):
    customer_id: str = Field(description="The customer's external id")
    kind: str = Field(default="event", pattern="^(event|answer)$",
                      description="`answer` for a survey answer: type is the question key, value the answer")
    type: str = Field(min_length=1)
    time: dt.datetime
    value: float | None = None
    id: str | None = Field(default=None, description="Unique id; an event re-sent with the same id is not doubled")
    properties: dict[str, Any] | None = None


class EventBatch(Schema):
    events: list[EventIn] = Field(max_length=10000)
    create_customers: bool = False


@router.post("/events", response={200: EventResult, 400: Error})
def ingest_events(request, body: EventBatch):
    """Append a batch of events (up to 10,000). Re-sent ids are not doubled; all or nothing."""
    require(request, "member")
    return ingest_batch(request.workspace, [e.dict() for e in body.events], body.create_customers)
