"""Outcome pages: the report ("does transformation pay?"), its downloads, the dashboard panel,
and the outcomes shown on a customer's page.

The numbers come from `report.build_report`; these views only choose, cache and word them.
"""

import csv
import datetime as dt
import math

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from becoming.assessments.models import Snapshot
from becoming.signals.actions import store_for
from becoming.transformation.actions import current_version
from becoming.web.access import workspace_view

from .actions import today
from .actions.report import build_report

WINDOWS = [("", "No window"), ("6m", "6 months"), ("12m", "12 months"), ("24m", "24 months")]
OUTCOMES = [("churn", "Churn"), ("revenue", "Revenue")]
CACHE_SECONDS = 60 * 60
CSV_COLUMNS = ["dimension", "stage", "stage_index", "customers", "churned", "churn_rate", "ci_low",
               "ci_high", "retention_rate", "revenue_per_customer", "nrr", "small",
               "dimension_name", "stage_name"]
SMALL_NOTE = "fewer than 30 customers: wide interval"
TOP_STEPS = 5


# --------------------------------------------------------------------------------------------
# the report, cached


def cached_report(workspace, outcome: str = "churn", as_of: dt.date | None = None,
                  window: str | None = None) -> dict:
    """`build_report`, kept until the data change: a new snapshot, model or signal write."""
    snapshot = (Snapshot.objects.filter(workspace=workspace).order_by("-id")
                .values_list("id", flat=True).first())
    version = current_version(workspace)
    key = ":".join(str(part) for part in (
        "outcomes", workspace.pk, snapshot, version.pk if version else None,
        store_for(workspace).version(), today(), outcome, as_of, window or ""))
    report = cache.get(key)
    if report is None:
        report = build_report(workspace, outcome, as_of=as_of, window=window or None)
        cache.set(key, report, CACHE_SECONDS)
    return report


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


def stage_names(version) -> dict:
    """{dimension key: (name, {stage key: stage name})} of the current model."""
    if version is None:
        return {}
    return {d.key: (d.name, {s.key: s.name for s in d.stages}) for d in version.parsed().dimensions}


# --------------------------------------------------------------------------------------------
# formatting


def pct(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def rate_with_ci(rate, low, high) -> str:
    """12.3% (10.1–14.8)."""
    if rate is None:
        return "–"
    if low is None or high is None:
        return pct(rate)
    return f"{pct(rate)} ({low * 100:.1f}–{high * 100:.1f})"


def money(value) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _row(row: dict, names: dict) -> dict:
    return {**row, "stage_name": names.get(row["stage"], row["stage"]),
            "churn_text": rate_with_ci(row["churn_rate"], row["ci_low"], row["ci_high"]),
            "retention_text": pct(row["retention_rate"]),
            "revenue_text": money(row["revenue_per_customer"]),
            "nrr_text": pct(row["nrr"], 0)}


def _rate_chart(rows: list[dict], metric: str) -> dict:
    """Per stage: the rate in percent and its 95% interval, for a point-and-range chart."""
    labels, values, ranges, small = [], [], [], []
    for r in rows:
        labels.append(r["stage_name"])
        small.append(bool(r["small"]))
        if metric == "retention":
            rate = r["retention_rate"]
            low, high = (None if r["ci_high"] is None else 1 - r["ci_high"],
                         None if r["ci_low"] is None else 1 - r["ci_low"])
        else:
            rate, low, high = r["churn_rate"], r["ci_low"], r["ci_high"]
        values.append(None if rate is None else round(rate * 100, 2))
        ranges.append(None if low is None or high is None
                      else [round(low * 100, 2), round(high * 100, 2)])
    return {"kind": "rate", "metric": metric, "labels": labels, "values": values,
            "ranges": ranges, "small": small}


# --------------------------------------------------------------------------------------------
# the report page and its downloads


@workspace_view("viewer")
def report_page(request):
    ws = request.workspace
    params, error = read_params(request)
    version = current_version(ws)
    context = {"params": params, "param_error": error, "windows": WINDOWS, "outcomes": OUTCOMES,
               "version": version, "report": None, "small_note": SMALL_NOTE}
    if version is None:
        return render(request, "outcomes/report.html", context)
    try:
        report = cached_report(ws, params["outcome"], params["as_of"], params["window"])
    except ValidationError as exc:
        context["report_error"] = " ".join(exc.messages)
        return render(request, "outcomes/report.html", context)
    names = stage_names(version)
    metric = "churn" if params["outcome"] == "churn" else "revenue"
    dimensions = []
    for key, (name, stages) in names.items():
        rows = [_row(r, stages) for r in report["stages"] if r["dimension"] == key]
        chart = _rate_chart(rows, "churn")
        if metric == "revenue":
            chart = {"kind": "bars", "metric": "revenue", "labels": chart["labels"],
                     "values": [r["revenue_per_customer"] for r in rows], "small": chart["small"]}
        dimensions.append({
            "key": key, "name": name, "rows": rows, "chart": chart,
            "association": next((a for a in report["association"] if a["dimension"] == key), None),
        })
    steps = sorted(report["steps"], key=lambda s: (s["retained_revenue"] is None,
                                                   -(s["retained_revenue"] or 0)))
    survival_key = request.GET.get("dimension") or ""
    curves = report.get("survival") or {}
    if survival_key not in curves:
        survival_key = next((k for k, c in curves.items() if any(x["times"] for x in c)), "")
    survival = None
    if survival_key and any(c["times"] for c in curves[survival_key]):
        stage_map = names.get(survival_key, ("", {}))[1]
        survival = {"kind": "survival", "days": report["window_days"], "curves": [
            {"label": stage_map.get(c["stage"], c["stage"]), "customers": c["customers"],
             "median_days": c["median_days"],
             "points": [{"x": round(t, 1), "y": round(s, 4)}
                        for t, s in zip(c["times"], c["survival"])]}
            for c in curves[survival_key] if c["times"]]}
    movers = report.get("movers")
    if movers and movers.get("available"):
        for side in ("movers", "stayers"):
            m = movers[side]
            m["churn_text"] = rate_with_ci(m["churn_rate"], m["ci_low"], m["ci_high"])
            m["nrr_text"] = pct(m["nrr"], 0)
    bands = [{**b, "churn_text": rate_with_ci(b["churn_rate"], b["ci_low"], b["ci_high"]),
              "revenue_text": money(b["revenue_per_customer"]), "nrr_text": pct(b["nrr"], 0)}
             for b in report["index_bands"]]
    context.update(report=report, dimensions=dimensions, steps=steps, movers=movers, bands=bands,
                   survival=survival, survival_key=survival_key,
                   survival_choices=[(k, names.get(k, (k,))[0]) for k in curves],
                   query=request.GET.urlencode())
    return render(request, "outcomes/report.html", context)


def _report_or_error(request):
    params, _ = read_params(request)
    try:
        return cached_report(request.workspace, params["outcome"], params["as_of"],
                             params["window"]), None
    except ValidationError as exc:
        return None, " ".join(exc.messages)


@workspace_view("viewer")
def report_csv(request):
    report, error = _report_or_error(request)
    if report is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    names = stage_names(current_version(request.workspace))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"outcomes-{request.workspace.slug}-{report['as_of']}-{report['mode']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in report["stages"]:
        dim_name, stages = names.get(row["dimension"], (row["dimension"], {}))
        full = {**row, "dimension_name": dim_name, "stage_name": stages.get(row["stage"], row["stage"])}
        writer.writerow(["" if full.get(c) is None else full.get(c) for c in CSV_COLUMNS])
    return response


@workspace_view("viewer")
def report_json(request):
    report, error = _report_or_error(request)
    if report is None:
        return JsonResponse({"detail": error}, status=400)
    return JsonResponse(report, json_dumps_params={"indent": 1})


# --------------------------------------------------------------------------------------------
# the dashboard panel


@workspace_view("viewer")
def panel(request):
    ws = request.workspace
    version = current_version(ws)
    context = {"report": None}
    if version is not None:
        try:
            context["report"] = cached_report(ws)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
    report = context["report"]
    if report and report["has_outcomes"]:
        context.update(panel_data(report, stage_names(version)))
    return render(request, "outcomes/_panel.html", context)


def panel_data(report: dict, names: dict) -> dict:
    """Three small charts and a headline: retention by stage of the most telling dimension,
    revenue per customer by index band, and the money behind the five best steps up."""
    fitted = [a for a in report["association"] if not a.get("error") and a.get("p_value") is not None]
    strongest = min(fitted, key=lambda a: a["p_value"]) if fitted else None
    key = strongest["dimension"] if strongest else next(iter(names), None)
    dim_name, stages = names.get(key, (key, {}))
    rows = [_row(r, stages) for r in report["stages"] if r["dimension"] == key]
    retention = _rate_chart(rows, "retention")
    bands = report["index_bands"]
    band_chart = {"kind": "bars", "metric": "revenue", "labels": [b["band"] for b in bands],
                  "values": [b["revenue_per_customer"] for b in bands],
                  "small": [bool(b["small"]) for b in bands]}
    steps = sorted((s for s in report["steps"] if s["retained_revenue"] is not None),
                   key=lambda s: -s["retained_revenue"])[:TOP_STEPS]
    def label(step):
        stage = names.get(step["dimension"], ("", {}))[1]
        return (f"{stage.get(step['from_stage'], step['from_stage'])} → "
                f"{stage.get(step['to_stage'], step['to_stage'])}")

    step_chart = {"kind": "hbars", "metric": "money", "labels": [label(s) for s in steps],
                  "values": [round(s["retained_revenue"]) for s in steps],
                  "small": [bool(s["small"]) for s in steps]}
    return {"dimension_name": dim_name, "retention_chart": retention, "band_chart": band_chart,
            "step_chart": step_chart if steps else None,
            "headline": headline(rows, dim_name, steps)}


def headline(rows: list[dict], dim_name: str, steps: list[dict]) -> str:
    """One sentence a reader takes away: retention at the lowest and highest known stages."""
    known = [r for r in rows if r["retention_rate"] is not None and r["customers"]]
    if len(known) >= 2:
        low, high = known[0], known[-1]
        return (f"On “{dim_name}”, {pct(high['retention_rate'], 0)} of the {high['customers']:,} "
                f"customers at {high['stage_name']} stayed, against "
                f"{pct(low['retention_rate'], 0)} of the {low['customers']:,} at "
                f"{low['stage_name']}: an association, not proof of cause.")
    if steps:
        return steps[0]["sentence"]
    return "Too few customers per stage to compare yet."


# --------------------------------------------------------------------------------------------
# a customer's outcomes (for the customer page)


def customer_outcomes(workspace, customer_id: int, limit: int = 500) -> dict | None:
    """Churn, monthly revenue (latest, first, a sparkline) and renewals of one customer."""
    rows = store_for(workspace).timeline(customer_id, limit=limit, kind="outcome")
    if not rows:
        return None
    rows.reverse()  # oldest first
    churns = [r for r in rows if r["type"] == "churn"]
    revenue = [r for r in rows if r["type"] == "revenue" and r["value"] is not None]
    renewals = [r for r in rows if r["type"] == "renewal"]
    out = {"churned": churns[-1]["time"] if churns else None, "revenue": None,
           "renewals": renewals[::-1][:5], "renewal_count": len(renewals)}
    if revenue:
        first, last = revenue[0]["value"], revenue[-1]["value"]
        out["revenue"] = {"first": money(first), "latest": money(last), "since": revenue[0]["time"],
                          "at": revenue[-1]["time"], "count": len(revenue),
                          "trend": "up" if last > first else "down" if last < first else "flat",
                          "points": sparkline([r["value"] for r in revenue])}
    return out


def sparkline(values: list[float], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a small trend line."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
                    for i, v in enumerate(values))


def customer_section(customer, request) -> dict:
    return {"outcomes": customer_outcomes(customer.workspace, customer.pk)}
