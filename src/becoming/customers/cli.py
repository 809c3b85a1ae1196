"""`becoming import customers` and `becoming attribute rename|drop`."""

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    import_group,
    main,
    run,
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


@main.group()
def attribute():
    """Customer attributes: rename or drop one (every customer's value goes with it)."""


@attribute.command("rename")
@click.argument("old")
@click.argument("new")
@workspace_option
def attribute_rename(old, new, slug):
    """Rename attribute OLD to NEW on every customer."""
    setup_django()
    from becoming.customers.actions import rename_attribute

    held = run(rename_attribute, get_workspace(slug), old, new)
    click.echo(f"renamed {old!r} to {new!r} ({held} customers hold a value)")


@attribute.command("drop")
@click.argument("name")
@workspace_option
def attribute_drop(name, slug):
    """Delete attribute NAME and its value from every customer."""
    setup_django()
    from becoming.customers.actions import drop_attribute

    held = run(drop_attribute, get_workspace(slug), name)
    click.echo(f"dropped {name!r} ({held} customers held a value)")
