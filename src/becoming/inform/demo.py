"""Inform's part of the Fieldwise demo: a library of about sixty items on the demo model's
dimensions, a year of reading (before the month-end snapshots, so reading is in the history),
a past webinar with registrations and attendance, and two sent digests with opens and clicks.

Who reads what follows the demo's story: an account reads mostly what is aimed at the stage
its maturity puts it at, community-minded accounts read more, churned accounts stop reading.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
from django.db import transaction

from becoming.customers.models import Contact

from .actions.interactions import save_interactions
from .models import Delivery, Issue, Item

# (kind, title, summary, dimension, stage, tags)
LIBRARY = [
    ("article", "Log your first work order in two minutes", "From breakdown to record: the fastest way to start.", "practice", "starting", "work orders;getting started"),
    ("video", "A tour of the technician's mobile app", "What your technicians see on the floor.", "practice", "starting", "mobile;getting started"),
    ("blog", "Why paper work orders cost you a shift a week", "Counting the hidden hours of clipboards.", "practice", "starting", "work orders;productivity"),
    ("case_study", "Kessler Foods: from whiteboard to Fieldwise in a month", "How a two-plant food maker moved every request into one queue.", "practice", "starting", "food;work orders"),
    ("article", "Five work order fields that make reports useful later", "Asset, cause, time, parts, outcome.", "practice", "starting", "work orders;reports"),
    ("article", "Build your first PM schedule", "Turn the manufacturer's manual into recurring tasks.", "practice", "adopting", "pm scheduling;getting started"),
    ("white_paper", "Preventive maintenance intervals: a practical guide", "Calendar, runtime or condition: choosing the trigger.", "practice", "adopting", "pm scheduling"),
    ("video", "Weekly maintenance reports in ten minutes", "The three reports every maintenance lead exports on Monday.", "practice", "adopting", "reports"),
    ("case_study", "Brandt Metals cut overdue PMs by 60%", "A schedule review that paid for itself in a quarter.", "practice", "adopting", "metals;pm scheduling"),
    ("blog", "Backlog is a number: how to read yours", "Hours, not tickets.", "practice", "adopting", "reports;backlog"),
    ("article", "Dashboards plant leadership actually reads", "Uptime, MTTR and cost per asset on one page.", "practice", "proficient", "dashboards;reports"),
    ("webinar", "Sharing dashboards with your plant manager", "A live walkthrough with Q&A.", "practice", "proficient", "dashboards"),
    ("case_study", "Nordlicht Chemicals runs its Monday meeting from Fieldwise", "One dashboard replaced five spreadsheets.", "practice", "proficient", "chemicals;dashboards"),
    ("white_paper", "Maintenance KPIs that matter (and the ones that do not)", "MTBF, MTTR, PM compliance, wrench time.", "practice", "proficient", "kpis;reports"),
    ("blog", "From reports to routines: making the data stick", "Habits of teams that lead.", "practice", "proficient", "reports;habits"),
    ("article", "Criticality ranking in an afternoon", "Which assets deserve a preventive plan first.", "predictive", "reactive", "criticality;pm scheduling"),
    ("blog", "Reactive maintenance is the most expensive kind", "What one unplanned stop really costs.", "predictive", "reactive", "costs"),
    ("case_study", "Orbis Packaging's first three PM plans", "Critical assets first, the rest later.", "predictive", "reactive", "packaging;pm scheduling"),
    ("video", "Run-to-failure or plan it? A decision tree", "Three questions per asset.", "predictive", "reactive", "criticality"),
    ("link", "Industry survey: unplanned downtime costs in 2026", "An outside look at downtime across manufacturing.", "predictive", "reactive", "industry;costs"),
    ("article", "Choosing your first vibration sensors", "Where to start on rotating equipment.", "predictive", "planned", "sensors;vibration"),
    ("white_paper", "Condition monitoring: sensors, thresholds and alerts", "A buyer's guide for maintenance teams.", "predictive", "planned", "sensors"),
    ("webinar", "Connecting your first five sensors", "Hands-on with the Fieldwise gateway.", "predictive", "planned", "sensors;getting started"),
    ("case_study", "Valdor Pumps connected 40 motors in a week", "Temperature and vibration on every critical pump.", "predictive", "planned", "sensors;pumps"),
    ("blog", "Thresholds that do not cry wolf", "Setting alert levels from a month of data.", "predictive", "planned", "sensors;alerts"),
    ("article", "Reading a failure prediction", "What the probability and the horizon mean.", "predictive", "monitored", "predictive maintenance"),
    ("white_paper", "Predictive maintenance without a data science team", "Models that learn from your own work orders and sensors.", "predictive", "monitored", "predictive maintenance;machine learning"),
    ("case_study", "Hartwell Paper acts on predictions before bearings fail", "Eleven avoided stops in a year.", "predictive", "monitored", "predictive maintenance;paper"),
    ("video", "From alert to work order: closing the loop", "Acting on a prediction in three clicks.", "predictive", "monitored", "predictive maintenance;work orders"),
    ("webinar", "Predictive maintenance clinic", "Bring your sensor data; we read it together.", "predictive", "monitored", "predictive maintenance"),
    ("blog", "How accurate are failure predictions, really?", "Precision, recall and what to do with false alarms.", "predictive", "monitored", "predictive maintenance;alerts"),
    ("article", "Rolling Fieldwise out to a second plant", "A checklist: assets, people, schedules.", "scale", "single_site", "multi-site;rollout"),
    ("case_study", "Cordova Glass: one way of working in four plants", "Templates made the second plant take a week.", "scale", "single_site", "multi-site;glass"),
    ("white_paper", "Standard work across sites", "What to standardise and what to leave local.", "scale", "single_site", "multi-site;standards"),
    ("video", "Copying PM schedules between sites", "Asset templates in practice.", "scale", "single_site", "multi-site;pm scheduling"),
    ("blog", "The second site is the hardest", "Lessons from fifty rollouts.", "scale", "single_site", "multi-site;rollout"),
    ("article", "Comparing plants without starting a war", "Benchmarks plant managers accept.", "scale", "multi_site", "multi-site;dashboards"),
    ("case_study", "Teller Automotive runs twelve plants on Fieldwise", "Group-wide reliability reviews every month.", "scale", "multi_site", "automotive;multi-site"),
    ("webinar", "Enterprise rollout roundtable", "Three reliability directors on going everywhere.", "scale", "multi_site", "multi-site;enterprise"),
    ("white_paper", "Governance for multi-site maintenance", "Roles, permissions and shared libraries.", "scale", "multi_site", "multi-site;governance"),
    ("article", "Ask your first question in the Fieldwise community", "Where maintenance people help each other.", "community", "solo", "community;getting started"),
    ("blog", "What we learned from 1,000 community questions", "The most asked, the best answered.", "community", "solo", "community"),
    ("video", "Community tour: groups, badges and meetups", "Find the people who solved your problem.", "community", "solo", "community"),
    ("link", "Reliability engineering reading list", "Ten books and articles our customers recommend.", "community", "solo", "industry;learning"),
    ("article", "Answering well: a guide for community contributors", "Share what worked, with numbers.", "community", "participating", "community;writing"),
    ("case_study", "How a planner at Ostwerk became a community expert", "Two answers a week, one year.", "community", "participating", "community"),
    ("event", "Fieldwise user meetup, Rotterdam", "A day of talks by maintenance teams, for maintenance teams.", "community", "participating", "community;meetup"),
    ("blog", "Write up your PM wins: a template", "A one-page story others can reuse.", "community", "participating", "community;pm scheduling"),
    ("article", "Giving a talk at a maintenance meetup", "From case to slides in an evening.", "community", "contributing", "community;speaking"),
    ("webinar", "Customer-led webinar: our sensor rollout", "A Fieldwise customer teaches peers.", "community", "contributing", "community;sensors"),
    ("event", "Reliability Summit 2026", "Two days on predictive maintenance and standard work.", "community", "contributing", "conference;predictive maintenance"),
    ("newsletter", "Fieldwise Monthly: spring edition", "New reports, a sensor guide, and a community story.", "", "", "newsletter"),
    ("link", "Regulation update: machinery safety inspections", "What changes for inspection records.", "", "", "industry;compliance"),
    ("article", "Spare parts: stocking for the failures you expect", "Tie parts to assets and failure modes.", "", "", "spare parts;inventory"),
    ("blog", "Maintenance budgeting season: a template", "Last year's work orders as next year's budget.", "", "", "budgeting;reports"),
    ("video", "What's new in Fieldwise this quarter", "Ten minutes of new features.", "", "", "product news"),
    ("article", "Energy monitoring with the sensors you have", "Power draw as an early warning.", "predictive", "planned", "sensors;energy"),
    ("case_study", "Lumen Textiles: maintenance data in the ESG report", "Energy and downtime, audited.", "", "", "textiles;energy"),
    ("white_paper", "The maintenance maturity model", "Reactive to predictive, one site to every site.", "", "", "maturity;strategy"),
    ("blog", "Hiring technicians in a tight market", "What good maintenance tooling does for retention.", "", "", "people"),
]
READ_TYPES = np.array(["view", "view", "view", "click", "download"])


def build(demo) -> None:
    """The demo's library, reading, webinar and digests (a DemoStep before history)."""
    ws = demo.workspace
    rng = demo.rng("inform")
    today = demo.today
    year_ago = today - dt.timedelta(days=364)
    with transaction.atomic():
        items = []
        for n, (kind, title, summary, dim, stage, tags) in enumerate(LIBRARY):
            published = dt.datetime.combine(year_ago - dt.timedelta(days=int(rng.integers(0, 200))),
                                            dt.time(9), tzinfo=dt.UTC)
            toward = _next_stage(dim, stage)
            items.append(Item(workspace=ws, external_id=f"fw-{n + 1:03d}", kind=kind, title=title, summary=summary,
                              url=f"https://fieldwise.example/learn/{n + 1:03d}", tags=tags.split(";"),
                              language="en", published=published, dimension=dim, stage=stage, toward=toward,
                              body=f"## {title}\n\n{summary}\n\n*Fieldwise Learning*", source="demo"))
        # The past webinar.
        webinar_start = dt.datetime.combine(today - dt.timedelta(days=45), dt.time(15), tzinfo=dt.UTC)
        items.append(Item(workspace=ws, external_id="fw-webinar-predictive", kind="webinar",
                          title="Live: from sensor alerts to predicted failures",
                          summary="Forty minutes with Fieldwise's reliability engineers, and your questions.",
                          url="https://fieldwise.example/webinars/predicted-failures", tags=["predictive maintenance", "sensors"],
                          language="en", published=webinar_start - dt.timedelta(days=21), dimension="predictive",
                          stage="monitored", toward="predictive", starts=webinar_start,
                          ends=webinar_start + dt.timedelta(minutes=45), place="https://meet.fieldwise.example/predict",
                          source="demo"))
        # An upcoming one, for the portal's card.
        upcoming = dt.datetime.combine(today + dt.timedelta(days=12), dt.time(15), tzinfo=dt.UTC)
        items.append(Item(workspace=ws, external_id="fw-webinar-multisite", kind="webinar",
                          title="Live: rolling out to your second plant", summary="A checklist, live.",
                          url="https://fieldwise.example/webinars/second-plant", tags=["multi-site"],
                          language="en", published=today_dt(today), dimension="scale", stage="single_site",
                          toward="multi_site", starts=upcoming, ends=upcoming + dt.timedelta(minutes=45),
                          place="https://meet.fieldwise.example/second-plant", source="demo"))
        Item.objects.bulk_create(items)
    saved = list(Item.objects.filter(workspace=ws).order_by("pk"))
    _reading(demo, rng, saved)
    _digests(demo, rng, saved)


def today_dt(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def _next_stage(dim: str, stage: str) -> str:
    if not dim:
        return ""
    order = {"practice": ["starting", "adopting", "proficient", "leading"],
             "predictive": ["reactive", "planned", "monitored", "predictive"],
             "scale": ["single_site", "multi_site", "everywhere"],
             "community": ["solo", "participating", "contributing", "teaching"]}[dim]
    return order[order.index(stage) + 1]


STAGES = {"practice": 4, "predictive": 4, "scale": 3, "community": 4}
STAGE_KEYS = {"practice": ["starting", "adopting", "proficient", "leading"],
              "predictive": ["reactive", "planned", "monitored", "predictive"],
              "scale": ["single_site", "multi_site", "everywhere"],
              "community": ["solo", "participating", "contributing", "teaching"]}


def _reading(demo, rng, items: list[Item]) -> None:
    """A year of readings: about a dozen per active account, mostly aimed at its stage."""
    ws = demo.workspace
    days = demo.maturity.shape[1]
    first_day = days - 365
    contacts: dict[int, list[int]] = {}
    for pk, customer in Contact.objects.filter(workspace=ws).order_by("pk").values_list("pk", "customer_id"):
        contacts.setdefault(customer, []).append(pk)
    targeted: dict[tuple[str, str], list[int]] = {}
    for j, item in enumerate(items):
        if item.dimension and item.starts is None:
            targeted.setdefault((item.dimension, item.stage), []).append(j)
    general = [j for j, i in enumerate(items) if i.starts is None]
    webinar = next(j for j, i in enumerate(items) if i.external_id == "fw-webinar-predictive")
    rows_customer, rows_item, rows_contact, rows_time, rows_type = [], [], [], [], []
    community = demo.traits["community"]
    for a, cid in enumerate(demo.customer_ids):
        n = int(rng.poisson(6 + 20 * community[a]))
        for _ in range(n):
            day = int(rng.integers(first_day, days))
            if 0 <= demo.churn[a] < day:  # churned accounts stop reading
                continue
            m = float(demo.maturity[a, day])
            if rng.random() < 0.7:
                dim = ("practice", "predictive", "scale", "community")[int(rng.integers(0, 4))]
                stage = STAGE_KEYS[dim][min(int(m * STAGES[dim]), STAGES[dim] - 1)]
                pool = targeted.get((dim, stage)) or general
            else:
                pool = general
            j = pool[int(rng.integers(0, len(pool)))]
            rows_customer.append(int(cid))
            rows_item.append(j)
            people = contacts.get(int(cid), [])
            rows_contact.append(people[int(rng.integers(0, len(people)))] if people and rng.random() < 0.8 else -1)
            moment = dt.datetime.combine(demo.start + dt.timedelta(days=day), dt.time(int(rng.integers(7, 19))))
            rows_time.append(moment)
            rows_type.append(str(READ_TYPES[int(rng.integers(0, len(READ_TYPES)))]))
        # The past webinar: monitored accounts register, most attend.
        day = days - 45
        if not 0 <= demo.churn[a] < day and 0.3 < demo.maturity[a, day] < 0.9 and rng.random() < 0.4:
            people = contacts.get(int(cid), [])
            who = people[0] if people else -1
            start = dt.datetime.combine(demo.start + dt.timedelta(days=day - 10), dt.time(11))
            for kind, moment in (("register", start), ("attend", start + dt.timedelta(days=10, hours=4))):
                if kind == "attend" and rng.random() > 0.6:
                    continue
                rows_customer.append(int(cid))
                rows_item.append(webinar)
                rows_contact.append(who)
                rows_time.append(moment)
                rows_type.append(kind)
    k = len(rows_customer)
    item_pks = np.asarray([items[j].pk for j in rows_item], dtype=np.int64)
    externals = [items[j].external_id for j in rows_item]
    events = pa.table({
        "event_id": pa.array([f"demo-inform-{n}" for n in range(k)], pa.string()),
        "customer_id": pa.array(rows_customer, pa.int64()),
        "kind": pa.array(["event"] * k, pa.string()),
        "type": pa.array([f"inform.{t}" for t in rows_type], pa.string()),
        "time": pa.array(rows_time, pa.timestamp("us")),
        "value": pa.nulls(k, pa.float64()),
        "properties": pa.array([f'{{"item": "{e}"}}' for e in externals], pa.string()),
    })
    save_interactions(ws, events, item_pks, np.asarray(rows_contact, dtype=np.int64), rows_type, "demo")


def _digests(demo, rng, items: list[Item]) -> None:
    """Two monthly digests, sent 60 and 30 days ago, with opens and clicks."""
    ws = demo.workspace
    contacts = list(Contact.objects.filter(workspace=ws).exclude(email="").values_list("pk", "email", "customer_id"))
    readable = [i for i in items if i.starts is None and i.kind != "newsletter"]
    for n, days_ago in enumerate((60, 30)):
        sent = dt.datetime.combine(demo.today - dt.timedelta(days=days_ago), dt.time(8), tzinfo=dt.UTC)
        issue = Issue.objects.create(workspace=ws, kind=Issue.Kind.DIGEST, count=4,
                                     subject=("Your reading for " + sent.strftime("%B")),
                                     intro="Four reads picked for where your team is now.",
                                     status=Issue.Status.SENT, sent=sent)
        Issue.objects.filter(pk=issue.pk).update(created=sent - dt.timedelta(days=1))
        rows = []
        for pk, email, _customer in contacts:
            picks = [readable[int(x)].pk for x in rng.choice(len(readable), 4, replace=False)]
            opened = sent + dt.timedelta(hours=int(rng.integers(1, 72))) if rng.random() < 0.42 else None
            clicked = opened + dt.timedelta(minutes=2) if opened and rng.random() < 0.3 else None
            rows.append(Delivery(issue=issue, contact_id=pk, email=email, status=Delivery.Status.SENT, items=picks,
                                 sent=sent, opened=opened, clicked=clicked))
        Delivery.objects.bulk_create(rows, batch_size=2000)
        # The issue as an item, and its opens as readings (rows and signals, like live opens).
        newsletter = Item.objects.create(workspace=ws, external_id=f"issue-{issue.pk}", kind="newsletter",
                                         title=issue.subject, summary=issue.intro, published=sent, source="demo")
        opens = [(d, c) for d, (_, _, c) in zip(rows, contacts, strict=True) if d.opened]
        k = len(opens)
        events = pa.table({
            "event_id": pa.array([f"email-open-demo-{n}-{d.contact_id}" for d, _ in opens], pa.string()),
            "customer_id": pa.array([c for _, c in opens], pa.int64()),
            "kind": pa.array(["event"] * k, pa.string()),
            "type": pa.array(["inform.view"] * k, pa.string()),
            "time": pa.array([d.opened.replace(tzinfo=None) for d, _ in opens], pa.timestamp("us")),
            "value": pa.nulls(k, pa.float64()),
            "properties": pa.array([f'{{"item": "{newsletter.external_id}"}}'] * k, pa.string()),
        })
        save_interactions(ws, events, np.full(k, newsletter.pk, dtype=np.int64),
                          np.asarray([d.contact_id for d, _ in opens], dtype=np.int64), ["view"] * k, "email")
