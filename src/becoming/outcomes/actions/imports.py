"""Outcomes in: churn, renewals and revenue, stored as signals of kind "outcome".

Being signals, outcomes share the store, the history and the as-of logic of everything else.
The type is the outcome's kind (churn, renewal, revenue); the value is money where there is
some (revenue per month, a renewal's amount).
"""

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import ValidationError

from becoming.signals.actions import import_table, ingest_batch
from becoming.tabular.read import TabularError, read_table

from .window import today

KINDS = ("churn", "revenue", "renewal")
TRUE_FLAGS = {"yes", "y", "true", "t", "1", "churned"}
FALSE_FLAGS = {"no", "n", "false", "f", "0", ""}


def import_outcomes(workspace, path, *, customer_column, kind, time_column=None, time_format=None,
                    value_column=None, flag_column=None, file_name=None, progress=None,
                    dry_run=False) -> dict:
    """Check and store a file of outcomes; all rows land or none do.

    With `flag_column` (churn only) each row says yes/no; the yes rows are recorded as churned
    as of this import. Otherwise every row is one outcome at `time_column`.
    """
    file_name = file_name or str(path)
    if kind not in KINDS:
        raise ValidationError(f"--kind is one of {', '.join(KINDS)}, not {kind!r}")
    if kind == "revenue" and not value_column:
        raise ValidationError("revenue needs --value-column (recurring revenue per month)")
    if flag_column and kind != "churn":
        raise ValidationError("--flag-column marks churn: use it with --kind churn")
    if not flag_column and not time_column:
        raise ValidationError("give --time-column (when it happened), or --flag-column for a yes/no churn column")
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    for option, column in (("customer", customer_column), ("time", time_column),
                           ("value", value_column), ("flag", flag_column)):
        if column and column not in table.column_names:
            raise ValidationError(f"{file_name}: no column {column!r} for the {option}; "
                                  f"columns are: {', '.join(table.column_names)}")
    if flag_column:
        table, time_column, time_format = _flagged(table, file_name, flag_column), "__as_of__", None
    result = import_table(
        workspace, table, file_name=file_name, customer_column=customer_column, type_value=kind,
        time_column=time_column, time_format=time_format, value_column=value_column,
        id_column=None, kind="outcome", progress=progress, dry_run=dry_run,
    )
    result["kind"] = kind
    return result


def _flagged(table: pa.Table, file_name: str, column: str) -> pa.Table:
    """The rows whose flag says yes, stamped with today's date; an unreadable flag is an error."""
    from becoming.tabular.read import require_plain, row_position

    try:
        require_plain(table, column, file_name)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    raw = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(table.column(column), pa.string())))
    values = raw.to_pylist()
    label, first = row_position(table)
    for i, v in enumerate(values):
        if (v or "") not in TRUE_FLAGS | FALSE_FLAGS:
            raise ValidationError(f'{file_name}, {label} {first + i}, column "{column}": '
                                  f"{v!r} is not a yes/no value (Yes/No, true/false, 1/0)")
    keep = pa.array([(v or "") in TRUE_FLAGS for v in values])
    stamp = today().isoformat()
    flagged = table.filter(keep)
    return flagged.append_column("__as_of__", pa.array([stamp] * flagged.num_rows, pa.string()))


def import_outcomes_job(job, progress, path, **options):
    return import_outcomes(job.workspace, path, progress=progress, **options)


def add_outcomes(workspace, outcomes: list[dict]) -> dict:
    """Churn, renewal and revenue outcomes as signals of kind "outcome"; all or nothing."""
    return ingest_batch(workspace, [{**o, "kind": "outcome"} for o in outcomes])
