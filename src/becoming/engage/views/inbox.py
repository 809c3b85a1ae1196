"""Feedback inbox, the themes board (wants and needs), meetings, and engage's section of the
customer page: each view parses the request, calls one action and renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from becoming.customers.actions import search_customers
from becoming.jobs.actions import shown_job
from becoming.transformation.actions import current_model
from becoming.web.access import safe_next, workspace_view
from becoming.web.pagination import Window, paginate, query_without

from ..actions import board, meetings, results, themes
from ..actions.feedback import filter_feedback
from ..forms import DiscoverForm, MeetingForm, RenameForm
from ..models import Meeting, Theme

QUIET_DAYS = (30, 60, 90, 180)
QUIET_PER_PAGE = 50
CUSTOMER_MATCHES = 20


def forbidden(request, role="member"):
    return render(request, "web/forbidden.html", {"need": role}, status=403)


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


def model_dimensions(workspace) -> list:
    model = current_model(workspace)
    return list(model.dimensions) if model else []


# -- feedback inbox ---------------------------------------------------------------------------

@workspace_view("viewer")
def feedback_list(request):
    ws = request.workspace
    qs, active = filter_feedback(ws, request.GET)
    qs = (qs.select_related("customer", "contact", "theme")
          .only("id", "text", "channel", "time", "customer__name", "customer__external_id",
                "contact__name", "contact__email", "theme__key", "theme__name", "theme__label"))
    context = {
        "page": paginate(qs, request.GET.get("page"), counted=not active), "active": active,
        "query": query_without(request.GET, "page"),
        "channels": ws.feedback.order_by("channel").values_list("channel", flat=True).distinct(),
        "themes": themes.active_themes(ws),
    }
    template = "engage/inbox/_feedback_list.html" if is_htmx(request) else "engage/inbox/feedback.html"
    return render(request, template, context)


# -- themes -----------------------------------------------------------------------------------

@workspace_view("viewer")
def theme_board(request):
    ws = request.workspace
    params = request.GET
    context = board.theme_board(ws, rank=params.get("rank", ""), attribute=params.get("attr", ""),
                                dimension=params.get("dim", ""), channel=params.get("channel", ""),
                                page=params.get("page"))
    context.update(job=shown_job(ws, params.get("job"), kinds=("discover_themes",)), form=DiscoverForm(),
                   query=query_without(params, "page"))
    return render(request, "engage/inbox/themes.html", context)


@require_POST
@workspace_view("member")
def theme_discover(request):
    ws = request.workspace
    form = DiscoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("themes", slug=ws.slug)
    try:
        job = themes.queue_discovery(ws, user=request.user, **form.params())
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("themes", slug=ws.slug)
    messages.info(request, "Discovering themes.")
    return redirect(reverse("themes", args=[ws.slug]) + f"?job={job.pk}")


def _theme(request, pk) -> Theme:
    return get_object_or_404(Theme, pk=pk, workspace=request.workspace)


@workspace_view("viewer")
def theme_detail(request, pk):
    ws = request.workspace
    theme = _theme(request, pk)
    target = board.surviving_theme(theme)
    if target.pk != theme.pk:
        messages.info(request, f"{theme.key} was merged into {target.key}.")
        return redirect("theme", slug=ws.slug, pk=target.pk)
    context = board.theme_page(theme)
    context.update(theme=theme, page=paginate(context.pop("items"), request.GET.get("page"), counted=True),
                   rename=RenameForm(initial={"name": theme.name}), query=query_without(request.GET, "page"))
    return render(request, "engage/inbox/theme.html", context)


@require_POST
@workspace_view("member")
def theme_rename(request, pk):
    theme = _theme(request, pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        themes.rename_theme(theme, form.cleaned_data["name"])
    if is_htmx(request):
        return render(request, "engage/inbox/_theme_title.html",
                      {"theme": theme, "editing": False, "link": request.GET.get("link") == "1"})
    return redirect(safe_next(request, reverse("theme", args=[request.workspace.slug, theme.pk])))


@workspace_view("viewer")
def theme_title(request, pk):
    """The inline title, or its edit form (?edit=1), swapped in place by htmx."""
    theme = _theme(request, pk)
    editing = request.GET.get("edit") == "1" and request.membership.can("member")
    return render(request, "engage/inbox/_theme_title.html",
                  {"theme": theme, "editing": editing, "link": request.GET.get("link") == "1"})


@require_POST
@workspace_view("member")
def theme_merge(request, pk):
    ws = request.workspace
    theme = _theme(request, pk)
    ids = [int(p) for p in request.POST.getlist("others") if p.isdigit()]
    others = list(Theme.objects.filter(workspace=ws, pk__in=ids, merged_into__isnull=True))
    try:
        themes.merge_themes(theme, others)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"Merged {', '.join(t.key for t in others)} into {theme.key}.")
    return redirect("theme", slug=ws.slug, pk=theme.pk)


@require_POST
@workspace_view("member")
def theme_split(request, pk):
    ws = request.workspace
    theme = _theme(request, pk)
    try:
        made = themes.split_theme(theme, 2)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("theme", slug=ws.slug, pk=theme.pk)
    messages.success(request, f"Split {theme.key} into {' and '.join(t.key for t in made)}.")
    return redirect(reverse("themes", args=[ws.slug]) + "?rank=size")


@require_POST
@workspace_view("member")
def theme_dimension(request, pk):
    ws = request.workspace
    theme = _theme(request, pk)
    try:
        themes.link_dimension(theme, request.POST.get("dimension", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    if is_htmx(request):
        return render(request, "engage/inbox/_theme_dimension.html",
                      {"theme": theme, "dimensions": model_dimensions(ws), "saved": True})
    return redirect(safe_next(request, reverse("theme", args=[ws.slug, theme.pk])))


# -- meetings ---------------------------------------------------------------------------------

@workspace_view("viewer")
def meeting_list(request):
    qs, active = meetings.filter_meetings(request.workspace, request.GET)
    qs = qs.select_related("customer").prefetch_related("contacts", "staff")
    return render(request, "engage/inbox/meetings.html", {
        "page": paginate(qs, request.GET.get("page"), counted=not active), "active": active,
        "kinds": Meeting.Kind.choices, "query": query_without(request.GET, "page"),
    })


@workspace_view("viewer")
def meeting_new(request):
    ws = request.workspace
    members = meetings.staff(ws)
    initial = {"customer": request.GET.get("customer", ""), "staff": [str(request.user.pk)]}
    form = MeetingForm(ws, members, initial=initial)
    if request.method == "POST":
        if not request.membership.can("member"):
            return forbidden(request)
        form = MeetingForm(ws, members, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            when = data["when"] if timezone.is_aware(data["when"]) else timezone.make_aware(data["when"])
            try:
                meeting = meetings.log_meeting(
                    ws, data["customer"], kind=data["kind"], when=when, title=data["title"], notes=data["notes"],
                    next_steps=data["next_steps"], contacts=data["contacts"], staff=data["staff"], user=request.user)
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, f"Logged the {meeting.get_kind_display().lower()} with "
                                          f"{meeting.customer.display_name}.")
                return redirect("customer", slug=ws.slug, pk=meeting.customer_id)
    return render(request, "engage/inbox/meeting_new.html",
                  {"form": form, "customer": form.chosen_customer()})


@workspace_view("viewer")
def meeting_customers(request):
    """Customers matching ?q=, as radio buttons for the meeting form (htmx)."""
    q = request.GET.get("q", "").strip()
    matches = []
    if q:
        matches = (search_customers(request.workspace, q).order_by("name", "id")
                   .only("id", "name", "external_id")[:CUSTOMER_MATCHES])
    return render(request, "engage/inbox/_customer_choices.html", {"matches": matches, "q": q})


@workspace_view("viewer")
def meeting_contacts(request):
    """The chosen customer's contacts as checkboxes for the meeting form (htmx)."""
    ws = request.workspace
    form = MeetingForm(ws, meetings.staff(ws), initial={"customer": request.GET.get("customer", "")})
    return render(request, "engage/inbox/_contacts.html", {"form": form, "customer": form.chosen_customer()})


@workspace_view("viewer")
def quiet_customers(request):
    raw = request.GET.get("days", "90")
    days = int(raw) if raw.isdigit() and int(raw) in QUIET_DAYS else 90
    number = int(request.GET["page"]) if request.GET.get("page", "").isdigit() and int(request.GET["page"]) > 0 else 1
    page = Window(meetings.without_conversation(request.workspace, days).only("id", "name", "external_id"),
                  number, QUIET_PER_PAGE)
    return render(request, "engage/inbox/quiet.html", {
        "page": page, "days": days, "choices": QUIET_DAYS, "query": f"days={days}",
    })


# -- the customer page ------------------------------------------------------------------------

def customer_section(customer, request) -> dict:
    """Engage's section of the customer page (registered in apps.py)."""
    return results.customer_engagement(customer)
