"""Stage changes on a customer's merged timeline."""

from becoming.transformation.actions import current_model

from .models import StageChange


def stage_changes(customer, since, until, limit: int) -> list[dict]:
    qs = StageChange.objects.filter(customer=customer)
    if since is not None:
        qs = qs.filter(as_of__gte=since.date())
    if until is not None:
        qs = qs.filter(as_of__lt=until.date())
    model = current_model(customer.workspace)
    names = {d.key: (d.name, {s.key: s.name for s in d.stages}) for d in model.dimensions} \
        if model else {}
    out = []
    for c in qs.order_by("-as_of", "-id")[:limit]:
        dim, stages = names.get(c.dimension, (c.dimension, {}))
        out.append({"time": c.as_of,
                    "title": f"Moved {c.direction} on {dim}",
                    "detail": f"{stages.get(c.from_stage, c.from_stage)} → "
                              f"{stages.get(c.to_stage, c.to_stage)}", "url": ""})
    return out
