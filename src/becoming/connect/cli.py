"""`becoming connect opt-in | match | gatherings`: the community from the command line."""

import csv
import json
import sys

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    main,
    parse_date,
    run,
    setup_django,
    workspace_option,
)


@main.group()
def connect():
    """Connect customers with peers: members, introductions, gatherings."""


@connect.command("opt-in")
@workspace_option
@click.option("--all", "everyone", is_flag=True, help="Every customer of the workspace.")
@click.option("--customers", "file", help="A file listing the customers who consented.")
@click.option("--customer-column", help="The file's column with customer external ids.")
def opt_in(slug, everyone, file, customer_column):
    """Make customers members of the community (consent recorded: who, when, how)."""
    if bool(everyone) == bool(file):
        raise click.UsageError("give --all or --customers FILE --customer-column COL")
    if file and not customer_column:
        raise click.UsageError("--customers needs --customer-column")
    setup_django()
    from becoming.connect.actions import members

    workspace = get_workspace(slug)
    if everyone:
        result = run(members.opt_in_all, workspace, by="command line (--all)")
    else:
        path = existing_file(file)
        result = run(members.opt_in_file, workspace, path, customer_column=customer_column,
                     file_name=path.name)
    click.echo(f"{result['added']} members opted in, {result['already']} already members")


def _write(rows, columns, fmt, out):
    handle = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        if fmt == "json":
            json.dump([{c: r[c] for c in columns} for r in rows], handle, indent=1)
            handle.write("\n")
        else:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    finally:
        if out:
            handle.close()


@connect.command("match")
@workspace_option
@click.option("--mode", type=click.Choice(["same-industry", "cross-industry", "any"]), default="any",
              show_default=True, help="Pairs within an industry, across industries, or either.")
@click.option("--industry-attribute", help="The attribute holding the industry.")
@click.option("--exclude-same", multiple=True, help="Competitors: equal values of all these attributes.")
@click.option("--text-attribute", multiple=True, help="Attributes with free text to compare.")
@click.option("--capacity", type=int, help="Introductions a member takes this round (default: each member's own).")
@click.option("--as-of", help="The round's date (YYYY-MM-DD; default today).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "out", help="Write to this file (default: standard output).")
@click.option("--candidates-out", help="Also write every candidate pair the optimizer considered.")
def match(slug, mode, industry_attribute, exclude_same, text_attribute, capacity, as_of, fmt, out,
          candidates_out):
    """Propose one round of introductions (an optimal matching), saved for staff review."""
    day = parse_date(as_of)
    setup_django()
    from becoming.connect.actions.rounds import propose

    workspace = get_workspace(slug)
    result = run(propose, workspace, mode=mode, industry_attribute=industry_attribute,
                 exclude_same=exclude_same, text_attributes=text_attribute, capacity=capacity,
                 as_of=day)
    _write(result["pairs"], ["member_a", "member_b", "score", "reason"], fmt, out)
    if candidates_out:
        _write(result["candidates"], ["member_a", "member_b", "score"],
               "json" if candidates_out.endswith(".json") else "csv", candidates_out)
    click.echo(f"{len(result['pairs'])} pairs, total score {result['total']:.3f}, "
               f"from {len(result['candidates'])} candidate pairs", err=True)


@connect.command("gatherings")
@workspace_option
@click.option("--size-min", type=int, required=True, help="Fewest members in a group.")
@click.option("--size-max", type=int, required=True, help="Most members in a group.")
@click.option("--exclude-same", multiple=True, help="Competitors: equal values of all these attributes.")
@click.option("--text-attribute", multiple=True, help="Attributes with free text to compare.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("-o", "out", help="Write to this file (default: standard output).")
def gatherings(slug, size_min, size_max, exclude_same, text_attribute, fmt, out):
    """Form groups of size-min to size-max members around shared challenges."""
    setup_django()
    from becoming.connect.actions.gatherings import form

    workspace = get_workspace(slug)
    result = run(form, workspace, size_min=size_min, size_max=size_max, exclude_same=exclude_same,
                 text_attributes=text_attribute)
    rows = [{"group": n, "member": m} for n, group in enumerate(result["groups"], start=1) for m in group]
    _write(rows, ["group", "member"], fmt, out)
    click.echo(f"{len(result['groups'])} groups, mean similarity within groups "
               f"{result['cohesion']:.2f}", err=True)
