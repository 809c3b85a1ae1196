"""A feedback or churn-flag column holding lists or structs is refused with a message, not a traceback."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import ValidationError

from becoming.engage.actions.feedback import import_feedback
from becoming.outcomes.actions import import_outcomes


@pytest.mark.parametrize("bad", [pa.array([["a"], ["b"]]), pa.array([{"x": 1}, {"x": 2}])])
def test_nested_feedback_text_is_refused(workspace, tmp_path, bad):
    path = tmp_path / "f.parquet"
    pq.write_table(pa.table({"text": bad, "id": ["1", "2"]}), path)
    with pytest.raises(ValidationError, match='column "text"|text'):
        import_feedback(workspace, path, text_column="text")
    assert not workspace.feedback.exists()


def test_nested_churn_flag_is_refused(workspace, tmp_path):
    from becoming.customers.actions import upsert_customer

    upsert_customer(workspace, "C-1")
    path = tmp_path / "o.parquet"
    pq.write_table(pa.table({"id": ["C-1"], "churn": pa.array([[True]])}), path)
    with pytest.raises(ValidationError, match="churn"):
        import_outcomes(workspace, path, customer_column="id", kind="churn", flag_column="churn")
