"""The Fieldwise demo's library: items on the model's dimensions, a year of reading as
signals, a past webinar, two sent digests, and recommendations with reasons."""

import datetime as dt


def test_demo_has_a_library_reading_history_digests_and_a_webinar(db):
    from becoming.demo.build import build_demo
    from becoming.inform.actions.recommend import for_customer
    from becoming.inform.models import Interaction, Issue, Item
    from becoming.signals.actions import store_for

    today = dt.date(2026, 6, 30)
    ws = build_demo(seed=3, today=today, accounts=80)
    items = Item.objects.filter(workspace=ws, source="demo")
    assert 60 <= items.exclude(kind="newsletter").count() <= 70
    assert {"practice", "predictive", "scale", "community"} <= set(items.values_list("dimension", flat=True))
    reading = Interaction.objects.filter(workspace=ws)
    first, last = reading.order_by("time").first().time, reading.order_by("-time").first().time
    assert (last - first).days > 300 and reading.count() > 300
    webinar = Item.objects.get(workspace=ws, external_id="fw-webinar-predictive")
    assert webinar.starts.date() < today and reading.filter(item=webinar, type="attend").exists()
    sent = Issue.objects.filter(workspace=ws, status="sent")
    assert sent.count() == 2 and all(i.deliveries.filter(opened__isnull=False).exists() for i in sent)
    import duckdb

    con = duckdb.connect()
    store_for(ws).register(con, "signals")
    # Every reading is a signal; the Levers demo plants reading of its own as signals only
    # (demo-levers-…), to show a known effect, so those are counted apart.
    stored = con.execute("SELECT count(*) FROM signals WHERE type LIKE 'inform.%' "
                         "AND event_id NOT LIKE 'demo-levers-%'").fetchone()[0]
    assert stored == reading.count()
    customer = ws.customers.order_by("pk").first()
    recs = for_customer(ws, customer, 5)
    assert len(recs) == 5 and all(r["reason"] for r in recs)
    seen = set(reading.filter(customer=customer).values_list("item_id", flat=True))
    assert not {r["item"].pk for r in recs} & seen
