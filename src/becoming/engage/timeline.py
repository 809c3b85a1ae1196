"""Meetings, feedback and survey answers on a customer's merged timeline."""

from .models import Feedback, Meeting, Response


def _window(qs, field: str, since, until):
    if since is not None:
        qs = qs.filter(**{f"{field}__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{field}__lt": until})
    return qs.order_by(f"-{field}", "-id")


def meetings(customer, since, until, limit: int) -> list[dict]:
    qs = _window(Meeting.objects.filter(customer=customer), "when", since, until)[:limit]
    return [{"time": m.when, "title": f"{m.get_kind_display()}: {m.title or 'no title'}",
             "detail": m.notes[:300], "url": ""} for m in qs]


def feedback(customer, since, until, limit: int) -> list[dict]:
    qs = _window(Feedback.objects.filter(customer=customer), "time", since, until)[:limit]
    return [{"time": f.time, "title": f"Feedback ({f.channel})", "detail": f.text[:300], "url": ""}
            for f in qs]


def survey_answers(customer, since, until, limit: int) -> list[dict]:
    qs = _window(Response.objects.filter(customer=customer, submitted__isnull=False)
                 .select_related("survey"), "submitted", since, until)[:limit]
    return [{"time": r.submitted, "title": f"Answered the survey {r.survey.title}",
             "detail": f"{len(r.answers)} answer{'s' * (len(r.answers) != 1)}", "url": ""}
            for r in qs]
