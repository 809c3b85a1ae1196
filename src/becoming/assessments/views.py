"""The workspace dashboard, "assess now", and the customer page's standing and history."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from becoming.customers.models import Customer
from becoming.jobs.actions import enqueue, shown_job
from becoming.transformation.actions import current_version
from becoming.web.access import workspace_view

from . import actions
from .models import StageChange

MOVERS = 20
HISTORY = 50


@workspace_view("viewer")
def dashboard(request):
    ws = request.workspace
    version = current_version(ws)
    snapshot = actions.latest_snapshot(ws)
    context = {
        "version": version,
        "model": version.parsed() if version else None,
        "snapshot": snapshot,
        "customer_count": Customer.objects.filter(workspace=ws).exclude(
            status=Customer.Status.CHURNED).count(),
        "churned_count": Customer.objects.filter(workspace=ws,
                                                 status=Customer.Status.CHURNED).count(),
        "job": shown_job(ws, request.GET.get("job"), kinds=("assess", "history")),
    }
    if snapshot is not None:
        context.update(index_series=actions.index_series(ws),
                       distributions=actions.distributions(snapshot),
                       movers=actions.recent_movers(ws, MOVERS))
    return render(request, "assessments/dashboard.html", context)


@require_POST
@workspace_view("member")
def assess_now(request):
    ws = request.workspace
    if current_version(ws) is None:
        messages.error(request, "Apply a transformation model before assessing.")
        return redirect("model", slug=ws.slug)
    job = enqueue(ws, "assess", {"as_of": None}, request.user)
    messages.info(request, "Assessment started.")
    return redirect(reverse("dashboard", args=[ws.slug]) + f"?job={job.pk}")


def standing_section(customer, request) -> dict:
    snapshot = actions.latest_snapshot(customer.workspace)
    return {"snapshot": snapshot, "ladders": actions.ladders(snapshot, customer.pk)}


def history_section(customer, request) -> dict:
    return {"history": actions.named_changes(customer.workspace, StageChange.objects.filter(
        customer=customer).order_by("-as_of", "dimension")[:HISTORY])}
