"""`becoming import events`."""

import click

from becoming.cli import (
    existing_file,
    fail,
    get_workspace,
    import_group,
    setup_django,
    with_bar,
    workspace_option,
)


@import_group.command("events")
@click.argument("file")
@workspace_option
@click.option("--customer-column", default="customer_id", show_default=True)
@click.option("--type-column", help="Column with the event type.")
@click.option("--type", "type_value", help="One event type for every row.")
@click.option("--time-column", default="time", show_default=True)
@click.option("--time-format", help="strptime format of the time column, e.g. %d/%m/%Y %H:%M.")
@click.option("--value-column", help="Column with a numeric value.")
@click.option("--id-column", help="Column with a unique event id (re-sent ids are not doubled).")
@click.option("--create-customers", is_flag=True, help="Create customers the file names but we lack.")
@click.option("--kind", type=click.Choice(["event", "answer"]), default="event", show_default=True,
              help="answer: survey answers (the type is the question key, the value the answer).")
def import_events(file, slug, customer_column, type_column, type_value, time_column, time_format,
                  value_column, id_column, create_customers, kind):
    """Append product events to the workspace's signal store."""
    if bool(type_column) == bool(type_value):
        fail("give exactly one of --type-column and --type")
    setup_django()
    from becoming.signals.actions import import_events as do_import

    path = existing_file(file)
    result = with_bar(
        "importing events", do_import, get_workspace(slug), path, customer_column=customer_column,
        type_column=type_column, type_value=type_value, time_column=time_column,
        time_format=time_format, value_column=value_column, id_column=id_column,
        create_customers=create_customers, file_name=path.name, kind=kind,
    )
    click.echo(f"{result['rows']} rows: {result['added']} events added, "
               f"{result['duplicates']} already present, {result['customers_created']} customers created"
               + (f" ({result['identical_kept']} rows identical to an earlier row, each kept as its own event)"
                  if result.get("identical_kept") else ""))
