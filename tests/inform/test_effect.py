"""What content moves people: readers who moved up within N days against comparable
non-readers at the same stage, from recorded stage changes."""

import datetime as dt

from django.test import Client


def test_readers_who_moved_up_are_compared_with_non_readers_at_their_stage(library_ws, owner):
    from becoming.assessments.models import StageChange
    from becoming.customers.models import Customer
    from becoming.inform.actions.effect import effect_report, item_effect
    from becoming.inform.actions.interactions import record
    from becoming.inform.models import Item

    item = Item.objects.get(external_id="first-report")
    day = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    customers = []
    for i in range(12):  # six readers and six non-readers, all starting; 5 readers moved, 1 other
        moved = i < 5 or i == 6
        customers.append(Customer.objects.create(workspace=library_ws, external_id=f"E{i}",
                                                 stages={"reporting": 1 if moved else 0}))
    for i, c in enumerate(customers):
        moved = i < 5 or i == 6
        if i < 6:
            record(library_ws, item, c, "view", time=day, key=f"e-{i}")
        if moved:
            StageChange.objects.create(workspace=library_ws, customer=c, dimension="reporting", from_stage="starting",
                                       to_stage="trying", from_index=0, to_index=1, as_of=dt.date(2026, 2, 28),
                                       previous_as_of=dt.date(2026, 1, 31))
    result = item_effect(item, 90, today=dt.date(2026, 6, 1))
    [stratum] = [s for s in result["strata"] if s["stage"] == 0]
    assert (stratum["readers"], stratum["moved"]) == (6, 5)
    assert stratum["others_moved"] == 1
    assert result["rate"] > result["control_rate"]
    assert "association" in result["wording"].lower() or "An association" in result["wording"]
    report = effect_report(library_ws, 90)
    assert report["items"] and report["kinds"][0]["kind"] == "Article"
    client = Client()
    client.force_login(owner)
    page = client.get(f"/w/{library_ws.slug}/inform/effects/").content.decode()
    assert "Your first report" in page and "What content moves people" in page
