"""Engage's part of the demo: social posts about Fieldwise, and market research.

Social: some accounts have a known handle (a ``handle`` attribute), so their posts link to
them; the rest is market voice. The posts go through the real import (checks, sentiment,
themes on arrival, signals).

Market research: a panel of a few hundred manufacturers who are not customers (industry and
size; small firms over-represented, as panels are), imported through the real panel import, and
a survey from the model answered by panelists and customers' contacts, with a quota per
industry (cells fill up and turn people away) and population shares to weight by. A
panelist answers where a random customer stands, often a stage behind (small firms more
often), so the market lags the customers and weighting up the under-represented large firms
moves the market's mean.
"""

import csv
import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
from django.utils import timezone

from becoming.customers.models import Contact, Customer
from becoming.demo.voices import TOPICS, pick_topics, say

from .actions.market import full_cell, market_survey, set_quota, set_weights
from .actions.panel import import_panel
from .actions.social import import_social
from .models import Invitation, Panelist, Response, Survey

PLATFORMS = ["X", "LinkedIn", "Reddit", "Trustpilot"]
HANDLED_ACCOUNTS = 120  # accounts whose social handle we know
POSTS = 400
MARKET_SHARE = 0.55  # posts by people we cannot link: market voice
MOODS = {"": "", "love": " Love it!", "angry": " Really frustrating, terrible experience.",
         "good": " Great job, team."}


def social_posts(demo, posts: int = POSTS) -> None:
    rng = demo.rng("engage.social")
    ids = demo.customer_ids
    chosen = rng.choice(len(ids), size=min(HANDLED_ACCOUNTS, len(ids)), replace=False)
    handles = {}
    for index in chosen:
        customer = Customer.objects.get(pk=int(ids[index]))
        handle = f"@{customer.name.split()[0].lower()}_{customer.external_id[-4:]}"
        customer.attributes = {**customer.attributes, "handle": handle}
        customer.save(update_fields=["attributes", "updated"])
        handles[int(index)] = handle
    days = demo.maturity.shape[1]
    rows = []
    names = list(TOPICS)
    for n in range(posts):
        day = int(rng.integers(max(0, days - 120), days))
        when = demo.start + dt.timedelta(days=day)
        if rng.random() < MARKET_SHARE:
            author = f"user{rng.integers(10_000, 99_999)}"
            topic = names[rng.integers(len(names))]
        else:
            index = int(chosen[rng.integers(len(chosen))])
            author = handles[index]
            topic = pick_topics(rng, demo.maturity[[index], day])[0]
        mood = list(MOODS)[rng.integers(len(MOODS))]
        rows.append({"id": f"demo-post-{n}", "author": author, "text": say(rng, topic) + MOODS[mood],
                     "url": f"https://social.example/post/{n}", "time": when.isoformat(),
                     "platform": PLATFORMS[rng.integers(len(PLATFORMS))]})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "social.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        import_social(demo.workspace, path, text_column="text", author_column="author", url_column="url",
                      time_column="time", platform_column="platform", id_column="id", file_name="social.csv")





PANEL = 300
PANEL_INDUSTRIES = {"Food & beverage": 0.5, "Metals": 0.3, "Chemicals": 0.2}  # as the panel came
POPULATION = {"Industry": {"Food & beverage": 40, "Metals": 35, "Chemicals": 25},
              "Size": {"Small": 50, "Large": 50}}
QUOTA_PER_INDUSTRY = 60
PANEL_ANSWERS = 0.6  # share of invited panelists who try to answer
CUSTOMER_INVITES = 120


def market_research(demo, panelists: int = PANEL) -> None:
    rng = demo.rng("engage.market")
    workspace = demo.workspace
    rows = []
    for n in range(panelists):
        industry = rng.choice(list(PANEL_INDUSTRIES), p=list(PANEL_INDUSTRIES.values()))
        rows.append({"email": f"panel{n + 1:04d}@panel.example", "name": f"Panelist {n + 1}",
                     "Industry": industry, "Size": "Small" if rng.random() < 0.7 else "Large"})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "panel.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        import_panel(workspace, path, email_column="email", name_column="name", file_name="panel.csv")
    survey = market_survey(workspace, title="How far along is the market?", audience=Survey.Audience.BOTH)
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status"])
    set_quota(survey, "Industry", QUOTA_PER_INDUSTRY)
    for attribute, shares in POPULATION.items():
        set_weights(survey, attribute, shares)
    questions = list(survey.questions.all())
    now = timezone.now()
    # Invitations as if sent a fortnight ago; answers in a random order, each checked against
    # the quota as the respondent's page would.
    panel = list(Panelist.objects.filter(workspace=workspace).order_by("pk"))
    contacts = list(Contact.objects.filter(workspace=workspace).exclude(email="")
                    .select_related("customer").order_by("pk"))
    picked = rng.choice(len(contacts), size=min(CUSTOMER_INVITES, len(contacts)), replace=False)
    people = [("panel", p) for p in panel] + [("customer", contacts[int(i)]) for i in picked]
    pool = [stages or {} for stages in Customer.objects.filter(workspace=workspace).values_list("stages", flat=True)]
    pool = pool or [{}]
    sent = now - dt.timedelta(days=14)
    Invitation.objects.bulk_create([
        Invitation(survey=survey, sent=sent, expires=sent + dt.timedelta(days=30),
                   **({"panelist": who} if kind == "panel" else {"contact": who})) for kind, who in people])
    invitations = {(i.panelist_id, i.contact_id): i for i in survey.invitations.all()}
    for index in rng.permutation(len(people)):
        kind, who = people[int(index)]
        if rng.random() > PANEL_ANSWERS:
            continue
        invitation = invitations[(who.pk, None) if kind == "panel" else (None, who.pk)]
        attributes = who.attributes if kind == "panel" else who.customer.attributes
        if full_cell(survey, attributes):
            continue  # turned away: "enough answers from people like you"
        answers = {}
        for q in questions:
            top = len(q.choices) - 1
            if kind == "panel":
                # The market: where a customer stands, often a stage behind; large firms less often.
                behind = 0.35 if who.attributes.get("Size") == "Large" else 0.75
                stage = pool[int(rng.integers(len(pool)))].get(q.dimension, 0) - int(rng.random() < behind)
            else:
                stage = (who.customer.stages or {}).get(q.dimension, 0) + int(rng.choice([-1, 0, 0, 0, 1]))
            answers[q.key] = int(np.clip(stage, 0, top))
        Response.objects.create(survey=survey, invitation=invitation, answers=answers,
                                panelist=who if kind == "panel" else None,
                                contact=who if kind == "customer" else None,
                                customer=who.customer if kind == "customer" else None,
                                submitted=sent + dt.timedelta(days=int(rng.integers(0, 10))))
