"""`becoming levers effects`, `becoming next-actions` and `becoming playbook validate|apply`."""

import sys

import click

from becoming.cli import (
    existing_file,
    fail,
    get_workspace,
    main,
    parse_date,
    run,
    setup_django,
    with_bar,
    workspace_option,
)

FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
                      show_default=True)
OUTPUT = click.option("-o", "--output", help="File to write (default: standard output).")


def _write(rows: list[dict], columns: list[str], fmt: str, output: str | None) -> None:
    import pyarrow as pa

    from becoming.web.export import write_table

    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows]) if rows else \
        pa.table({c: pa.array([], pa.string()) for c in columns})
    write_table(table, fmt, output)


@main.group()
def levers():
    """What moves customers: the measured effect of every action."""


@levers.command("effects")
@workspace_option
@click.option("--actions", help="Signal types to measure, comma-separated (prefix.* allowed); "
                                "default: every lever signal type (a type with a dot).")
@click.option("--window", default="90d", show_default=True,
              help="Moved up: a higher stage this long after the as-of date.")
@click.option("--lookback", default="30d", show_default=True,
              help="Treated: the action happened this long before the as-of date (its day included).")
@click.option("--from", "start", help="First as-of date (default: eleven steps before --to).")
@click.option("--to", "end", help="Last as-of date (default: the last month end whose window has passed).")
@click.option("--every", default="1m", show_default=True, help="Step between as-of dates (30d, 1m).")
@click.option("--by", multiple=True, help="Also stratify by this customer attribute (repeatable).")
@FORMAT
@OUTPUT
def effects(slug, actions, window, lookback, start, end, every, by, fmt, output):
    """Per action and dimension: how many moved up with and without it, the adjusted uplift and
    its 95% interval."""
    setup_django()
    from becoming.levers.actions.effects import lever_effects
    from becoming.levers.effects import COLUMNS

    names = [a.strip() for a in actions.split(",") if a.strip()] if actions else None
    result = with_bar("measuring lever effects", lever_effects, get_workspace(slug), actions=names,
                      window=window, lookback=lookback, start=parse_date(start), end=parse_date(end),
                      every=every, by=tuple(by))
    _write(result["rows"], COLUMNS, fmt, output)


@main.command("next-actions")
@workspace_option
@click.option("--customer", help="Only this customer (external id).")
@click.option("--k", default=5, show_default=True, type=click.IntRange(1, 100),
              help="Actions per customer.")
@FORMAT
@OUTPUT
def next_actions(slug, customer, k, fmt, output):
    """For each customer: the best next actions by expected gain on the transformation index."""
    setup_django()
    from becoming.levers.actions.nba import COLUMNS
    from becoming.levers.actions.nba import next_actions as rank

    rows = run(rank, get_workspace(slug), customer, k)
    _write(rows, COLUMNS, fmt, output)


@main.group()
def playbook():
    """Playbooks as code: a trigger, steps and an optional holdout, in YAML."""


@playbook.command("validate")
@click.argument("file")
def playbook_validate(file):
    """Check a playbook file; every problem is reported with its line."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    django.setup()  # the step kinds the apps register; no database needed
    from becoming.levers.actions.playbooks import check_text

    path = existing_file(file)
    try:
        spec, issues = check_text(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    if spec is None:
        for issue in issues:
            where = f"{file}:{issue.line}" if issue.line else file
            click.echo(f"{where}: {issue.field}: {issue.message}" if issue.field
                       else f"{where}: {issue.message}", err=True)
        sys.exit(1)
    click.echo(f"{file}: valid playbook '{spec.key}' ({spec.trigger.replace('_', ' ')} trigger, "
               f"{len(spec.steps)} step(s), holdout {spec.holdout:.0%})")


@playbook.command("apply")
@click.argument("file")
@workspace_option
def playbook_apply(file, slug):
    """Save the playbook as its next version and enrol today's matching customers."""
    setup_django()
    from becoming.levers.actions.playbooks import apply

    path = existing_file(file)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{path.name}: not UTF-8 text")
    result = run(apply, get_workspace(slug), text)
    click.echo(f"{result['playbook']} v{result['version']}: {result['enrolled']} enrolled "
               f"({result['treated']} treated, {result['holdout']} held out), "
               f"{result['steps']} step(s) done")
    for problem in result["failed"]:
        click.echo(f"step failed: {problem}", err=True)
