"""Feed sync: an Atom feed served on loopback becomes items (again: updated, not doubled);
a page that is not a feed is refused with a clear message."""

import http.server
import threading

import pytest
from django.core.exceptions import ValidationError

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Fieldwise blog</title><id>urn:fw</id>
<updated>2026-03-02T10:00:00Z</updated>
<entry><id>urn:fw:1</id><title>Vibration basics</title><link href="https://blog.example/vibration"/>
<updated>2026-03-01T09:00:00Z</updated><summary type="html">&lt;p&gt;Start with &lt;b&gt;pumps&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;.&lt;/p&gt;</summary>
<category term="sensors"/><category term="pumps"/></entry>
<entry><id>urn:fw:2</id><title>PM intervals</title><link href="https://blog.example/pm"/>
<updated>2026-03-02T09:00:00Z</updated></entry>
</feed>"""


@pytest.fixture
def served():
    pages = {"/feed.xml": ("application/atom+xml", ATOM), "/page.html": ("text/html", "<html><body>Hi</body></html>")}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            kind, body = pages.get(self.path, ("text/plain", ""))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", kind)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()


def test_a_feed_on_loopback_becomes_items(workspace, served):
    from becoming.inform.actions.feeds import sync_feed
    from becoming.inform.models import Item

    base, pages = served
    result = sync_feed(workspace, f"{base}/feed.xml", kind="blog post")
    assert result == {"entries": 2, "added": 2, "updated": 0, "feed": "Fieldwise blog"}
    item = Item.objects.get(workspace=workspace, external_id="urn:fw:1")
    assert (item.kind, item.url, item.tags) == ("blog", "https://blog.example/vibration", ["sensors", "pumps"])
    assert "pumps" in item.summary and "<" not in item.summary and "x()" not in item.summary
    pages["/feed.xml"] = ("application/atom+xml", ATOM.replace("Vibration basics", "Vibration, the basics"))
    again = sync_feed(workspace, f"{base}/feed.xml", kind="blog post")
    assert (again["added"], again["updated"]) == (0, 2)
    assert Item.objects.get(workspace=workspace, external_id="urn:fw:1").title == "Vibration, the basics"


def test_a_page_that_is_not_a_feed_is_refused(workspace, served):
    from becoming.inform.actions.feeds import sync_feed
    from becoming.inform.models import Item

    base, _ = served
    with pytest.raises(ValidationError) as error:
        sync_feed(workspace, f"{base}/page.html")
    assert error.value.messages == [f"{base}/page.html: not an RSS or Atom feed"]
    assert not Item.objects.exists()
