"""Segments: the list of saved filters, one segment's customers with its bulk actions and CSV
export, and the same page for the customer list's current (unsaved) filter."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from becoming.web.access import workspace_view
from becoming.web.pagination import paginate

from . import actions
from .models import Segment


def _segment(request, pk) -> Segment:
    return get_object_or_404(Segment, pk=pk, workspace=request.workspace)


def _params(request, pk):
    """(segment or None, filter): a saved segment's, or the current filter from the query."""
    if pk is None:
        try:
            return None, actions.clean_params(request.GET.dict())
        except ValidationError as exc:  # a hand-made query string: too many or too long filters
            raise BadRequest("; ".join(exc.messages)) from None
    segment = _segment(request, pk)
    return segment, segment.params


def _here(request, segment, params) -> str:
    slug = request.workspace.slug
    if segment is not None:
        return reverse("segment", args=[slug, segment.pk])
    return reverse("segment_current", args=[slug]) + ("?" + urlencode(params) if params else "")


@workspace_view("viewer")
def segment_list(request):
    page = paginate(actions.segments_of(request.workspace), request.GET.get("page"), counted=True, size=50)
    return render(request, "segments/list.html", {"page": page})


@require_POST
@workspace_view("member")
def segment_save(request):
    try:
        segment = actions.create_segment(request.workspace, request.POST.get("name", ""),
                                         request.POST.dict(), request.user)
    except ValidationError as exc:
        messages.error(request, "Not saved: " + "; ".join(exc.messages))
        query = urlencode(actions.clean_params(request.POST.dict()))
        return redirect(reverse("customers", args=[request.workspace.slug]) + (f"?{query}" if query else ""))
    messages.success(request, f"Saved segment “{segment.name}”: everyone in the workspace can open it.")
    return redirect("segment", slug=request.workspace.slug, pk=segment.pk)


@workspace_view("viewer")
def segment_detail(request, pk=None):
    segment, params = _params(request, pk)
    customers = actions.matching(request.workspace, params).only("id", "external_id", "name", "index")
    page = paginate(customers, request.GET.get("page"), counted=not params)
    bulk = [{"action": a, "form": actions.bulk_form(a, request.workspace)}
            for a in actions.bulk_actions(request.membership)]
    list_query = urlencode(params)
    return render(request, "segments/detail.html", {
        "segment": segment, "params": params, "query": list_query, "page": page, "bulk": bulk,
        "filters": actions.describe(request.workspace, params),
        "list_url": reverse("customers", args=[request.workspace.slug]) + (f"?{list_query}" if list_query else ""),
        "here": _here(request, segment, params),
    })


@workspace_view("viewer")
def segment_export(request, pk=None):
    segment, params = _params(request, pk)
    body = actions.export_csv(request.workspace, params)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    # Quoted and encoded as RFC 6266 asks: a segment's name may hold quotes or any letter.
    response["Content-Disposition"] = content_disposition_header(
        True, f"{segment.name if segment else 'customers'}.csv")
    return response


@require_POST
@workspace_view("member")
def segment_bulk(request, key, pk=None):
    segment, params = _params(request, pk)
    try:
        action = actions.bulk_action(key)
    except ValidationError:
        raise Http404("no such bulk action") from None
    if not request.membership.can(action.role):
        return render(request, "web/forbidden.html", {"need": action.role}, status=403)
    try:
        done = actions.run_bulk(request.workspace, key, params, request.POST,
                                user=request.user, base_url=request.build_absolute_uri("/"))
    except ValidationError as exc:
        messages.error(request, f"{action.label}: " + "; ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(_here(request, segment, params))


@require_POST
@workspace_view("member")
def segment_rename(request, pk):
    segment = _segment(request, pk)
    try:
        actions.rename_segment(segment, request.POST.get("name", ""))
    except ValidationError as exc:
        messages.error(request, "Not renamed: " + "; ".join(exc.messages))
    else:
        messages.success(request, f"Renamed to “{segment.name}”.")
    return redirect("segment", slug=request.workspace.slug, pk=segment.pk)


@require_POST
@workspace_view("member")
def segment_delete(request, pk):
    segment = _segment(request, pk)
    actions.delete_segment(segment)
    messages.success(request, f"Deleted segment “{segment.name}”; no customer was changed.")
    return redirect("segments", slug=request.workspace.slug)
