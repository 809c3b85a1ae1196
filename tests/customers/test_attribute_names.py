"""Attribute names: refused when blank at every way in, renamed and dropped atomically, and a
legacy blank name no longer breaks assessments."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from becoming.assessments.actions import run_assessment
from becoming.customers import actions
from becoming.customers.actions import (
    drop_attribute,
    import_customers,
    rename_attribute,
    upsert_customer,
)
from becoming.customers.models import Attribute, Customer
from becoming.transformation.actions import apply_model

pytestmark = pytest.mark.django_db


def attributes(workspace) -> dict:
    return dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))


def values(workspace) -> dict:
    return {c.external_id: c.attributes for c in Customer.objects.filter(workspace=workspace)}


def test_import_with_a_trailing_comma_is_refused_and_keeps_nothing(workspace, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name,\na-109,X,x\n")
    with pytest.raises(ValidationError) as info:
        import_customers(workspace, path, file_name="c.csv")
    assert info.value.messages == [
        "c.csv: column 3 has no name (a delimiter at the end of the header line?); "
        "every column needs a name"]
    assert not Customer.objects.filter(workspace=workspace).exists()
    assert attributes(workspace) == {}


def test_import_refuses_a_header_too_long_for_an_attribute(workspace, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"id,{'x' * 201}\na,1\n")
    with pytest.raises(ValidationError, match="at most 200 characters"):
        import_customers(workspace, path)
    assert attributes(workspace) == {}


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_upsert_refuses_a_blank_attribute_name(workspace, name):
    with pytest.raises(ValidationError) as info:
        upsert_customer(workspace, "C-1", attributes={"plan": "pro", name: "x"})
    assert info.value.messages == [f"attributes[{name!r}]: an attribute needs a name that is not blank"]
    assert attributes(workspace) == {}  # the transaction kept nothing, not even "plan"
    assert not Customer.objects.filter(workspace=workspace).exists()


@pytest.fixture
def legacy(workspace, small_model):
    """A workspace that took a blank attribute name before names were checked."""
    upsert_customer(workspace, "C-1", "Alpha", {"plan": "pro"})
    upsert_customer(workspace, "C-2", "Beta", {"plan": "basic"})
    Attribute.objects.create(workspace=workspace, name="", type="text")
    customer = workspace.customers.get(external_id="C-1")
    customer.attributes = {**customer.attributes, "": "x"}
    customer.save()
    apply_model(workspace, small_model)
    return workspace


def test_a_legacy_blank_attribute_does_not_break_assessment(legacy):
    snapshot = run_assessment(legacy, dt.date(2026, 3, 31))
    assert snapshot.customers == 2


def test_a_legacy_blank_attribute_can_be_renamed_then_dropped(legacy):
    assert rename_attribute(legacy, "", "note") == 1
    assert attributes(legacy) == {"note": "text", "plan": "text"}
    assert values(legacy) == {"C-1": {"plan": "pro", "note": "x"}, "C-2": {"plan": "basic"}}
    assert drop_attribute(legacy, "note") == 1
    assert attributes(legacy) == {"plan": "text"}
    assert values(legacy) == {"C-1": {"plan": "pro"}, "C-2": {"plan": "basic"}}


@pytest.fixture
def many(workspace, monkeypatch):
    """Seven customers, six with a plan, walked two at a time so batching is exercised."""
    monkeypatch.setattr(actions.records, "BATCH", 2)
    for i in range(7):
        upsert_customer(workspace, f"C-{i}", attributes={"seats": i} if i == 3 else
                        {"plan": f"p{i}", "seats": i, 'odd "key".x': True})
    return workspace


def test_rename_moves_every_value_and_keeps_the_type(many):
    assert rename_attribute(many, "seats", "Seat count") == 7
    assert attributes(many) == {"Seat count": "number", "plan": "text", 'odd "key".x': "boolean"}
    got = values(many)
    assert got["C-3"] == {"Seat count": 3}
    assert got["C-5"] == {"plan": "p5", "Seat count": 5, 'odd "key".x': True}


def test_rename_and_drop_keys_that_need_quoting(many):
    assert rename_attribute(many, 'odd "key".x', "it's.odd") == 6
    assert all(v.get("it's.odd") is True for k, v in values(many).items() if k != "C-3")
    assert drop_attribute(many, "it's.odd") == 6
    assert all("it's.odd" not in v for v in values(many).values())


def test_drop_removes_only_that_key(many):
    assert drop_attribute(many, "plan") == 6
    assert attributes(many) == {"seats": "number", 'odd "key".x': "boolean"}
    assert values(many)["C-6"] == {"seats": 6, 'odd "key".x': True}


@pytest.mark.parametrize(("old", "new", "message"), [
    ("nope", "x", "attribute 'nope': no such attribute in this workspace"),
    ("plan", "seats", "attribute 'plan' cannot be renamed to 'seats': the workspace already "
                      "has an attribute 'seats'"),
    ("plan", "SEATS", "attribute 'plan' cannot be renamed to 'SEATS': the workspace already "
                      "has an attribute 'seats'"),
    ("plan", " ", "attribute ' ': an attribute needs a name that is not blank"),
])
def test_rename_refuses_and_changes_nothing(many, old, new, message):
    before = values(many), attributes(many)
    with pytest.raises(ValidationError) as info:
        rename_attribute(many, old, new)
    assert info.value.messages == [message]
    assert (values(many), attributes(many)) == before


def test_rename_may_change_only_the_case(many):
    assert rename_attribute(many, "plan", "Plan") == 6
    assert "Plan" in attributes(many) and "plan" not in attributes(many)


def test_drop_refuses_an_unknown_name(many, other):
    upsert_customer(other, "O-1", attributes={"region": "EU"})
    with pytest.raises(ValidationError, match="no such attribute"):
        drop_attribute(many, "region")  # another workspace's attribute is not this one's
    assert values(other) == {"O-1": {"region": "EU"}}


def test_engine_reads_attributes_whose_names_need_quoting(workspace):
    odd = ['odd "key".x', "it's", "a\\b", "[0]", "$.plan", "été"]
    upsert_customer(workspace, "C-1", attributes={name: i for i, name in enumerate(odd)})
    row = actions.engine_customers(workspace).to_pylist()[0]
    assert {name: row[name] for name in odd} == {name: float(i) for i, name in enumerate(odd)}
