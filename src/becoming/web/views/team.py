"""Members and API tokens of a workspace (admins only)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from becoming.web.access import workspace_view
from becoming.web.forms import MemberForm, RoleForm, TokenForm
from becoming.workspaces.actions import add_member, remove_member
from becoming.workspaces.models import ApiToken, Membership, Role


def may_manage(acting: Membership, role: str) -> bool:
    """Only owners hand out or take away the owner role."""
    return acting.role == Role.OWNER or role != Role.OWNER


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
                    add(request, form.cleaned_data["email"], form.cleaned_data["role"])
                    return redirect("members", slug=ws.slug)
            elif action in ("role", "remove"):
                change(request, action)
                return redirect("members", slug=ws.slug)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return redirect("members", slug=ws.slug)
    team = (Membership.objects.filter(workspace=ws).select_related("user")
            .order_by("user__email"))
    return render(request, "web/members.html", {"form": form, "team": team, "roles": Role.choices})


def add(request, email: str, role: str) -> None:
    if not may_manage(request.membership, role):
        raise ValidationError("only an owner can make someone an owner")
    membership = add_member(request.workspace, email, role)
    messages.success(request, f"{membership.user.email} is now a {role}.")


def change(request, action: str) -> None:
    target = get_object_or_404(Membership.objects.select_related("user"),
                               pk=request.POST.get("membership"), workspace=request.workspace)
    if not may_manage(request.membership, target.role):
        raise ValidationError("only an owner can change or remove an owner")
    if action == "remove":
        remove_member(target)
        messages.success(request, f"Removed {target.user.email}.")
        return
    form = RoleForm(request.POST)
    if not form.is_valid() or not may_manage(request.membership, form.cleaned_data["role"]):
        raise ValidationError("choose a role you may give")
    new = form.cleaned_data["role"]
    if target.role == Role.OWNER and new != Role.OWNER and not Membership.objects.filter(
            workspace=request.workspace, role=Role.OWNER).exclude(pk=target.pk).exists():
        raise ValidationError("a workspace keeps at least one owner")
    target.role = new
    target.save(update_fields=["role"])
    messages.success(request, f"{target.user.email} is now a {new}.")


@workspace_view("admin")
def tokens(request):
    ws = request.workspace
    form = TokenForm()
    secret = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            get_object_or_404(ApiToken, pk=request.POST.get("token"), workspace=ws).delete()
            messages.success(request, "Token revoked.")
            return redirect("tokens", slug=ws.slug)
        form = TokenForm(request.POST)
        if form.is_valid():
            _, secret = ApiToken.issue(ws, form.cleaned_data["name"], request.user)
            form = TokenForm()
    listed = ApiToken.objects.filter(workspace=ws).select_related("created_by").order_by("-created")
    return render(request, "web/tokens.html", {"form": form, "tokens": listed, "secret": secret})
