"""Imports of every kind — upload, map columns, dry run, import as a job — and job progress."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from becoming import registry
from becoming.web.access import workspace_view

from . import actions
from .forms import UploadForm
from .models import Job, Upload

RECENT = 20


def forbidden(request, role="member"):
    return render(request, "web/forbidden.html", {"need": role}, status=403)


@workspace_view("viewer")
def import_start(request):
    """The upload form; with ``?kind=`` (e.g. from the feedback page) the kind is fixed."""
    ws = request.workspace
    kind = request.GET.get("kind")
    fixed = registry.IMPORT_KINDS.get(kind) if kind else None
    form = UploadForm(initial={"kind": kind} if kind else None)
    error = None
    if request.method == "POST":
        if not request.membership.can("member"):
            return forbidden(request)
        data = request.POST.copy()
        if fixed:
            data["kind"] = fixed.key
        form = UploadForm(data, request.FILES)
        if form.is_valid():
            try:
                upload = actions.save_upload(ws, form.cleaned_data["kind"], form.cleaned_data["file"],
                                             request.user)
            except ValidationError as exc:
                error = "; ".join(exc.messages)
            else:
                return redirect("import_map", slug=ws.slug, upload_id=upload.pk)
    uploads = Upload.objects.filter(workspace=ws).select_related("job").order_by("-created")
    if fixed:
        uploads = uploads.filter(kind=fixed.key)
    return render(request, "jobs/imports.html", {
        "form": form, "error": error, "uploads": uploads[:RECENT], "fixed": fixed,
        "kinds": sorted(registry.IMPORT_KINDS.values(), key=lambda k: k.order)})


@workspace_view("viewer")
def import_map(request, upload_id):
    ws = request.workspace
    upload = get_object_or_404(Upload.objects.select_related("job", "workspace"),
                               pk=upload_id, workspace=ws)
    context = {"upload": upload, "job": upload.job, "kind": registry.IMPORT_KINDS.get(upload.kind)}
    form = actions.mapping_form(upload)
    if request.method == "POST":
        if not request.membership.can("member"):
            return forbidden(request)
        form = actions.mapping_form(upload, request.POST)
        if form.is_valid() and upload.job is None:
            options = form.action_kwargs()
            if "import" in request.POST:
                actions.start_import(upload, options, request.user)
                messages.info(request, f"Importing {upload.original_name}.")
                return redirect("import_map", slug=ws.slug, upload_id=upload.pk)
            try:
                context["dry_run"] = actions.dry_run_import(upload, options)
            except ValidationError as exc:
                context["dry_run_error"] = "; ".join(exc.messages)
    context["form"] = form
    return render(request, "jobs/import_map.html", context)


@workspace_view("viewer")
def job_status(request, pk):
    job = get_object_or_404(Job, pk=pk, workspace=request.workspace)
    template = "web/_job.html" if request.headers.get("HX-Request") else "jobs/job.html"
    response = render(request, template, {"job": job})
    if request.headers.get("HX-Request") and job.status == Job.Status.DONE:
        # Pages that show what the job changed (the dashboard's figures) listen for this and
        # fetch themselves again, so they are current without a reload.
        response["HX-Trigger"] = "job-done"
    return response
