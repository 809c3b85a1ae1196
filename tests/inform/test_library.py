"""The library's rules: items, safe Markdown, imports that land whole or not at all, reading
as signals, and recommendations that follow each reader's gap."""

import pytest
from django.core.exceptions import ValidationError


def test_markdown_is_rendered_without_script_or_event_handlers():
    from becoming.inform.actions.content import render_markdown

    html = render_markdown('# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) '
                           '<img src=x onerror=alert(1)> **bold**')
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html
    # Raw HTML stays text (escaped), and a javascript: link is not a link.
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html


def test_items_need_a_title_and_a_known_stage(library_ws):
    from becoming.inform.actions.content import save_item

    with pytest.raises(ValidationError, match="title"):
        save_item(library_ws, {"title": "  "})
    with pytest.raises(ValidationError, match="unknown stage 'expert' on reporting"):
        save_item(library_ws, {"title": "X", "dimension": "reporting", "stage": "expert"})
    item = save_item(library_ws, {"title": "By names", "dimension": "Report on their work", "stage": "Trying"})
    assert (item.dimension, item.stage, item.toward) == ("reporting", "trying", "regular")


def test_a_bad_row_keeps_the_whole_content_file_out(library_ws, tmp_path):
    from becoming.inform.actions.content import import_content
    from becoming.inform.models import Item

    path = tmp_path / "content.csv"
    path.write_text("id,title,kind,stage\nn1,New one,blog post,starting\nn2,Other,podcast,trying\n")
    with pytest.raises(ValidationError) as error:
        import_content(library_ws, path, id_column="id", title_column="title", kind_column="kind",
                       file_name="content.csv")
    assert error.value.messages[0].startswith('content.csv, row 3, column "kind": unknown kind \'podcast\'')
    assert not Item.objects.filter(external_id="n1").exists()


def test_interactions_become_signals_once(library_ws, tmp_path):
    from becoming.inform.actions.interactions import import_interactions
    from becoming.inform.models import Interaction
    from becoming.signals.actions import store_for

    path = tmp_path / "reads.csv"
    path.write_text("customer,item,type,time\nC1,weekly,view,2026-01-02\nC1,weekly,view,2026-01-02\n"
                    "C2,news,download,2026-01-03T10:00:00Z\n")
    options = dict(customer_column="customer", item_column="item", type_column="type", time_column="time")
    result = import_interactions(library_ws, path, **options)
    assert result["added"] == 3  # two identical rows are two readings
    again = import_interactions(library_ws, path, **options)
    assert again["added"] == 0
    assert Interaction.objects.filter(workspace=library_ws, source="import").count() == 3
    import duckdb

    con = duckdb.connect()
    store_for(library_ws).register(con, "signals")
    types = sorted(t for (t,) in con.execute("SELECT type FROM signals").fetchall())
    assert types.count("inform.view") == 3 and types.count("inform.download") == 1  # 1 view seeded


def test_unknown_item_names_row_and_column_and_keeps_nothing(library_ws, tmp_path):
    from becoming.inform.actions.interactions import import_interactions
    from becoming.inform.models import Interaction

    path = tmp_path / "reads.csv"
    path.write_text("customer,item\nC1,weekly\nC1,missing-item\n")
    before = Interaction.objects.count()
    with pytest.raises(ValidationError) as error:
        import_interactions(library_ws, path, customer_column="customer", item_column="item", type="view",
                            file_name="reads.csv")
    assert error.value.messages[0].startswith('reads.csv, row 3, column "item": unknown item \'missing-item\'')
    assert Interaction.objects.count() == before


def test_recommendations_follow_the_gap_and_never_repeat_what_was_read(library_ws):
    from becoming.inform.actions.recommend import recommend

    table = recommend(library_ws, "customers", k=2).to_pylist()
    by_reader: dict[str, list] = {}
    for row in table:
        by_reader.setdefault(row["reader_id"], []).append(row)
    # C0 (starting) already read the starters' item: it is never offered again.
    assert "first-report" not in [r["item_id"] for r in by_reader["C0"]]
    # C1 (starting) gets the starters' item first, with a reason naming the dimension.
    assert by_reader["C1"][0]["item_id"] == "first-report"
    assert by_reader["C1"][0]["reason"] == "For your next step on Report on their work (toward Trying)"
    # C2 (trying) gets the triers' case study first, C3 (at target) no gap item first.
    assert by_reader["C2"][0]["item_id"] == "weekly"
    assert not by_reader["C3"][0]["reason"].startswith("For your next step")
    assert all(len(rows) == 2 for rows in by_reader.values())


def test_recommendations_for_contacts_and_as_of_a_date(library_ws):
    import datetime as dt

    from becoming.customers.models import Contact
    from becoming.inform.actions.interactions import record
    from becoming.inform.actions.recommend import recommend
    from becoming.inform.models import Item

    contact = Contact.objects.get(email="person1@customer1.test")
    weekly = Item.objects.get(external_id="weekly")
    record(library_ws, weekly, contact.customer, "view", contact=contact,
           time=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), key="contact-read")
    rows = recommend(library_ws, "contacts", k=3).to_pylist()
    mine = [r["item_id"] for r in rows if r["reader_id"] == "person1@customer1.test"]
    assert len(mine) == 2 and "weekly" not in mine  # what this contact read is left out
    # As of a day before that reading it was unseen; with no assessment then, no gap reason.
    earlier = recommend(library_ws, "contacts", k=3, as_of=dt.date(2026, 2, 1)).to_pylist()
    mine = [r for r in earlier if r["reader_id"] == "person1@customer1.test"]
    assert "weekly" in [r["item_id"] for r in mine]
    assert not any(r["reason"].startswith("For your next step") for r in mine)
