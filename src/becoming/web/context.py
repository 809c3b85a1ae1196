def workspace(request):
    """Put the current workspace and the user's membership in every template."""
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
    }
