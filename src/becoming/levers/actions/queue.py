"""The work queue: the best next actions across the workspace's customers, and what a person
does with one: accept (a task with a due date), snooze (until a day) or dismiss.

A done task becomes a ``levers.task_done`` signal. Commit order as for imports (see
becoming.signals.actions): the task's status commits first, the signal (id ``task-<pk>``, so
a repeat is a no-op) goes to the store last; :func:`send_task_signals` restores any a crash
left out.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from becoming.customers.models import Customer
from becoming.signals.actions import ingest_batch

from ..models import Decision, Task
from .effects import action_label, today
from .nba import next_actions

DEFAULT_DUE_DAYS = 7
DEFAULT_SNOOZE_DAYS = 14
PER_CUSTOMER = 3


def _hidden(workspace, on: dt.date) -> set[tuple[int, str, str]]:
    """(customer, action, dimension) a person already decided on and that stays out today."""
    out = set()
    for c, a, d, kind, until, task_status in Decision.objects.filter(workspace=workspace).values_list(
            "customer_id", "action", "dimension", "kind", "until", "task__status"):
        if kind == Decision.Kind.DISMISSED or (kind == Decision.Kind.SNOOZED and until and until > on) \
                or (kind == Decision.Kind.ACCEPTED and task_status != Task.Status.DONE):
            out.add((c, a, d))
    return out


def work_queue(workspace, effects: dict | None = None) -> list[dict]:
    """The top actions across customers (at most PER_CUSTOMER each), best first."""
    rows = next_actions(workspace, k=PER_CUSTOMER, effects=effects) or []
    hidden = _hidden(workspace, today())
    rows = [r for r in rows if (r["customer_pk"], r["action"], r["dimension"]) not in hidden]
    names = dict(Customer.objects.filter(workspace=workspace, id__in={r["customer_pk"] for r in rows})
                 .values_list("id", "name"))
    for r in rows:
        r["customer_name"] = names.get(r["customer_pk"]) or r["customer_id"]
    rows.sort(key=lambda r: (-r["expected_gain"], r["customer_id"], r["rank"]))
    return rows


def _customer(workspace, customer_id) -> Customer:
    customer = Customer.objects.filter(workspace=workspace, external_id=customer_id).first()
    if customer is None:
        raise ValidationError(f"no customer {customer_id!r} in this workspace")
    return customer


def _check(action: str, dimension: str) -> None:
    if not action or not dimension:
        raise ValidationError("name the action and the dimension")


def accept(workspace, customer_id: str, action: str, dimension: str, user=None,
           due_days: int = DEFAULT_DUE_DAYS, title: str = "") -> Task:
    """A task with a due date for this customer and action; the suggestion leaves the queue."""
    _check(action, dimension)
    if not 0 <= due_days <= 365:
        raise ValidationError("due: between 0 and 365 days from today")
    customer = _customer(workspace, customer_id)
    with transaction.atomic():
        task = Task.objects.create(
            workspace=workspace, customer=customer, action=action, dimension=dimension,
            title=title or f"{action_label(action)} with {customer.name or customer.external_id}",
            due=today() + dt.timedelta(days=due_days), created_by=user)
        Decision.objects.create(workspace=workspace, customer=customer, action=action,
                                dimension=dimension, kind=Decision.Kind.ACCEPTED, task=task, by=user)
    return task


def snooze(workspace, customer_id: str, action: str, dimension: str, user=None,
           days: int = DEFAULT_SNOOZE_DAYS) -> Decision:
    _check(action, dimension)
    if not 1 <= days <= 365:
        raise ValidationError("snooze: between 1 and 365 days")
    customer = _customer(workspace, customer_id)
    return Decision.objects.create(workspace=workspace, customer=customer, action=action,
                                   dimension=dimension, kind=Decision.Kind.SNOOZED,
                                   until=today() + dt.timedelta(days=days), by=user)


def dismiss(workspace, customer_id: str, action: str, dimension: str, user=None) -> Decision:
    _check(action, dimension)
    customer = _customer(workspace, customer_id)
    return Decision.objects.create(workspace=workspace, customer=customer, action=action,
                                   dimension=dimension, kind=Decision.Kind.DISMISSED, by=user)


def tasks(workspace, status: str = "open"):
    qs = Task.objects.filter(workspace=workspace).select_related("customer")
    return qs.filter(status=status) if status else qs


def complete_task(workspace, task_id: int) -> Task:
    """Mark a task done; then its signal goes to the store (commit order above)."""
    task = Task.objects.filter(workspace=workspace, pk=task_id).select_related("customer").first()
    if task is None:
        raise ValidationError(f"no task {task_id} in this workspace")
    if task.status != Task.Status.DONE:
        Task.objects.filter(pk=task.pk).update(status=Task.Status.DONE, done_at=timezone.now())
        task.refresh_from_db()
    send_task_signals(workspace, [task])
    return task


def send_task_signals(workspace, done=None) -> int:
    """Signals of done tasks (default: all of the workspace's) the store lacks."""
    items = done if done is not None else tasks(workspace, Task.Status.DONE)
    events = [{"customer_id": t.customer.external_id, "kind": "event", "type": "levers.task_done",
               "time": t.done_at, "id": f"task-{t.pk}",
               "properties": {"action": t.action, "dimension": t.dimension, "title": t.title}}
              for t in items if t.done_at is not None]
    return ingest_batch(workspace, events)["added"] if events else 0
