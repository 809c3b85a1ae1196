"""Social posts: linking by email and domain, sentiment, the signal of a linked post."""

import pytest

from becoming.customers.models import Contact, Customer
from becoming.engage.actions.social import import_social, send_social_signals, sentiment
from becoming.engage.models import Feedback, SocialPost
from becoming.signals.actions import store_for


@pytest.mark.once
def test_sentiment_polarity():
    assert sentiment("I love this product, it is wonderful") > 0.5
    assert sentiment("This is awful, the worst support ever") < -0.5
    assert abs(sentiment("The meeting is on Tuesday")) < 0.05


@pytest.mark.django_db
def test_email_and_domain_links_and_signals(workspace, tmp_path):
    acme = Customer.objects.create(workspace=workspace, external_id="AC", name="Acme")
    other = Customer.objects.create(workspace=workspace, external_id="OT", name="Other")
    ann = Contact.objects.create(workspace=workspace, customer=acme, name="Ann", email="ann@acme.example")
    Contact.objects.create(workspace=workspace, customer=acme, name="Joe", email="joe@gmail.com")
    Contact.objects.create(workspace=workspace, customer=other, name="Max", email="max@gmail.com")
    path = tmp_path / "posts.jsonl"
    path.write_text(
        '{"by": "ann@acme.example", "text": "Great onboarding call today"}\n'
        '{"by": "bob@acme.example", "text": "The export keeps failing for us"}\n'
        '{"by": "kim@gmail.com", "text": "Thinking about switching tools"}\n')
    result = import_social(workspace, path, text_column="text", author_column="by", platform="LinkedIn")
    assert result == {"rows": 3, "added": 3, "skipped": 0, "linked": 2, "market_voice": 1}
    posts = {p.author: p for p in SocialPost.objects.select_related("feedback")}
    assert posts["ann@acme.example"].feedback.contact == ann
    assert posts["bob@acme.example"].feedback.customer == acme
    assert posts["bob@acme.example"].feedback.contact is None
    assert posts["kim@gmail.com"].feedback.customer is None  # a shared free-mail domain links nothing
    assert posts["kim@gmail.com"].linked_by == ""
    assert {p.platform for p in posts.values()} == {"LinkedIn"}
    assert posts["ann@acme.example"].sentiment > 0.05 > posts["bob@acme.example"].sentiment
    assert Feedback.objects.filter(channel="social").count() == 3
    assert store_for(workspace).count("event") == 2
    timeline = store_for(workspace).timeline(acme.pk)
    assert len(timeline) == 2 and "engage.social_post" in str(timeline)
    assert send_social_signals(workspace) == 0  # already stored: sending again adds nothing


@pytest.mark.django_db
def test_board_filters_by_channel(workspace, viewer, client):
    import numpy as np
    from django.urls import reverse
    from django.utils import timezone

    from becoming.engage.models import Theme

    def theme(key, label):
        return Theme.objects.create(workspace=workspace, key=key, label=label,
                                    centroid=np.ones(384, np.float32).tobytes())

    prices, app = theme("T1", "price · too expensive"), theme("T2", "app · crashes")
    now = timezone.now()
    for text, channel, t in [("Too expensive for small farms", "social", prices),
                             ("Pricing went up again", "social", prices),
                             ("The price is hard to justify", "survey", prices),
                             ("The app crashes on my phone", "meeting", app),
                             ("App crash when syncing", "survey", app)]:
        Feedback.objects.create(workspace=workspace, text=text, channel=channel, time=now, theme=t)
    from becoming.engage.actions.themes import refresh_sizes

    refresh_sizes(workspace)
    client.force_login(viewer)
    url = reverse("themes", args=[workspace.slug])
    everything = client.get(url).content.decode()
    assert "price · too expensive" in everything and "app · crashes" in everything
    assert "Social media 2 · Surveys 1" in everything  # social themes beside survey and meeting ones
    assert '<option value="social"' in everything and "Meetings" in everything
    social = client.get(url, {"channel": "social"}).content.decode()
    assert "price · too expensive" in social and "app · crashes" not in social
    assert "2</strong> items from social media" in social
    unknown = client.get(url, {"channel": "fax"}).content.decode()  # unknown: all channels
    assert "app · crashes" in unknown


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Farm forum</title><id>urn:forum</id><updated>2026-03-02T10:00:00Z</updated>
  <entry><title>Fieldwise sync is slow</title><id>urn:post:1</id><updated>2026-03-01T09:00:00Z</updated>
    <author><name>alpha_ops</name></author><link href="http://forum.example/1"/>
    <summary type="html">&lt;p&gt;The &lt;b&gt;sync&lt;/b&gt; takes ages every morning&lt;/p&gt;</summary></entry>
  <entry><title>Loving the yield maps</title><id>urn:post:2</id><updated>2026-03-02T09:00:00Z</updated>
    <author><name>stranger</name></author><link href="http://forum.example/2"/>
    <summary>Best tool we have used this season</summary></entry>
</feed>"""


@pytest.fixture
def feed_server():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body, kind = ((ATOM, "application/atom+xml") if self.path == "/feed.xml"
                          else ("<html><body><p>Just a page</p></body></html>", "text/html"))
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.django_db
def test_feed_on_loopback(workspace, feed_server):
    from django.core.exceptions import ValidationError

    from becoming.engage.actions.social import import_feed

    Customer.objects.create(workspace=workspace, external_id="A", name="Alpha", attributes={"handle": "@alpha_ops"})
    result = import_feed(workspace, f"{feed_server}/feed.xml")
    assert result == {"rows": 2, "added": 2, "skipped": 0, "linked": 1, "market_voice": 1}
    post = SocialPost.objects.select_related("feedback").get(author="alpha_ops")
    assert post.feedback.text == "Fieldwise sync is slow — The sync takes ages every morning"
    assert post.platform == "Farm forum" and post.url == "http://forum.example/1"
    assert post.feedback.time.day == 1 and post.feedback.customer.external_id == "A"
    assert import_feed(workspace, f"{feed_server}/feed.xml")["added"] == 0  # read again: nothing new
    with pytest.raises(ValidationError, match="not an RSS or Atom feed"):
        import_feed(workspace, f"{feed_server}/page.html")


@pytest.mark.django_db
def test_social_file_through_the_imports_page(workspace, member, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from becoming.jobs.actions import run_job
    from becoming.jobs.models import Job

    Customer.objects.create(workspace=workspace, external_id="A", name="Alpha", attributes={"handle": "alpha"})
    client.force_login(member)
    body = b"handle,post,link,network\n@alpha,Sync is slow,http://x.example/1,X\nnobody,Nice maps,http://x.example/2,X\n"
    f = SimpleUploadedFile("posts.csv", body, content_type="text/csv")
    mapping = client.post(f"/w/{workspace.slug}/imports/?kind=social", {"file": f})["Location"]
    form = client.get(mapping).context["form"]
    assert form.initial["author_column"] == "handle" and form.initial["url_column"] == "link"
    assert form.initial["platform_column"] == "network" and form.initial["text_column"] == "post"
    data = {"text_column": "post", "author_column": "handle", "url_column": "link", "platform_column": "network"}
    both = client.post(mapping, {**data, "platform": "LinkedIn", "dry_run": "1"})
    assert "not both" in both.content.decode()
    r = client.post(mapping, {**data, "dry_run": "1"})
    assert r.context["dry_run"] == {"rows": 2, "added": 2, "skipped": 0, "linked": 1, "market_voice": 1}
    wrong = client.post(mapping, {**data, "links": "nobody, ZZ", "dry_run": "1"})
    assert 'links, line 1, column "customer id": unknown customer' in wrong.context["dry_run_error"]
    data["links"] = "\n nobody , A\n"  # the mapping typed on the page links the second post
    assert client.post(mapping, {**data, "dry_run": "1"}).context["dry_run"]["linked"] == 2
    client.post(mapping, {**data, "import": "1"})
    job = Job.objects.get(kind="import_social")
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert list(SocialPost.objects.order_by("url").values_list("platform", "linked_by")) == [
        ("X", "handle"), ("X", "mapping")]


@pytest.mark.django_db
def test_demo_step_posts_linked_and_market_voice(workspace):
    import datetime as dt

    import numpy as np

    from becoming.demo.context import DemoContext
    from becoming.engage.demo import social_posts

    customers = [Customer.objects.create(workspace=workspace, external_id=f"FW-{10001 + i}", name=f"Farm{i} Ltd")
                 for i in range(8)]
    today = dt.date(2026, 3, 1)
    demo = DemoContext(workspace=workspace, seed=1, today=today, start=today - dt.timedelta(days=199),
                       customer_ids=np.array([c.pk for c in customers]), traits={},
                       maturity=np.full((8, 200), 0.5), churn=np.full(8, 999))
    social_posts(demo, posts=40)
    assert SocialPost.objects.filter(workspace=workspace).count() == 40
    linked = SocialPost.objects.filter(workspace=workspace).exclude(linked_by="").count()
    assert 5 <= linked <= 35  # some posts by known handles, the rest market voice
    assert Customer.objects.filter(workspace=workspace, attributes__has_key="handle").count() == 8
    assert len(set(SocialPost.objects.values_list("platform", flat=True))) > 1
    social_posts(demo, posts=40)  # the demo run again adds nothing
    assert SocialPost.objects.filter(workspace=workspace).count() == 40
