"""The staff pages through Django's test client: tenancy, roles, lists, the model editor."""

import pytest
from django.urls import reverse
from web_data import MODEL

from becoming.customers.models import Customer
from becoming.transformation.models import ModelVersion

PAGES = ["dashboard", "customers", "model", "imports"]
ADMIN_PAGES = ["members", "tokens"]


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


@pytest.mark.django_db
def test_home_redirects_to_first_workspace(as_owner, workspace):
    response = as_owner.get("/")
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", workspace)


@pytest.mark.django_db
def test_home_without_workspace_says_so(client, django_user_model):
    user = django_user_model.objects.create_user("lone@x.test", "lone@x.test", "pw")
    client.force_login(user)
    assert "not in any workspace" in client.get("/").content.decode()


@pytest.mark.django_db
def test_login_with_email(client, owner):
    response = client.post(reverse("login"), {"username": "owner@acme.test", "password": "pw"})
    assert response.status_code == 302
    page = client.get("/", follow=True)
    assert "Acme Industrial" in page.content.decode()


@pytest.mark.django_db
def test_anonymous_goes_to_login(client, workspace):
    response = client.get(url("dashboard", workspace))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES + ADMIN_PAGES)
def test_outsider_gets_404_on_every_page(client, outsider, loaded, name):
    client.force_login(outsider)
    assert client.get(url(name, loaded)).status_code == 404


@pytest.mark.django_db
def test_outsider_gets_404_on_objects(client, outsider, loaded):
    client.force_login(outsider)
    customer = Customer.objects.filter(workspace=loaded).first()
    assert client.get(url("customer", loaded, customer.pk)).status_code == 404
    assert client.post(url("model_preview", loaded), {"text": MODEL}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_viewer_sees_every_page(as_viewer, loaded, name):
    assert as_viewer.get(url(name, loaded)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES + ADMIN_PAGES)
def test_empty_workspace_pages_render(as_owner, workspace, name):
    response = as_owner.get(url(name, workspace))
    assert response.status_code == 200


@pytest.mark.django_db
def test_empty_dashboard_shows_next_step(as_owner, workspace):
    body = as_owner.get(url("dashboard", workspace)).content.decode()
    assert "No transformation model yet" in body and "Write the model" in body


@pytest.mark.django_db
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_forbidden_below_admin(client, member, loaded, name):
    client.force_login(member)
    assert client.get(url(name, loaded)).status_code == 403
    assert client.post(url(name, loaded), {"action": "add", "email": "x@y.test",
                                            "role": "owner", "name": "t"}).status_code == 403


@pytest.mark.django_db
def test_viewer_cannot_write(as_viewer, loaded):
    assert as_viewer.post(url("model", loaded), {"text": MODEL}).status_code == 403
    assert as_viewer.post(url("assess", loaded)).status_code == 403
    assert as_viewer.post(url("imports", loaded), {"kind": "customers"}).status_code == 403
    assert ModelVersion.objects.filter(workspace=loaded).count() == 1


@pytest.mark.django_db
def test_viewer_does_not_see_admin_actions(as_viewer, loaded):
    body = as_viewer.get(url("model", loaded)).content.decode()
    assert "Only admins can apply" in body and "Apply as version" not in body
    nav = as_viewer.get(url("dashboard", loaded)).content.decode()
    assert "API tokens" not in nav and "Assess now" not in nav


@pytest.mark.django_db
def test_dashboard_shows_charts_and_movers(as_viewer, loaded):
    body = as_viewer.get(url("dashboard", loaded)).content.decode()
    assert "Customers who export reports" in body  # the vision
    assert 'id="index-data"' in body and 'id="dist-reporting"' in body
    assert "Recent movers" in body and "▲" in body
    movers = body[body.index("Recent movers"):]
    # Names from the model, never its keys ("reporting", "starting", "trying").
    assert "<td>Report on their work</td>" in movers and "<td>Starting</td>" in movers
    assert "<td>reporting</td>" not in movers and "<td>trying</td>" not in movers
    # The figures refresh themselves when an assessment job on the page finishes.
    assert 'hx-trigger="job-done from:body"' in body


@pytest.mark.django_db
def test_assess_now_enqueues_a_job(client, member, loaded, django_capture_on_commit_callbacks):
    from becoming.jobs.models import Job

    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url("assess", loaded))
    job = Job.objects.get(workspace=loaded, kind="assess")
    assert response["Location"].endswith(f"?job={job.pk}") and len(callbacks) == 1
    status = client.get(url("job", loaded, job.pk), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 500ms"' in status.content.decode()
    assert "HX-Trigger" not in status  # still running: the dashboard waits
    job.status = Job.Status.DONE
    job.save()
    done = client.get(url("job", loaded, job.pk), HTTP_HX_REQUEST="true")
    assert done["HX-Trigger"] == "job-done" and "every 500ms" not in done.content.decode()


# --- customers -----------------------------------------------------------------------------

def names(response):
    return [c.name for c in response.context["page"].object_list]


@pytest.mark.django_db
def test_customers_paginate_by_50(as_viewer, loaded):
    first = as_viewer.get(url("customers", loaded))
    assert len(names(first)) == 50 and first.context["page"].paginator.count == 120
    last = as_viewer.get(url("customers", loaded) + "?page=3")
    assert names(last)[-1] == "Customer 0119" and len(names(last)) == 20


@pytest.mark.django_db
def test_customers_search_by_name_or_id(as_viewer, loaded):
    assert names(as_viewer.get(url("customers", loaded) + "?q=customer 0042")) == ["Customer 0042"]
    assert names(as_viewer.get(url("customers", loaded) + "?q=c0007")) == ["Customer 0007"]


@pytest.mark.django_db
def test_customers_filter_by_stage_and_attribute(as_viewer, loaded):
    regular = names(as_viewer.get(url("customers", loaded) + "?stage_reporting=2"))
    assert regular and all(int(n[-4:]) % 6 == 0 for n in regular)
    pro = as_viewer.get(url("customers", loaded) + "?attr=plan&value=pro&page=2")
    assert len(names(pro)) == 10 and not pro.context["page"].has_next  # 60 on the pro plan
    seats = as_viewer.get(url("customers", loaded) + "?attr=seats&value=3")
    assert all(c.attributes["seats"] == 3 for c in Customer.objects.filter(
        name__in=names(seats))) and names(seats)


@pytest.mark.django_db
def test_customers_sort_by_stage_and_index(as_viewer, loaded):
    by_stage = as_viewer.get(url("customers", loaded) + "?sort=-stage_reporting")
    top = by_stage.context["page"].object_list[0]
    assert top.stages["reporting"] == 2
    by_index = list(as_viewer.get(url("customers", loaded) + "?sort=index").context["page"].object_list)
    assert [c.index for c in by_index] == sorted(c.index for c in by_index)
    by_name = names(as_viewer.get(url("customers", loaded) + "?sort=-name"))
    assert by_name[0] == "Customer 0119"


@pytest.mark.django_db
def test_customers_htmx_returns_the_table_only(as_viewer, loaded):
    body = as_viewer.get(url("customers", loaded) + "?q=0042", HTTP_HX_REQUEST="true").content.decode()
    assert "<table" in body and "<html" not in body and "Customer 0042" in body


@pytest.mark.django_db
def test_customers_page_query_count(as_viewer, loaded, django_assert_max_num_queries):
    as_viewer.get(url("customers", loaded))  # warm the session
    # 11: the owner filter's members and the nav's unread-alerts count are one query each.
    with django_assert_max_num_queries(11):
        as_viewer.get(url("customers", loaded) + "?sort=-stage_reporting&attr=plan&value=pro&page=2")


@pytest.mark.django_db
def test_customers_empty_and_no_match(as_owner, workspace, loaded):
    assert "No customer matches" in as_owner.get(url("customers", loaded) + "?q=zzz").content.decode()


@pytest.mark.django_db
def test_customer_page_explains_and_shows_signals(as_viewer, loaded):
    customer = Customer.objects.get(workspace=loaded, external_id="C0003")
    body = as_viewer.get(url("customer", loaded, customer.pk)).content.decode()
    assert 'aria-current="step"' in body and "target" in body
    assert "report_exported" in body  # the timeline
    assert "To reach" in body and "plan is" in body  # what is missing for the next stage
    assert "seats" in body  # attributes


def test_customer_page_says_a_customer_at_the_target_is_there(as_viewer, loaded):
    at_target = Customer.objects.filter(workspace=loaded, stages__reporting=2).first()
    below = Customer.objects.filter(workspace=loaded, stages__reporting=0).first()
    assert at_target is not None and below is not None
    body = as_viewer.get(url("customer", loaded, at_target.pk)).content.decode()
    assert "at the target, Regular" in body and "of the way to" not in body
    body = as_viewer.get(url("customer", loaded, below.pk)).content.decode()
    assert "% of the way to Regular" in body
    assert 'role="progressbar" aria-label="Progress toward Regular on Report on their work"' in body


# --- the model editor ----------------------------------------------------------------------

@pytest.mark.django_db
def test_preview_shows_the_error_line(as_owner, loaded):
    broken = MODEL.replace("target: regular", "target: expert")
    body = as_owner.post(url("model_preview", loaded), {"text": broken}).content.decode()
    assert 'data-line="5"' in body and "line 5" in body and "dimensions[0].target" in body and "expert" in body


@pytest.mark.django_db
def test_preview_compares_with_today(as_owner, loaded):
    easier = MODEL.replace("within: 30d, at_least: 3", "at_least: 1")
    response = as_owner.post(url("model_preview", loaded), {"text": easier})
    preview = response.context["preview"]
    stages = preview["dimensions"][0]["stages"]
    assert sum(s["count"] for s in stages) == 120
    assert stages[2]["count"] >= stages[2]["today"] and stages[2]["change"] is not None
    assert "The model is valid" in response.content.decode()


@pytest.mark.django_db
def test_preview_unknown_attribute(as_owner, loaded):
    text = MODEL.replace("name: plan", "name: tier")
    body = as_owner.post(url("model_preview", loaded), {"text": text}).content.decode()
    assert "tier" in body and "problem" in body


@pytest.mark.django_db
def test_apply_creates_a_version(as_owner, loaded):
    response = as_owner.post(url("model", loaded), {"text": MODEL.replace("every week", "weekly")})
    assert response.status_code == 302
    assert ModelVersion.objects.filter(workspace=loaded).count() == 2


@pytest.mark.django_db
def test_apply_error_keeps_the_text(as_owner, loaded):
    broken = MODEL.replace("target: regular", "target: expert")
    response = as_owner.post(url("model", loaded), {"text": broken})
    body = response.content.decode()
    assert response.status_code == 200 and "Not applied" in body and "target: expert" in body
    assert ModelVersion.objects.filter(workspace=loaded).count() == 1


# --- members and tokens --------------------------------------------------------------------

@pytest.mark.django_db
def test_members_add_change_remove(as_owner, workspace, owner):
    from becoming.workspaces.models import Membership

    as_owner.post(url("members", workspace), {"action": "add", "email": "New@Acme.test", "role": "viewer"})
    new = Membership.objects.get(workspace=workspace, user__email="new@acme.test")
    as_owner.post(url("members", workspace), {"action": "role", "membership": new.pk, "role": "admin"})
    new.refresh_from_db()
    assert new.role == "admin"
    as_owner.post(url("members", workspace), {"action": "remove", "membership": new.pk})
    assert not Membership.objects.filter(pk=new.pk).exists()


@pytest.mark.django_db
def test_admin_cannot_touch_owners(client, admin, owner, workspace):
    from becoming.workspaces.models import Membership

    client.force_login(admin)
    client.post(url("members", workspace), {"action": "add", "email": "boss@x.test", "role": "owner"})
    assert not Membership.objects.filter(user__email="boss@x.test").exists()
    mine = Membership.objects.get(user=owner)
    client.post(url("members", workspace), {"action": "remove", "membership": mine.pk})
    assert Membership.objects.filter(pk=mine.pk).exists()


@pytest.mark.django_db
def test_last_owner_stays(as_owner, owner, workspace):
    from becoming.workspaces.models import Membership

    mine = Membership.objects.get(user=owner)
    response = as_owner.post(url("members", workspace), {"action": "role", "membership": mine.pk,
                                                         "role": "viewer"}, follow=True)
    assert "at least one owner" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == "owner"


@pytest.mark.django_db
def test_tokens_create_once_and_revoke(as_owner, workspace):
    from becoming.workspaces.models import ApiToken

    body = as_owner.post(url("tokens", workspace), {"action": "create", "name": "sync"}).content.decode()
    token = ApiToken.objects.get(workspace=workspace)
    secret = body.split('id="new-secret">')[1].split("<")[0]
    assert ApiToken.hash(secret) == token.digest
    assert secret not in as_owner.get(url("tokens", workspace)).content.decode()
    as_owner.post(url("tokens", workspace), {"action": "revoke", "token": token.pk})
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_static_assets_are_served(client):
    for path in ("becoming/becoming.css", "becoming/vendor/htmx.min.js", "becoming/vendor/chart.umd.min.js"):
        response = client.get("/static/" + path)
        assert response.status_code == 200, path


@pytest.mark.django_db
def test_dates_follow_the_reader_s_locale(as_viewer, loaded):
    import datetime as dt

    from django.utils.dateformat import format as date_format

    today = dt.date.today()
    us = as_viewer.get(url("dashboard", loaded), HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    uk = as_viewer.get(url("dashboard", loaded), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8").content.decode()
    assert f"as of {date_format(today, 'N j, Y')}" in us  # "Dec. 6, 2026"
    assert f"as of {date_format(today, 'j M Y')}" in uk  # "6 Dec 2026"
    assert "<html lang=\"en\"" in uk  # the words stay English
