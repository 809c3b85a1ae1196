"""Customer files with nested (Parquet/JSON) columns: the id and name must be plain values;
other nested columns become text attributes holding JSON."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError

from becoming.customers.actions import import_customers
from becoming.customers.models import Attribute, Customer

pytestmark = pytest.mark.django_db


def parquet(tmp_path, columns):
    path = tmp_path / "customers.parquet"
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize(("column", "values", "kind"), [
    ("id", pa.array([{"x": 1}, {"x": 2}]), "struct"),
    ("id", pa.array([[1], [2]]), "list"),
    ("name", pa.array([[("k", 1)], [("j", 2)]], pa.map_(pa.string(), pa.int64())), "map"),
])
def test_a_nested_id_or_name_is_refused(workspace, tmp_path, column, values, kind):
    columns = {"id": ["a", "b"], "name": ["A", "B"], column: values}
    with pytest.raises(ValidationError) as info:
        import_customers(workspace, parquet(tmp_path, columns), file_name="customers.parquet")
    (message,) = info.value.messages
    assert message.startswith(f'customers.parquet, column "{column}": holds {kind} values (')
    assert not Customer.objects.filter(workspace=workspace).exists()


def test_nested_attributes_are_kept_as_json_text(workspace, tmp_path):
    columns = {"id": ["a", "b"], "tags": pa.array([["x", "y"], []]),
               "site": pa.array([{"city": "Lyon"}, None])}
    import_customers(workspace, parquet(tmp_path, columns))
    assert dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type")) == {
        "site": "text", "tags": "text"}
    got = {c.external_id: c.attributes for c in Customer.objects.filter(workspace=workspace)}
    assert got == {"a": {"tags": '["x", "y"]', "site": '{"city": "Lyon"}'}, "b": {"tags": "[]"}}
