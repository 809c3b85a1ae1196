"""Lever pages: effects (a chart per dimension), the work queue, playbooks (edit, dry run,
enrolments) and the customer page's next actions. Each view parses, calls one action, renders."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from becoming.web.access import workspace_view

from .actions import effects as effects_actions
from .actions import playbooks as playbook_actions
from .actions import queue as queue_actions
from .actions.nba import customer_next_actions

WINDOWS = [("30d", "30 days"), ("90d", "90 days"), ("180d", "180 days")]
EXAMPLE = """\
key: stalled_adopters
name: Stalled adopters
description: Accounts at one stage for two months get a call from their CSM.
trigger:
  days_at_stage: {dimension: DIMENSION, stage: STAGE, at_least: 60}
holdout: 0.1
steps:
  - task: {title: Call the champion, due: 7d}
"""


@workspace_view("viewer")
def effects_page(request):
    window = request.GET.get("window", "90d")
    window = window if window in dict(WINDOWS) else "90d"
    try:
        page, error = effects_actions.page(request.workspace, window=window), None
    except ValidationError as exc:
        page, error = None, " ".join(exc.messages)
    return render(request, "levers/effects.html", {"page": page, "error": error, "window": window,
                                                   "windows": WINDOWS})


@workspace_view("viewer")
def queue_page(request):
    try:
        rows, error = queue_actions.work_queue(request.workspace), None
    except ValidationError as exc:
        rows, error = [], " ".join(exc.messages)
    return render(request, "levers/queue.html", {
        "page": Paginator(rows, 25).get_page(request.GET.get("page")), "error": error,
        "decisions": [("accept", "Accept"), ("snooze", "Snooze"), ("dismiss", "Dismiss")],
        "tasks": queue_actions.tasks(request.workspace)[:50]})


def _decision_args(request):
    return (request.workspace, request.POST.get("customer", ""), request.POST.get("action", ""),
            request.POST.get("dimension", ""))


@require_POST
@workspace_view("member")
def queue_decide(request, decision):
    try:
        if decision == "accept":
            task = queue_actions.accept(*_decision_args(request), user=request.user)
            note = f"Task added, due {task.due:%d %b %Y}"
        elif decision == "snooze":
            made = queue_actions.snooze(*_decision_args(request), user=request.user)
            note = f"Snoozed until {made.until:%d %b %Y}"
        else:
            queue_actions.dismiss(*_decision_args(request), user=request.user)
            note = "Dismissed"
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    if request.headers.get("HX-Request"):
        return render(request, "levers/_decided.html", {"note": note})
    return redirect("work_queue", request.workspace.slug)


@require_POST
@workspace_view("member")
def task_done(request, task_id):
    try:
        task = queue_actions.complete_task(request.workspace, task_id)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    if request.headers.get("HX-Request"):
        return render(request, "levers/_decided.html", {"note": f"Done: {task.title}"})
    return redirect("work_queue", request.workspace.slug)


@workspace_view("viewer")
def playbooks_page(request):
    return render(request, "levers/playbooks.html", {
        "playbooks": playbook_actions.playbooks(request.workspace), "example": EXAMPLE})


@workspace_view("viewer")
def playbook_page(request, key):
    try:
        detail = playbook_actions.playbook_detail(request.workspace, key)
    except ValidationError:
        return HttpResponse("no such playbook", status=404)
    return render(request, "levers/playbook.html", {
        **detail, "enrolments": Paginator(detail["enrolments"], 50).get_page(request.GET.get("page"))})


@require_POST
@workspace_view("member")
def playbook_dry_run(request):
    try:
        result, errors = playbook_actions.dry_run(request.workspace, request.POST.get("text", "")), []
    except ValidationError as exc:
        result, errors = None, exc.messages
    return render(request, "levers/_dry_run.html", {"result": result, "errors": errors})


@require_POST
@workspace_view("member")
def playbook_save(request):
    text = request.POST.get("text", "")
    try:
        if request.POST.get("apply"):
            result = playbook_actions.apply(request.workspace, text, user=request.user)
            key = result["playbook"]
        else:
            key = playbook_actions.save_version(request.workspace, text, user=request.user).playbook.key
    except ValidationError as exc:
        return render(request, "levers/playbooks.html", {
            "playbooks": playbook_actions.playbooks(request.workspace), "example": EXAMPLE,
            "text": text, "errors": exc.messages}, status=400)
    return redirect("playbook", request.workspace.slug, key)


def customer_section(customer, request) -> dict:
    """The customer page's ranked next actions (registered in apps.py)."""
    return {"actions": customer_next_actions(customer)}
