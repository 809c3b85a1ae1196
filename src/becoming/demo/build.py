"""The demo workspace: Fieldwise, a fictional maintenance-software company, and its customers.

Deterministic from a seed: the same seed and the same day give the same workspace. About
2,000 accounts, their contacts, twelve months of product events (about a million) whose
rates follow each account's own adoption curve, quarterly survey answers, and a four-
dimension model; then twelve month-end snapshots and today's, so history has a shape.
"""

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
from django.db import transaction

from becoming import registry
from becoming.assessments.actions import rebuild_history
from becoming.customers.models import Attribute, Contact, Customer
from becoming.signals.actions import store_for
from becoming.tabular.events import SIGNAL_SCHEMA
from becoming.transformation.actions import apply_model
from becoming.workspaces.actions import add_member
from becoming.workspaces.models import Workspace

from .context import DemoContext
from .engage import build_engage
from .outcomes import churn_days, mask_after_churn, outcome_signals

DEMO_SLUG = "fieldwise"
DEMO_EMAIL = "demo@becoming.local"
DEMO_PASSWORD = "demo"
ACCOUNTS = 2000
# Fifteen months of events, so that even the oldest of the twelve month-end snapshots sees a
# full 90- or 180-day window behind it.
DAYS = 455
MODEL = Path(__file__).with_name("model.yaml")

WORDS = ["Northwind", "Bluefield", "Ironbridge", "Redhill", "Oakridge", "Silverlake", "Stonegate", "Westbrook", "Eastfield", "Highmoor", "Clearwater", "Greenport", "Lakeside", "Brightwater", "Fairhaven", "Kingsbury", "Millstone", "Riverside", "Sunfield", "Thornbury"]
TRADES = ["Plastics", "Foods", "Metals", "Paper", "Packaging", "Chemicals", "Textiles", "Brewing", "Pharma", "Glass", "Automotive", "Ceramics", "Dairy", "Timber", "Steel"]
INDUSTRY = {"Plastics": "Chemicals", "Chemicals": "Chemicals", "Pharma": "Life sciences",
            "Foods": "Food & beverage", "Brewing": "Food & beverage", "Dairy": "Food & beverage",
            "Metals": "Metals", "Steel": "Metals", "Automotive": "Automotive",
            "Paper": "Paper & packaging", "Packaging": "Paper & packaging", "Timber": "Paper & packaging",
            "Textiles": "Consumer goods", "Glass": "Building materials", "Ceramics": "Building materials"}
FORMS = ("GmbH", "Ltd", "Inc", "SA", "BV", "AB", "Oy", "SpA")
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kai", "Lena", "Marco", "Nina", "Omar", "Priya", "Rosa", "Sam", "Tara", "Yuki"]
LAST = ["Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka", "Weber", "Young"]
TITLES = ["Maintenance manager", "Plant manager", "Reliability engineer", "Operations director", "Technician lead"]

# Events per account-day as a function of maturity m in [0, 1]: (base, slope, threshold).
RATES = {
    "login": (0.25, 1.3, 0.0),
    "work_order_created": (0.1, 0.6, 0.0),
    "report_exported": (0.02, 0.15, 0.0),
    "pm_schedule_created": (0.004, 0.06, 0.2),
    "sensor_connected": (0.0, 0.05, 0.4),
    "prediction_acted_on": (0.0, 0.35, 0.6),
    "dashboard_shared": (0.0, 0.45, 0.55),
}


def ensure_demo(seed: int = 7, progress=None, today: dt.date | None = None) -> Workspace:
    """Build the demo workspace unless it exists; returns it."""
    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing:
        return existing
    return build_demo(seed, progress, today)


def build_demo(seed: int = 7, progress=None, today: dt.date | None = None, accounts: int = ACCOUNTS) -> Workspace:
    report = progress or (lambda *a, **k: None)
    today = today or dt.date.today()
    rng = np.random.default_rng(seed)
    report(0, total=4, message="customers")
    with transaction.atomic():
        workspace = Workspace.objects.create(name="Fieldwise", slug=DEMO_SLUG)
        # The published sample password of a local demo, not one a person chose.
        add_member(workspace, DEMO_EMAIL, "owner", DEMO_PASSWORD, check_password=False)
        traits = _accounts(rng, accounts)
        ids = _save_customers(workspace, traits, rng, today)
        apply_model(workspace, MODEL.read_text(), note="demo model")
    report(1, message="fifteen months of product events and outcomes")
    m = _maturity(traits, DAYS)
    churn = churn_days(rng, traits, m)
    start = np.datetime64(today - dt.timedelta(days=DAYS - 1), "s")
    store_for(workspace).append(pa.concat_tables([
        _signals(rng, traits, ids, today, m, churn),
        outcome_signals(rng, ids, traits, m, churn, start, traits["arr"]).cast(SIGNAL_SCHEMA),
    ]))
    demo = DemoContext(workspace=workspace, seed=seed, today=today,
                       start=today - dt.timedelta(days=DAYS - 1), customer_ids=ids,
                       traits=traits, maturity=m, churn=churn)
    _run_steps(demo, before_history=True)
    report(2, message="history: twelve month-end assessments")
    rebuild_history(workspace, 12, today=today)
    report(3, message="surveys, meetings and feedback")
    build_engage(workspace, rng, m, churn, today - dt.timedelta(days=DAYS - 1), lambda **k: None)
    _run_steps(demo, before_history=False)
    report(4, message="done")
    return workspace


def _run_steps(demo: DemoContext, before_history: bool) -> None:
    """The demo data each app registered (``registry.DemoStep``), in their order."""
    for step in registry.DEMO_STEPS:
        if step.before_history == before_history:
            registry.resolve(step.target)(demo)


def _accounts(rng, n: int) -> dict:
    """Latent traits: maturity at the start of the year, monthly growth, size, community taste."""
    size = np.clip(rng.lognormal(5.0, 1.0, n), 15, 20000).round()
    return {
        "start": rng.beta(1.8, 4.0, n),
        "growth": rng.normal(0.022, 0.03, n),
        "employees": size,
        "sites": np.clip(np.ceil(size / 400 + rng.integers(0, 3, n)), 1, 12).astype(int),
        "community": rng.beta(1.5, 3.0, n),
        "arr": (size * rng.uniform(18, 40, n)).round(-2),
        # Distinct (word, trade, legal form) triples, so no two accounts share a name.
        "name": rng.permutation(len(WORDS) * len(TRADES) * len(FORMS))[:n],
    }


def _save_customers(workspace, traits, rng, today) -> np.ndarray:
    n = len(traits["start"])
    plans = np.where(traits["employees"] > 1500, "enterprise",
                     np.where(traits["employees"] > 200, "pro", "starter"))
    regions = rng.choice(["EMEA", "North America", "APAC", "LATAM"], n, p=[0.45, 0.35, 0.15, 0.05])
    since = [today - dt.timedelta(days=int(d)) for d in rng.integers(400, 2500, n)]
    arr = traits["arr"]
    customers = []
    for i in range(n):
        code = int(traits["name"][i])
        word, rest = WORDS[code % len(WORDS)], code // len(WORDS)
        trade, form = TRADES[rest % len(TRADES)], FORMS[rest // len(TRADES)]
        customers.append(Customer(
            workspace=workspace, external_id=f"FW-{10001 + i}", name=f"{word} {trade} {form}",
            attributes={"Industry": INDUSTRY[trade], "Plan": str(plans[i]), "Region": str(regions[i]),
                        "Employees": float(traits["employees"][i]), "Sites": float(traits["sites"][i]),
                        "ARR": float(arr[i]), "Customer since": since[i].isoformat()},
        ))
    Customer.objects.bulk_create(customers, batch_size=1000)
    types = {"Industry": "text", "Plan": "text", "Region": "text", "Employees": "number",
             "Sites": "number", "ARR": "number", "Customer since": "date"}
    Attribute.objects.bulk_create([Attribute(workspace=workspace, name=k, type=v) for k, v in types.items()])
    ids = np.array(Customer.objects.filter(workspace=workspace).order_by("external_id").values_list("id", flat=True))
    _save_contacts(workspace, ids, rng)
    return ids


def _save_contacts(workspace, ids, rng) -> None:
    contacts = []
    for cid, count in zip(ids, rng.integers(1, 5, len(ids))):
        for _ in range(count):
            first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
            contacts.append(Contact(
                workspace=workspace, customer_id=int(cid), name=f"{first} {last}",
                email=f"{first}.{last}.{cid}@example.com".lower(), title=TITLES[rng.integers(len(TITLES))],
            ))
    Contact.objects.bulk_create(contacts, batch_size=2000)


def _maturity(traits, days: int) -> np.ndarray:
    months = np.arange(days) / 30.4
    m = traits["start"][:, None] + traits["growth"][:, None] * months[None, :]
    return np.clip(m, 0.0, 1.0)


def _signals(rng, traits, ids, today, m, churn) -> pa.Table:
    start = np.datetime64(today - dt.timedelta(days=DAYS - 1), "s")
    weekday = ((np.arange(DAYS) + (today - dt.timedelta(days=DAYS - 1)).weekday()) % 7) < 5
    rhythm = np.where(weekday, 1.0, 0.25)[None, :]
    parts = []
    for type_, (base, slope, threshold) in RATES.items():
        lam = (base + slope * np.clip(m - threshold, 0, None) / (1 - threshold)) * rhythm
        parts.append((type_, mask_after_churn(rng.poisson(lam), churn)))
    posts = rng.poisson(0.12 * traits["community"][:, None] * m * rhythm)
    parts.append(("community_post", mask_after_churn(posts, churn)))
    columns = [_expand(rng, ids, start, type_, counts) for type_, counts in parts]
    columns.append(_sites(ids, traits, m, start))
    columns.append(_answers(rng, ids, traits, m, start))
    return pa.concat_tables(columns).cast(SIGNAL_SCHEMA)


def _table(event_ids, customers, kind, types, times, values) -> pa.Table:
    return pa.table({
        "event_id": pa.array(event_ids, pa.string()), "customer_id": pa.array(customers, pa.int64()),
        "kind": pa.array([kind] * len(customers), pa.string()), "type": pa.array(types, pa.string()),
        "time": pa.array(times.astype("datetime64[us]")), "value": pa.array(values, pa.float64()),
        "properties": pa.nulls(len(customers), pa.string()),
    })


def _expand(rng, ids, start, type_, counts) -> pa.Table:
    account, day = np.nonzero(counts)
    reps = counts[account, day]
    account, day = np.repeat(account, reps), np.repeat(day, reps)
    seconds = day * 86400 + rng.integers(6 * 3600, 19 * 3600, len(day))
    values = rng.gamma(2.0, 1.5, len(day)).round(1) if type_ == "work_order_created" else [None] * len(day)
    event_ids = [f"demo-{type_}-{i}" for i in range(len(day))]
    return _table(event_ids, ids[account], "event", [type_] * len(day), start + seconds, values)


def _sites(ids, traits, m, start) -> pa.Table:
    """Site k of an account goes live the first day its maturity passes k / sites."""
    rows = []
    for a, sites in enumerate(traits["sites"]):
        for k in range(sites):
            live = np.nonzero(m[a] >= k / sites)[0]
            if live.size:
                rows.append((a, int(live[0]), k))
    account = np.array([r[0] for r in rows])
    seconds = np.array([r[1] for r in rows]) * 86400 + 9 * 3600
    return _table([f"demo-site-{ids[a]}-{k}" for a, _, k in rows], ids[account], "event",
                  ["site_activated"] * len(rows), start + seconds, [None] * len(rows))


def _answers(rng, ids, traits, m, start) -> pa.Table:
    """Quarterly self-assessment surveys; about 60 % of accounts answer each one."""
    out_ids, customers, types, times, values = [], [], [], [], []
    for quarter, day in enumerate((45, 136, 227, 318)):
        answered = np.nonzero(rng.random(len(ids)) < 0.6)[0]
        for question, level in (("predictive_maturity", m[answered, day]),
                                ("teaches_peers", traits["community"][answered] * 1.4 * m[answered, day])):
            score = np.clip(np.round(1 + 4 * level + rng.normal(0, 0.6, len(answered))), 1, 5)
            for a, v in zip(answered, score):
                out_ids.append(f"demo-answer-{question}-{quarter}-{ids[a]}")
                customers.append(ids[a])
                types.append(question)
                times.append(start + np.timedelta64(int(day) * 86400 + 15 * 3600, "s"))
                values.append(float(v))
    return _table(out_ids, np.array(customers, dtype=np.int64), "answer", types,
                  np.array(times, dtype="datetime64[s]"), values)
