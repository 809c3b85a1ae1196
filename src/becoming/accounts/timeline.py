"""Notes on a customer's merged timeline."""

from .models import Note


def notes(customer, since, until, limit: int) -> list[dict]:
    qs = Note.objects.filter(customer=customer).select_related("author")
    if since is not None:
        qs = qs.filter(created__gte=since)
    if until is not None:
        qs = qs.filter(created__lt=until)
    return [{"time": n.created, "title": f"Note by {n.author.email if n.author else 'a script'}",
             "detail": n.text[:300], "url": ""} for n in qs.order_by("-created", "-id")[:limit]]
