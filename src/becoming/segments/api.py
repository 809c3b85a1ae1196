"""`/api/v1/segments`: saved customer filters and the customers they match now."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error
from becoming.customers.api import CustomerPage

from . import actions
from .models import Segment

OPERATION_GROUP = "routes"
router = Router(tags=["segments"])


class SegmentIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    params: dict[str, str] = Field(
        default={}, description="The customer list's query parameters: q, stage_<dimension key> "
        "(a stage index), attr and value, sort")


class SegmentOut(Schema):
    id: int
    name: str
    params: dict[str, str]
    created: dt.datetime


class SegmentPage(Schema):
    count: int
    next_offset: int | None
    items: list[SegmentOut]


def _segment(request, segment_id: int) -> Segment:
    return get_object_or_404(Segment, workspace=request.workspace, pk=segment_id)


@router.get("/segments", response=SegmentPage)
def list_segments(request, offset: int = Query(0, ge=0, le=OFFSET_MAX),
                  limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """The workspace's saved segments, by name."""
    qs = actions.segments_of(request.workspace)
    count = qs.count()
    nxt = offset + limit if offset + limit < count else None
    return {"count": count, "next_offset": nxt, "items": list(qs[offset:offset + limit])}


@router.post("/segments", response={201: SegmentOut, 400: Error})
def create_segment(request, body: SegmentIn):
    """Save a customer filter under a name (unique in the workspace, whatever the case)."""
    require(request, "member")
    return Status(201, actions.create_segment(request.workspace, body.name, body.params))


@router.get("/segments/{segment_id}/customers", response={200: CustomerPage, 404: Error})
def segment_customers(request, segment_id: int, offset: int = Query(0, ge=0, le=OFFSET_MAX),
                      limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """The customers the segment's filter matches now, by name."""
    qs = actions.matching(request.workspace, _segment(request, segment_id).params)
    count = qs.count()
    nxt = offset + limit if offset + limit < count else None
    return {"count": count, "next_offset": nxt, "items": list(qs[offset:offset + limit])}


@router.delete("/segments/{segment_id}", response={204: None, 404: Error})
def delete_segment(request, segment_id: int):
    """Delete a segment (its customers are not changed)."""
    require(request, "member")
    actions.delete_segment(_segment(request, segment_id))
    return Status(204, None)
