"""The outcome pages through Django's test client: tenancy, empty states, the report, the
downloads, the dashboard panel and a customer's outcomes."""

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URLS = ["outcomes", "outcomes_csv", "outcomes_json", "outcomes_panel"]


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def get(client, user, path, data=None):
    client.force_login(user)
    return client.get(path, data or {})


@pytest.mark.parametrize("name", URLS)
def test_outsider_gets_404(client, workspace, outsider, name):
    assert get(client, outsider, url(name, workspace)).status_code == 404


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, workspace, name):
    response = client.get(url(name, workspace))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_viewer_sees_the_report(client, shop, viewer):
    response = get(client, viewer, url("outcomes", shop))
    assert response.status_code == 200
    assert "Does transformation pay?" in response.content.decode()


def test_no_model_links_to_the_model_page(client, workspace, viewer):
    body = get(client, viewer, url("outcomes", workspace)).content.decode()
    assert "No transformation model yet" in body and url("model", workspace) in body
    panel = get(client, viewer, url("outcomes_panel", workspace)).content.decode()
    assert url("outcomes", workspace) in panel


def test_no_outcomes_says_how_to_load_them(client, no_outcomes, viewer):
    body = get(client, viewer, url("outcomes", no_outcomes)).content.decode()
    assert "No outcomes yet" in body
    assert f"becoming import outcomes FILE --workspace {no_outcomes.slug}" in body
    assert "POST /api/v1/outcomes" in body
    panel = get(client, viewer, url("outcomes_panel", no_outcomes)).content.decode()
    assert "No churn, renewal or revenue outcomes loaded yet" in panel and "<canvas" not in panel


def test_report_rows_intervals_and_small_badges(client, shop, viewer):
    body = get(client, viewer, url("outcomes", shop)).content.decode()
    for stage in ("Starting", "Trying", "Regular"):
        assert f"<td>{stage}" in body
    # 20 of the 40 starting customers churned: 50.0% with its Wilson interval.
    assert "50.0% (35.2–64.8)" in body
    assert 'class="badge badge-small" title="fewer than 30 customers: wide interval"' in body
    assert "is associated with" in body and "75 customers" in body  # association, with its n
    assert "What a step up is worth" in body and "retained revenue a year" in body
    assert 'id="chart-reporting"' in body
    assert "descriptive" in body and "Movers vs stayers" not in body  # no window


def test_steps_largest_money_first(client, shop, viewer):
    response = get(client, viewer, url("outcomes", shop))
    values = [s["retained_revenue"] for s in response.context["steps"]]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=True) and values[:len(known)] == known


def test_window_gives_no_leakage_survival_and_movers(client, shop, viewer):
    body = get(client, viewer, url("outcomes", shop), {"window": "12m"}).content.decode()
    assert "no-leakage" in body and "Movers vs stayers" in body
    assert 'id="survival-data"' in body and '"stepped"' not in body  # data only; JS steps it


def test_revenue_outcome_and_bad_date(client, shop, viewer):
    response = get(client, viewer, url("outcomes", shop), {"outcome": "revenue", "as_of": "31/03"})
    body = response.content.decode()
    assert response.status_code == 200 and "is not a date" in body
    assert '"metric": "revenue"' in body


def test_csv_download(client, shop, viewer):
    response = get(client, viewer, url("outcomes_csv", shop), {"window": "12m"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    for column in ("dimension", "stage", "customers", "churned", "churn_rate", "ci_low", "ci_high"):
        assert column in rows[0]
    assert [r["stage"] for r in rows] == ["starting", "trying", "regular"]
    assert rows[0]["dimension"] == "reporting" and int(rows[0]["customers"]) > 0
    for row in rows:  # rounded as a person reads them, not 17 digits
        for column in ("churn_rate", "ci_low", "ci_high", "retention_rate", "nrr"):
            assert row[column] == "" or len(row[column].partition(".")[2]) <= 4, (column, row[column])
        assert row["revenue_per_customer"] == "" or len(row["revenue_per_customer"].partition(".")[2]) <= 2


def test_report_speaks_plainly_with_the_workspace_currency(client, shop, viewer):
    from becoming.workspaces.actions import update_workspace

    update_workspace(shop, currency="eur")
    body = get(client, viewer, url("outcomes", shop), {"outcome": "revenue"}).content.decode()
    assert "95% CI" not in body and ">NRR<" not in body and "p = " not in body
    assert "likely range" in body and "Revenue kept" in body
    assert "€" in body


def test_json_download_is_the_report(client, shop, viewer):
    data = get(client, viewer, url("outcomes_json", shop)).json()
    assert data["mode"] == "descriptive" and data["customers"] == 75
    assert {"stages", "association", "steps", "index_bands"} <= set(data)


def test_downloads_without_model_say_why(client, workspace, viewer):
    response = get(client, viewer, url("outcomes_csv", workspace))
    assert response.status_code == 400 and b"apply one first" in response.content
    assert get(client, viewer, url("outcomes_json", workspace)).status_code == 400


def test_dashboard_panel(client, shop, viewer):
    body = get(client, viewer, url("outcomes_panel", shop)).content.decode()
    assert "Does transformation pay?" in body
    for source in ("pays-retention", "pays-bands", "pays-steps"):
        assert f'data-source="{source}"' in body and f'id="{source}"' in body
    assert "an association, not proof of cause" in body
    assert url("outcomes", shop) in body


def test_panel_report_is_cached(client, shop, viewer, monkeypatch):
    from becoming.outcomes.actions import report

    get(client, viewer, url("outcomes_panel", shop))
    monkeypatch.setattr(report, "build_report", lambda *a, **k: pytest.fail("not cached"))
    assert get(client, viewer, url("outcomes_panel", shop)).status_code == 200


def test_cache_follows_new_outcomes(shop):
    import datetime as dt

    from becoming.outcomes.actions.report import cached_report
    from becoming.signals.actions import ingest_batch

    before = cached_report(shop)
    ingest_batch(shop, [{"customer_id": "C-041", "kind": "outcome", "type": "churn",
                         "time": dt.datetime(2020, 1, 1), "id": "late-churn"}])
    after = cached_report(shop)
    assert sum(r["churned"] for r in after["stages"]) == sum(r["churned"] for r in before["stages"]) + 1


def test_dashboard_loads_the_panel_lazily(client, shop, viewer, django_assert_max_num_queries):
    client.force_login(viewer)
    with django_assert_max_num_queries(14):
        body = client.get(url("dashboard", shop)).content.decode()
    assert f'hx-get="{url("outcomes_panel", shop)}"' in body and 'hx-trigger="load"' in body
    assert "Outcomes</a>" in body  # the nav link


def test_customer_page_shows_outcomes(client, shop, viewer):
    from becoming.customers.models import Customer

    churned = Customer.objects.get(workspace=shop, external_id="C-000")
    body = get(client, viewer, url("customer", shop, churned.pk)).content.decode()
    assert "<h2>Outcomes</h2>" in body and '<strong class="down">Yes</strong>' in body
    stayed = Customer.objects.get(workspace=shop, external_id="C-001")
    body = get(client, viewer, url("customer", shop, stayed.pk)).content.decode()
    # Money carries the workspace's currency (USD unless set).
    assert "<strong>$110</strong>/month" in body and "$100 → $110" in body and "<svg class=\"sparkline" in body
    assert "Renewals" in body and "1,200" in body


def test_customer_without_outcomes(client, no_outcomes, viewer):
    from becoming.customers.models import Customer

    c = Customer.objects.get(workspace=no_outcomes, external_id="C-000")
    body = get(client, viewer, url("customer", no_outcomes, c.pk)).content.decode()
    assert "No churn, renewal or revenue recorded" in body


def test_timeline_filters_by_kind(shop):
    from becoming.customers.models import Customer
    from becoming.signals.actions import store_for

    c = Customer.objects.get(workspace=shop, external_id="C-060")
    store = store_for(shop)
    assert {r["kind"] for r in store.timeline(c.pk, kind="outcome")} == {"outcome"}
    assert "event" in {r["kind"] for r in store.timeline(c.pk)}
