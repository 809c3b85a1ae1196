"""Customer files of any size: a million rows created, then a million updated, in one
transaction each, with no statement over the database's parameter limit (SQLite's old
builds allow 999; ``external_id__in`` over every id of the file used to fail there).

Durations are measured by benchmarks, not asserted here; see the report in the commit."""

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from becoming.customers.actions import import_customers
from becoming.customers.models import Customer

MILLION = 1_000_000


def write_customers(path, n: int, seed: int, plans=("free", "pro", "enterprise")):
    rng = np.random.default_rng(seed)
    numbers = np.arange(n).astype(str)
    seats = rng.integers(1, 500, n).astype(str).astype(object)
    seats[seed::10] = None  # a blank cell keeps the stored value on update
    pacsv.write_csv(pa.table({
        "customer_id": np.char.add("C", numbers), "name": np.char.add("Company ", numbers),
        "plan": np.array(plans)[rng.integers(0, len(plans), n)],
        "seats": pa.array(seats, pa.string()),
    }), path)
    return path


def test_update_merges_attributes_and_keeps_blank_names(workspace, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("customer_id,name,plan,seats\nA,Acme,pro,10\nB,Beta,free,\n")
    assert import_customers(workspace, first)["created"] == 2
    second = tmp_path / "b.csv"
    second.write_text("customer_id,name,plan,seats\nA,,enterprise,\nC,Gamma,free,3\n")
    result = import_customers(workspace, second)
    assert (result["created"], result["updated"]) == (1, 1)
    a, c = Customer.objects.get(external_id="A"), Customer.objects.get(external_id="C")
    assert (a.name, a.attributes) == ("Acme", {"plan": "enterprise", "seats": 10.0})
    assert (c.name, c.attributes, c.kind) == ("Gamma", {"plan": "free", "seats": 3.0}, "company")
    again = import_customers(workspace, second)  # nothing changes: still counted as known
    assert (again["created"], again["updated"]) == (0, 2)
    dry = tmp_path / "c.csv"
    dry.write_text("customer_id,name\nD,Delta\n")
    assert import_customers(workspace, dry, dry_run=True)["created"] == 1
    assert not Customer.objects.filter(external_id="D").exists()


@pytest.mark.big
def test_a_million_customers_created_then_updated(workspace, tmp_path):
    created = import_customers(workspace, write_customers(tmp_path / "m.csv", MILLION, seed=1))
    assert (created["rows"], created["created"], created["updated"]) == (MILLION, MILLION, 0)
    changed = write_customers(tmp_path / "m2.csv", MILLION, seed=2, plans=("starter", "scale"))
    updated = import_customers(workspace, changed)
    assert (updated["created"], updated["updated"]) == (0, MILLION)
    assert Customer.objects.filter(workspace=workspace).count() == MILLION
    first, blank = Customer.objects.get(external_id="C1"), Customer.objects.get(external_id="C12")
    assert first.attributes["plan"] in ("starter", "scale") and first.name == "Company 1"
    assert blank.attributes["seats"] > 0  # blank in the second file: the first one's value stays
