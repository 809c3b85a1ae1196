"""Meetings, calls and visits: logged by staff, recorded as signals, their notes as feedback."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from becoming.customers.models import Customer
from becoming.signals.actions import ingest_batch

from ..models import Meeting

# The signal type of each kind, so a model can ask for e.g. a visit in the last 180 days.
SIGNAL_TYPE = {"visit": "engage.visit", "meeting": "engage.meeting", "call": "engage.call"}


def log_meeting(workspace, customer, *, kind: str, when: dt.datetime, title: str = "", notes: str = "",
                next_steps: str = "", contacts=(), staff=(), user=None) -> Meeting:
    """Record a conversation with a customer; returns the meeting.

    Commit order, as for imports (see becoming.signals.actions): the meeting, its people and
    its notes commit together first, the signal goes to the store last. If the notes fail,
    nothing is kept. If the signal fails after the commit (or the process dies), the meeting
    stands: its signal is derived from it (id ``meeting-<pk>``, so re-sending is harmless)
    and :func:`send_meeting_signals` restores it; every meeting logged for the customer
    calls it, so a miss heals at the next one. Call outside ``transaction.atomic()``.
    """
    if kind not in SIGNAL_TYPE:
        raise ValidationError(f"kind: one of {', '.join(SIGNAL_TYPE)}")
    if customer.workspace_id != workspace.pk:
        raise ValidationError("customer: not in this workspace")
    if when > timezone.now() + dt.timedelta(days=1):
        raise ValidationError("when: a meeting is logged after it happened")
    with transaction.atomic():
        meeting = Meeting.objects.create(workspace=workspace, customer=customer, kind=kind, when=when,
                                         title=title[:200], notes=notes, next_steps=next_steps, created_by=user)
        meeting.contacts.set([c for c in contacts if c.customer_id == customer.pk])
        meeting.staff.set(list(staff))
        if notes.strip():
            from .feedback import add_feedback

            add_feedback(workspace, notes, customer=customer, channel="meeting", time=when,
                         source_id=f"meeting-{meeting.pk}", meeting=meeting,
                         contact=next(iter(meeting.contacts.all()), None))
    send_meeting_signals(workspace, customer)
    return meeting


def send_meeting_signals(workspace, customer) -> int:
    """Append the signal of every meeting with ``customer`` that the store lacks; return how
    many were missing."""
    events = [{"customer_id": customer.external_id, "kind": "event", "type": SIGNAL_TYPE[m.kind],
               "time": m.when, "id": f"meeting-{m.pk}"}
              for m in Meeting.objects.filter(workspace=workspace, customer=customer)]
    return ingest_batch(workspace, events)["added"] if events else 0


def without_conversation(workspace, days: int):
    """Customers with no meeting, call or visit in the last `days` days, longest silence first."""
    since = timezone.now() - dt.timedelta(days=days)
    return (Customer.objects.filter(workspace=workspace)
            .annotate(last_conversation=Max("meetings__when"))
            .filter(Q(last_conversation__lt=since) | Q(last_conversation__isnull=True))
            .order_by(F("last_conversation").asc(nulls_first=True), "name", "id"))


def filter_meetings(workspace, params) -> tuple:
    """The meeting list's one filter (page and API): (queryset newest first, active filters).

    ``params``: ``kind``; ``customer``, a customer's id (the page's links) or words in its name
    or external id; ``customer_id``, the exact external id (the API).
    """
    qs = Meeting.objects.filter(workspace=workspace)
    active = {name: value for name in ("kind", "customer", "customer_id")
              if (value := str(params.get(name) or "").strip())}
    if active.get("kind") in Meeting.Kind.values:
        qs = qs.filter(kind=active["kind"])
    else:
        active.pop("kind", None)
    customer = active.get("customer", "")
    if customer.isdigit() and Customer.objects.filter(workspace=workspace, pk=int(customer)).exists():
        qs = qs.filter(customer_id=int(customer))
    elif customer:
        qs = qs.filter(Q(customer__name__icontains=customer) | Q(customer__external_id__icontains=customer))
    if "customer_id" in active:
        qs = qs.filter(customer__external_id=active["customer_id"])
    return qs.order_by("-when", "-id"), active


def staff(workspace) -> list:
    """The workspace's members, who can be named as having taken part in a meeting."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(memberships__workspace=workspace).order_by("email"))
