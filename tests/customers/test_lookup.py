"""Customers by external id: the IN-list way and the one-pass way give the same answer."""

import pyarrow as pa
import pytest

from becoming.customers import lookup
from becoming.customers.models import Customer


@pytest.mark.parametrize("scan_above", [10**9, 2])  # IN lists / one pass over the workspace
def test_customer_pk_array_aligns_and_leaves_unknown_null(workspace, other, monkeypatch, scan_above):
    monkeypatch.setattr(lookup, "_SCAN_ABOVE", scan_above)
    mine = {c.external_id: c.pk for c in Customer.objects.bulk_create(
        [Customer(workspace=workspace, external_id=f"C{i}") for i in range(5)])}
    Customer.objects.create(workspace=other, external_id="X")  # another workspace's customer
    asked = pa.array(["C3", "X", "C0", None, "C3", "nobody"], pa.string())
    got = lookup.customer_pk_array(workspace, asked).to_pylist()
    pks = {c: Customer.objects.get(workspace=workspace, external_id=c).pk for c in mine}
    assert got == [pks["C3"], None, pks["C0"], None, pks["C3"], None]
