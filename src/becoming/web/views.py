"""The site's root: send a signed-in person to their first workspace (a member who owns
accounts there, to their accounts: their day starts with them)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from becoming.workspaces.models import Membership


@login_required
def home(request):
    first = (Membership.objects.filter(user=request.user).select_related("workspace")
             .order_by("workspace__name").first())
    if first is None:
        return render(request, "web/no_workspace.html")
    if first.role == "member" and request.user.owned_customers.filter(
            workspace_id=first.workspace_id).exists():
        return redirect("my_accounts", slug=first.workspace.slug)
    return redirect("dashboard", slug=first.workspace.slug)
