"""The commands of `becoming` (see cli.py for the conventions they share)."""

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


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port to serve the demo on.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--seed", default=7, show_default=True, help="Seed for the generated data.")
@click.option("--no-serve", is_flag=True, help="Build the demo workspace and stop.")
def demo(port, host, seed, no_serve):
    """Build the demo workspace (once) and serve it."""
    setup_django()
    from becoming.demo.build import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo

    workspace = with_bar("building the demo", ensure_demo, seed=seed)
    click.echo(f"demo workspace: {workspace.slug}")
    click.echo(f"sign in as {DEMO_EMAIL} with password {DEMO_PASSWORD}")
    if not no_serve:
        _serve(host, port)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--no-worker", is_flag=True, help="Do not run background jobs in this process.")
def serve(host, port, no_worker):
    """Serve the web app and API (and run background jobs, unless --no-worker)."""
    setup_django()
    _serve(host, port, worker=not no_worker)


def _serve(host, port, worker=True):
    from becoming.web.server import serve_forever

    click.echo(f"Becoming is at http://{host}:{port}/  (Ctrl-C stops it)")
    serve_forever(host, port, worker=worker)


@main.command()
def worker():
    """Run background jobs (imports, assessments) until stopped."""
    setup_django()
    from becoming.web.server import run_worker

    run_worker()


@main.group()
def workspace():
    """Workspaces (tenants)."""


@workspace.command("create")
@click.argument("name")
def workspace_create(name):
    """Create a workspace and print its slug."""
    setup_django()
    from becoming.workspaces.actions import create_workspace

    click.echo(run(create_workspace, name).slug)


@main.group()
def user():
    """People who sign in."""


@user.command("create")
@click.argument("email")
@workspace_option
@click.option("--role", required=True, type=click.Choice(["owner", "admin", "member", "viewer"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, slug, role, password_stdin):
    """Create a user (or update their role) in a workspace."""
    setup_django()
    from becoming.workspaces.actions import add_member

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        fail("no password on standard input")
    membership = run(add_member, get_workspace(slug), email, role, password)
    click.echo(f"{membership.user.email} is {membership.role} of {slug}")


@main.group()
def model():
    """The transformation model."""


@model.command("validate")
@click.argument("file")
def model_validate(file):
    """Check a model file; print each problem with its line."""
    from becoming.engine import ModelError, parse_model

    text = existing_file(file).read_text(encoding="utf-8", errors="replace")
    try:
        parsed = parse_model(text)
    except ModelError as exc:
        for issue in exc.errors:
            where = f"{file}:{issue.line}" if issue.line else file
            click.echo(f"{where}: {issue.field}: {issue.message}", err=True)
        sys.exit(1)
    stages = sum(len(d.stages) for d in parsed.dimensions)
    click.echo(f"{file}: valid ({len(parsed.dimensions)} dimensions, {stages} stages)")


@model.command("apply")
@click.argument("file")
@workspace_option
def model_apply(file, slug):
    """Validate a model file and make it the workspace's next model version."""
    setup_django()
    from becoming.transformation.actions import apply_model

    text = existing_file(file).read_text(encoding="utf-8", errors="replace")
    version = run(apply_model, get_workspace(slug), text, note=f"from {file}")
    click.echo(f"applied as version {version.number}")


@main.group("import")
def import_():
    """Load customers and events from files (CSV, Parquet, JSON lines)."""


@import_.command("customers")
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


@import_.command("events")
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
               f"{result['duplicates']} already present, {result['customers_created']} customers created")


@main.command()
@workspace_option
@click.option("--as-of", help="Assess as of this date (YYYY-MM-DD); default today.")
@click.option("--history", type=int, help="Rebuild month-end snapshots for this many past months too.")
def assess(slug, as_of, history):
    """Assess every customer with the current model and store the snapshot."""
    setup_django()
    from becoming.assessments.actions import rebuild_history, run_assessment

    ws = get_workspace(slug)
    if history:
        snaps = with_bar("rebuilding history", rebuild_history, ws, history, today=parse_date(as_of))
        snap = snaps[-1]
    else:
        snap = with_bar("assessing", run_assessment, ws, parse_date(as_of))
    index = snap.summary.get("index")
    click.echo(f"assessed {snap.customers} customers as of {snap.as_of}; "
               f"transformation index {index:.1f}" if index is not None else
               f"assessed {snap.customers} customers as of {snap.as_of}")


@main.group()
def export():
    """Write data out as CSV, JSON or Parquet."""


@export.command("assessments")
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


@import_.command("feedback")
@click.argument("file")
@workspace_option
@click.option("--text-column", required=True, help="Column with the feedback text.")
@click.option("--id-column", help="Column with the item's id in its source (default: its row number).")
@click.option("--customer-column", help="Column with the customer's external id.")
@click.option("--channel", default="import", show_default=True, help="Where it came from, e.g. support.")
@click.option("--time-column", help="Column with when it was said (default: now).")
def import_feedback(file, slug, text_column, id_column, customer_column, channel, time_column):
    """Add open feedback (support tickets, reviews, research) to the inbox, themed on arrival."""
    setup_django()
    from becoming.engage.feedback import import_feedback as do_import

    path = existing_file(file)
    result = with_bar("importing feedback", do_import, get_workspace(slug), path, text_column=text_column,
                      id_column=id_column, customer_column=customer_column, channel=channel,
                      time_column=time_column, file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['added']} feedback added, {result['skipped']} already present")


@main.group()
def themes():
    """Themes in customers' open feedback."""


@themes.command("discover")
@workspace_option
@click.option("--themes", "count", default="auto", show_default=True, help="How many themes, or auto.")
@click.option("--granularity", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="With auto: towards fewer, broader themes (0) or more, finer ones (1).")
def themes_discover(slug, count, granularity):
    """Group all feedback into themes (keeping the names and merges staff made)."""
    if count != "auto" and not count.isdigit():
        fail(f"--themes takes a number or auto, not {count!r}")
    setup_django()
    from becoming.engage.themes import discover_themes

    result = with_bar("finding themes", discover_themes, get_workspace(slug),
                      None if count == "auto" else int(count), granularity)
    click.echo(f"{result['feedback']} feedback items in {result['themes']} themes")


@export.command("themes")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("-o", "--output", help="File to write (default: standard output).")
def export_themes(slug, fmt, output):
    """One row per feedback item: feedback_id, theme, theme_label, text, customer_id, channel, time."""
    setup_django()
    from becoming.engage.themes import export_rows
    from becoming.web.export import write_table

    write_table(run(export_rows, get_workspace(slug)), fmt, output)


@import_.command("outcomes")
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

    from becoming.outcomes.report import build_report
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
