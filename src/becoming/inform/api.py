"""`/api/v1/inform/…`: the library, recommendations, newsletters and digests."""

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error, JobOut
from becoming.customers.models import Contact, Customer
from becoming.inform.actions import content, mail, recommend
from becoming.inform.models import Item

router = Router(tags=["inform"])
# Database ids: a number past what a column holds is a bad request, not a server error.
ItemId = Annotated[int, Field(ge=1, le=2**62)]


class ItemIn(Schema):
    external_id: str | None = Field(default=None, max_length=300)
    kind: str = "article"
    title: str = Field(min_length=1, max_length=300)
    summary: str = ""
    url: str = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=200_000)
    tags: list[str] = Field(default=[], max_length=30)
    language: str = Field(default="", max_length=20)
    published: dt.datetime | None = None
    dimension: str = ""
    stage: str = ""
    toward: str = ""
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    place: str = Field(default="", max_length=300)


class ItemOut(Schema):
    id: int
    external_id: str
    kind: str
    title: str
    summary: str
    url: str
    tags: list[str]
    language: str
    published: dt.datetime | None
    dimension: str
    stage: str
    toward: str
    readers: int = 0


class RecommendationOut(Schema):
    item_id: str
    title: str
    rank: int
    score: float
    reason: str


class IssueIn(Schema):
    kind: str = Field(pattern="^(newsletter|digest)$")
    subject: str = Field(min_length=1, max_length=200)
    intro: str = ""
    items: list[ItemId] = Field(default=[], max_length=50)
    count: int = Field(default=5, ge=1, le=20)
    dimension: str = ""
    stage: str = ""


class IssueOut(Schema):
    id: int
    kind: str
    subject: str
    status: str
    recipients: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    failed: int = 0


class PreviewOut(Schema):
    subject: str
    html: str
    text: str


def _item_out(item: Item) -> dict:
    return {**{f: getattr(item, f) for f in ("external_id", "kind", "title", "summary", "url", "tags",
                                              "language", "published", "dimension", "stage", "toward")},
            "id": item.pk, "readers": getattr(item, "readers", 0)}


@router.get("/inform/items", response=list[ItemOut])
def list_items(request, q: str = "", kind: str = "", tag: str = "", dimension: str = "", stage: str = "",
               offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """The library, filtered as on its page, newest first."""
    qs, _ = content.filter_items(request.workspace, {"q": q, "kind": kind, "tag": tag,
                                                     "dimension": dimension, "stage": stage})
    return [_item_out(i) for i in qs[offset:offset + limit]]


@router.post("/inform/items", response={201: ItemOut, 400: Error})
def add_item(request, body: ItemIn):
    require(request, "member")
    return Status(201, _item_out(content.save_item(request.workspace, body.model_dump())))


@router.put("/inform/items/{item_id}", response={200: ItemOut, 400: Error, 404: Error})
def edit_item(request, item_id: int, body: ItemIn):
    require(request, "member")
    item = get_object_or_404(Item, workspace=request.workspace, pk=item_id)
    data = body.model_dump()
    data.pop("external_id", None)
    return _item_out(content.save_item(request.workspace, data, item))


@router.get("/inform/recommendations", response={200: list[RecommendationOut], 404: Error})
def recommendations(request, customer_id: str, k: int = Query(5, ge=1, le=100)):
    """A customer's best unseen items with reasons."""
    customer = get_object_or_404(Customer, workspace=request.workspace, external_id=customer_id)
    rows = recommend.for_customer(request.workspace, customer, k)
    return [{"item_id": r["item"].external_id, "title": r["item"].title, "rank": n, "score": r["score"],
             "reason": r["reason"]} for n, r in enumerate(rows, 1)]


@router.get("/inform/issues", response=list[IssueOut])
def list_issues(request, offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    return list(mail.issue_stats(request.workspace)[offset:offset + limit])


@router.post("/inform/issues", response={201: IssueOut, 400: Error})
def compose(request, body: IssueIn):
    require(request, "member")
    issue = mail.compose(request.workspace, user=None, **body.model_dump())
    return Status(201, mail.issue_stats(request.workspace).get(pk=issue.pk))


@router.get("/inform/issues/{issue_id}/preview", response={200: PreviewOut, 400: Error, 404: Error})
def preview(request, issue_id: int, contact_id: int = Query(..., ge=1, le=2**62)):
    issue = mail.get_issue(request.workspace, issue_id)
    contact = get_object_or_404(Contact, workspace=request.workspace, pk=contact_id)
    return mail.preview(issue, contact, request.build_absolute_uri("/"))


@router.post("/inform/issues/{issue_id}/send", response={202: JobOut, 400: Error, 404: Error})
def send(request, issue_id: int):
    require(request, "member")
    issue = mail.get_issue(request.workspace, issue_id)
    return Status(202, mail.start_send(issue, request.build_absolute_uri("/")))
