"""Feedback inbox, the themes board (wants and needs), and meetings: thin views over engage."""

import datetime as dt

import numpy as np
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTransform
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from becoming.customers.models import Attribute, AttributeType, Customer
from becoming.jobs.actions import enqueue
from becoming.jobs.models import Job
from becoming.transformation.actions import current_model
from becoming.web.access import workspace_view
from becoming.web.pagination import Window, paginate, query_without

from ..actions.feedback import filter_feedback
from ..actions.meetings import log_meeting, without_conversation
from ..actions.themes import active_themes, link_dimension, merge_themes, rename_theme, split_theme
from ..forms import DiscoverForm, MeetingForm, RenameForm
from ..models import Feedback, Meeting, Response, Theme

THEMES_PER_PAGE = 20
THEME_CUSTOMERS = 50
QUOTES = 3
# Representative quotes are the nearest to the centroid among a theme's newest items.
QUOTE_CANDIDATES = 2000
TREND_DAYS = 30
QUIET_DAYS = (30, 60, 90, 180)
CUSTOMER_MATCHES = 20
RANKS = {"customers": "customers affected", "revenue": "customer value", "trend": "trend", "size": "size"}


def forbidden(request, role="member"):
    return render(request, "web/forbidden.html", {"need": role}, status=403)


def is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


# -- feedback inbox ---------------------------------------------------------------------------

@workspace_view("viewer")
def feedback_list(request):
    ws = request.workspace
    qs, active = filter_feedback(ws, request.GET)
    qs = (qs.select_related("customer", "contact", "theme")
          .only("id", "text", "channel", "time", "customer__name", "customer__external_id",
                "contact__name", "contact__email", "theme__key", "theme__name", "theme__label"))
    page = paginate(qs, request.GET.get("page"), counted=not active)
    context = {
        "page": page, "active": active, "query": query_without(request.GET, "page"),
        "channels": (Feedback.objects.filter(workspace=ws).order_by("channel")
                     .values_list("channel", flat=True).distinct()),
        "themes": active_themes(ws),
    }
    template = "engage/inbox/_feedback_list.html" if is_htmx(request) else "engage/inbox/feedback.html"
    return render(request, template, context)


# -- themes board -----------------------------------------------------------------------------

def _vector(raw) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype=np.float32)


def theme_stats(workspace) -> dict[int, dict]:
    """Per theme: distinct customers, items in the last 30 days and in the 30 before."""
    now = timezone.now()
    recent, before = now - dt.timedelta(days=TREND_DAYS), now - dt.timedelta(days=2 * TREND_DAYS)
    rows = (Feedback.objects.filter(workspace=workspace, theme__isnull=False).values("theme")
            .annotate(customers=Count("customer", distinct=True),
                      recent=Count("id", filter=Q(time__gte=recent)),
                      previous=Count("id", filter=Q(time__gte=before, time__lt=recent))))
    return {r["theme"]: r for r in rows}


def theme_customers(workspace, theme_ids=None) -> dict[int, set[int]]:
    qs = Feedback.objects.filter(workspace=workspace, theme__isnull=False, customer__isnull=False)
    if theme_ids is not None:
        qs = qs.filter(theme_id__in=theme_ids)
    out: dict[int, set[int]] = {}
    for theme_id, customer_id in qs.values_list("theme_id", "customer_id").distinct():
        out.setdefault(theme_id, set()).add(customer_id)
    return out


def customer_values(workspace, customer_ids, attribute: str) -> dict[int, float]:
    values = {}
    ids = list(customer_ids)
    for start in range(0, len(ids), 900):  # SQLite's parameter limit
        rows = (Customer.objects.filter(workspace=workspace, pk__in=ids[start:start + 900])
                .annotate(_v=KeyTransform(attribute, "attributes")).values_list("pk", "_v"))
        for pk, value in rows:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[pk] = float(value)
    return values


def representative_quotes(theme: Theme, n: int = QUOTES) -> list[Feedback]:
    items = list(Feedback.objects.filter(theme=theme, embedding__isnull=False)
                 .select_related("customer").only("id", "text", "embedding", "customer__name",
                                                  "customer__external_id", "time")
                 .order_by("-time", "-id")[:QUOTE_CANDIDATES])
    if not items or not theme.centroid:
        return items[:n]
    scores = np.vstack([_vector(f.embedding) for f in items]) @ _vector(theme.centroid)
    return [items[i] for i in np.argsort(-scores, kind="stable")[:n]]


def stage_breakdown(workspace, dimension, customers_of: dict[int, set[int]]) -> dict[int, list[dict]]:
    """Per theme: distinct customers at each stage of `dimension` (plus those not assessed)."""
    everyone = set().union(*customers_of.values()) if customers_of else set()
    stage_of = {}
    ids = list(everyone)
    for start in range(0, len(ids), 900):
        rows = (Customer.objects.filter(workspace=workspace, pk__in=ids[start:start + 900])
                .annotate(_s=KeyTransform(dimension.key, "stages")).values_list("pk", "_s"))
        stage_of.update(rows)
    out = {}
    for theme_id, members in customers_of.items():
        counts = [0] * len(dimension.stages)
        unknown = 0
        for pk in members:
            stage = stage_of.get(pk)
            if isinstance(stage, int) and 0 <= stage < len(counts):
                counts[stage] += 1
            else:
                unknown += 1
        top = max(counts + [unknown, 1])
        rows = [{"name": s.name, "count": c, "percent": round(100 * c / top)} for s, c in zip(dimension.stages, counts)]
        if unknown:
            rows.append({"name": "Not assessed", "count": unknown, "percent": round(100 * unknown / top), "unknown": True})
        out[theme_id] = rows
    return out


def ranked_themes(workspace, rank: str, attribute: str | None):
    themes = [t for t in active_themes(workspace) if t.size > 0]
    stats = theme_stats(workspace)
    values = {}
    if rank == "revenue" and attribute:
        customers_of = theme_customers(workspace)
        per_customer = customer_values(workspace, set().union(*customers_of.values()) if customers_of else set(),
                                       attribute)
        values = {tid: sum(per_customer.get(c, 0.0) for c in members) for tid, members in customers_of.items()}
    for t in themes:
        s = stats.get(t.pk, {})
        t.customers = s.get("customers", 0)
        t.recent, t.previous = s.get("recent", 0), s.get("previous", 0)
        t.change = t.recent - t.previous
        t.value = values.get(t.pk, 0.0) if values or rank == "revenue" else None
    keys = {
        "customers": lambda t: (t.customers, t.size),
        "revenue": lambda t: (t.value or 0, t.customers),
        "trend": lambda t: (t.change, t.recent),
        "size": lambda t: (t.size, t.customers),
    }
    themes.sort(key=lambda t: (keys[rank](t), -t.pk), reverse=True)
    return themes


@workspace_view("viewer")
def theme_board(request):
    ws = request.workspace
    model = current_model(ws)
    dimensions = list(model.dimensions) if model else []
    numbers = list(Attribute.objects.filter(workspace=ws, type=AttributeType.NUMBER).values_list("name", flat=True))
    rank = request.GET.get("rank", "customers")
    rank = rank if rank in RANKS else "customers"
    attribute = request.GET.get("attr") if request.GET.get("attr") in numbers else (numbers[0] if numbers else None)
    if rank == "revenue" and attribute is None:
        rank = "customers"
    by_key = {d.key: d for d in dimensions}
    dimension = by_key.get(request.GET.get("dim")) or (dimensions[0] if dimensions else None)
    themes = ranked_themes(ws, rank, attribute)
    page = Paginator(themes, THEMES_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    breakdowns = {}
    if dimension is not None and shown:
        breakdowns = stage_breakdown(ws, dimension, theme_customers(ws, [t.pk for t in shown]))
    for t in shown:
        t.quotes = representative_quotes(t)
        t.breakdown = breakdowns.get(t.pk, [])
        t.linked = by_key.get(t.dimension)
    job = None
    if request.GET.get("job", "").isdigit():
        job = Job.objects.filter(workspace=ws, pk=request.GET["job"]).first()
    else:
        job = Job.objects.filter(workspace=ws, kind="discover_themes",
                                 status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()
    context = {
        "page": page, "themes": shown, "rank": rank, "ranks": RANKS, "attribute": attribute,
        "numbers": numbers, "dimensions": dimensions, "dimension": dimension, "job": job,
        "form": DiscoverForm(), "feedback_count": Feedback.objects.filter(workspace=ws).count(),
        "query": query_without(request.GET, "page"),
    }
    return render(request, "engage/inbox/themes.html", context)


@require_POST
@workspace_view("member")
def theme_discover(request):
    ws = request.workspace
    form = DiscoverForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("themes", slug=ws.slug)
    if Feedback.objects.filter(workspace=ws)[:2].count() < 2:
        messages.error(request, "Theme discovery needs at least two pieces of feedback; import some first.")
        return redirect("themes", slug=ws.slug)
    job = enqueue(ws, "discover_themes", form.params(), request.user)
    messages.info(request, "Discovering themes.")
    return redirect(reverse("themes", args=[ws.slug]) + f"?job={job.pk}")


def _theme(request, pk) -> Theme:
    return get_object_or_404(Theme, pk=pk, workspace=request.workspace)


@workspace_view("viewer")
def theme_detail(request, pk):
    ws = request.workspace
    theme = _theme(request, pk)
    if theme.merged_into_id:
        target = theme.merged_into
        while target.merged_into_id:
            target = target.merged_into
        messages.info(request, f"{theme.key} was merged into {target.key}.")
        return redirect("theme", slug=ws.slug, pk=target.pk)
    items = (Feedback.objects.filter(theme=theme).select_related("customer", "contact")
             .only("id", "text", "channel", "time", "customer__name", "customer__external_id",
                   "contact__name", "contact__email").order_by("-time", "-id"))
    page = paginate(items, request.GET.get("page"), counted=True)
    customers = (Customer.objects.filter(workspace=ws, feedback__theme=theme)
                 .annotate(items=Count("feedback", filter=Q(feedback__theme=theme)))
                 .order_by("-items", "name").only("id", "name", "external_id")[:THEME_CUSTOMERS])
    model = current_model(ws)
    context = {
        "theme": theme, "page": page, "customers": customers,
        "customer_count": Feedback.objects.filter(theme=theme, customer__isnull=False)
        .values("customer").distinct().count(),
        "others": [t for t in active_themes(ws) if t.pk != theme.pk and t.size > 0],
        "dimensions": list(model.dimensions) if model else [], "rename": RenameForm(initial={"name": theme.name}),
        "quotes": representative_quotes(theme), "query": query_without(request.GET, "page"),
    }
    return render(request, "engage/inbox/theme.html", context)


@require_POST
@workspace_view("member")
def theme_rename(request, pk):
    theme = _theme(request, pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        rename_theme(theme, form.cleaned_data["name"])
    if is_htmx(request):
        return render(request, "engage/inbox/_theme_title.html",
                      {"theme": theme, "editing": False, "link": request.GET.get("link") == "1"})
    return redirect(request.POST.get("next") or reverse("theme", args=[request.workspace.slug, theme.pk]))


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
        merge_themes(theme, others)
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
        made = split_theme(theme, 2)
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
    model = current_model(ws)
    keys = {d.key for d in model.dimensions} if model else set()
    key = request.POST.get("dimension", "")
    if key and key not in keys:
        messages.error(request, f"No dimension {key!r} in the current model.")
    else:
        link_dimension(theme, key)
    if is_htmx(request):
        return render(request, "engage/inbox/_theme_dimension.html",
                      {"theme": theme, "dimensions": list(model.dimensions) if model else [], "saved": True})
    return redirect(request.POST.get("next") or reverse("theme", args=[ws.slug, theme.pk]))


# -- meetings ---------------------------------------------------------------------------------

@workspace_view("viewer")
def meeting_list(request):
    ws = request.workspace
    qs = Meeting.objects.filter(workspace=ws)
    active = {}
    kind = request.GET.get("kind", "")
    if kind in Meeting.Kind.values:
        qs = qs.filter(kind=kind)
        active["kind"] = kind
    customer = request.GET.get("customer", "").strip()
    if customer.isdigit() and Customer.objects.filter(workspace=ws, pk=int(customer)).exists():
        qs = qs.filter(customer_id=int(customer))
        active["customer"] = customer
    elif customer:
        qs = qs.filter(Q(customer__name__icontains=customer) | Q(customer__external_id__icontains=customer))
        active["customer"] = customer
    qs = qs.select_related("customer").prefetch_related("contacts", "staff").order_by("-when", "-id")
    page = paginate(qs, request.GET.get("page"), counted=not active)
    return render(request, "engage/inbox/meetings.html", {
        "page": page, "active": active, "kinds": Meeting.Kind.choices,
        "query": query_without(request.GET, "page"),
    })


def _members(workspace):
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(memberships__workspace=workspace).order_by("email"))


@workspace_view("viewer")
def meeting_new(request):
    ws = request.workspace
    members = _members(ws)
    initial = {"customer": request.GET.get("customer", ""), "staff": [str(request.user.pk)]}
    form = MeetingForm(ws, members, initial=initial)
    if request.method == "POST":
        if not request.membership.can("member"):
            return forbidden(request)
        form = MeetingForm(ws, members, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            when = data["when"]
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            try:
                meeting = log_meeting(ws, data["customer"], kind=data["kind"], when=when, title=data["title"],
                                      notes=data["notes"], next_steps=data["next_steps"],
                                      contacts=data["contacts"], staff=data["staff"], user=request.user)
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
        matches = (Customer.objects.filter(workspace=request.workspace)
                   .filter(Q(name__icontains=q) | Q(external_id__icontains=q))
                   .order_by("name", "id").only("id", "name", "external_id")[:CUSTOMER_MATCHES])
    return render(request, "engage/inbox/_customer_choices.html", {"matches": matches, "q": q})


@workspace_view("viewer")
def meeting_contacts(request):
    """The chosen customer's contacts as checkboxes for the meeting form (htmx)."""
    ws = request.workspace
    form = MeetingForm(ws, _members(ws), initial={"customer": request.GET.get("customer", "")})
    return render(request, "engage/inbox/_contacts.html", {"form": form, "customer": form.chosen_customer()})


@workspace_view("viewer")
def quiet_customers(request):
    raw = request.GET.get("days", "90")
    days = int(raw) if raw.isdigit() and int(raw) in QUIET_DAYS else 90
    number = int(request.GET["page"]) if request.GET.get("page", "").isdigit() and int(request.GET["page"]) > 0 else 1
    page = Window(without_conversation(request.workspace, days).only("id", "name", "external_id"), number, 50)
    return render(request, "engage/inbox/quiet.html", {
        "page": page, "days": days, "choices": QUIET_DAYS, "query": f"days={days}",
    })


# -- the customer page's engage sections ------------------------------------------------------

CUSTOMER_MEETINGS = 10
CUSTOMER_FEEDBACK = 20
CUSTOMER_RESPONSES = 5


def customer_engagement(customer) -> dict:
    """Meetings, feedback and survey answers shown on a customer's page."""
    responses = []
    for r in (Response.objects.filter(customer=customer, submitted__isnull=False)
              .select_related("survey", "contact").prefetch_related("survey__questions")
              .order_by("-submitted")[:CUSTOMER_RESPONSES]):
        answers = []
        for q in r.survey.questions.all():
            if q.key in r.answers:
                answers.append({"question": q.text, "answer": _answer_text(q, r.answers[q.key])})
        responses.append({"response": r, "answers": answers})
    return {
        "meetings": (Meeting.objects.filter(customer=customer).prefetch_related("contacts")
                     .order_by("-when", "-id")[:CUSTOMER_MEETINGS]),
        "feedback": (Feedback.objects.filter(customer=customer).select_related("theme", "contact")
                     .order_by("-time", "-id")[:CUSTOMER_FEEDBACK]),
        "responses": responses,
    }


def _answer_text(question, value) -> str:
    labels = {c.get("value"): c.get("label") for c in question.choices or [] if isinstance(c, dict)}
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if labels and value in labels:
        return str(labels[value]).split(" — ")[0]
    return str(value)


def self_assessment_notes(ladders: list[dict], self_stages: dict[str, int]) -> None:
    """Put the self-assessed stage beside the measured one, noting where they differ."""
    for ladder in ladders:
        stages = ladder["stages"]
        index = self_stages.get(ladder["dimension"].key)
        if index is None or not 0 <= index < len(stages):
            continue
        ladder["self_index"] = index
        ladder["self_name"] = stages[index].name
        measured = ladder["stage_index"]
        if measured is not None and measured != index:
            ladder["self_gap"] = (f"Thinks they are {stages[index].name}; the data shows "
                                  f"{stages[measured].name} — worth a conversation")


def customer_section(customer, request) -> dict:
    return customer_engagement(customer)
