"""Home, the workspace dashboard, and the job progress every long action shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from becoming.assessments.actions import latest_snapshot
from becoming.assessments.models import Snapshot, StageChange
from becoming.customers.models import Customer
from becoming.jobs.actions import enqueue
from becoming.jobs.models import Job
from becoming.transformation.actions import current_version
from becoming.web.access import workspace_view
from becoming.workspaces.models import Membership

MOVERS = 20


@login_required
def home(request):
    first = (Membership.objects.filter(user=request.user).select_related("workspace")
             .order_by("workspace__name").first())
    if first is None:
        return render(request, "web/no_workspace.html")
    return redirect("dashboard", slug=first.workspace.slug)


@workspace_view("viewer")
def dashboard(request):
    ws = request.workspace
    version = current_version(ws)
    snapshot = latest_snapshot(ws)
    context = {
        "version": version,
        "model": version.parsed() if version else None,
        "snapshot": snapshot,
        "customer_count": Customer.objects.filter(workspace=ws).count(),
        "job": shown_job(request),
    }
    if snapshot is not None:
        context.update(
            index_series=index_series(ws),
            distributions=distributions(snapshot),
            movers=(StageChange.objects.filter(workspace=ws).select_related("customer")
                    .only("customer__name", "customer__external_id", "dimension", "from_stage",
                          "to_stage", "from_index", "to_index", "as_of")
                    .order_by("-as_of", "-id")[:MOVERS]),
        )
    return render(request, "web/dashboard.html", context)


def shown_job(request) -> Job | None:
    """The job named in ?job=, else an assessment still under way."""
    jobs = Job.objects.filter(workspace=request.workspace)
    if request.GET.get("job", "").isdigit():
        return jobs.filter(pk=request.GET["job"]).first()
    return jobs.filter(kind__in=["assess", "history"],
                       status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


def index_series(workspace) -> dict:
    """The transformation index per as-of date; the newest snapshot of a date wins."""
    points: dict = {}
    for as_of, summary in (Snapshot.objects.filter(workspace=workspace)
                           .order_by("as_of", "created").values_list("as_of", "summary")):
        if summary.get("index") is not None:
            points[as_of.isoformat()] = round(summary["index"], 1)
    return {"labels": list(points), "values": list(points.values())}


def distributions(snapshot: Snapshot) -> list[dict]:
    """Per dimension of the snapshot's model: stage names, customers per stage, the target."""
    model = snapshot.model_version.parsed()
    counts = snapshot.summary.get("dimensions", {})
    return [
        {
            "key": dim.key, "name": dim.name, "target": dim.target_index,
            "target_name": dim.stages[dim.target_index].name,
            "labels": [s.name for s in dim.stages],
            "values": (counts.get(dim.key) or [0] * len(dim.stages)),
            "reached": sum((counts.get(dim.key) or [])[dim.target_index:]),
        }
        for dim in model.dimensions
    ]


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


@workspace_view("viewer")
def job_status(request, pk):
    job = get_object_or_404(Job, pk=pk, workspace=request.workspace)
    template = "web/_job.html" if request.headers.get("HX-Request") else "web/job.html"
    return render(request, template, {"job": job})
