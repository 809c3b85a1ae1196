"""`becoming segments list|create|rename|delete` and `becoming export customers`."""

import click

from becoming.cli import (
    export_group,
    fail,
    get_workspace,
    main,
    run,
    setup_django,
    workspace_option,
)


@main.group()
def segments():
    """Saved customer filters, shared by the workspace."""


@segments.command("list")
@workspace_option
def segments_list(slug):
    """Each segment: id, name and its filter."""
    setup_django()
    from becoming.segments.actions import segments_of

    for s in segments_of(get_workspace(slug)):
        filters = "&".join(f"{k}={v}" for k, v in s.params.items()) or "(every customer)"
        click.echo(f"{s.pk}\t{s.name}\t{filters}")


@segments.command("create")
@click.argument("name")
@workspace_option
@click.option("--filter", "filters", multiple=True, metavar="KEY=VALUE",
              help="A customer-list filter: q=TEXT, stage_<dimension key>=<stage index>, attr=NAME "
                   "with value=VALUE, sort=...; repeat for several.")
def segments_create(name, slug, filters):
    """Save a customer filter as segment NAME."""
    setup_django()
    from becoming.segments.actions import create_segment

    params = {}
    for item in filters:
        key, sep, value = item.partition("=")
        if not sep:
            fail(f"--filter {item!r}: write KEY=VALUE, e.g. stage_practice=2")
        params[key.strip()] = value
    from becoming.segments.actions import clean_params

    dropped = sorted(set(params) - set(run(clean_params, params)))
    if dropped:
        fail(f"--filter {dropped[0]}: not a filter the customer list understands "
             "(q, stage_<dimension key>, attr, value, sort), or an empty value")
    segment = run(create_segment, get_workspace(slug), name, params)
    click.echo(f"saved segment {segment.pk}: {segment.name}")


@segments.command("rename")
@click.argument("segment")
@click.argument("new_name")
@workspace_option
def segments_rename(segment, new_name, slug):
    """Rename SEGMENT (its name or id) to NEW_NAME."""
    setup_django()
    from becoming.segments.actions import get_segment, rename_segment

    ws = get_workspace(slug)
    found = run(rename_segment, run(get_segment, ws, segment), new_name)
    click.echo(f"renamed segment {found.pk} to {found.name}")


@segments.command("delete")
@click.argument("segment")
@workspace_option
def segments_delete(segment, slug):
    """Delete SEGMENT (its name or id); no customer changes."""
    setup_django()
    from becoming.segments.actions import delete_segment, get_segment

    found = run(get_segment, get_workspace(slug), segment)
    name = found.name
    delete_segment(found)
    click.echo(f"deleted segment {name}")


@export_group.command("customers")
@workspace_option
@click.option("--segment", help="Only the customers of this saved segment (its name or id).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv")
@click.option("-o", "--output", help="File to write (default: standard output; not for parquet).")
def export_customers(slug, segment, fmt, output):
    """One row per customer: id, name, transformation index, stage per dimension, attributes."""
    setup_django()
    from becoming.segments.actions import export_table, get_segment
    from becoming.web.export import write_table

    ws = get_workspace(slug)
    params = run(get_segment, ws, segment).params if segment else {}
    if fmt == "parquet" and not output:
        fail("parquet needs a file: add -o FILE")
    write_table(run(export_table, ws, params), fmt, output)
