"""becoming.engine — the pure assessment engine (no Django): parse and validate a
transformation model, compile it to SQL with sqlglot, run it on DuckDB, explain results."""

from becoming.engine.compiler import CompiledModel, LeafInfo, compile_model
from becoming.engine.explain import CriterionExplanation, DimensionExplanation, explain
from becoming.engine.runner import AssessmentResult, assess, duckdb_attribute_types, long_stages
from becoming.engine.schema import (
    Dimension,
    Model,
    ModelError,
    ModelIssue,
    Stage,
    check_attributes,
    parse_model,
    parse_model_data,
)

__all__ = [
    "AssessmentResult", "CompiledModel", "CriterionExplanation", "Dimension",
    "DimensionExplanation", "LeafInfo", "Model", "ModelError", "ModelIssue", "Stage", "assess",
    "check_attributes", "compile_model", "duckdb_attribute_types", "explain", "long_stages",
    "parse_model", "parse_model_data",
]
