"""`becoming import customers`, `becoming customers set` and `becoming attribute rename|drop`."""

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
@click.option("--owner-column", help="Column with the account owner's email (a workspace member).")
@click.option("--status-column", help="Column with the lifecycle status: trial, active or churned.")
@click.option("--churn-column", help="Column with a churn flag (Yes/No, true/false, 1/0): yes "
              "makes the customer churned.")
@click.option("--arr-column", help="Column with the annual recurring revenue.")
@click.option("--renewal-column", help="Column with the next renewal date.")
def import_customers(file, slug, id_column, name_column, owner_column, status_column,
                     churn_column, arr_column, renewal_column):
    """Create or update customers; other columns become typed attributes."""
    setup_django()
    from becoming.customers.actions import import_customers as do_import

    path = existing_file(file)
    result = with_bar("importing customers", do_import, get_workspace(slug), path,
                      id_column=id_column, name_column=name_column, file_name=path.name,
                      owner_column=owner_column, status_column=status_column,
                      churn_column=churn_column, arr_column=arr_column,
                      renewal_column=renewal_column)
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


@main.group("customers")
def customers_group():
    """One customer's account: owner, status, ARR, renewal; notes."""


@customers_group.command("set")
@click.argument("external_id")
@workspace_option
@click.option("--owner", help="The owner's email (a workspace member); \"\" clears it.")
@click.option("--status", type=click.Choice(["trial", "active", "churned"], case_sensitive=False),
              help="The lifecycle status.")
@click.option("--arr", help="Annual recurring revenue in the workspace's currency; \"\" clears it.")
@click.option("--renewal-date", help="The next renewal (YYYY-MM-DD); \"\" clears it.")
def customer_set(external_id, slug, owner, status, arr, renewal_date):
    """Set the account fields of customer EXTERNAL_ID (only the options given change)."""
    setup_django()
    from becoming.customers.actions import find_customer, set_account

    ws = get_workspace(slug)
    customer = run(find_customer, ws, external_id)
    given = {name: value for name, value in (("owner", owner), ("status", status), ("arr", arr),
                                             ("renewal_date", renewal_date)) if value is not None}
    c = run(set_account, customer, **given)
    click.echo(f"{c.external_id}: owner {c.owner.email if c.owner else '-'}, {c.status}, "
               f"ARR {c.arr if c.arr is not None else '-'} {ws.currency}, "
               f"renewal {c.renewal_date or '-'}")
