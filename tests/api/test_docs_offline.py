"""The API docs page works offline: Swagger UI comes from the app's own static files."""

import re

from django.contrib.staticfiles import finders


def test_api_docs_use_only_vendored_assets(client, db):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), html
    for asset in assets:
        assert asset.startswith("/static/"), f"{asset} is not served by Becoming"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is missing"
