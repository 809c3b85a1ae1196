"""File imports: upload, map columns, dry-run, then import as a job with visible progress."""

import re
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from becoming.customers.actions import ID_GUESSES, NAME_GUESSES, guess_column, import_customers
from becoming.jobs.actions import enqueue
from becoming.jobs.models import Upload
from becoming.signals.actions import import_events
from becoming.tabular.read import TabularError, read_table
from becoming.web.access import workspace_view
from becoming.web.forms import CustomerMapForm, EventMapForm, UploadForm

RECENT = 20
SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def upload_dir(workspace) -> Path:
    path = Path(settings.MEDIA_ROOT) / str(workspace.pk) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(workspace, kind: str, file, user) -> Upload:
    """Keep the file under the workspace's uploads and record its columns.

    Raises ValidationError (and keeps nothing) when the file cannot be read as a table.
    """
    name = SAFE.sub("_", Path(file.name).name)[-120:] or "upload"
    path = upload_dir(workspace) / f"{uuid.uuid4().hex[:12]}-{name}"
    with open(path, "wb") as out:
        out.writelines(file.chunks())
    try:
        columns = read_table(path).column_names
    except TabularError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError(str(exc)) from None
    return Upload.objects.create(workspace=workspace, kind=kind, path=str(path),
                                 original_name=file.name, columns=columns, created_by=user)


@workspace_view("viewer")
def import_start(request):
    ws = request.workspace
    form = UploadForm()
    error = None
    if request.method == "POST":
        if not request.membership.can("member"):
            return render(request, "web/forbidden.html", {"need": "member"}, status=403)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                upload = save_upload(ws, form.cleaned_data["kind"], form.cleaned_data["file"],
                                     request.user)
            except ValidationError as exc:
                error = "; ".join(exc.messages)
            else:
                return redirect("import_map", slug=ws.slug, upload_id=upload.pk)
    uploads = (Upload.objects.filter(workspace=ws).select_related("job")
               .order_by("-created")[:RECENT])
    return render(request, "web/imports.html", {"form": form, "error": error, "uploads": uploads})


def map_form(upload: Upload, data=None):
    cols = upload.columns
    if upload.kind == Upload.Kind.CUSTOMERS:
        initial = {"id_column": guess_column(cols, ID_GUESSES) or cols[0],
                   "name_column": guess_column(cols, NAME_GUESSES) or ""}
        return CustomerMapForm(cols, data, initial=initial)
    lowered = {c.lower(): c for c in cols}
    initial = {
        "customer_column": guess_column(cols, ID_GUESSES) or lowered.get("customer") or cols[0],
        "type_column": lowered.get("type") or lowered.get("event") or lowered.get("event_type", ""),
        "time_column": (lowered.get("time") or lowered.get("timestamp") or lowered.get("date")
                        or cols[0]),
        "value_column": lowered.get("value", ""),
    }
    return EventMapForm(cols, data, initial=initial)


def run_import(upload: Upload, options: dict, dry_run: bool) -> dict:
    action = import_customers if upload.kind == Upload.Kind.CUSTOMERS else import_events
    return action(upload.workspace, upload.path, file_name=upload.original_name,
                  dry_run=dry_run, **options)


@workspace_view("viewer")
def import_map(request, upload_id):
    ws = request.workspace
    upload = get_object_or_404(Upload.objects.select_related("job", "workspace"),
                               pk=upload_id, workspace=ws)
    context = {"upload": upload, "job": upload.job}
    form = map_form(upload)
    if request.method == "POST":
        if not request.membership.can("member"):
            return render(request, "web/forbidden.html", {"need": "member"}, status=403)
        form = map_form(upload, request.POST)
        if form.is_valid() and upload.job is None:
            options = form.action_kwargs()
            if "import" in request.POST:
                upload.job = enqueue(ws, f"import_{upload.kind}",
                                     {"path": upload.path, "file_name": upload.original_name,
                                      **options}, request.user)
                upload.save(update_fields=["job"])
                messages.info(request, f"Importing {upload.original_name}.")
                return redirect("import_map", slug=ws.slug, upload_id=upload.pk)
            try:
                context["dry_run"] = run_import(upload, options, dry_run=True)
            except ValidationError as exc:
                context["dry_run_error"] = "; ".join(exc.messages)
    context["form"] = form
    return render(request, "web/import_map.html", context)
