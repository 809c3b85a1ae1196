"""Outcome pages: the report ("does transformation pay?"), its downloads, the dashboard panel,
and the outcomes shown on a customer's page.

Each view reads the query string, calls one action (``actions.pages``, ``actions.report``,
``actions.customer``) and renders what it returns.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from becoming.web.access import workspace_view
from becoming.web.export import table_csv_bytes

from .actions import pages
from .actions.customer import customer_outcomes
from .actions.report import cached_report

WINDOWS = [("", "No window"), ("6m", "6 months"), ("12m", "12 months"), ("24m", "24 months")]
OUTCOMES = [("churn", "Churn"), ("revenue", "Revenue")]
SMALL_NOTE = "fewer than 30 customers: wide interval"


def read_params(request) -> tuple[dict, str | None]:
    """outcome, as_of and window from the query string, and an error about a bad date."""
    outcome = request.GET.get("outcome", "churn")
    window = request.GET.get("window", "")
    params = {"outcome": outcome if outcome in dict(OUTCOMES) else "churn",
              "window": window if window in dict(WINDOWS) else "", "as_of": None}
    raw = request.GET.get("as_of", "").strip()
    error = None
    if raw:
        try:
            params["as_of"] = dt.date.fromisoformat(raw)
        except ValueError:
            error = f"{raw!r} is not a date like 2026-03-31; showing the default date instead."
    return params, error


@workspace_view("viewer")
def report_page(request):
    params, error = read_params(request)
    page = pages.report_page(request.workspace, **params,
                             dimension=request.GET.get("dimension") or "")
    return render(request, "outcomes/report.html", {
        **page, "params": params, "param_error": error, "windows": WINDOWS, "outcomes": OUTCOMES,
        "small_note": SMALL_NOTE, "query": request.GET.urlencode()})


@workspace_view("viewer")
def report_csv(request):
    params, _ = read_params(request)
    try:
        name, table = pages.report_download(request.workspace, **params)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(table_csv_bytes(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@workspace_view("viewer")
def report_json(request):
    params, _ = read_params(request)
    try:
        data = cached_report(request.workspace, **params)
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    return JsonResponse(data, json_dumps_params={"indent": 1})


@workspace_view("viewer")
def panel(request):
    return render(request, "outcomes/_panel.html", pages.panel(request.workspace))


def customer_section(customer, request) -> dict:
    """The customer page's outcomes card (registered in apps.py)."""
    return {"outcomes": customer_outcomes(customer.workspace, customer.pk)}
