"""The customer list's one filter and sort, shared by the page and the API, and the kind rule."""

import pytest
from django.core.exceptions import ValidationError
from support import SMALL_MODEL

from becoming.customers import actions
from becoming.customers.models import CustomerStage
from becoming.engine import parse_model


@pytest.fixture
def customers(workspace):
    for ext, name, plan, stage in [("A-1", "Acme", "pro", 2), ("B-2", "Beta", "free", 0),
                                   ("C-3", "Acme North", "pro", 1)]:
        c, _ = actions.upsert_customer(workspace, ext, name, {"plan": plan})
        c.stages = {"reporting": stage}  # as an assessment writes them: JSON and rows
        c.save()
        CustomerStage.objects.create(workspace=workspace, customer=c, dimension="reporting",
                                     stage_index=stage)
    return workspace


def test_search_matches_name_or_external_id(customers):
    assert sorted(c.external_id for c in actions.search_customers(customers, "acme")) == ["A-1", "C-3"]
    assert [c.external_id for c in actions.search_customers(customers, "b-2")] == ["B-2"]
    assert actions.search_customers(customers, "  ").count() == 3


def test_filter_by_stage_and_attribute(customers):
    dims = parse_model(SMALL_MODEL).dimensions
    qs, active = actions.filter_customers(customers, {"stage_reporting": "2"}, dims)
    assert [c.external_id for c in qs] == ["A-1"] and active == {"stage_reporting": "2"}
    qs, active = actions.filter_customers(customers, {"attr": "plan", "value": "pro", "q": "north"}, dims)
    assert [c.external_id for c in qs] == ["C-3"]
    assert active == {"q": "north", "attr": "plan", "value": "pro"}
    qs, active = actions.filter_customers(customers, {"attr": "nope", "value": "x"}, dims)
    assert qs.count() == 3 and active == {}


def test_sort_by_stage_descending(customers):
    dims = parse_model(SMALL_MODEL).dimensions
    qs, sort = actions.sort_customers(actions.search_customers(customers), "-stage_reporting", dims)
    assert [c.external_id for c in qs] == ["A-1", "C-3", "B-2"] and sort == "-stage_reporting"
    qs, sort = actions.sort_customers(actions.search_customers(customers), "-bogus", dims)
    assert sort == "-name" and [c.name for c in qs] == ["Beta", "Acme North", "Acme"]


def test_kind_changes_only_when_given_and_must_be_known(workspace):
    customer, _ = actions.upsert_customer(workspace, "P-1", kind="person")
    assert customer.kind == "person"
    customer, _ = actions.upsert_customer(workspace, "P-1", name="Pat")
    assert customer.kind == "person" and customer.name == "Pat"
    with pytest.raises(ValidationError, match="kind"):
        actions.upsert_customer(workspace, "P-1", kind="robot")


def test_delete_customer_removes_their_signals(workspace):
    import datetime as dt

    from becoming.signals.actions import ingest_batch, store_for

    keep, _ = actions.upsert_customer(workspace, "K-1")
    gone, _ = actions.upsert_customer(workspace, "G-1")
    ingest_batch(workspace, [{"customer_id": ext, "type": "login", "time": dt.datetime(2026, 1, 1)}
                             for ext in ("K-1", "G-1")])
    gone_pk = gone.pk
    actions.delete_customer(gone)
    assert not workspace.customers.filter(external_id="G-1").exists()
    assert len(store_for(workspace).timeline(keep.pk, limit=10)) == 1
    assert store_for(workspace).timeline(gone_pk, limit=10) == []
