"""The outbox pages: the list of messages, one message, its HTML shown inert, and clearing.

Each view parses the request, calls one action (``actions``) and renders what it returns.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from becoming.web.access import workspace_view
from becoming.web.pagination import paginate

from . import actions

# The HTML of a message is shown in a sandboxed frame: no script, no forms, nothing from
# elsewhere but images; links open in a new tab.
INERT = ("sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
         "img-src * data:; style-src 'unsafe-inline'")


def _disabled(request):
    return render(request, "outbox/off.html", status=404)


@workspace_view("member")
def outbox(request):
    query = request.GET.get("q", "").strip()
    try:
        found = actions.list_messages(query)
    except actions.OutboxDisabled:
        return _disabled(request)
    page = paginate(found, request.GET.get("page"), counted=True, size=50)
    return render(request, "outbox/list.html", {"page": page, "query": query, "total": len(found)})


@workspace_view("member")
def message(request, key):
    try:
        entry = actions.get_message(key)
    except actions.OutboxDisabled:
        return _disabled(request)
    if entry is None:
        raise Http404("no such message")
    return render(request, "outbox/message.html", {"entry": entry})


@workspace_view("member")
def message_html(request, key):
    try:
        entry = actions.get_message(key)
    except actions.OutboxDisabled:
        return _disabled(request)
    if entry is None or entry.html is None:
        raise Http404("no HTML part")
    html = entry.html.replace("<head>", '<head><base target="_blank">', 1)
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = INERT
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_POST
@workspace_view("member")
def clear(request):
    try:
        count = actions.clear()
    except actions.OutboxDisabled:
        return _disabled(request)
    messages.success(request, f"Removed {count} message{'s' if count != 1 else ''} from the outbox.")
    return redirect("outbox", request.workspace.slug)
