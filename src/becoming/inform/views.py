"""Inform's pages: the library, an item, adding and editing, the composer and the sends;
the public tracking links of a message; the portal's reading; inform's customer-page card.

Each view parses the request, calls one action and renders.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from becoming.portal.access import contact_required
from becoming.web.access import workspace_view
from becoming.web.pagination import paginate, query_without

from .actions import content, effect, mail, pages, recommend
from .forms import ComposeForm, ItemForm

PER_PAGE = 25
# A 1×1 transparent GIF, the open pixel.
PIXEL = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
         b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


# -- the library ----------------------------------------------------------------------------

@workspace_view("viewer")
def library(request):
    ws = request.workspace
    qs, active = content.filter_items(ws, request.GET)
    context = {"page": paginate(qs, request.GET.get("page"), counted=True, size=PER_PAGE), "active": active,
               "query": query_without(request.GET, "page"), **pages.library_choices(ws)}
    template = "inform/_library_list.html" if is_htmx(request) else "inform/library.html"
    return render(request, template, context)


@workspace_view("viewer")
def item_detail(request, pk):
    try:
        context = pages.item_page(request.workspace, pk)
    except ValidationError:
        raise Http404("no such item") from None
    return render(request, "inform/item.html", context)


@workspace_view("member")
def item_edit(request, pk=None):
    ws = request.workspace
    item = None
    if pk is not None:
        try:
            item = content.get_item(ws, pk)
        except ValidationError:
            raise Http404("no such item") from None
    model = content.current_model(ws)
    initial = pages.item_initial(item) if item else {}
    form = ItemForm(request.POST or None, initial=initial, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            saved = content.save_item(ws, form.cleaned_data, item)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect("inform_item", ws.slug, saved.pk)
    return render(request, "inform/item_form.html", {"form": form, "item": item})


@workspace_view("member")
@require_POST
def item_attended(request, pk):
    """Mark a registered contact as having attended the webinar or event."""
    ws = request.workspace
    try:
        pages.mark_attended(ws, pk, request.POST.get("contact", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("inform_item", ws.slug, pk)


# -- composer and sends ---------------------------------------------------------------------

@workspace_view("viewer")
def issues(request):
    return render(request, "inform/issues.html", {"issues": mail.issue_stats(request.workspace)})


@workspace_view("member")
def compose(request, pk=None):
    ws = request.workspace
    issue = mail.get_issue(ws, pk) if pk else None
    initial = pages.issue_initial(issue) if issue else {"kind": "digest", "count": 5}
    form = ComposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issue = mail.compose(ws, kind=d["kind"], subject=d["subject"], intro=d["intro"],
                                 items=[i for i in request.POST.getlist("item") if i.isdigit()],
                                 count=d["count"], dimension=request.POST.get("dimension", ""),
                                 stage=request.POST.get("stage", ""), user=request.user, issue=issue)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, "Saved. Preview it for a reader, then send.")
            return redirect("inform_issue", ws.slug, issue.pk)
    return render(request, "inform/compose.html", {"form": form, "issue": issue, **pages.composer_choices(ws, issue)})


@workspace_view("viewer")
def issue_detail(request, pk):
    ws = request.workspace
    return render(request, "inform/issue.html", pages.issue_page(ws, pk, request.GET.get("contact")))


@workspace_view("viewer")
def issue_preview(request, pk):
    ws = request.workspace
    try:
        context = pages.issue_preview(ws, pk, request.GET.get("contact"), request.build_absolute_uri("/"))
    except ValidationError as exc:
        return render(request, "inform/_preview.html", {"error": "; ".join(exc.messages)})
    return render(request, "inform/_preview.html", context)


@workspace_view("member")
@require_POST
def issue_send(request, pk):
    ws = request.workspace
    issue = mail.get_issue(ws, pk)
    try:
        job = mail.start_send(issue, request.build_absolute_uri("/"), request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("inform_issue", ws.slug, pk)
    return redirect(reverse("inform_issue", args=[ws.slug, pk]) + f"?job={job.pk}")


@workspace_view("viewer")
def effects(request):
    ws = request.workspace
    days = request.GET.get("days", "")
    try:
        context = effect.effect_report(ws, int(days) if days.isdigit() else effect.DEFAULT_DAYS)
    except ValidationError as exc:
        context = {"error": "; ".join(exc.messages), "items": [], "kinds": []}
    return render(request, "inform/effects.html", context)


# -- public: tracked links, the pixel, unsubscribe ------------------------------------------

def track_click(request, token):
    try:
        target = mail.follow_click(token)
    except mail.BadLink:
        return HttpResponseBadRequest("This link is not valid.", content_type="text/plain")
    return HttpResponseRedirect(target)


def track_open(request, token):
    mail.record_open(token)
    return HttpResponse(PIXEL, content_type="image/gif", headers={"Cache-Control": "no-store"})


def read(request, token):
    try:
        item = mail.read_item(token)
    except mail.BadLink:
        return HttpResponseBadRequest("This link is not valid.", content_type="text/plain")
    return render(request, "inform/read.html", {"item": item, "body": content.render_markdown(item.body)})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a form of ours
def unsubscribe(request, slug, token):
    ws = pages.workspace_by_slug(slug)
    if request.method == "POST":
        email = mail.unsubscribe(ws, token)
        return render(request, "inform/unsubscribed.html", {"email": email, "workspace": ws})
    email = mail.unsubscribe_address(ws, token)
    return render(request, "inform/unsubscribe.html", {"email": email, "workspace": ws})


# -- the portal -----------------------------------------------------------------------------

@contact_required
def portal_item(request, pk):
    """A reader follows a recommended item from the portal: recorded, then sent on."""
    item = pages.portal_open(request.contact, pk)
    if item.url:
        return HttpResponseRedirect(item.url)
    return render(request, "inform/read.html", {"item": item, "body": content.render_markdown(item.body)})


@contact_required
@require_POST
def portal_register(request, pk):
    pages.portal_register(request.contact, pk)
    return redirect(request.POST.get("next") if str(request.POST.get("next", "")).startswith("/portal/")
                    else "/portal/")


@contact_required
def portal_calendar(request, pk):
    item = pages.portal_event(request.contact, pk)
    from .actions import events

    return HttpResponse(events.ics(item), content_type="text/calendar",
                        headers={"Content-Disposition": f'attachment; filename="event-{item.pk}.ics"'})


def portal_reading(contact, request):
    """The portal's "Recommended reading" card (registered in apps.py)."""
    rows = recommend.for_customer(contact.workspace, contact.customer, 5)
    return {"recommendations": rows} if rows else None


def portal_webinars(contact, request):
    """The portal's "Upcoming webinars" card."""
    rows = pages.upcoming_events(contact)
    return {"events": rows} if rows else None


def customer_section(customer, request) -> dict | None:
    """Inform's card on the customer page: recommendations with reasons and recent reading."""
    return pages.customer_card(customer)


