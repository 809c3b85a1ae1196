"""The site's root: send a signed-in person to their first workspace."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from becoming.workspaces.models import Membership


@login_required
def home(request):
    first = (Membership.objects.filter(user=request.user).select_related("workspace")
             .order_by("workspace__name").first())
    if first is None:
        return render(request, "web/no_workspace.html")
    return redirect("dashboard", slug=first.workspace.slug)
