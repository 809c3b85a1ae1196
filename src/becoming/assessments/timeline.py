"""Stage changes on a customer's merged timeline."""

from .actions import named_changes
from .models import StageChange


def stage_changes(customer, since, until, limit: int) -> list[dict]:
    qs = StageChange.objects.filter(customer=customer)
    if since is not None:
        qs = qs.filter(as_of__gte=since.date())
    if until is not None:
        qs = qs.filter(as_of__lt=until.date())
    return [{"time": c.as_of, "title": f"Moved {c.direction} on {c.dimension_name}",
             "detail": f"{c.from_name} → {c.to_name}", "url": ""}
            for c in named_changes(customer.workspace, qs.order_by("-as_of", "-id")[:limit])]
