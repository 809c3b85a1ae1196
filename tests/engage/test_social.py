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
