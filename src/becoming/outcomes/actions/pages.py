"""What the outcome pages show: the report in words and charts, its CSV download and the
dashboard panel. The numbers come from ``report.cached_report``; here they are chosen,
ordered and worded.
"""

import datetime as dt

import pyarrow as pa
from django.core.exceptions import ValidationError

from becoming.transformation.actions import current_version

from .formats import money, pct, rate_with_ci
from .report import cached_report

CSV_COLUMNS = ["dimension", "stage", "stage_index", "customers", "churned", "churn_rate", "ci_low",
               "ci_high", "retention_rate", "revenue_per_customer", "nrr", "small",
               "dimension_name", "stage_name"]
TOP_STEPS = 5


def stage_names(version) -> dict:
    """{dimension key: (name, {stage key: stage name})} of a model version (None: {})."""
    if version is None:
        return {}
    return version.parsed().names()


# --------------------------------------------------------------------------------------------
# the report page


def report_page(workspace, outcome: str = "churn", as_of: dt.date | None = None,
                window: str = "", dimension: str = "") -> dict:
    """The report page's content.

    Always ``version`` and ``report`` (None without a model); ``report_error`` when the report
    cannot be built; otherwise ``dimensions`` (rows and a chart each), ``steps`` (largest
    retained revenue first), ``movers``, ``bands`` and the survival chart of ``dimension``
    (or of the first dimension with curves): ``survival``, ``survival_key``,
    ``survival_choices``.
    """
    version = current_version(workspace)
    page = {"version": version, "report": None}
    if version is None:
        return page
    try:
        report = cached_report(workspace, outcome, as_of, window)
    except ValidationError as exc:
        return {**page, "report_error": " ".join(exc.messages)}
    names = stage_names(version)
    survival_key = _survival_key(report, dimension)
    currency = workspace.currency
    return {
        **page, "report": report, "dimensions": _dimensions(report, names, outcome, currency),
        "steps": sorted(report["steps"], key=lambda s: (s["retained_revenue"] is None,
                                                         -(s["retained_revenue"] or 0))),
        "movers": _movers(report.get("movers")), "bands": _bands(report["index_bands"], currency),
        "survival": _survival(report, names, survival_key), "survival_key": survival_key,
        "survival_choices": [(k, names.get(k, (k,))[0]) for k in report.get("survival") or {}],
    }


def _row(row: dict, names: dict, currency: str) -> dict:
    return {**row, "stage_name": names.get(row["stage"], row["stage"]),
            "churn_text": rate_with_ci(row["churn_rate"], row["ci_low"], row["ci_high"]),
            "retention_text": pct(row["retention_rate"]),
            "revenue_text": money(row["revenue_per_customer"], currency),
            "nrr_text": pct(row["nrr"], 0)}


def _dimensions(report: dict, names: dict, outcome: str, currency: str = "") -> list[dict]:
    """Per dimension of the model: its stage rows, a chart of the outcome, the association."""
    out = []
    for key, (name, stages) in names.items():
        rows = [_row(r, stages, currency) for r in report["stages"] if r["dimension"] == key]
        chart = _rate_chart(rows, "churn")
        if outcome != "churn":
            chart = {"kind": "bars", "metric": "revenue", "labels": chart["labels"],
                     "values": [r["revenue_per_customer"] for r in rows], "small": chart["small"]}
        out.append({
            "key": key, "name": name, "rows": rows, "chart": chart,
            "association": _plain(next((a for a in report["association"]
                                        if a["dimension"] == key), None)),
        })
    return out


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


def _survival_key(report: dict, asked: str) -> str:
    """The dimension asked for if it has curves, else the first with any customer in them."""
    curves = report.get("survival") or {}
    if asked in curves:
        return asked
    return next((k for k, c in curves.items() if any(x["times"] for x in c)), "")


def _survival(report: dict, names: dict, key: str) -> dict | None:
    """Survival curves of one dimension's stages, as chart points (None when empty)."""
    curves = (report.get("survival") or {}).get(key) or []
    if not any(c["times"] for c in curves):
        return None
    stage_map = names.get(key, ("", {}))[1]
    return {"kind": "survival", "days": report["window_days"], "curves": [
        {"label": stage_map.get(c["stage"], c["stage"]), "customers": c["customers"],
         "median_days": c["median_days"],
         "points": [{"x": round(t, 1), "y": round(s, 4)}
                    for t, s in zip(c["times"], c["survival"])]}
        for c in curves if c["times"]]}


def _movers(movers: dict | None) -> dict | None:
    if not movers or not movers.get("available"):
        return movers
    return {**movers, "movers": _rates_worded(movers["movers"]),
            "stayers": _rates_worded(movers["stayers"])}


def _rates_worded(group: dict) -> dict:
    churn = rate_with_ci(group["churn_rate"], group["ci_low"], group["ci_high"])
    return {**group, "churn_text": churn, "nrr_text": pct(group["nrr"], 0)}


def _bands(bands: list[dict], currency: str = "") -> list[dict]:
    return [{**_rates_worded(b), "revenue_text": money(b["revenue_per_customer"], currency)}
            for b in bands]


def _plain(association: dict | None) -> dict | None:
    """The association with how likely chance is, in words rather than a p-value."""
    if not association or association.get("p_value") is None:
        return association
    p = association["p_value"]
    chance = ("very unlikely to be chance" if p < 0.001 else "unlikely to be chance" if p < 0.05
              else "could well be chance")
    return {**association, "chance": chance}


# --------------------------------------------------------------------------------------------
# the CSV download


def report_download(workspace, outcome: str = "churn", as_of: dt.date | None = None,
                    window: str = "") -> tuple[str, pa.Table]:
    """(file name, table) of the report's stage rows with the model's names, for a CSV file.

    Rates are rounded to four decimals (0.2653) and money to cents, so a spreadsheet shows what
    a person reads; counts and flags as they are (True; empty when unknown). Raises
    ValidationError when there is no report.
    """
    report = cached_report(workspace, outcome, as_of, window)
    names = stage_names(current_version(workspace))
    rows = []
    for row in report["stages"]:
        dim_name, stages = names.get(row["dimension"], (row["dimension"], {}))
        rows.append({**row, "dimension_name": dim_name,
                     "stage_name": stages.get(row["stage"], row["stage"])})
    table = pa.table({c: pa.array([_text(r.get(c), 2 if c == "revenue_per_customer" else 4)
                                   for r in rows], pa.string())
                      for c in CSV_COLUMNS})
    return f"outcomes-{workspace.slug}-{report['as_of']}-{report['mode']}.csv", table


def _text(value, digits: int = 4) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".") or "0"
    return str(value)


# --------------------------------------------------------------------------------------------
# the dashboard panel


def panel(workspace) -> dict:
    """The dashboard's "does transformation pay?" panel: ``report`` (None without a model or
    when it cannot be built, then ``error`` says why) and, once outcomes are loaded, what
    ``panel_data`` gives."""
    version = current_version(workspace)
    out: dict = {"report": None}
    if version is None:
        return out
    try:
        out["report"] = cached_report(workspace)
    except ValidationError as exc:
        return {**out, "error": " ".join(exc.messages)}
    if out["report"]["has_outcomes"]:
        out.update(panel_data(out["report"], stage_names(version)))
    return out


def panel_data(report: dict, names: dict) -> dict:
    """Three small charts and a headline: retention by stage of the most telling dimension,
    revenue per customer by index band, and the money behind the five best steps up."""
    fitted = [a for a in report["association"]
              if not a.get("error") and a.get("p_value") is not None]
    strongest = min(fitted, key=lambda a: a["p_value"]) if fitted else None
    key = strongest["dimension"] if strongest else next(iter(names), None)
    dim_name, stages = names.get(key, (key, {}))
    rows = [_row(r, stages, "") for r in report["stages"] if r["dimension"] == key]
    bands = report["index_bands"]
    band_chart = {"kind": "bars", "metric": "revenue", "labels": [b["band"] for b in bands],
                  "values": [b["revenue_per_customer"] for b in bands],
                  "small": [bool(b["small"]) for b in bands]}
    steps = sorted((s for s in report["steps"] if s["retained_revenue"] is not None),
                   key=lambda s: -s["retained_revenue"])[:TOP_STEPS]
    step_chart = {"kind": "hbars", "metric": "money",
                  "labels": [_step_label(s, names) for s in steps],
                  "values": [round(s["retained_revenue"]) for s in steps],
                  "small": [bool(s["small"]) for s in steps]}
    return {"dimension_name": dim_name, "retention_chart": _rate_chart(rows, "retention"),
            "band_chart": band_chart, "step_chart": step_chart if steps else None,
            "headline": headline(rows, dim_name, steps)}


def _step_label(step: dict, names: dict) -> str:
    stage = names.get(step["dimension"], ("", {}))[1]
    return (f"{stage.get(step['from_stage'], step['from_stage'])} → "
            f"{stage.get(step['to_stage'], step['to_stage'])}")


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
