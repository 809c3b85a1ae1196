"""`becoming import customers`."""

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    import_group,
    setup_django,
    with_bar,
    workspace_option,
)


@import_group.command("customers")
@click.argument("file")
@workspace_option
@click.option("--id-column", help="Column with the customer's id (default: a column named like id).")
@click.option("--name-column", help="Column with the customer's name.")
def import_customers(file, slug, id_column, name_column):
    """Create or update customers; other columns become typed attributes."""
    setup_django()
    from becoming.customers.actions import import_customers as do_import

    path = existing_file(file)
    result = with_bar("importing customers", do_import, get_workspace(slug), path,
                      id_column=id_column, name_column=name_column, file_name=path.name)
    click.echo(f"{result['rows']} customers: {result['created']} created, {result['updated']} updated")
