"""The transformation model editor: validate and preview on live data, apply as a new version."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from becoming.assessments.actions import preview_distribution
from becoming.web.access import workspace_view

from .actions import (
    apply_model,
    assessed_under,
    current_version,
    model_version,
    rollback_model,
    version_diff,
)
from .forms import ModelForm
from .models import ModelVersion

STARTER = """\
vision: Describe who you want your customers to become.
dimensions:
  - key: practice
    name: Use the product differently
    weight: 1
    target: adopting
    stages:
      - {key: starting, name: Starting}
      - key: adopting
        name: Adopting
        when:
          - event: {type: report_exported, within: 90d, at_least: 3}
"""


@workspace_view("viewer")
def model_edit(request):
    ws = request.workspace
    versions = ModelVersion.objects.filter(workspace=ws).select_related("created_by").only(
        "number", "created", "note", "created_by__email")
    errors = []
    if request.method == "POST":
        if not request.membership.can("admin"):
            return render(request, "web/forbidden.html", {"need": "admin"}, status=403)
        form = ModelForm(request.POST)
        if form.is_valid():
            try:
                version = apply_model(ws, form.cleaned_data["text"], request.user,
                                      note=form.cleaned_data["note"])
            except ValidationError as exc:
                errors = located(exc.messages)
            else:
                messages.success(request, f"Applied as version {version.number}.")
                return redirect("model", slug=ws.slug)
        text = request.POST.get("text", "")
    else:
        shown = shown_version(ws, request.GET.get("version"))
        text = shown.text if shown else STARTER
    return render(request, "transformation/model.html", {
        "text": text, "errors": errors, "versions": versions,
        "current": current_version(ws), "showing": request.GET.get("version"),
        "assessed_under": assessed_under(ws), "note": request.POST.get("note", ""),
    })


@workspace_view("viewer")
def model_diff(request, number):
    diff = version_diff(request.workspace, number)
    if diff is None:
        raise Http404("no such version")
    return render(request, "transformation/diff.html", {"diff": diff,
                                                        "current": current_version(request.workspace)})


@require_POST
@workspace_view("admin")
def model_rollback(request, number):
    try:
        version = rollback_model(request.workspace, number, request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"Version {number} is the current model again, as version "
                                  f"{version.number}.")
    return redirect("model", slug=request.workspace.slug)


def shown_version(workspace, number):
    return model_version(workspace, number) or current_version(workspace)


LINE = re.compile(r"^line (\d+)(.*)$", re.DOTALL)


def located(messages_: list[str]) -> list[dict]:
    """Split "line N: field: message" so the page can link each issue to its line."""
    out = []
    for text in messages_:
        found = LINE.match(text)
        out.append({"text": text, "line": int(found[1]) if found else None,
                    "rest": found[2] if found else text})
    return out


@require_POST
@workspace_view("member")
def model_preview(request):
    """Validate the edited text; when valid, customers per stage under it vs today."""
    try:
        preview = preview_distribution(request.workspace, request.POST.get("text", ""))
    except ValidationError as exc:
        return render(request, "transformation/_model_preview.html", {"errors": located(exc.messages)})
    return render(request, "transformation/_model_preview.html", {"preview": preview})


@workspace_view("viewer")
def model_form(request):
    """The model as a form (dimensions, stages, criteria with pickers from the workspace's
    data): add and remove rows, check, apply; the YAML it makes is validated like any other."""
    from becoming.engine import parse_model

    from . import editor
    from .actions import current_model, signal_types, workspace_attributes

    ws = request.workspace
    types = workspace_attributes(ws)
    checked = False
    if request.method == "POST":
        form = editor.form_from_post(request.POST)
        op = request.POST.get("op", "check")
        if op.startswith(("add", "remove")):
            editor.change_rows(form, op)
        elif op == "apply" and not request.membership.can("admin"):
            return render(request, "web/forbidden.html", {"need": "admin"}, status=403)
        else:
            text = editor.validate_form(form, types)
            if text is not None and op == "apply":
                try:
                    version = apply_model(ws, text, request.user, note=request.POST.get("note", ""))
                except ValidationError as exc:
                    form.problems += exc.messages
                else:
                    messages.success(request, f"Applied as version {version.number}.")
                    return redirect("model", slug=ws.slug)
            checked = text is not None
    else:
        form = editor.form_from_model(current_model(ws) or parse_model(STARTER))
    return render(request, "transformation/model_form.html", {
        "form": form, "checked": checked, "current": current_version(ws),
        "attribute_names": sorted(types), "signal_types": signal_types(ws), "windows": editor.WINDOWS,
        "kinds": editor.KINDS, "attribute_ops": editor.ATTRIBUTE_OPS, "measures": editor.MEASURE_LABELS,
        "note": request.POST.get("note", ""),
    })
