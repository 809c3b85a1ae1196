"""Connect's pages: the members directory, rounds (review and send), and the public pages
behind the links in the mails (accept/decline, "did it help?"). Each view parses, calls one
action and renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from becoming.transformation.actions import current_model
from becoming.web.access import workspace_view
from becoming.web.pagination import paginate, query_without

from .actions import introductions, members, rounds
from .models import Introduction, Member, Round


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


@workspace_view("viewer")
def member_list(request):
    ws = request.workspace
    qs, active = members.filter_members(ws, request.GET)
    model = current_model(ws)
    page = paginate(qs, request.GET.get("page"), counted=not active)
    compare = None
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b and a.isdigit() and b.isdigit():
        pair = [get_object_or_404(Member, workspace=ws, pk=int(x)) for x in (a, b)]
        compare = {"a": pair[0], "b": pair[1], **members.why_similar(ws, pair[0], pair[1])}
    return render(request, "connect/members.html", {
        "page": page, "active": active, "query": query_without(request.GET, "page"),
        "dimensions": list(model.dimensions) if model else [], "compare": compare,
        "total": Member.objects.filter(workspace=ws, opted_in=True).count()})


@workspace_view("viewer")
def round_list(request):
    return render(request, "connect/rounds.html", {"rounds": rounds.rounds(request.workspace)})


@workspace_view("member")
@require_POST
def round_new(request):
    ws = request.workspace
    try:
        result = rounds.propose(ws, mode=request.POST.get("mode") or "any",
                                industry_attribute=request.POST.get("industry_attribute") or None,
                                exclude_same=[a for a in request.POST.getlist("exclude_same") if a],
                                text_attributes=[a for a in request.POST.getlist("text_attribute") if a],
                                user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("connect_rounds", ws.slug)
    return redirect("connect_round", ws.slug, result["round"].pk)


@workspace_view("viewer")
def round_detail(request, pk):
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=pk)
    pairs = rounds.round_pairs(round_, request.GET.get("status", ""))
    return render(request, "connect/round.html", {
        "round": round_, "page": paginate(pairs, request.GET.get("page"), counted=True, size=100),
        "query": query_without(request.GET, "page"), "statuses": Introduction.Status.choices,
        "kept": round_.introductions.exclude(status=Introduction.Status.DROPPED).count()})


def _pair(request, pk, pair):
    return get_object_or_404(Introduction.objects.select_related("round", "a__customer", "b__customer"),
                             workspace=request.workspace, round_id=pk, pk=pair)


@workspace_view("member")
@require_POST
def pair_review(request, pk, pair):
    intro = _pair(request, pk, pair)
    action = request.POST.get("action")
    try:
        if action == "drop":
            rounds.drop_pair(intro)
        elif action == "restore":
            rounds.restore_pair(intro)
        elif action == "reason":
            rounds.edit_reason(intro, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    if _htmx(request):
        return render(request, "connect/_pair.html", {"p": intro, "round": intro.round,
                                                      "workspace": request.workspace,
                                                      "membership": request.membership})
    return redirect("connect_round", request.workspace.slug, pk)


@workspace_view("member")
@require_POST
def round_send(request, pk):
    round_ = get_object_or_404(Round, workspace=request.workspace, pk=pk)
    try:
        introductions.queue_send(round_, request.build_absolute_uri("/"), user=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "The round is being sent: each side gets its proposal once.")
    return redirect("connect_round", request.workspace.slug, pk)


# -- public pages behind the mailed links -------------------------------------------------------

def answer_page(request, token):
    try:
        intro, side = introductions.from_token(token)
    except introductions.LinkError as exc:
        return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    if request.method == "POST" and request.POST.get("answer") in ("accept", "decline"):
        try:
            intro = introductions.answer(token, request.POST["answer"] == "accept",
                                         request.build_absolute_uri("/"))
        except introductions.LinkError as exc:
            return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    me, other = (intro.a, intro.b) if side == "a" else (intro.b, intro.a)
    return render(request, "connect/answer.html", {
        "intro": intro, "me": me, "other": other, "mine": getattr(intro, f"{side}_answer"),
        "token": token})


def rate_page(request, token):
    try:
        intro, side = introductions.from_token(token, "rate")
    except introductions.LinkError as exc:
        return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    error = None
    if request.method == "POST":
        try:
            intro = introductions.rate(token, int(request.POST.get("rating") or 0))
        except (ValidationError, ValueError):
            error = "Choose a number from 1 to 5."
        except introductions.LinkError as exc:
            return render(request, "connect/link_unavailable.html", {"reason": exc.reason}, status=404)
    other = intro.b if side == "a" else intro.a
    return render(request, "connect/rate.html", {
        "intro": intro, "other": other, "rating": getattr(intro, f"{side}_rating"), "error": error,
        "token": token, "scale": range(1, 6)})


# -- the portal card ----------------------------------------------------------------------------

def portal_section(contact, request):
    """Pending introductions of the contact's customer (what a member may see), or None."""
    member = Member.objects.filter(workspace_id=contact.workspace_id, customer_id=contact.customer_id,
                                   opted_in=True).first()
    if member is None:
        return None
    intros = list(rounds.member_introductions(member)[:5])
    return {"member": member, "introductions": [
        {"other": (i.b if i.a_id == member.pk else i.a).customer.display_name,
         "status": i.get_status_display(), "reason": i.reason} for i in intros]}
