"""A round from proposal to introduction over real SMTP, following the mailed links."""

import re

import pytest
from django.core import signing

from becoming.connect.actions import introductions, rounds
from becoming.connect.models import Introduction, Member, Round
from becoming.signals.actions import store_for

BASE = "http://testserver/"


def links(message) -> list[str]:
    body = message.get_body(("plain",)).get_content()
    return re.findall(r"http://testserver(/connect/\S+/)", body)


def signals(workspace) -> dict[str, int]:
    store = store_for(workspace)
    if not store.files():
        return {}
    con = store._connect()
    return dict(con.sql("SELECT type, count(*) FROM signals GROUP BY type").fetchall())


@pytest.fixture
def proposed(community):
    result = rounds.propose(community, text_attributes=["Work"])
    return result["round"]


def test_round_pairs_alike_work_with_reasons(proposed):
    pairs = {frozenset((p.a.customer.external_id, p.b.customer.external_id)): p
             for p in rounds.round_pairs(proposed)}
    assert set(pairs) == {frozenset(("north", "south")), frozenset(("east", "west")),
                          frozenset(("mid", "far"))}
    assert "second plant" in pairs[frozenset(("north", "south"))].reason
    assert proposed.status == Round.Status.DRAFT


def test_review_then_send_whole_then_both_accept(proposed, smtp_server, client):
    pairs = list(rounds.round_pairs(proposed))
    dropped = next(p for p in pairs if {p.a.customer.external_id, p.b.customer.external_id} == {"mid", "far"})
    rounds.drop_pair(dropped)
    kept = next(p for p in pairs if p.a.customer.external_id in ("north", "south"))
    rounds.edit_reason(kept, "Both are opening a second plant; North did it in March.")

    # A crash after the first mail: the rerun mails only those not mailed yet.
    class Failing:
        def __init__(self):
            from django.core.mail import get_connection

            self.real, self.calls = get_connection(), 0

        def send_messages(self, messages):
            self.calls += 1
            if self.calls == 2:
                raise ConnectionError("SMTP server went away")
            return self.real.send_messages(messages)

    with pytest.raises(ConnectionError):
        introductions.send_round(proposed, BASE, connection=Failing())
    assert len(smtp_server.messages) == 1
    proposed.refresh_from_db()
    assert proposed.status == Round.Status.SENDING
    result = introductions.send_round(proposed, BASE)
    assert result == {"pairs": 2, "mailed": 3}
    introductions.send_round(proposed, BASE)  # once more: nobody is mailed twice
    to = sorted(m["To"] for m in smtp_server.messages)
    assert to == ["lead@east.test", "lead@north.test", "lead@south.test", "lead@west.test"]
    with pytest.raises(Exception, match="sent"):
        rounds.drop_pair(kept)

    north = next(m for m in smtp_server.messages if m["To"] == "lead@north.test")
    south = next(m for m in smtp_server.messages if m["To"] == "lead@south.test")
    assert "North did it in March" in north.get_body(("plain",)).get_content()
    [north_link], [south_link] = links(north), links(south)

    page = client.get(north_link)
    assert page.status_code == 200 and b"Yes, introduce us" in page.content
    assert Introduction.objects.get(pk=kept.pk).a_answer == ""  # a GET writes nothing
    client.post(north_link, {"answer": "accept"})
    assert len(smtp_server.messages) == 4  # no introduction before both accept
    page = client.post(south_link, {"answer": "accept"})
    assert b"You both said yes" in page.content
    intro = Introduction.objects.get(pk=kept.pk)
    assert intro.status == Introduction.Status.INTRODUCED
    introduction = smtp_server.messages[-1]
    assert sorted(a.strip() for a in introduction["To"].split(",")) == ["lead@north.test", "lead@south.test"]
    client.post(south_link, {"answer": "decline"})  # a second answer changes nothing
    assert Introduction.objects.get(pk=kept.pk).status == Introduction.Status.INTRODUCED

    east = next(m for m in smtp_server.messages if m["To"] == "lead@east.test")
    client.post(links(east)[0], {"answer": "decline"})
    assert Introduction.objects.filter(status=Introduction.Status.DECLINED).count() == 1

    # "Did it help?": one follow-up per side, a rating becomes connect.met with its value
    import datetime as dt

    from django.utils import timezone

    later = timezone.now() + dt.timedelta(days=15)
    assert introductions.send_follow_ups(proposed.workspace, BASE, now=later) == 1
    assert introductions.send_follow_ups(proposed.workspace, BASE, now=later) == 0
    follow = [m for m in smtp_server.messages if "Did meeting" in m["Subject"]]
    assert len(follow) == 2
    client.post(links(follow[0])[0], {"rating": "4"})
    intro.refresh_from_db()
    assert 4 in (intro.a_rating, intro.b_rating) and intro.met is not None
    counts = signals(proposed.workspace)
    assert counts == {"connect.proposed": 4, "connect.accepted": 2, "connect.declined": 1, "connect.met": 1}
    store = store_for(proposed.workspace)
    value = store._connect().sql("SELECT value FROM signals WHERE type = 'connect.met'").fetchall()
    assert value == [(4.0,)]


def test_forged_and_expired_links_write_nothing(proposed, smtp_server, client, monkeypatch):
    introductions.send_round(proposed, BASE)
    link = links(smtp_server.messages[0])[0]
    forged = link[:-6] + ("x" if link[-6] != "x" else "y") + link[-5:]
    page = client.post(forged, {"answer": "accept"})
    assert page.status_code == 404 and b"This link is not valid" in page.content
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 15 * 86400)
    page = client.post(link, {"answer": "accept"})
    assert page.status_code == 404 and b"This link has expired" in page.content
    assert not Introduction.objects.exclude(a_answer="", b_answer="").exists()
    assert "connect.accepted" not in signals(proposed.workspace)


def test_later_rounds_learn_from_declines(community, smtp_server):
    first = rounds.propose(community, text_attributes=["Work"])["round"]
    introductions.send_round(first, BASE)
    for intro in first.introductions.all():
        token = introductions.token_for(intro, "a")
        introductions.answer(token, accept=intro.a.customer.external_id not in ("east", "west"),
                             base_url=BASE)
    members = list(Member.objects.filter(workspace=community).order_by("customer__external_id"))
    from becoming.connect.actions.profiles import build_profiles

    profiles = build_profiles(community, members, text_attributes=["Work"])
    factor, _ = rounds.learned(community, profiles, members)
    by_id = dict(zip(profiles.ids, factor))
    declined = next(i.a.customer.external_id for i in first.introductions.all()
                    if i.a.customer.external_id in ("east", "west"))
    assert by_id[declined] < 1.0 and by_id["north"] == 1.0
    # No pair is proposed again within the repeat period: the next round pairs others.
    before = {frozenset((i.a.customer.external_id, i.b.customer.external_id))
              for i in first.introductions.all()}
    again = rounds.propose(community, text_attributes=["Work"])["pairs"]
    assert again and not before & {frozenset((p["member_a"], p["member_b"])) for p in again}
