"""My accounts, the alerts list, and the notes and timeline sections of the customer page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from becoming.customers.models import Customer
from becoming.web.access import safe_next, workspace_view
from becoming.web.pagination import paginate, query_without

from . import actions
from .models import Alert

ALERTS_PER_PAGE = 50
NOTES_SHOWN = 20


@workspace_view("viewer")
def my_accounts(request):
    """The customer list with the accounts the signed-in member owns."""
    return redirect(reverse("customers", args=[request.workspace.slug]) + "?owner=me")


@workspace_view("viewer")
def alert_list(request):
    ws = request.workspace
    mine = request.GET.get("mine") == "1"
    show = request.GET.get("show", "open")
    if show not in ("open", "unread", "all"):
        show = "open"
    qs = actions.list_alerts(ws, request.user, mine=mine, show=show)
    return render(request, "accounts/alerts.html", {
        "page": paginate(qs, request.GET.get("page"), counted=True, size=ALERTS_PER_PAGE),
        "mine": mine, "show": show, "query": query_without(request.GET, "page"),
        "settings": actions.alert_settings(ws),
    })


@require_POST
@workspace_view("member")
def alert_action(request, pk, action):
    alert = get_object_or_404(Alert, pk=pk, workspace=request.workspace)
    try:
        actions.mark_alert(alert, action)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(safe_next(request, reverse("alerts", args=[request.workspace.slug])))


@require_POST
@workspace_view("admin")
def alert_settings(request):
    raw = request.POST.get("renewal_days", "")
    try:
        actions.set_renewal_days(request.workspace, int(raw) if raw.isdigit() else raw)
        messages.success(request, "Alert settings saved.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("alerts", slug=request.workspace.slug)


@require_POST
@workspace_view("member")
def note_add(request, pk):
    customer = get_object_or_404(Customer, pk=pk, workspace=request.workspace)
    try:
        actions.add_note(customer, request.POST.get("text", ""), author=request.user)
        messages.success(request, "Note added.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect(reverse("customer", args=[request.workspace.slug, pk]) + "#notes")


def notes_section(customer, request) -> dict:
    found = actions.notes(customer)
    return {"notes": found[:NOTES_SHOWN], "note_count": found.count()}


def timeline_section(customer, request) -> dict:
    kinds = [k for k in request.GET.getlist("kind") if k]
    raw = request.GET.get("tpage", "1")
    found = actions.timeline(customer, kinds, int(raw) if raw.isdigit() and raw != "0" else 1)
    usage = actions.weekly_usage(customer)
    return {"timeline": found, "all_kinds": actions.timeline_kinds(), "usage": usage,
            "bars": actions.usage_bars(usage),
            "kind_query": "&".join(f"kind={k}" for k in kinds)}
