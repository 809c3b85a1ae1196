"""Engage's part of the demo: social posts about Fieldwise. Some accounts have a known handle
(a ``handle`` attribute), so their posts link to them; the rest is market voice. The posts go
through the real import (checks, sentiment, themes on arrival, signals)."""

import csv
import datetime as dt
import tempfile
from pathlib import Path

from becoming.customers.models import Customer
from becoming.demo.voices import TOPICS, pick_topics, say

from .actions.social import import_social

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



