"""`/api/v1/customers/{id}/notes` and `/api/v1/alerts`: a customer-success manager's accounts."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from becoming.api.auth import require
from becoming.api.schemas import OFFSET_MAX, PAGE_MAX, Error
from becoming.customers.models import Customer

from . import actions
from .models import Alert

router = Router(tags=["accounts"])


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=actions.NOTE_MAX)
    author: str | None = Field(default=None, description="The author's email (a member)")


class NoteOut(Schema):
    id: int
    text: str
    author: str | None
    created: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str | None:
        return obj.author.email if obj.author_id else None


class NotePage(Schema):
    count: int
    next_offset: int | None
    items: list[NoteOut]


class AlertOut(Schema):
    id: int
    customer_id: str
    customer: str
    kind: str
    message: str
    created: dt.datetime
    read: bool
    dismissed: bool
    emailed: dt.datetime | None
    owner: str | None


class AlertPage(Schema):
    count: int
    next_offset: int | None
    items: list[AlertOut]


class AlertCheck(Schema):
    created: int
    emailed: int
    mail_failed: bool


def _customer(request, external_id) -> Customer:
    return get_object_or_404(Customer, workspace=request.workspace, external_id=external_id)


def _page(qs, offset: int, limit: int, row=lambda x: x) -> dict:
    count = qs.count()
    items = [row(x) for x in qs[offset:offset + limit]]
    return {"count": count, "next_offset": offset + limit if offset + limit < count else None,
            "items": items}


@router.get("/customers/{external_id}/notes", response={200: NotePage, 404: Error})
def list_notes(request, external_id: str, offset: int = Query(0, ge=0, le=OFFSET_MAX),
               limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """The customer's notes, newest first."""
    return _page(actions.notes(_customer(request, external_id)), offset, limit)


@router.post("/customers/{external_id}/notes", response={201: NoteOut, 400: Error, 404: Error})
def add_note(request, external_id: str, body: NoteIn):
    """Add a note to a customer; ``author`` names the member who wrote it."""
    require(request, "member")
    customer = _customer(request, external_id)
    return Status(201, actions.add_note(customer, body.text,
                                        actions.author_by_email(request.workspace, body.author)))


@router.get("/alerts", response=AlertPage)
def list_alerts(request, show: str = Query("open", pattern="^(open|unread|all)$"),
                offset: int = Query(0, ge=0, le=OFFSET_MAX), limit: int = Query(100, ge=1, le=PAGE_MAX)):
    """Alerts on accounts (stage drops, renewals coming), newest first."""
    return _page(actions.list_alerts(request.workspace, show=show), offset, limit, actions.alert_row)


@router.post("/alerts/check", response=AlertCheck)
def check_alerts(request):
    """Create alerts for renewals within the window and the latest stage drops, and mail
    the owners their alerts not mailed yet (a failed send is retried by the next check)."""
    require(request, "member")
    return actions.check_alerts(request.workspace)


@router.post("/alerts/{alert_id}/{action}", response={200: AlertOut, 400: Error, 404: Error})
def mark_alert(request, alert_id: int, action: str):
    """``action``: read, unread, dismiss or restore."""
    require(request, "member")
    alert = get_object_or_404(Alert.objects.select_related("customer", "customer__owner"),
                              workspace=request.workspace, pk=alert_id)
    return actions.alert_row(actions.mark_alert(alert, action))
