"""Lever effects: which actions move customers up a stage, stratified, with 95% intervals.

Pure (no Django): DuckDB over Arrow tables, numpy for the pooled estimate. The workspace layer
(`becoming.levers.actions.effects`) feeds it stages computed by the engine; the benchmark
feeds it generated histories with known effects.

The question, for each action type A and dimension D: among customer-dates (a customer at an
as-of date T) not yet at D's top stage at T, how many *moved up* on D — stage as of T + window
higher than as of T — when A happened within the lookback period up to and including T's day
(*treated*), against customer-dates of the same stratum without A (*control*)? A stratum is
D × the stage at T × the value of each chosen attribute.

Combined across strata by the Mantel–Haenszel risk difference with the variance of Sato (1989)
(Greenland & Robins 1985; the estimator metafor's ``rma.mh`` and Stata's ``cs, by()`` use),
which holds both for a few large strata and for many sparse ones. statsmodels' StratifiedTable
pools odds and risk ratios only, so the risk difference is written out here. When a single
stratum holds both treated and control customer-dates, the interval is Newcombe's hybrid score
interval (statsmodels), as the outcome report's intervals are Wilson's.

Inputs (Arrow tables or anything DuckDB reads):

- ``stages``: ``customer_id`` (int), ``as_of`` (date), ``dimension`` (str), ``stage`` (int,
  0-based), ``top`` (int: the dimension's highest stage index); rows for every T and T + window.
- ``actions``: ``customer_id``, ``type`` (str), ``time`` (timestamp); other columns ignored.
- ``attributes`` (optional): ``customer_id`` and one text column per ``by`` name.

Output: one row per action × dimension (:data:`COLUMNS`); ``strata`` adds one row per action ×
dimension × stage with the counts, for reasons like "meetings moved 18% of accounts at Active".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

Z95 = 1.959963984540054
COLUMNS = ["action", "dimension", "treated", "treated_moved_up", "control", "control_moved_up",
           "uplift", "ci_low", "ci_high", "method"]
STRATA_COLUMNS = ["action", "dimension", "stage", "treated", "treated_moved_up", "control",
                  "control_moved_up"]
NONE_VALUE = "(none)"


@dataclass(frozen=True)
class Effects:
    rows: pd.DataFrame    # COLUMNS
    strata: pd.DataFrame  # STRATA_COLUMNS, pooled over the `by` attributes


def as_of_dates(start: dt.date, end: dt.date, every_days: int = 0, every_months: int = 0) -> list[dt.date]:
    """start, start + every, ... up to end. Months step by calendar month (clamped to the
    month's last day, so month ends stay month ends)."""
    if every_days <= 0 and every_months <= 0:
        raise ValueError("the step between as-of dates must be at least a day")
    dates, k = [], 0
    while True:
        if every_months:
            day = _add_months(start, k * every_months)
        else:
            day = start + dt.timedelta(days=k * every_days)
        if day > end:
            return dates
        dates.append(day)
        k += 1


def _add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    # A month end stays a month end (Jan 31 -> Feb 28 -> Mar 31).
    is_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month, last if is_end else min(day.day, last))


def needed_dates(dates: list[dt.date], window_days: int) -> list[dt.date]:
    """Every date whose stages the computation reads: each T and each T + window."""
    return sorted(set(dates) | {d + dt.timedelta(days=window_days) for d in dates})


def compute(stages, actions, dates: list[dt.date], *, window_days: int, lookback_days: int,
            action_types: list[str] | None = None, attributes=None, by: tuple[str, ...] = (),
            stratify: bool = True, among: tuple[str, ...] = (), gone=None) -> Effects:
    """The effect of every action type on every dimension (see the module docstring).

    ``stratify=False`` pools every stage and attribute value (the naive comparison, method
    ``crude``): the benchmark shows what stratification removes. ``among``: only customer-dates
    that had one of these types count (e.g. a playbook's enrolled and held-out customers, so
    its control group is the random holdout and the difference is causal). ``gone``: a table
    of ``customer_id``, ``day`` (e.g. churn): customer-dates on or after that day are left out,
    as customers who had already left are no comparison for those still there.
    """
    if window_days < 1 or lookback_days < 1:
        raise ValueError("window and lookback must each be at least one day")
    con = duckdb.connect()
    con.register("stages_in", stages)
    if gone is not None:
        con.register("gone_in", gone)
    gone_filter = ("AND NOT EXISTS (SELECT 1 FROM gone_in g WHERE g.customer_id = s.customer_id "
                   "AND CAST(g.day AS DATE) <= d.t)") if gone is not None else ""
    con.register("actions_in", actions)
    con.execute("CREATE TEMP TABLE dates (t DATE, later DATE)")
    con.executemany("INSERT INTO dates VALUES (?, ?)",
                    [(d, d + dt.timedelta(days=window_days)) for d in sorted(set(dates))])
    by = tuple(by) if stratify else ()
    if attributes is not None and by:
        con.register("attrs_in", attributes)
        by_cols = ", ".join(f'coalesce(CAST("{b}" AS VARCHAR), \'{NONE_VALUE}\') AS "by_{i}"'
                            for i, b in enumerate(by))
        attrs_join = (f"LEFT JOIN (SELECT customer_id, {by_cols} FROM attrs_in) a "
                      "ON a.customer_id = s.customer_id")
        by_select = ", " + ", ".join(f'coalesce(a."by_{i}", \'{NONE_VALUE}\') AS "by_{i}"'
                                     for i in range(len(by)))
    else:
        attrs_join, by_select, by = "", "", ()
    by_names = [f'"by_{i}"' for i in range(len(by))]
    con.execute(f"""
        CREATE TEMP TABLE panel AS
        SELECT s.customer_id, d.t, s.dimension, CAST(s.stage AS INTEGER) AS stage,
               CAST(l.stage > s.stage AS INTEGER) AS moved {by_select}
        FROM dates d
        JOIN stages_in s ON s.as_of = d.t
        JOIN stages_in l ON l.as_of = d.later AND l.customer_id = s.customer_id
                         AND l.dimension = s.dimension
        {attrs_join}
        WHERE s.stage IS NOT NULL AND l.stage IS NOT NULL AND s.stage < s.top {gone_filter}
    """)
    type_filter = ""
    params: list = [lookback_days]
    if action_types is not None:
        type_filter = "AND a.type IN (SELECT unnest($2::VARCHAR[]))"
        params.append(list(action_types))
    # A customer is treated at T by every distinct action type it had in (T - lookback, T].
    con.execute(f"""
        CREATE TEMP TABLE treated AS
        SELECT DISTINCT a.type AS action, a.customer_id, d.t
        FROM actions_in a JOIN dates d
          ON CAST(a.time AS DATE) <= d.t AND CAST(a.time AS DATE) > d.t - CAST($1 AS INTEGER)
        WHERE a.customer_id IS NOT NULL {type_filter}
    """, params)
    if among:
        con.execute("""
            DELETE FROM panel WHERE (customer_id, t) NOT IN (
              SELECT customer_id, t FROM treated WHERE action IN (SELECT unnest($1::VARCHAR[])))
        """, [list(among)])
    keys = ", ".join(["dimension", "stage"] + by_names) if stratify else "dimension"
    totals = con.execute(f"""
        SELECT {keys}, count(*) AS n, sum(moved) AS x FROM panel GROUP BY ALL
    """).df()
    treated = con.execute(f"""
        SELECT t.action, {", ".join("p." + k.strip() for k in keys.split(","))},
               count(*) AS n1, sum(p.moved) AS x1
        FROM treated t JOIN panel p ON p.customer_id = t.customer_id AND p.t = t.t
        GROUP BY ALL
    """).df()
    found = sorted(con.execute("SELECT DISTINCT action FROM treated").df()["action"].tolist())
    wanted = list(action_types) if action_types is not None else found
    by_stage = None
    if stratify:
        by_stage = con.execute("""
            SELECT t.action, p.dimension, p.stage, count(*) AS n1, sum(p.moved) AS x1
            FROM treated t JOIN panel p ON p.customer_id = t.customer_id AND p.t = t.t
            GROUP BY ALL
        """).df()
        stage_totals = con.execute(
            "SELECT dimension, stage, count(*) AS n, sum(moved) AS x FROM panel GROUP BY ALL").df()
    con.close()
    rows = _pool(totals, treated, wanted, [k.strip().strip('"') for k in keys.split(",")],
                 "mantel-haenszel" if stratify else "crude")
    strata = (_stage_table(stage_totals, by_stage, wanted) if by_stage is not None
              else pd.DataFrame(columns=STRATA_COLUMNS))
    return Effects(rows, strata)


def _pool(totals: pd.DataFrame, treated: pd.DataFrame, actions: list[str], keys: list[str],
          method: str) -> pd.DataFrame:
    out = []
    dimensions = sorted(totals["dimension"].unique().tolist()) if len(totals) else []
    for action in actions:
        mine = treated[treated["action"] == action].drop(columns="action")
        joined = totals.merge(mine, on=keys, how="left").fillna({"n1": 0, "x1": 0})
        for dimension in dimensions:
            part = joined[joined["dimension"] == dimension]
            n1 = part["n1"].to_numpy(float)
            x1 = part["x1"].to_numpy(float)
            n0 = part["n"].to_numpy(float) - n1
            x0 = part["x"].to_numpy(float) - x1
            uplift, low, high, used = risk_difference(x1, n1, x0, n0, method)
            out.append({"action": action, "dimension": dimension, "treated": int(n1.sum()),
                        "treated_moved_up": int(x1.sum()), "control": int(n0.sum()),
                        "control_moved_up": int(x0.sum()), "uplift": uplift, "ci_low": low,
                        "ci_high": high, "method": used})
    return pd.DataFrame(out, columns=COLUMNS)


def _stage_table(totals: pd.DataFrame, treated: pd.DataFrame, actions: list[str]) -> pd.DataFrame:
    out = []
    for action in actions:
        mine = treated[treated["action"] == action].drop(columns="action")
        joined = totals.merge(mine, on=["dimension", "stage"], how="left").fillna({"n1": 0, "x1": 0})
        for row in joined.itertuples(index=False):
            out.append({"action": action, "dimension": row.dimension, "stage": int(row.stage),
                        "treated": int(row.n1), "treated_moved_up": int(row.x1),
                        "control": int(row.n - row.n1), "control_moved_up": int(row.x - row.x1)})
    return pd.DataFrame(out, columns=STRATA_COLUMNS)


def risk_difference(x1, n1, x0, n0, method: str = "mantel-haenszel"):
    """(difference, low, high, method) of the share moved up, treated minus control, pooled
    over strata given as arrays. Strata lacking treated or control customer-dates carry no
    weight; with none left the difference is None."""
    x1, n1, x0, n0 = (np.asarray(a, float) for a in (x1, n1, x0, n0))
    keep = (n1 > 0) & (n0 > 0)
    if not keep.any():
        return None, None, None, method
    x1, n1, x0, n0 = x1[keep], n1[keep], x0[keep], n0[keep]
    if keep.sum() == 1 or method == "crude":
        a, b, c, d = x1.sum(), n1.sum(), x0.sum(), n0.sum()
        diff = a / b - c / d
        low, high = newcombe(a, b, c, d)
        return float(diff), low, high, "newcombe" if method != "crude" else "crude"
    total = n1 + n0
    weight = n1 * n0 / total
    diff = float(((x1 * n0 - x0 * n1) / total).sum() / weight.sum())
    p_term = (n1 ** 2 * x0 - n0 ** 2 * x1 + n1 * n0 * (n0 - n1) / 2) / total ** 2
    q_term = (x1 * (n0 - x0) + x0 * (n1 - x1)) / (2 * total)
    variance = (diff * p_term.sum() + q_term.sum()) / weight.sum() ** 2
    if not variance > 0:  # every stratum all-or-nothing: fall back to the pooled score interval
        low, high = newcombe(x1.sum(), n1.sum(), x0.sum(), n0.sum())
        half = (high - low) / 2
    else:
        half = Z95 * math.sqrt(variance)
    return diff, max(-1.0, diff - half), min(1.0, diff + half), method


def newcombe(x1: float, n1: float, x0: float, n0: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval (95%) for x1/n1 - x0/n0 (statsmodels)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(int(x1), int(n1), int(x0), int(n0), method="newcomb",
                                           compare="diff")
    return float(low), float(high)


def wilson(count: float, nobs: float) -> tuple[float, float]:
    """Wilson score interval (95%) of count / nobs; (nan, nan) when nobs is 0."""
    if not nobs:
        return math.nan, math.nan
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(int(count), int(nobs), alpha=0.05, method="wilson")
    return float(low), float(high)
