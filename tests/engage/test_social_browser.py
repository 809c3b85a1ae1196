"""The themes board filtered to social media, in a real headless Chromium."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_board_filtered_to_social(page, live_server, workspace, owner, tmp_path):
    import numpy as np
    from playwright.sync_api import expect

    from becoming.engage.actions.social import import_social
    from becoming.engage.actions.themes import refresh_sizes
    from becoming.engage.models import Feedback, Theme

    posts = tmp_path / "posts.csv"
    posts.write_text("who,text\n@fan,Fieldwise prices are too high for small farms\n"
                     "@other,Pricing went up again this year\n")
    import_social(workspace, posts, text_column="text", author_column="who", platform="X")
    prices = Theme.objects.create(workspace=workspace, key="T1", label="prices · too high",
                                  centroid=np.ones(384, np.float32).tobytes())
    sync = Theme.objects.create(workspace=workspace, key="T2", label="sync · slow",
                                centroid=np.ones(384, np.float32).tobytes())
    Feedback.objects.filter(channel="social").update(theme=prices)
    now = Feedback.objects.first().time
    Feedback.objects.create(workspace=workspace, text="The price is hard to justify", channel="survey",
                            time=now, theme=prices)
    Feedback.objects.create(workspace=workspace, text="Sync is slow every morning", channel="meeting",
                            time=now, theme=sync)
    refresh_sizes(workspace)

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "owner@acme.test")
    page.fill("input[name=password]", "pw")
    page.click("button:has-text('Sign in')")
    page.click("nav >> text=Themes")
    cards = page.locator(".theme-card")
    expect(cards).to_have_count(2)
    expect(cards.first.locator(".channel-mix")).to_have_text("Social media 2 · Surveys 1")
    page.select_option("select[name=channel]", "social")  # submits the form on change
    page.wait_for_url("**channel=social**")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("prices · too high")
    expect(cards.first).to_contain_text("2 items from social media")
    expect(page.locator("select[name=channel]")).to_have_value("social")
    page.select_option("select[name=channel]", "meeting")
    page.wait_for_url("**channel=meeting**")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("sync · slow")
