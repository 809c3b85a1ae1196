"""The wants-and-needs board with real theme discovery (the real embedding model).

~40 short texts on three obvious topics: billing (from starting customers), the mobile app
(from everyone) and reporting (from leading customers).
"""

import datetime as dt
from collections import Counter
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone
from inbox_data import TOPICS, feedback_csv, make_customers

pytestmark = pytest.mark.django_db


def url(workspace, name, *args):
    return reverse(name, args=[workspace.slug, *args])


def topic_of(theme) -> str:
    """The topic most of a theme's feedback is about."""
    texts = theme.feedback.values_list("text", flat=True)
    votes = Counter(topic for text in texts for topic, items in TOPICS.items() if text in items)
    return votes.most_common(1)[0][0]


def by_topic(workspace) -> dict:
    from becoming.engage.actions.themes import active_themes

    return {topic_of(t): t for t in active_themes(workspace) if t.size}


@pytest.fixture
def discovered(workspace, owner, small_model, tmp_path):
    from becoming.engage.actions.feedback import import_feedback
    from becoming.engage.actions.themes import discover_themes
    from becoming.transformation.actions import apply_model

    customers = make_customers(workspace)
    apply_model(workspace, small_model, owner)
    path = tmp_path / "feedback.csv"
    path.write_text(feedback_csv(customers))
    import_feedback(workspace, path, text_column="text", id_column="id", customer_column="customer_id",
                    time_column="time", channel="support")
    discover_themes(workspace, n_themes=3)
    return customers


def test_discovery_finds_the_three_topics(discovered, workspace):
    themes = by_topic(workspace)
    assert set(themes) == {"billing", "mobile", "reports"}
    for topic, theme in themes.items():
        assert topic_of(theme) == topic
        assert theme.size >= 10


def test_board_shows_themes_ranked_with_counts_and_stages(discovered, workspace, viewer, client):
    themes = by_topic(workspace)
    client.force_login(viewer)
    r = client.get(url(workspace, "themes"))
    page = r.content.decode()
    for theme in themes.values():
        assert escape(theme.label) in page
        assert f'<strong class="size">{theme.size}</strong> items' in page
    shown = r.context["themes"]
    # ranked by customers affected: the mobile app troubles everyone
    assert shown[0].pk == themes["mobile"].pk and shown[0].customers == 9
    assert {t.pk: t.customers for t in shown}[themes["billing"].pk] == 3
    # representative quotes come from the theme itself
    for t in shown:
        assert len(t.quotes) == 3 and all(q.theme_id == t.pk for q in t.quotes)
    # what starting customers ask for vs leading ones
    breakdown = {t.pk: {b["name"]: b["count"] for b in t.breakdown} for t in shown}
    assert breakdown[themes["billing"].pk] == {"Starting": 3, "Trying": 0, "Regular": 0}
    assert breakdown[themes["reports"].pk] == {"Starting": 0, "Trying": 0, "Regular": 3}
    assert breakdown[themes["mobile"].pk] == {"Starting": 3, "Trying": 3, "Regular": 3}

    by_value = client.get(url(workspace, "themes"), {"rank": "revenue", "attr": "revenue"}).context["themes"]
    values = {t.pk: t.value for t in by_value}
    assert values[themes["reports"].pk] == 7000 + 8000 + 9000
    assert values[themes["billing"].pk] == 1000 + 2000 + 3000
    assert by_value[0].pk == themes["mobile"].pk and by_value[1].pk == themes["reports"].pk

    by_trend = client.get(url(workspace, "themes"), {"rank": "trend"}).context["themes"]
    assert all(t.recent + t.previous <= t.size for t in by_trend)
    assert [t.change for t in by_trend] == sorted((t.change for t in by_trend), reverse=True)
    assert [t.size for t in client.get(url(workspace, "themes"), {"rank": "size"}).context["themes"]] == \
        sorted((t.size for t in shown), reverse=True)


def test_rename_survives_rediscovery(discovered, workspace, member, client):
    from becoming.engage.actions.themes import discover_themes
    from becoming.engage.models import Theme

    billing = by_topic(workspace)["billing"]
    client.force_login(member)
    r = client.post(url(workspace, "theme_rename", billing.pk), {"name": "Invoices are wrong"},
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"Invoices are wrong" in r.content and b"<html" not in r.content
    discover_themes(workspace, n_themes=3)
    again = by_topic(workspace)["billing"]
    assert again.pk == billing.pk and again.key == billing.key and again.name == "Invoices are wrong"
    assert "Invoices are wrong" in client.get(url(workspace, "themes")).content.decode()
    assert Theme.objects.get(pk=billing.pk).title == "Invoices are wrong"


def test_merge_and_split(discovered, workspace, member, client):
    from becoming.engage.models import Theme

    themes = by_topic(workspace)
    target, other = themes["billing"], themes["reports"]
    total = target.size + other.size
    client.force_login(member)
    r = client.post(url(workspace, "theme_merge", target.pk), {"others": [other.pk]})
    assert r.status_code == 302
    other.refresh_from_db()
    target.refresh_from_db()
    assert other.merged_into_id == target.pk and target.size == total
    # the merged theme's page leads to the theme it went into
    assert client.get(url(workspace, "theme", other.pk))["Location"] == url(workspace, "theme", target.pk)
    page = client.get(url(workspace, "theme", target.pk)).content.decode()
    assert "Customers behind it" in page and "Customer 08" in page and "Customer 00" in page

    r = client.post(url(workspace, "theme_split", target.pk))
    assert r.status_code == 302
    made = list(Theme.objects.filter(workspace=workspace, pinned_by_staff=True))
    assert len(made) == 2 and sum(t.size for t in made) == total
    assert {topic_of(t) for t in made} == {"billing", "reports"}
    board = client.get(url(workspace, "themes")).context["themes"]
    assert {t.pk for t in made} <= {t.pk for t in board} and target.pk not in {t.pk for t in board}


def test_link_dimension_and_theme_page(discovered, workspace, member, client):
    theme = by_topic(workspace)["reports"]
    client.force_login(member)
    r = client.post(url(workspace, "theme_dimension", theme.pk), {"dimension": "reporting"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and b"saved" in r.content
    theme.refresh_from_db()
    assert theme.dimension == "reporting"
    r = client.post(url(workspace, "theme_dimension", theme.pk), {"dimension": "nonsense"}, follow=True)
    assert "No dimension &#x27;nonsense&#x27; in the current model." in r.content.decode()
    theme.refresh_from_db()
    assert theme.dimension == "reporting"
    r = client.get(url(workspace, "theme", theme.pk))
    assert r.context["page"].paginator.count == theme.size
    assert len(r.context["quotes"]) == 3
    r = client.get(url(workspace, "feedback"), {"theme": theme.pk})
    assert all(f.theme_id == theme.pk for f in r.context["page"].object_list)


def test_the_api_links_only_dimensions_of_the_model(discovered, workspace):
    from test_api import Api

    api = Api(workspace)
    theme = by_topic(workspace)["reports"]
    bad = api.patch(f"/themes/{theme.key}", {"name": "Reports", "dimension": "nonsense"})
    assert bad.status_code == 400 and "No dimension 'nonsense'" in bad.json()["message"]
    theme.refresh_from_db()
    assert (theme.name, theme.dimension) == ("", "")  # neither change
    ok = api.patch(f"/themes/{theme.key}", {"name": "Reports", "dimension": "reporting"})
    assert ok.json() == {"key": theme.key, "title": "Reports", "dimension": "reporting"}
    assert api.patch(f"/themes/{theme.key}", {"dimension": ""}).json()["dimension"] == ""


def test_discovery_needs_two_pieces_of_feedback(workspace, member, client):
    from becoming.engage.actions.feedback import add_feedback
    from becoming.jobs.models import Job

    client.force_login(member)
    add_feedback(workspace, "Only one voice so far")
    r = client.post(url(workspace, "themes_discover"), {"how": "auto", "granularity": "0.5"}, follow=True)
    assert "needs at least two pieces of feedback" in r.content.decode()
    assert not Job.objects.exists()


def test_discover_button_runs_a_job(discovered, workspace, member, client):
    from becoming.engage.models import Theme
    from becoming.jobs.actions import run_job
    from becoming.jobs.models import Job

    client.force_login(member)
    r = client.post(url(workspace, "themes_discover"), {"how": "fixed", "n_themes": "2", "granularity": "0.5"})
    job = Job.objects.get(kind="discover_themes")
    assert r["Location"].endswith(f"?job={job.pk}") and job.params == {"n_themes": 2, "granularity": 0.5}
    page = client.get(r["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in page
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert Theme.objects.filter(workspace=workspace, merged_into__isnull=True, size__gt=0).count() == 2
    r = client.post(url(workspace, "themes_discover"), {"how": "auto", "granularity": "0.8"})
    assert Job.objects.filter(kind="discover_themes").first().params == {"n_themes": None, "granularity": 0.8}
    r = client.post(url(workspace, "themes_discover"), {"how": "fixed"})
    assert Job.objects.filter(kind="discover_themes").count() == 2  # no number: no job


def test_feedback_import_as_a_job(workspace, member, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from becoming.engage.models import Feedback
    from becoming.jobs.actions import run_job
    from becoming.jobs.models import Job, Upload

    customers = make_customers(workspace)
    client.force_login(member)
    f = SimpleUploadedFile("feedback.csv", feedback_csv(customers).encode(), content_type="text/csv")
    mapping = client.post(f"/w/{workspace.slug}/imports/?kind=feedback", {"file": f})["Location"]
    assert mapping == url(workspace, "import_map", Upload.objects.get(kind="feedback").pk)
    data = {"text_column": "text", "id_column": "id", "customer_column": "customer_id", "time_column": "time",
            "channel": "support"}
    assert client.get(mapping).context["form"].initial == {k: v for k, v in data.items() if k != "channel"}
    r = client.post(mapping, {**data, "dry_run": "1"})
    assert r.context["dry_run"] == {"rows": 39, "added": 39, "skipped": 0} and Feedback.objects.count() == 0
    r = client.post(mapping, {**data, "import": "1"})
    job = Job.objects.get(kind="import_feedback")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert Feedback.objects.filter(workspace=workspace, channel="support").count() == 39
    page = client.get(r["Location"]).content.decode()
    assert "See the feedback" in page
    # The same file again: the dry run already tells that every row is there.
    f = SimpleUploadedFile("feedback.csv", feedback_csv(customers).encode(), content_type="text/csv")
    again = client.post(f"/w/{workspace.slug}/imports/?kind=feedback", {"file": f})["Location"]
    r = client.post(again, {**data, "dry_run": "1"})
    assert r.context["dry_run"] == {"rows": 39, "added": 0, "skipped": 39}


def test_meeting_notes_become_feedback(workspace, member, client):
    from becoming.engage.models import Feedback, Meeting

    customer = make_customers(workspace, 1)[0]
    client.force_login(member)
    when = (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(url(workspace, "meeting_new"), {
        "customer": customer.pk, "kind": "call", "when": when, "title": "Check-in",
        "notes": "They want scheduled reports by email", "staff": [member.pk]})
    assert r.status_code == 302
    meeting = Meeting.objects.get()
    item = Feedback.objects.get(meeting=meeting)
    assert (item.customer, item.channel, item.text) == (customer, "meeting", "They want scheduled reports by email")
    page = client.get(url(workspace, "customer", customer.pk)).content.decode()
    assert "They want scheduled reports by email" in page and "no theme" in page
    assert "They want scheduled reports by email" in client.get(url(workspace, "feedback")).content.decode()
