"""Members and API tokens of a workspace (admins only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from becoming.web.access import workspace_view

from . import actions
from .forms import MemberForm, RoleForm, TokenForm
from .models import ApiToken, Membership, Role


@workspace_view("admin")
def members(request):
    ws = request.workspace
    form = MemberForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = MemberForm(request.POST)
                if form.is_valid():
                    added = actions.invite_member(request.membership, form.cleaned_data["email"],
                                                  form.cleaned_data["role"])
                    messages.success(request, f"{added.user.email} is now a {added.role}.")
                    return redirect("members", slug=ws.slug)
            elif action == "workspace":
                actions.update_workspace(ws, name=request.POST.get("name", ws.name),
                                         currency=request.POST.get("currency", ws.currency))
                messages.success(request, f"Saved: {ws.name}, money in {ws.currency}.")
                return redirect("members", slug=ws.slug)
            elif action in ("role", "remove"):
                change(request, action)
                return redirect("members", slug=ws.slug)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("members", slug=ws.slug)
    team = (Membership.objects.filter(workspace=ws).select_related("user")
            .order_by("user__email"))
    return render(request, "workspaces/members.html", {"form": form, "team": team, "roles": Role.choices})


def change(request, action: str) -> None:
    target = get_object_or_404(Membership.objects.select_related("user"),
                               pk=request.POST.get("membership"), workspace=request.workspace)
    if action == "remove":
        actions.dismiss_member(request.membership, target)
        messages.success(request, f"Removed {target.user.email}.")
        return
    form = RoleForm(request.POST)
    if not form.is_valid():
        raise ValidationError("choose a role you may give")
    actions.change_role(request.membership, target, form.cleaned_data["role"])
    messages.success(request, f"{target.user.email} is now a {target.role}.")


@workspace_view("admin")
def tokens(request):
    ws = request.workspace
    form = TokenForm()
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions.revoke_token(get_object_or_404(ApiToken, pk=request.POST.get("token"), workspace=ws))
            messages.success(request, "Token revoked.")
            return redirect("tokens", slug=ws.slug)
        form = TokenForm(request.POST)
        if form.is_valid():
            _, secret = actions.issue_token(ws, form.cleaned_data["name"], request.user)
            form = TokenForm()
    listed = ApiToken.objects.filter(workspace=ws).select_related("created_by").order_by("-created")
    return render(request, "workspaces/tokens.html", {"form": form, "tokens": listed, "secret": secret})
