"""`becoming assess` and `becoming export assessments`."""

import click

from becoming.cli import (
    export_group,
    fail,
    get_workspace,
    main,
    parse_date,
    run,
    setup_django,
    with_bar,
    workspace_option,
)


@main.command()
@workspace_option
@click.option("--as-of", help="Assess as of this date (YYYY-MM-DD); default today.")
@click.option("--history", type=int, help="Rebuild month-end snapshots for this many past months too.")
@click.option("--engine", type=click.Choice(["duckdb", "spark"]),
              help="Run the model on DuckDB (in this process) or Apache Spark (SPARK_MASTER, "
                   "else local[*]); default: the BECOMING_ENGINE setting, else duckdb.")
def assess(slug, as_of, history, engine):
    """Assess every customer with the current model and store the snapshot."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        setup_django()
    except ImproperlyConfigured as exc:  # e.g. BECOMING_ENGINE=presto
        fail(str(exc))
    from becoming.assessments.actions import rebuild_history, run_assessment

    ws = get_workspace(slug)
    if history:
        snaps = with_bar("rebuilding history", rebuild_history, ws, history,
                         today=parse_date(as_of), engine=engine)
        snap = snaps[-1]
    else:
        snap = with_bar("assessing", run_assessment, ws, parse_date(as_of), engine=engine)
    index = snap.summary.get("index")
    click.echo(f"assessed {snap.customers} customers as of {snap.as_of}; "
               f"transformation index {index:.1f}" if index is not None else
               f"assessed {snap.customers} customers as of {snap.as_of}")


@export_group.command("assessments")
@workspace_option
@click.option("--as-of", help="The latest snapshot on or before this date (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv")
@click.option("-o", "--output", help="File to write (default: standard output; not for parquet).")
def export_assessments(slug, as_of, fmt, output):
    """One row per customer and dimension: stage, stage_index, target, progress, index."""
    setup_django()
    from becoming.assessments.actions import export_rows
    from becoming.web.export import write_table

    table = run(export_rows, get_workspace(slug), parse_date(as_of))
    if fmt == "parquet" and not output:
        fail("parquet needs a file: add -o FILE")
    write_table(table, fmt, output)
