"""`becoming import outcomes` and `becoming outcomes report`."""

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    import_group,
    main,
    parse_date,
    run,
    setup_django,
    with_bar,
    workspace_option,
)


@import_group.command("outcomes")
@click.argument("file")
@workspace_option
@click.option("--customer-column", required=True, help="Column with the customer's external id.")
@click.option("--kind", required=True, type=click.Choice(["churn", "revenue", "renewal"]))
@click.option("--time-column", help="Column with when it happened (or the revenue's month).")
@click.option("--time-format", help="strptime format of the time column.")
@click.option("--value-column", help="Column with the amount (revenue per month; a renewal's value).")
@click.option("--flag-column", help="A yes/no churn column (Yes/No, true/false, 1/0), as of today.")
def import_outcomes(file, slug, customer_column, kind, time_column, time_format, value_column, flag_column):
    """Add business outcomes (churn, renewals, revenue) to the signal store."""
    setup_django()
    from becoming.outcomes.actions import import_outcomes as do_import

    path = existing_file(file)
    result = with_bar("importing outcomes", do_import, get_workspace(slug), path,
                      customer_column=customer_column, kind=kind, time_column=time_column,
                      time_format=time_format, value_column=value_column, flag_column=flag_column,
                      file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['added']} {kind} outcomes added, "
               f"{result['duplicates']} already present")


@main.group()
def outcomes():
    """Does transformation pay? Outcomes by stage."""


@outcomes.command("report")
@workspace_option
@click.option("--outcome", type=click.Choice(["churn", "revenue"]), default="churn", show_default=True)
@click.option("--as-of", help="Measure stages as of this date (default: today, or one window ago).")
@click.option("--window", help="Count outcomes in this window after the as-of date, e.g. 12m (no leakage).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("-o", "--output", help="File to write (default: standard output).")
def outcomes_report(slug, outcome, as_of, window, fmt, output):
    """Per dimension and stage: customers, churn or retention with 95% intervals, revenue, NRR."""
    setup_django()
    import json

    import pyarrow as pa

    from becoming.outcomes.actions.report import build_report
    from becoming.web.export import write_table

    report = run(build_report, get_workspace(slug), outcome, parse_date(as_of), window)
    if fmt == "json":
        text = json.dumps(report, indent=1) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            click.echo(text, nl=False)
        return
    write_table(pa.Table.from_pylist(report["stages"]), "csv", output)
